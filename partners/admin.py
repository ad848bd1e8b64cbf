from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import (
    Action,
    Document,
    DocumentRules,
    Meeting,
    Organisation,
    PartnerInvitation,
    PartnerPerson,
    ProgrammePartner,
    RiskAssessmentOverride,
)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "force", "is_active"]
    list_select_related = ["force"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(PartnerPerson)
class PartnerPersonAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "role", "is_active"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name"]
    raw_id_fields = ["organisation", "user"]


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(ScopedAdmin):
    """Coordinators send these from the partner's page; the admin shows them (the token is never stored)."""

    list_display = ["email", "person", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["person__organisation"]
    raw_id_fields = ["person", "invited_by"]
    readonly_fields = ["token_hash"]


@admin.register(ProgrammePartner)
class ProgrammePartnerAdmin(ScopedAdmin):
    list_display = ["organisation", "role", "programme"]
    list_select_related = ["organisation", "programme"]
    raw_id_fields = ["programme", "organisation", "contact"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["title", "held_on", "programme"]
    list_select_related = ["programme"]
    raw_id_fields = ["programme", "recorded_by"]


@admin.register(Action)
class ActionAdmin(ScopedAdmin):
    list_display = ["title", "kind", "due_on", "state", "programme"]
    list_select_related = ["programme"]
    list_filter = ["kind", "state"]
    raw_id_fields = ["programme", "meeting", "owner_person", "owner_partner"]


@admin.register(DocumentRules)
class DocumentRulesAdmin(ScopedAdmin):
    list_display = ["force", "risk_assessment_required"]
    list_select_related = ["force"]


@admin.register(Document)
class DocumentAdmin(ScopedAdmin):
    """The file is not linked here: it has no public address, and is read through the app's document page."""

    list_display = ["title", "kind", "force", "expires_on", "approved_at"]
    list_select_related = ["force"]
    list_filter = ["kind"]
    exclude = ["file"]
    readonly_fields = ["original_name", "content_type", "size", "approved_by", "approved_at", "uploaded_by"]
    raw_id_fields = ["activity", "programme", "organisation", "owner"]

    def has_add_permission(self, request):
        return False  # uploads go through the app's checks (type by content, size)


@admin.register(RiskAssessmentOverride)
class RiskAssessmentOverrideAdmin(ScopedAdmin):
    list_display = ["activity", "programme", "given_at"]
    list_select_related = ["activity", "programme"]
    raw_id_fields = ["programme", "activity", "given_by"]
