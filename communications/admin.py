from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import (
    AudienceMessage,
    CalendarEvent,
    JoiningInstructions,
    JoiningLink,
    MessageRecipient,
    MessageTemplate,
    StaffBriefing,
    TextConsent,
)


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


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ScopedAdmin):
    list_display = ["name", "force", "updated_at"]
    list_select_related = ["force"]
    raw_id_fields = ["created_by"]


@admin.register(AudienceMessage)
class AudienceMessageAdmin(ScopedAdmin):
    list_display = ["subject", "audience_label", "force", "created_at", "recipient_count", "status"]
    list_select_related = ["force"]
    raw_id_fields = ["programme", "sent_by"]
    readonly_fields = ["recipient_count", "status", "progressed_at", "finished_at"]


@admin.register(MessageRecipient)
class MessageRecipientAdmin(ScopedAdmin):
    list_display = ["message", "kind"]
    list_select_related = ["message"]
    raw_id_fields = ["message", "nomination", "email"]
    readonly_fields = ["key", "values", "email"]
