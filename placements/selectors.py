from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from accounts.scoping import scoped
from core.aggregates import count_of

from .hooks import programme_copiers
from .models import (
    Activity,
    Attendance,
    Department,
    DepartmentUnavailability,
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
from .planning import BREAKS, DAY_SLOTS, vetting_warning
from .task_states import week_facts

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.db.models import QuerySet

    from .models import Force


def programme_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Programme]:
    """Programmes the user may see, with the counts a list page shows, in one query (a subquery per count)."""
    nominations = Programme._meta.get_field("nominations").related_model  # the intake app's, unnamed here
    return (
        scoped(user, Programme)
        .select_related("force")
        .annotate(
            nomination_count=count_of(nominations.objects.filter(programme=OuterRef("pk"))),
            placement_count=count_of(
                Placement.objects.filter(programme=OuterRef("pk"), status=Placement.Status.CONFIRMED)
            ),
            syndicate_count=count_of(Syndicate.objects.filter(programme=OuterRef("pk"))),
        )
        .order_by("-start_date", "title")
    )


def programme_overview(*, programme: Programme, today: date | None = None) -> dict[str, Any]:
    """Headline figures for the top of a programme page (places and budget from the shared week facts)."""
    facts = week_facts(programme, today or timezone.localdate())
    nominations = programme.nominations.aggregate(
        total=Count("pk"),
        send=Count("pk", filter=Q(institution__is_send=True)),
    )
    return {
        "nomination_total": nominations["total"],
        "nomination_send": nominations["send"],
        "placement_total": facts["students"],
        "placement_send": facts["students_send"],
        "syndicates": programme.syndicates.select_related("lead").annotate(size=Count("placements")),
        "budget_planned": facts["planned"],
        "budget_actual": facts["actual"],
    }


# --- week plan --------------------------------------------------------------------------------


def syndicate_board(*, programme: Programme) -> dict[str, Any]:
    """Syndicates with their students and leads, and the students not yet in one (constant queries)."""
    syndicates = list(programme.syndicates.select_related("lead").order_by("name"))
    placements = list(
        Placement.objects.for_programme(programme)
        .active()
        .select_related("nomination__institution")
        .order_by("nomination__last_name", "nomination__first_name")
    )
    members = {s.pk: [] for s in syndicates}
    unplaced = []
    for placement in placements:
        members.get(placement.syndicate_id, unplaced).append(placement)
    today = timezone.localdate()
    rows = []
    for syndicate in syndicates:
        band = None
        if syndicate.lead is not None:
            band = vetting_warning(syndicate.lead.vetting_expires_on, today=today)
        rows.append({"syndicate": syndicate, "students": members[syndicate.pk], "vetting_band": band})
    return {"rows": rows, "unplaced": unplaced, "placement_count": len(placements)}


def vetted_leads(*, programme: Programme) -> QuerySet[ForcePerson]:
    """Active people of the force whose vetting covers the whole programme."""
    return (
        ForcePerson.objects.for_force(programme.force_id)
        .active()
        .filter(vetting_expires_on__gte=programme.end_date)
        .select_related("department")
        .order_by("name")
    )


def timetable(
    *, programme: Programme, syndicate: Syndicate | None = None, department: Department | None = None
) -> list[Session]:
    """The programme's sessions with activity, department and syndicates, in time order."""
    sessions = (
        programme.sessions.select_related("activity__department", "replaces__activity")
        .prefetch_related(Prefetch("syndicates", queryset=Syndicate.objects.select_related("lead").order_by("name")))
        .order_by("starts_at", "activity__title")
    )
    if syndicate is not None:
        sessions = sessions.filter(syndicates=syndicate)
    if department is not None:
        sessions = sessions.filter(activity__department=department)
    return list(sessions)


