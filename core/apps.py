from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"

    def ready(self):
        from auditlog.signals import post_log

        from . import privacy
        from .audit import tag_entry
        from .languages import skip_empty_catalogs

        post_log.connect(tag_entry, dispatch_uid="core.audit.tag_entry")
        privacy.register()
        skip_empty_catalogs()
