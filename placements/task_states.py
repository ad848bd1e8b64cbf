"""Placements' steps of the programme's task list: set up, syndicates, timetable, register.

Each state comes from dates and facts; the facts are five aggregate queries shared by the four steps.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.urls import reverse

from .models import Attendance, Placement, Programme, Session
from .tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    TaskState,
    day_text,
    plural,
    register_programme_tasks,
    shared_facts,
    verb,
)


def week_facts(programme: Programme, today: date) -> dict[str, Any]:
    """Budget, students, syndicates, sessions and register marks of the programme, in five queries.

    Shared by placements' steps of the task list and its Overview, Week plan, Attendance and Budget sections.
    """

    def compute():
        students = Placement.objects.filter(programme=programme, status=Placement.Status.CONFIRMED).aggregate(
            students=Count("pk"),
            unplaced=Count("pk", filter=Q(syndicate__isnull=True)),
            students_send=Count("pk", filter=Q(nomination__institution__is_send=True)),
        )
        syndicates = programme.syndicates.aggregate(
            syndicates=Count("pk"), leaderless=Count("pk", filter=Q(lead__isnull=True))
        )
        stand_in = Session.objects.filter(replaces=OuterRef("pk"), status=Session.Status.PLANNED)
        sessions = programme.sessions.annotate(covered=Exists(stand_in)).aggregate(
            session_count=Count("pk"),
            cancelled=Count("pk", filter=Q(status=Session.Status.CANCELLED)),
            sessions=Count("pk", filter=Q(status=Session.Status.PLANNED)),
            uncovered=Count(
                "pk",
                filter=Q(status=Session.Status.CANCELLED, covered=False, starts_at__date__gte=today),
            ),
        )
        days_so_far = [day for day in programme.days if day <= today]
        # The register so far (confirmed students, days up to today) for the steps; every mark for the section.
        so_far = Q(placement__status=Placement.Status.CONFIRMED, date__in=days_so_far)
        marks = Attendance.objects.filter(placement__programme=programme).aggregate(
            marks=Count("pk", filter=so_far),
            marks_today=Count("pk", filter=so_far & Q(date=today)),
            attended=Count("pk", filter=so_far & ~Q(status=Attendance.Status.ABSENT)),
            all_marks=Count("pk"),
            all_absences=Count("pk", filter=Q(status=Attendance.Status.ABSENT)),
            all_late=Count("pk", filter=Q(status=Attendance.Status.LATE)),
        )
        budget = programme.budget_lines.aggregate(planned=Sum("planned"), actual=Sum("actual"))
        return {
            **students,
            **syndicates,
            **sessions,
            **marks,
            "planned": budget["planned"] or Decimal("0"),
            "actual": budget["actual"] or Decimal("0"),
            "days_so_far": days_so_far,
        }

    return shared_facts(programme, f"placements:{today}", compute)


def set_up_state(programme: Programme, today: date) -> TaskState:
    facts = week_facts(programme, today)
    url = reverse("placements:budget", args=[programme.pk])
    if facts["planned"] > 0:
        return TaskState(DONE, f"Dates, places and a budget of £{facts['planned']:,.0f} are set", url)
    if today > programme.end_date:
        return TaskState(NOT_DONE, "No budget was planned", url)
    return TaskState(IN_PROGRESS, "Dates and places are set; no budget is planned yet", url)


def syndicates_state(programme: Programme, today: date) -> TaskState:
    facts = week_facts(programme, today)
    url = reverse("placements:syndicates", args=[programme.pk])
    made = f"{plural(facts['syndicates'], 'syndicate')} of {plural(facts['students'], 'student')}"
    if today > programme.end_date:
        if facts["syndicates"]:
            return TaskState(DONE, made, url)
        return TaskState(NOT_DONE, "The programme ran without syndicates", url)
    if not facts["students"]:
        return TaskState(CANNOT_START, "Starts when the first place is accepted", url)
    if not facts["syndicates"]:
        return TaskState(NOT_STARTED, f"{plural(facts['students'], 'student')} to put into syndicates", url)
    problems = []
    if facts["unplaced"]:
        problems.append(
            f"{plural(facts['unplaced'], 'student')} {verb(facts['unplaced'], 'is', 'are')} not in a syndicate"
        )
    if facts["leaderless"]:
        problems.append(
            f"{plural(facts['leaderless'], 'syndicate')} {verb(facts['leaderless'], 'has', 'have')} no lead"
        )
    if problems:
        return TaskState(NEEDS_ATTENTION, "; ".join(problems), url)
    return TaskState(DONE, made, url)


def timetable_state(programme: Programme, today: date) -> TaskState:
    facts = week_facts(programme, today)
    url = reverse("placements:timetable", args=[programme.pk])
    planned = f"{plural(facts['sessions'], 'session')} planned"
    if today > programme.end_date:
        if facts["sessions"]:
            return TaskState(DONE, planned, url)
        return TaskState(NOT_DONE, "The programme ran without a timetable", url)
    if not facts["syndicates"]:
        return TaskState(CANNOT_START, "Starts when syndicates are built", url)
    if not facts["sessions"]:
        return TaskState(NOT_STARTED, "No sessions are planned yet", url)
    if facts["uncovered"]:
        count = facts["uncovered"]
        return TaskState(
            NEEDS_ATTENTION, f"{plural(count, 'cancelled session')} {verb(count, 'has', 'have')} no stand-in", url
        )
    return TaskState(DONE, planned, url)


def register_state(programme: Programme, today: date) -> TaskState:
    facts = week_facts(programme, today)
    url = reverse("placements:attendance", args=[programme.pk])
    students, days = facts["students"], programme.days
    if today < programme.start_date:
        return TaskState(CANNOT_START, f"Opens on the first day, {day_text(programme.start_date, today)}", url)
    if not students:
        if today > programme.end_date:
            return TaskState(NOT_DONE, "Nobody had a place", url)
        return TaskState(CANNOT_START, "Nobody has a place yet", url)
    so_far = facts["days_so_far"]
    missing = students * len(so_far) - facts["marks"]
    if today > programme.end_date:
        if missing:
            return TaskState(NEEDS_ATTENTION, f"{plural(missing, 'register mark')} missing", url)
        absences = facts["marks"] - facts["attended"]
        return TaskState(DONE, f"Every day recorded; {plural(absences, 'absence') if absences else 'no absences'}", url)
    if today in days:
        earlier = missing - (students - facts["marks_today"])
        if earlier:
            return TaskState(NEEDS_ATTENTION, f"{plural(earlier, 'register mark')} missing from earlier days", url)
        return TaskState(
            IN_PROGRESS,
            f"Day {len(so_far)} of {len(days)}: {facts['marks_today']} of {plural(students, 'student')} marked today",
            url,
        )
    if missing:
        return TaskState(NEEDS_ATTENTION, f"{plural(missing, 'register mark')} missing", url)
    return TaskState(IN_PROGRESS, f"{len(so_far)} of {len(days)} days recorded", url)


def register() -> None:
    register_programme_tasks(
        (
            (10, "set_up", "Set up", set_up_state, "Plan the budget"),
            (80, "syndicates", "Syndicates", syndicates_state, "Build the syndicates"),
            (90, "timetable", "Timetable", timetable_state, "Plan the timetable"),
            (110, "register", "Register (attendance)", register_state, "Take the register"),
        )
    )