def week_grid(
    *, programme: Programme, sessions: list[Session], syndicates: list[Syndicate] | None = None
) -> dict[str, Any]:
    """Rows of (time slot, [cell per day]) for the week grid, breaks included.

    Each cell holds its sessions, the syndicates with nothing on then (`free`, when `syndicates` is
    given) and `clashes`: two planned sessions at the same venue at overlapping times. `by_day` is the
    same week day by day, for a phone, and `clashes` lists every clash of the week.
    """
    days = programme.days
    tz = timezone.get_current_timezone()
    rows = []
    for start, end in DAY_SLOTS:
        cells = []
        for day in days:
            begin = datetime.combine(day, start, tz)
            finish = datetime.combine(day, end, tz)
            found = [s for s in sessions if begin <= s.starts_at < finish]
            cells.append(
                {
                    "day": day,
                    "sessions": found,
                    "free": _free_syndicates(found, syndicates, begin, finish, sessions),
                    "clashes": _venue_clashes(found),
                }
            )
        rows.append({"start": start, "end": end, "cells": cells, "is_break": False})
    slotted = {s.pk for row in rows for cell in row["cells"] for s in cell["sessions"]}
    extras = [s for s in sessions if s.pk not in slotted]
    breaks = [{"start": b[0], "end": b[1], "label": b[2], "is_break": True} for b in BREAKS]
    ordered = sorted(rows + breaks, key=lambda r: r["start"])
    by_day = [
        {
            "day": day,
            "rows": [
                row if row["is_break"] else {"start": row["start"], "end": row["end"], "cell": row["cells"][index]}
                for row in ordered
            ],
        }
        for index, day in enumerate(days)
    ]
    clashes = [clash for row in rows for cell in row["cells"] for clash in cell["clashes"]]
    return {"days": days, "rows": ordered, "by_day": by_day, "unslotted": extras, "clashes": clashes}


def _planned(sessions: list[Session]) -> list[Session]:
    return [s for s in sessions if s.status == Session.Status.PLANNED]


def _free_syndicates(
    found: list[Session], syndicates: list[Syndicate] | None, begin: datetime, finish: datetime, week: list[Session]
) -> list[Syndicate]:
    """Syndicates with no planned session overlapping [begin, finish) (a demonstration takes everyone)."""
    if not syndicates:
        return []
    busy = set()
    for session in _planned(week):
        if session.starts_at < finish and begin < session.ends_at:
            if session.activity.kind == Activity.Kind.DEMONSTRATION:
                return []
            busy.update(syndicate.pk for syndicate in session.syndicates.all())
    return [syndicate for syndicate in syndicates if syndicate.pk not in busy]


def _venue_clashes(found: list[Session]) -> list[dict[str, Any]]:
    """Pairs of planned sessions at the same venue whose times overlap."""
    planned = [s for s in _planned(found) if s.activity.venue.strip()]
    clashes = []
    for index, first in enumerate(planned):
        for second in planned[index + 1 :]:
            same_place = first.activity.venue.strip().casefold() == second.activity.venue.strip().casefold()
            if same_place and first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                clashes.append({"venue": first.activity.venue.strip(), "sessions": (first, second)})
    return clashes


def department_schedule(*, programme: Programme) -> list[tuple[str, list[dict[str, Any]]]]:
    """Per department: its sessions, with staff needed and delivering staff (who to send where and when)."""
    sessions = [s for s in timetable(programme=programme) if s.status == Session.Status.PLANNED]
    staff = {}
    activity_ids = {s.activity_id for s in sessions}
    for activity in Activity.objects.filter(pk__in=activity_ids).prefetch_related("delivering_staff"):
        staff[activity.pk] = list(activity.delivering_staff.all())
    groups = {}
    for session in sessions:
        key = (
            session.activity.department.name
            if session.activity.department
            else (session.activity.community_partner or "Community partner")
        )
        groups.setdefault(key, []).append({"session": session, "staff": staff.get(session.activity_id, [])})
    return sorted(groups.items())


def timetabled_outcomes(*, programme: Programme) -> list[Activity]:
    """The activities of the programme's planned sessions that have learning outcomes, in the order the week
    first meets them, each with `outcome_list` (one query)."""
    planned = Session.objects.filter(programme=programme, status=Session.Status.PLANNED)
    first = planned.filter(activity=OuterRef("activity")).order_by("starts_at").values("starts_at")[:1]
    outcomes = (
        LearningOutcome.objects.filter(activity__in=planned.values("activity"))
        .select_related("activity")
        .annotate(first_at=Subquery(first))
        .order_by("first_at", "activity__title", "activity_id", "position", "pk")
    )
    activities = {}
    for outcome in outcomes:
        activity = activities.setdefault(outcome.activity_id, outcome.activity)
        activity.__dict__.setdefault("outcome_list", []).append(outcome)
    return list(activities.values())


