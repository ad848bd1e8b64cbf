from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import Erasure, ForceNotice, RetentionPolicy


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(ScopedAdmin):
    list_display = ["force", "not_placed_months", "placed_months", "survey_text_months", "updated_at"]
    list_select_related = ["force"]
    autocomplete_fields = ["force"]


@admin.register(ForceNotice)
class ForceNoticeAdmin(ScopedAdmin):
    """Coordinators edit these in the app (Privacy and data); the platform admin may look or correct."""

    list_display = ["force", "contact_email", "updated_at"]
    list_select_related = ["force"]
    autocomplete_fields = ["force"]


@admin.register(Erasure)
class ErasureAdmin(ScopedAdmin):
    list_display = ["nomination", "reason", "erased_at", "erased_by"]
    list_filter = ["reason"]
    list_select_related = ["nomination", "erased_by"]
    readonly_fields = [f.name for f in Erasure._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
