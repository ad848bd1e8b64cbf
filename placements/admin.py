from django.contrib import admin

from accounts.admin import ScopedAdmin, ScopedInline

from .models import (
    Activity,
    Attendance,
    BudgetLine,
    Department,
    DepartmentUnavailability,
    Force,
    ForcePerson,
    ForcePersonInvitation,
    LearningOutcome,
    Placement,
    PlanningHours,
    Programme,
    Session,
    SpendEntry,
    Syndicate,
)


@admin.register(Force)
class ForceAdmin(ScopedAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(ScopedAdmin):
    list_display = ["name", "force", "is_specialist"]
    list_filter = ["is_specialist", "force"]
    list_select_related = ["force"]
    search_fields = ["name"]


@admin.register(ForcePerson)
class ForcePersonAdmin(ScopedAdmin):
    list_display = [
        "name",
        "rank",
        "kind",
        "department",
        "force",
        "vetting_expires_on",
        "is_coordinator",
        "is_mentor",
        "is_active",
    ]
    list_filter = ["kind", "is_coordinator", "is_mentor", "is_active", "force"]
    list_select_related = ["department", "force"]
    search_fields = ["name", "email"]
    autocomplete_fields = ["user", "department"]


@admin.register(ForcePersonInvitation)
class ForcePersonInvitationAdmin(ScopedAdmin):
    """Coordinators send these from the People page; the admin shows them (the token is never stored)."""

    list_display = ["email", "person", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["person"]
    search_fields = ["email", "person__name"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["invited_by"]
    readonly_fields = ["token_hash"]


class BudgetLineInline(ScopedInline):
    model = BudgetLine
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ["title", "kind", "force", "start_date", "end_date", "capacity", "status"]
    list_filter = ["kind", "status", "force"]
    list_select_related = ["force"]
    search_fields = ["title"]
    date_hierarchy = "start_date"
    inlines = [BudgetLineInline]
    # Linked weeks are linked on the programme's Linked weeks page, which checks the shared window.
    readonly_fields = ["week_group"]


@admin.register(Syndicate)
class SyndicateAdmin(ScopedAdmin):
    list_display = ["name", "programme", "lead", "is_locked"]
    list_filter = ["is_locked"]
    list_select_related = ["programme", "lead"]
    search_fields = ["name", "programme__title"]
    autocomplete_fields = ["programme", "lead"]


@admin.register(Placement)
class PlacementAdmin(ScopedAdmin):
    list_display = ["nomination", "programme", "syndicate", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["nomination", "programme", "syndicate"]
    search_fields = ["nomination__first_name", "nomination__last_name"]
    autocomplete_fields = ["programme", "nomination", "syndicate"]


class LearningOutcomeInline(ScopedInline):
    model = LearningOutcome
    extra = 0


@admin.register(Activity)
class ActivityAdmin(ScopedAdmin):
    list_display = [
        "title",
        "kind",
        "department",
        "community_partner",
        "staff_needed",
        "is_contingency",
        "risk_assessment_status",
    ]
    list_filter = ["kind", "is_contingency", "risk_assessment_status", "force"]
    list_select_related = ["department"]
    search_fields = ["title", "community_partner"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["department", "delivering_staff"]
    inlines = [LearningOutcomeInline]


@admin.register(LearningOutcome)
class LearningOutcomeAdmin(ScopedAdmin):
    list_display = ["text", "activity", "position"]
    list_select_related = ["activity"]
    search_fields = ["text", "activity__title"]
    autocomplete_fields = ["activity"]


@admin.register(Session)
class SessionAdmin(ScopedAdmin):
    list_display = ["activity", "programme", "starts_at", "ends_at", "status"]
    list_filter = ["status"]
    list_select_related = ["activity", "programme"]
    search_fields = ["activity__title"]
    autocomplete_fields = ["programme", "activity", "syndicates", "replaces"]


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["placement", "date", "status", "arrived_at", "marked_by"]
    list_filter = ["status", "date"]
    list_select_related = ["placement__nomination", "placement__programme", "marked_by"]
    autocomplete_fields = ["placement"]
    search_fields = ["placement__nomination__last_name"]
    raw_id_fields = ["marked_by"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ScopedAdmin):
    list_display = ["programme", "category", "planned", "actual"]
    list_filter = ["category"]
    list_select_related = ["programme"]
    search_fields = ["programme__title"]


@admin.register(DepartmentUnavailability)
class DepartmentUnavailabilityAdmin(ScopedAdmin):
    list_display = ["department", "starts_at", "ends_at", "reason"]
    list_select_related = ["department"]
    search_fields = ["department__name", "reason"]
    autocomplete_fields = ["department"]


@admin.register(SpendEntry)
class SpendEntryAdmin(ScopedAdmin):
    list_display = ["budget_line", "date", "amount", "note"]
    list_select_related = ["budget_line__programme"]
    search_fields = ["note", "budget_line__programme__title"]
    autocomplete_fields = ["budget_line"]
    raw_id_fields = ["recorded_by"]


@admin.register(PlanningHours)
class PlanningHoursAdmin(ScopedAdmin):
    list_display = ["programme", "department", "hours"]
    list_select_related = ["programme", "department"]
    autocomplete_fields = ["programme", "department"]