def run_sheet_context(*, programme: Programme) -> dict[str, Any]:
    from .services import attendance_cutoff

    sessions = timetable(programme=programme)
    return {
        "programme": programme,
        "outcomes": timetabled_outcomes(programme=programme),
        "grid": week_grid(
            programme=programme,
            sessions=[s for s in sessions if s.status == Session.Status.PLANNED],
            syndicates=list(programme.syndicates.order_by("name")),
        ),
        "by_day": _by_day(programme, sessions),
        "departments": department_schedule(programme=programme),
        "syndicates": syndicate_board(programme=programme)["rows"],
        "generated_at": timezone.localtime(),
        "cutoff": attendance_cutoff(),
    }


def _by_day(programme: Programme, sessions: list[Session]) -> list[tuple[date, list[Session]]]:
    days = {day: [] for day in programme.days}
    for session in sessions:
        if session.status == Session.Status.PLANNED:
            days.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    return list(days.items())


# --- attendance -------------------------------------------------------------------------------


def attendance_grid(*, programme: Programme) -> dict[str, Any]:
    """Students × days with each day's mark (one query for students, one for marks).

    Each row's `cells` are the marks in day order (None: not marked); `days` pairs each with its day, so a
    phone's card can name the day beside the mark."""
    placements = list(
        Placement.objects.for_programme(programme)
        .active()
        .select_related("nomination", "syndicate")
        .order_by("syndicate__name", "nomination__last_name")
    )
    marks = {(a.placement_id, a.date): a for a in Attendance.objects.filter(placement__in=placements)}
    days = programme.days
    rows = []
    for placement in placements:
        cells = [marks.get((placement.pk, day)) for day in days]
        attended = sum(1 for c in cells if c and c.status != Attendance.Status.ABSENT)
        rows.append(
            {"placement": placement, "cells": cells, "days": list(zip(days, cells, strict=True)), "attended": attended}
        )
    return {"days": days, "rows": rows}


def register(*, syndicate: Syndicate, day: date) -> list[dict[str, Any]]:
    """The syndicate's students with today's mark, for the lead's register."""
    placements = list(
        syndicate.placements.filter(status=Placement.Status.CONFIRMED)
        .select_related("nomination")
        .order_by("nomination__last_name", "nomination__first_name")
    )
    marks = {a.placement_id: a for a in Attendance.objects.filter(placement__in=placements, date=day)}
    return [{"placement": p, "mark": marks.get(p.pk)} for p in placements]


# --- budget -----------------------------------------------------------------------------------


def budget_summary(*, programme: Programme) -> dict[str, Any]:
    """Budget lines, spend entries, the allocation, value for money and staff hours per department.

    The one place cost figures are worked out: the budget page, its CSV and the practice report read them here.
    """
    lines = list(programme.budget_lines.order_by("category"))
    for line in lines:
        line.left = line.planned - line.actual
    entries = list(
        SpendEntry.objects.filter(budget_line__programme=programme)
        .select_related("budget_line", "recorded_by")
        .order_by("-date", "-id")
    )
    planned = sum((line.planned for line in lines), Decimal("0"))
    actual = sum((line.actual for line in lines), Decimal("0"))
    value = value_for_money(programme=programme, actual=actual)
    students = value["students"]
    return {
        "lines": lines,
        "entries": entries,
        "planned": planned,
        "actual": actual,
        "students": students,
        "cost_per_student": value["cost_per_student"],
        "planned_per_student": _per(planned, students),
        "value": value,
        "allocation": allocation_state(programme=programme, planned=planned, actual=actual),
        "hours": staff_hours(programme=programme),
    }


