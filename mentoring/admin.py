from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import MentorAssignment, MentorContact, Outcome


@admin.register(MentorAssignment)
class MentorAssignmentAdmin(ScopedAdmin):
    list_display = ["placement", "mentor", "status", "starts_on", "next_due_on"]
    list_filter = ["status"]
    list_select_related = ["placement__nomination", "placement__programme", "mentor"]
    search_fields = ["mentor__name", "placement__nomination__last_name"]
    autocomplete_fields = ["placement", "mentor"]
    raw_id_fields = ["assigned_by"]


@admin.register(MentorContact)
class MentorContactAdmin(ScopedAdmin):
    list_display = ["assignment", "contacted_on", "method", "logged_by"]
    list_filter = ["method"]
    list_select_related = ["assignment__mentor", "assignment__placement__nomination", "logged_by"]
    search_fields = ["summary"]
    autocomplete_fields = ["assignment"]
    raw_id_fields = ["logged_by"]


@admin.register(Outcome)
class OutcomeAdmin(ScopedAdmin):
    list_display = ["placement", "milestone", "occurred_on"]
    list_filter = ["milestone"]
    list_select_related = ["placement__nomination", "placement__programme"]
    search_fields = ["placement__nomination__last_name"]
    autocomplete_fields = ["placement"]
    raw_id_fields = ["recorded_by"]
