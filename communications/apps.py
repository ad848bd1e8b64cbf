from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communications"

    def ready(self):
        from core.attachments import attachment_register
        from core.links import link_register
        from placements.signals import session_replaced

        from . import privacy, task_states
        from .services import (
            briefing_calendar_attachment,
            joining_calendar_attachment,
            joining_link_path,
            on_session_replaced,
            syndicate_calendar_attachment,
        )

        privacy.register()
        task_states.register()
        link_register("joining", joining_link_path)
        attachment_register("joining-calendar", joining_calendar_attachment)
        attachment_register("briefing-calendar", briefing_calendar_attachment)
        attachment_register("syndicate-calendar", syndicate_calendar_attachment)
        session_replaced.connect(on_session_replaced, dispatch_uid="communications-session-replaced")