def _per(amount: Decimal, count: Decimal | int) -> Decimal | None:
    return (amount / Decimal(count)).quantize(Decimal("0.01")) if count else None


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def value_for_money(*, programme: Programme, actual: Decimal) -> dict[str, Any]:
    """What the spend bought: per student placed, per student who attended, per student contact hour.

    Contact hours are the timetable's planned sessions: each session's length × the confirmed students of the
    syndicates in it (everyone placed, for a session for the whole cohort). Three queries, however big.
    """
    confirmed = Placement.Status.CONFIRMED
    students = Placement.objects.for_programme(programme).active().count()
    attended = (
        Placement.objects.for_programme(programme)
        .filter(attendance__status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
        .values("pk")
        .distinct()
        .count()
    )
    sessions = (
        Session.objects.filter(programme=programme, status=Session.Status.PLANNED)
        .annotate(
            syndicate_count=Count("syndicates", distinct=True),
            student_count=Count(
                "syndicates__placements", filter=Q(syndicates__placements__status=confirmed), distinct=True
            ),
        )
        .values_list("starts_at", "ends_at", "syndicate_count", "student_count")
        .order_by()
    )
    contact_hours = Decimal("0")
    for starts_at, ends_at, syndicate_count, student_count in sessions:
        hours = Decimal((ends_at - starts_at).total_seconds()) / Decimal(3600)
        contact_hours += hours * (student_count if syndicate_count else students)
    contact_hours = contact_hours.quantize(Decimal("0.1"))
    figures = {
        "students": students,
        "attended": attended,
        "contact_hours": contact_hours,
        "cost_per_student": _per(actual, students),
        "cost_per_attendee": _per(actual, attended),
        "cost_per_contact_hour": _per(actual, contact_hours),
    }
    figures["sentences"] = _value_sentences(actual=actual, **figures)
    return figures


def _value_sentences(
    *,
    actual: Decimal,
    students: int,
    attended: int,
    contact_hours: Decimal,
    cost_per_student: Decimal | None,
    cost_per_attendee: Decimal | None,
    cost_per_contact_hour: Decimal | None,
) -> list[str]:
    """The value-for-money figures as sentences a sponsor or a head teacher reads without a key."""
    if not actual:
        return ["Nothing has been spent yet, so there is no cost per student to show."]
    said = []
    if cost_per_student is None:
        said.append(f"{_pounds(actual)} spent, and no student has a place yet.")
    else:
        placed = f"{students} student{'s' * (students != 1)}"
        said.append(f"{_pounds(actual)} spent on {placed} with a place: {_pounds(cost_per_student)} a student.")
    if cost_per_attendee is None:
        said.append("No student has been marked present yet, so there is no cost per student who came.")
    elif attended != students:
        said.append(
            f"{attended} of them came on at least one day: {_pounds(cost_per_attendee)} for each student who came."
        )
    else:
        said.append("Every one of them came on at least one day.")
    if cost_per_contact_hour is None:
        said.append("The timetable has no sessions with students in them yet, so there is no cost per contact hour.")
    else:
        hours = f"{contact_hours:,.0f}" if contact_hours == contact_hours.to_integral_value() else f"{contact_hours:,}"
        said.append(
            f"The timetable gives {hours} hours of contact with students (each session's length "
            f"times the students in it): {_pounds(cost_per_contact_hour)} for each student's hour."
        )
    return said


# Spend this close to the allocation is called out before it passes it.
ALLOCATION_NEAR_SHARE = Decimal("0.9")


def allocation_state(*, programme: Programme, planned: Decimal, actual: Decimal) -> dict[str, Any]:
    """The allocation as a ceiling: how much is left, and a warning when spend or the plan nears or passes it."""
    allocated = programme.budget_allocated
    if allocated is None:
        return {"allocated": None, "left": None, "level": "", "warnings": []}
    left = allocated - actual
    warnings, level = [], "ok"
    source = f" by {programme.sponsor}" if programme.sponsor else ""
    if actual > allocated:
        level = "over"
        warnings.append(
            f"Spending is {_pounds(actual - allocated)} over the {_pounds(allocated)} allocated{source}. "
            "Tell whoever holds the budget."
        )
    elif allocated and actual >= allocated * ALLOCATION_NEAR_SHARE:
        level = "near"
        warnings.append(f"Only {_pounds(left)} of the {_pounds(allocated)} allocated{source} is left to spend.")
    if planned > allocated:
        level = level if level == "over" else "near"
        warnings.append(
            f"The budget lines plan {_pounds(planned)}, {_pounds(planned - allocated)} more than the allocation. "
            "Lower a line, or ask for more."
        )
    return {"allocated": allocated, "left": left, "level": level, "warnings": warnings}


def staff_hours(*, programme: Programme) -> list[dict[str, Any]]:
    """Per department: delivery hours (session length × staff needed) from the timetable, plus planning hours."""
    delivery = {}
    sessions = programme.sessions.filter(status=Session.Status.PLANNED).select_related("activity__department")
    for session in sessions:
        department = session.activity.department
        if department is None:
            continue
        hours = Decimal((session.ends_at - session.starts_at).total_seconds()) / Decimal(3600)
        row = delivery.setdefault(department.pk, {"department": department, "delivery": Decimal("0"), "sessions": 0})
        row["delivery"] += hours * session.activity.staff_needed
        row["sessions"] += 1
    for item in PlanningHours.objects.filter(programme=programme).select_related("department"):
        row = delivery.setdefault(
            item.department_id, {"department": item.department, "delivery": Decimal("0"), "sessions": 0}
        )
        row["planning"] = item.hours
    rows = sorted(delivery.values(), key=lambda r: r["department"].name)
    for row in rows:
        row.setdefault("planning", Decimal("0"))
        row["delivery"] = row["delivery"].quantize(Decimal("0.1"))
        row["total"] = row["delivery"] + row["planning"]
    return rows


# --- programme page sections (cheap: a few aggregate queries each) ------------------------------


def week_plan_section(*, programme: Programme, today: date | None = None) -> dict[str, Any]:
    """Counts for the Week plan section; once the week has ended it offers no planning, only the record."""
    today = today or timezone.localdate()
    facts = week_facts(programme, today)
    return {
        "syndicate_count": facts["syndicates"],
        "unplaced": facts["unplaced"],
        "session_count": facts["session_count"],
        "cancelled": facts["cancelled"],
        "ended": today > programme.end_date,
    }


def attendance_section(*, programme: Programme, today: date | None = None) -> dict[str, Any]:
    from .services import attendance_cutoff

    today = today or timezone.localdate()
    facts = week_facts(programme, today)
    return {
        "marks": facts["all_marks"],
        "absences": facts["all_absences"],
        "late": facts["all_late"],
        "cutoff": attendance_cutoff(),
        "started": today >= programme.start_date,
    }


def budget_section(*, programme: Programme, today: date | None = None) -> dict[str, Decimal | None]:
    facts = week_facts(programme, today or timezone.localdate())
    actual, students = facts["actual"], facts["students"]
    return {
        "planned": facts["planned"],
        "actual": actual,
        "cost_per_student": _per(actual, students),
        "allocated": programme.budget_allocated,
        "over": programme.budget_allocated is not None and actual > programme.budget_allocated,
    }


# A lead's start page lists the syndicates of programmes that are coming, running or ended this long ago:
# what they need for the week and for putting the register right afterwards, not every child they led.
LEAD_RECENT_DAYS = 30


def lead_past_syndicate_count(*, user: AbstractBaseUser | AnonymousUser, person_id: int | None) -> int:
    """How many of the lead's syndicates belong to programmes that ended longer ago than LEAD_RECENT_DAYS."""
    since = timezone.localdate() - timedelta(days=LEAD_RECENT_DAYS)
    return scoped(user, Syndicate).filter(lead_id=person_id, programme__end_date__lt=since).count()


def lead_syndicates(*, user: AbstractBaseUser | AnonymousUser, person_id: int | None) -> list[dict[str, Any]]:
    """A lead's current and recent syndicates with students and sessions (a fixed number of queries)."""
    since = timezone.localdate() - timedelta(days=LEAD_RECENT_DAYS)
    syndicates = list(
        scoped(user, Syndicate)
        .filter(lead_id=person_id, programme__end_date__gte=since)
        .select_related("programme")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.filter(status=Placement.Status.CONFIRMED)
                .select_related("nomination__institution")
                .order_by("nomination__last_name"),
                to_attr="students",
            ),
            Prefetch(
                "sessions",
                queryset=Session.objects.select_related("activity__department", "replaces__activity").order_by(
                    "starts_at"
                ),
                to_attr="timetable",
            ),
        )
        .order_by("-programme__start_date", "name")
    )
    today = timezone.localdate()
    return [
        {
            "syndicate": s,
            "students": s.students,
            "sessions": s.timetable,
            "today": today in s.programme.days,
        }
        for s in syndicates
    ]


