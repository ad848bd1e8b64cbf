from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import CalendarEvent, JoiningInstructions, JoiningLink, StaffBriefing, TextConsent


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


@admin.register(StaffBriefing)
class StaffBriefingAdmin(ScopedAdmin):
    list_display = ["programme", "audience", "syndicate", "department", "told_at"]
    list_select_related = ["programme", "syndicate", "department"]
    raw_id_fields = ["programme", "syndicate", "department"]
    readonly_fields = ["version", "told_at", "told_to"]


@admin.register(TextConsent)
class TextConsentAdmin(ScopedAdmin):
    list_display = ["placement", "who", "given_at", "withdrawn_at"]
    list_select_related = ["placement__nomination", "placement__programme"]
    raw_id_fields = ["placement"]
    readonly_fields = ["phone", "wording", "given_at"]
