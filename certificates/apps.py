from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "certificates"

    def ready(self):
        from . import privacy, programme_setup

        privacy.register()
        programme_setup.register()
        from . import task_states

        task_states.register()
        from placements.sections import ProgrammeSection, register_programme_section

        from .selectors import section_context

        register_programme_section(
            ProgrammeSection(
                order=40,
                title="Certificates",
                template_name="certificates/sections/certificates.html",
                context=section_context,
            )
        )