def activity_catalogue(*, programme: Programme) -> dict[str, list[Any]]:
    """The force's activities with who delivers them, and departments' unavailable times in the programme."""
    activities = list(
        Activity.objects.filter(force=programme.force_id)
        .select_related("department")
        .prefetch_related("delivering_staff")
        .order_by("-is_active", "kind", "title")
    )
    for activity in activities:
        activity.risk_ok = (
            activity.risk_assessment_status == Activity.RiskAssessment.APPROVED
            and activity.risk_assessed_on is not None
            and (programme.start_date - activity.risk_assessed_on).days <= 365
        )
    unavailable = (
        DepartmentUnavailability.objects.filter(
            department__force=programme.force_id,
            starts_at__date__lte=programme.end_date,
            ends_at__date__gte=programme.start_date,
        )
        .select_related("department")
        .order_by("starts_at")
    )
    return {"activities": activities, "unavailable": list(unavailable)}


def programme_copy_summary(*, source: Programme) -> dict[str, list[str]]:
    """What a copy of `source` brings (with numbers) and what it leaves behind, from every app's copier."""
    copied, left = [], []
    for copier in programme_copiers():
        for item in copier.describe(source):
            (copied if item.copied else left).append(item.text)
    return {"copied": copied, "not_copied": left}


def programme_cancel_effects(*, programme: Programme) -> dict[str, int]:
    """What a cancellation touches, in numbers for the confirm page."""
    return {
        "nominations": programme.nominations.count(),
        "placements": Placement.objects.for_programme(programme).active().count(),
        "syndicates": programme.syndicates.count(),
    }


