from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import Event, Invitation


@admin.register(Event)
class EventAdmin(ScopedAdmin):
    list_display = ["title", "kind", "starts_at", "force"]
    list_select_related = ["force"]
    raw_id_fields = ["force", "programme", "created_by"]
    readonly_fields = ["sequence", "reminder_rounds"]


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    list_display = ["event", "kind", "answer", "guests", "replied_at"]
    list_select_related = ["event"]
    raw_id_fields = ["event", "placement", "contact", "person"]
    readonly_fields = ["token_hash", "token_salt", "link_version"]
