from django.apps import AppConfig


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"

    def ready(self):
        from . import privacy

        privacy.register()
        from . import task_states

        task_states.register()
        from placements.sections import ProgrammeSection, register_programme_section
        from schools.signals import consent_withdrawn

        from .services import end_mentoring_on_consent_withdrawn

        register_programme_section(
            ProgrammeSection(
                order=60,
                title="Mentoring",
                template_name="mentoring/section.html",
                context=lambda programme, request: task_states.section_context(programme),
            )
        )
        consent_withdrawn.connect(end_mentoring_on_consent_withdrawn, dispatch_uid="mentoring.consent_withdrawn")
