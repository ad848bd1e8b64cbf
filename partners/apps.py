from django.apps import AppConfig


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"

    def ready(self):
        from core.links import link_register
        from placements.hooks import register_timetable_gate
        from placements.sections import ProgrammeSection, register_programme_section

        from . import privacy, selectors, task_states
        from .services import INVITATION_PURPOSE, partner_invitation_path

        privacy.register()
        task_states.register()
        link_register(INVITATION_PURPOSE, partner_invitation_path)
        register_timetable_gate(selectors.risk_assessment_refusals)
        register_programme_section(
            ProgrammeSection(
                order=25,
                title="Partners and documents",
                template_name="partners/sections/partners.html",
                context=lambda programme, request: selectors.programme_section(programme=programme),
            )
        )
