from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"

    def ready(self):
        from placements.sections import ProgrammeSection, register_programme_section

        from .selectors import programme_surveys_summary

        register_programme_section(
            ProgrammeSection(
                order=30,
                title="Surveys",
                template_name="surveys/sections/surveys.html",
                context=lambda programme, request: programme_surveys_summary(programme),
            )
        )
