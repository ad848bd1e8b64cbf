from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "privacy"
    verbose_name = "Privacy: retention, erasure and subject access"

    def ready(self):
        from . import personal_data

        personal_data.register()
