from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"

    def ready(self):
        # django.contrib.admin comes first in INSTALLED_APPS, so every admin is registered by now.
        from django.contrib.auth.signals import user_logged_in

        from .admin import restrict_unscoped_admins
        from .middleware import stamp_session
        from .scoping import connect_role_signals

        restrict_unscoped_admins()
        user_logged_in.connect(stamp_session, dispatch_uid="accounts-stamp-session")
        connect_role_signals()
