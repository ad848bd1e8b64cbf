from django.apps import AppConfig


class CommunicationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "communications"

    def ready(self):
        from core.attachments import attachment_register
        from core.links import link_register

        from . import privacy, task_states
        from .services import joining_calendar_attachment, joining_link_path

        privacy.register()
        task_states.register()
        link_register("joining", joining_link_path)
        attachment_register("joining-calendar", joining_calendar_attachment)
