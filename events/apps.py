from django.apps import AppConfig


class EventsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "events"

    def ready(self):
        from core.attachments import attachment_register
        from core.links import link_register

        from . import privacy
        from .services import event_calendar_attachment, event_calendar_attachment_welsh, reply_link_path

        privacy.register()
        link_register("event-reply", reply_link_path)
        attachment_register("event-calendar", event_calendar_attachment)
        attachment_register("event-calendar-cy", event_calendar_attachment_welsh)
