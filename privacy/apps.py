from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Privacy: retention, erasure and subject access"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import personal_data
        from .models import ForceNotice
        from .notices import forget_public_contact

        personal_data.register()
        post_save.connect(forget_public_contact, sender=ForceNotice, dispatch_uid="privacy-forget-contact-save")
        post_delete.connect(forget_public_contact, sender=ForceNotice, dispatch_uid="privacy-forget-contact-delete")
