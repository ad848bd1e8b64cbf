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


class PlatformAdminSite(admin.AdminSite):
    site_header = "Police work experience — administration"
    site_title = "Work experience admin"
    login_form = PlatformAdminAuthenticationForm

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
