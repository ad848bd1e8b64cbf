from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import CalendarEvent, JoiningInstructions, JoiningLink


@admin.register(JoiningInstructions)
class JoiningInstructionsAdmin(ScopedAdmin):
    list_display = ["programme", "updated_at", "sent_at"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "updated_by", "sent_by"]
    readonly_fields = ["sent_at"]


@admin.register(JoiningLink)
class JoiningLinkAdmin(ScopedAdmin):
    list_display = ["placement", "created_at"]
    list_select_related = ["placement__nomination", "placement__programme"]
    raw_id_fields = ["placement"]
    readonly_fields = ["token_hash"]


@admin.register(CalendarEvent)
class CalendarEventAdmin(ScopedAdmin):
    list_display = ["programme", "key", "sequence", "changed_at"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme"]
    readonly_fields = ["sequence", "fingerprint"]
