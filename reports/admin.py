from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import PracticeReport


@admin.register(PracticeReport)
class PracticeReportAdmin(ScopedAdmin):
    """Coordinators write these in the app (the programme's Practice report); the platform admin may look."""

    list_display = ["programme", "updated_at"]
    list_select_related = ["programme"]
    # Quotes are children's words: chosen in the app, from the programme's own answers only.
    exclude = ["quotes"]
    autocomplete_fields = ["programme"]
    readonly_fields = ["updated_by"]