# --- the force's people -------------------------------------------------------------------------

VETTING_SOON_DAYS = 60


@dataclass(frozen=True)
class VettingCheck:
    """What a person's vetting is measured against: today, 60 days ahead, and the next programme's end."""

    today: date
    soon: date
    next_programme: Programme | None

    @property
    def next_end(self) -> date | None:
        return self.next_programme.end_date if self.next_programme else None

    def state(self, expires_on: date | None) -> str:
        """ "missing", "expired", "soon" (within 60 days, or before the next programme ends) or "ok"."""
        if expires_on is None:
            return "missing"
        if expires_on < self.today:
            return "expired"
        if expires_on <= self.soon or (self.next_end is not None and expires_on < self.next_end):
            return "soon"
        return "ok"

    def condition(self, state: str) -> Q:
        """The same states as a filter on `vetting_expires_on`."""
        field = "vetting_expires_on"
        soon = Q(**{f"{field}__lte": self.soon})
        if self.next_end is not None:
            soon |= Q(**{f"{field}__lt": self.next_end})
        if state == "missing":
            return Q(**{f"{field}__isnull": True})
        if state == "expired":
            return Q(**{f"{field}__lt": self.today})
        if state == "soon":
            return Q(**{f"{field}__gte": self.today}) & soon
        return Q(**{f"{field}__gte": self.today}) & ~soon


def vetting_check(*, force: Force | int, today: date) -> VettingCheck:
    """The measure for a force's people: the next programme is the first not finished, cancelled or over."""
    upcoming = (
        Programme.objects.for_force(force).active().filter(end_date__gte=today).order_by("start_date", "pk").first()
    )
    return VettingCheck(today=today, soon=today + timedelta(days=VETTING_SOON_DAYS), next_programme=upcoming)


def _unfinished_programmes() -> QuerySet[Programme]:
    return Programme.objects.exclude(status__in=[Programme.Status.COMPLETED, Programme.Status.CANCELLED])


