from django.contrib.admin.apps import AdminConfig


class PlatformAdminConfig(AdminConfig):
    """`django.contrib.admin`, with `admin.site` a PlatformAdminSite (for platform administrators only).

    In a module of its own: INSTALLED_APPS imports it before any model exists.
    """

    default_site = "accounts.sites.PlatformAdminSite"
