from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import Allocation, Consent, ConsentLink, ContactInvitation, Institution, InstitutionContact, Nomination


@admin.register(Institution)
class InstitutionAdmin(ScopedAdmin):
    list_display = ["name", "kind", "code", "area", "is_send", "fsm_pct", "idaci_decile", "force"]
    list_filter = ["kind", "is_send", "force"]
    list_select_related = ["force"]
    search_fields = ["name", "code", "area"]


@admin.register(InstitutionContact)
class InstitutionContactAdmin(ScopedAdmin):
    list_display = ["name", "email", "institution", "is_active"]
    list_filter = ["is_active"]
    list_select_related = ["institution"]
    search_fields = ["name", "email", "institution__name"]
    autocomplete_fields = ["institution", "user"]


@admin.register(Allocation)
class AllocationAdmin(ScopedAdmin):
    list_display = ["programme", "institution", "quota"]
    list_select_related = ["programme", "institution"]
    search_fields = ["institution__name", "programme__title"]
    autocomplete_fields = ["programme", "institution"]


@admin.register(Nomination)
class NominationAdmin(ScopedAdmin):
    list_display = [
        "full_name",
        "institution",
        "programme",
        "year_group",
        "status",
        "police_first_choice",
        "created_at",
    ]
    list_filter = ["status", "police_first_choice", "institution__is_send"]
    list_select_related = ["institution", "programme"]
    # Newest first, by the primary key's index: sorting every nomination by name costs ~70 ms at 30,000.
    ordering = ["-pk"]
    search_fields = ["first_name", "last_name", "institution__name"]
    autocomplete_fields = ["programme", "institution"]
    raw_id_fields = ["submitted_by"]


@admin.register(Consent)
class ConsentAdmin(ScopedAdmin):
    list_display = ["nomination", "status", "participation", "photos_media", "mentoring_contact", "responded_at"]
    list_filter = ["status", "relationship"]
    list_select_related = ["nomination"]
    search_fields = ["nomination__first_name", "nomination__last_name"]
    autocomplete_fields = ["nomination"]


@admin.register(ConsentLink)
class ConsentLinkAdmin(ScopedAdmin):
    list_display = ["consent", "purpose", "sent_to", "created_at", "expires_at"]
    list_filter = ["purpose"]
    list_select_related = ["consent__nomination"]
    search_fields = ["consent__nomination__last_name", "sent_to"]
    autocomplete_fields = ["consent"]
    readonly_fields = ["token_hash"]


@admin.register(ContactInvitation)
class ContactInvitationAdmin(ScopedAdmin):
    list_display = ["email", "institution", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["institution"]
    search_fields = ["email", "name", "institution__name"]
    autocomplete_fields = ["institution", "contact"]
    raw_id_fields = ["invited_by"]
    readonly_fields = ["token_hash"]
