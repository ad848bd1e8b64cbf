from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"

    def ready(self):
        from . import privacy, programme_setup, question_cache, report_cache

        privacy.register()
        report_cache.connect()
        question_cache.connect()
        programme_setup.register()
        from . import task_states

        task_states.register()
        from core.links import link_register
        from placements.sections import ProgrammeSection, register_programme_section

        from .selectors import programme_surveys_summary
        from .services import invitation_code_text, invitation_path

        link_register("survey", invitation_path)
        link_register("survey-code", invitation_code_text)

        register_programme_section(
            ProgrammeSection(
                order=30,
                title="Surveys",
                template_name="surveys/sections/surveys.html",
                context=lambda programme, request: programme_surveys_summary(programme),
            )
        )
