from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"

    def ready(self):
        from . import privacy, programme_setup

        privacy.register()
        programme_setup.register()
        from . import task_states

        task_states.register()
        from core.links import link_register
        from placements.sections import ProgrammeSection, register_programme_section

        from .services import consent_link_path, contact_invitation_path

        link_register("consent", consent_link_path)
        link_register("invitation", contact_invitation_path)

        def intake_context(programme, request):
            from django.utils import timezone

            from .selectors import intake_summary

            return intake_summary(programme=programme, today=timezone.localdate())

        register_programme_section(
            ProgrammeSection(
                order=10, title="Intake", template_name="schools/sections/intake.html", context=intake_context
            )
        )
