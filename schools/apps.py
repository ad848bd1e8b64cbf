from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"

    def ready(self):
        from placements.sections import ProgrammeSection, register_programme_section

        def intake_context(programme, request):
            from .selectors import intake_summary

            return intake_summary(programme=programme)

        register_programme_section(
            ProgrammeSection(
                order=10, title="Intake", template_name="schools/sections/intake.html", context=intake_context
            )
        )
