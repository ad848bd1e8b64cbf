from django.contrib import admin

from accounts.admin import ScopedAdmin

from .models import MentorAssignment, MentorContact, MentoringReferral, MentoringSettings, MentorReminder, Outcome


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
    search_fields = ["assignment__mentor__name"]
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


@admin.register(MentoringSettings)
class MentoringSettingsAdmin(ScopedAdmin):
    list_display = ["force", "max_mentees_per_mentor", "end_at_age"]
    list_select_related = ["force"]
    autocomplete_fields = ["force"]


@admin.register(MentoringReferral)
class MentoringReferralAdmin(ScopedAdmin):
    list_display = ["placement", "referred_by", "referred_at"]
    list_select_related = ["placement__nomination", "placement__programme", "referred_by"]
    search_fields = ["placement__nomination__last_name"]
    autocomplete_fields = ["placement"]
    raw_id_fields = ["referred_by"]


@admin.register(MentorReminder)
class MentorReminderAdmin(ScopedAdmin):
    list_display = ["assignment", "due_on", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["assignment__mentor", "assignment__placement__nomination"]
    autocomplete_fields = ["assignment"]
    date_hierarchy = "due_on"