def people_list(*, force: Force | int) -> QuerySet[ForcePerson]:
    """The force's people with what they do, in one query: the rows of the People page and its filters."""
    now = timezone.now()
    delivering = Activity.delivering_staff.through.objects.filter(
        forceperson_id=OuterRef("pk"), activity__is_active=True
    )
    return (
        ForcePerson.objects.for_force(force)
        .select_related("department", "user")
        .annotate(
            has_led=Exists(Syndicate.objects.filter(lead=OuterRef("pk"))),
            leads_now=Exists(Syndicate.objects.filter(lead=OuterRef("pk"), programme__in=_unfinished_programmes())),
            delivers=Exists(delivering),
            mentee_count=Count("mentees", filter=Q(mentees__status="active")),
            invited_until=Subquery(
                ForcePersonInvitation.objects.filter(
                    person=OuterRef("pk"), accepted_at__isnull=True, expires_at__gt=now
                )
                .order_by("-expires_at")
                .values("expires_at")[:1]
            ),
        )
        .order_by("-is_active", "name", "pk")
    )


def person_detail(*, person: ForcePerson) -> dict[str, Any]:
    """What the person's page shows beside the form: what they do now, and their sign-in."""
    now = timezone.now()
    return {
        "syndicates": list(
            Syndicate.objects.filter(lead=person, programme__in=_unfinished_programmes())
            .select_related("programme")
            .order_by("programme__start_date", "name")
        ),
        "mentee_count": person.mentees.filter(status="active").count(),
        "activities": list(person.activities.filter(is_active=True).order_by("title")),
        "invitation": ForcePersonInvitation.objects.filter(person=person, accepted_at__isnull=True, expires_at__gt=now)
        .order_by("-expires_at")
        .first(),
    }


def department_list(*, force: Force | int) -> QuerySet[Department]:
    """The force's departments with how many active people and activities each has, in one query."""
    return (
        Department.objects.filter(force=force)
        .annotate(
            people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
            activity_count=Count("activities", filter=Q(activities__is_active=True), distinct=True),
        )
        .order_by("name")
    )


def department_bookings(*, department: Department, today: date | None = None) -> list[Session]:
    """The department's planned sessions in all the force's programmes, from a week before `today` on,
    in time order; each has `clash` set when it overlaps another of them (booked twice). Two queries."""
    since = (today or timezone.localdate()) - timedelta(days=7)
    sessions = list(
        Session.objects.filter(
            activity__department=department,
            programme__force_id=department.force_id,
            status=Session.Status.PLANNED,
            ends_at__date__gte=since,
        )
        .exclude(programme__status=Programme.Status.CANCELLED)
        .select_related("programme", "activity")
        .prefetch_related(Prefetch("syndicates", queryset=Syndicate.objects.order_by("name")))
        .order_by("starts_at", "programme__title")
    )
    for session in sessions:
        session.clash = False
    for index, session in enumerate(sessions):
        for other in sessions[index + 1 :]:
            if other.starts_at >= session.ends_at:
                break
            session.clash = other.clash = True
    return sessions


def attach_idle(grid: dict[str, Any], *, idle: list, could_fill: list, syndicates: list[Syndicate]) -> dict[str, Any]:
    """Put on each grid cell why its free syndicates have nothing on (`idle`) and what could still fill
    it (`could_fill`), from services.timetable_idle; `grid["idle_count"]` counts the free slots."""
    names = {s.pk: s.name for s in syndicates}
    titles = dict(Activity.objects.filter(pk__in={s.activity for s in could_fill}).values_list("pk", "title"))
    reasons, fills = {}, {}
    for item in idle:
        reasons.setdefault(item.starts_at, []).append(
            {"names": ", ".join(names[i] for i in item.syndicates if i in names), "reason": item.reason}
        )
    for session in could_fill:
        fills.setdefault(session.starts_at, []).append(
            {"names": ", ".join(names[i] for i in session.syndicates if i in names), "title": titles[session.activity]}
        )
    count = 0
    for row in grid["rows"]:
        if row["is_break"]:
            continue
        for cell in row["cells"]:
            moment = datetime.combine(cell["day"], row["start"])
            cell["idle"] = reasons.get(moment, []) if cell["free"] else []
            cell["could_fill"] = fills.get(moment, []) if cell["free"] else []
            count += bool(cell["free"])
    grid["idle_count"] = count
    return grid
