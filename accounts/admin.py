from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


class ScopedAdmin(admin.ModelAdmin):
    """Admin that shows a staff coordinator only their own force's rows (superusers see all).

    Coordinators who are staff may manage their force's records here; row access is decided
    by `accounts.scoping`, so there is no second set of per-model permissions to keep in step.
    """

    def _is_allowed(self, request):
        from .scoping import scope_for

        return (
            request.user.is_active
            and request.user.is_staff
            and (request.user.is_superuser or scope_for(request.user).is_coordinator)
        )

    def has_module_permission(self, request):
        return self._is_allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._is_allowed(request)

    def has_add_permission(self, request):
        return self._is_allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._is_allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_allowed(request)

    def get_queryset(self, request):
        from .scoping import scoped

        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return scoped(request.user, queryset)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        from .scoping import FORCE_PATHS, scoped

        if not request.user.is_superuser and db_field.related_model._meta.label_lower in FORCE_PATHS:
            kwargs["queryset"] = scoped(request.user, db_field.related_model)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        from .scoping import FORCE_PATHS, scoped

        if not request.user.is_superuser and db_field.related_model._meta.label_lower in FORCE_PATHS:
            kwargs["queryset"] = scoped(request.user, db_field.related_model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]

    def has_module_permission(self, request):
        return request.user.is_superuser
