from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import NationalSharing, PracticeReport, ShareLink


@admin.register(PracticeReport)
class PracticeReportAdmin(ScopedAdmin):
    """Coordinators write these in the app (the programme's Practice report); the platform admin may look."""

    list_display = ["programme", "updated_at"]
    list_select_related = ["programme"]
    # Quotes are children's words: chosen in the app, from the programme's own answers only.
    exclude = ["quotes"]
    autocomplete_fields = ["programme"]
    readonly_fields = ["updated_by"]


@admin.register(NationalSharing)
class NationalSharingAdmin(ScopedAdmin):
    """Set by the force's coordinator in the app (Trends → Share your figures nationally); shown here to look."""

    list_display = ["force", "opted_in", "changed_at"]
    list_select_related = ["force"]
    readonly_fields = ["changed_by"]


@admin.register(ShareLink)
class ShareLinkAdmin(ScopedAdmin):
    """Made and stopped by coordinators in the app; the token itself is never stored, only its hash."""

    list_display = ["__str__", "force", "expires_on", "revoked_at"]
    list_select_related = ["force", "programme"]
    readonly_fields = ["token_hash", "created_by", "revoked_by", "last_opened_at", "times_opened"]
    autocomplete_fields = ["programme"]
