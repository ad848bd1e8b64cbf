"""The Django admin site: for platform administrators only. Coordinators do everything in the app.

A signed-in user who is not a platform admin (`accounts.access.is_platform_admin`) gets a plain 403
page that sends them back to the app, on every admin URL and on the admin's sign-in page: Django's
own answer would be that sign-in page inviting them to "log in to a different account".
"""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation

from .access import is_platform_admin

REFUSED_TEMPLATE = "accounts/admin_refused.html"


class PlatformAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in form accepts only platform admins (the app's sign-in is for everyone else)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_platform_admin": "The admin is for platform administrators. Sign in to the app instead.",
    }

    def confirm_login_allowed(self, user):
        if not is_platform_admin(user):
            raise ValidationError(self.error_messages["not_platform_admin"], code="not_platform_admin")
        super().confirm_login_allowed(user)


# How many admins' lists of apps and models (the sidebar on every admin page) one process keeps.
_APP_LISTS_KEPT = 200


def _app_list_key(request):
    """Everything the list of apps depends on: who (and with which permissions), in which language, where.

    Every model admin decides what it shows from the user's flags and permissions alone
    (`accounts.admin`), so a change to any of them is a new key, never a stale list."""
    user = request.user
    permissions = () if user.is_superuser else tuple(sorted(user.get_all_permissions()))
    flags = (user.is_active, user.is_staff, user.is_superuser)
    return (user.pk, flags, permissions, translation.get_language(), get_script_prefix(), get_urlconf())


class PlatformAdminSite(admin.AdminSite):
    site_header = "Police work experience — administration"
    site_title = "Work experience admin"
    login_form = PlatformAdminAuthenticationForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._app_lists = {}

    def get_app_list(self, request, app_label=None):
        """The whole list is built once per admin (and set of permissions) in this process.

        Building it asks each of some eighty model admins for its permissions and reverses two URLs
        for each: a fifth of every changelist's time, for a sidebar that only changes when what is in
        the key does, so nothing kept can be stale. Pages check access on their own."""
        if app_label is not None or not request.user.is_authenticated:
            return super().get_app_list(request, app_label)
        key = _app_list_key(request)
        app_list = self._app_lists.get(key)
        if app_list is None:
            if len(self._app_lists) >= _APP_LISTS_KEPT:
                self._app_lists.clear()
            app_list = self._app_lists[key] = super().get_app_list(request)
        return app_list

    def has_permission(self, request):
        return is_platform_admin(request.user)

    def refuse(self, request):
        return render(request, REFUSED_TEMPLATE, status=403)

    def admin_view(self, view, cacheable=False):
        checked = super().admin_view(view, cacheable)

        @wraps(checked)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                return self.refuse(request)
            return checked(request, *args, **kwargs)

        return wrapper

    def login(self, request, extra_context=None):
        if request.user.is_authenticated and not self.has_permission(request):
            return self.refuse(request)
        return super().login(request, extra_context)
