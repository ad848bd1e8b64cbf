"""Mentoring's step of the programme's task list: a mentor for every student who asked, in contact on time."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils import timezone

from placements.models import Programme
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_STARTED,
    ProgrammeTask,
    TaskState,
    plural,
    register_programme_task,
    shared_facts,
)

from .selectors import programme_summary


def mentoring_facts(programme: Programme, today: date) -> dict[str, Any]:
    """The mentoring counts of the programme page (shared by its section and its task)."""
    return shared_facts(programme, f"mentoring:{today}", lambda: programme_summary(programme=programme, today=today))


def section_context(programme: Programme) -> dict[str, Any]:
    """The Mentoring section of the programme page: the counts once the week has ended."""
    today = timezone.localdate()
    if today <= programme.end_date:
        return {"week_ended": False}
    return {**mentoring_facts(programme, today), "week_ended": True}


def mentoring_state(programme: Programme, today: date) -> TaskState:
    url = reverse("mentoring:programme", args=[programme.pk])
    if today <= programme.end_date:
        return TaskState(CANNOT_START, "Starts after the week, when students ask for a mentor", url)
    facts = mentoring_facts(programme, today)
    awaiting, overdue, active = facts["awaiting"], facts["overdue"], facts["active"]
    problems = []
    if awaiting:
        problems.append(f"{plural(awaiting, 'student')} waiting for a mentor")
    if overdue:
        problems.append(f"contact overdue for {plural(overdue, 'student')}")
    if problems:
        reason = "; ".join(problems)
        return TaskState(NEEDS_ATTENTION, reason[0].upper() + reason[1:], url)
    if active:
        return TaskState(IN_PROGRESS, f"{plural(active, 'student')} being mentored", url)
    if facts["ended"]:
        return TaskState(DONE, f"Mentoring ended for {plural(facts['ended'], 'student')}", url)
    return TaskState(NOT_STARTED, "No student has asked for a mentor or been put forward yet", url)


def register() -> None:
    register_programme_task(
        ProgrammeTask(
            order=140,
            key="mentoring",
            title="Mentoring",
            state_fn=mentoring_state,
            action="Find mentors for the students who asked",
        )
    )
