from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS, so every admin is registered by now.
        from .admin import restrict_unscoped_admins

        restrict_unscoped_admins()
