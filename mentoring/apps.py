from django.apps import AppConfig


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"

    def ready(self):
        from . import privacy

        privacy.register()
        from placements.sections import ProgrammeSection, register_programme_section

        from .selectors import programme_summary

        register_programme_section(
            ProgrammeSection(
                order=60,
                title="Mentoring",
                template_name="mentoring/section.html",
                context=lambda programme, request: programme_summary(programme=programme),
            )
        )
