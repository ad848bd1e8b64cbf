"""Partners' step of the programme's task list, after the register: documents that run out before the
programme ends, and timetabled activities without a risk assessment, need attention (they are about
safety); open and overdue actions are work in progress, so they never push the register aside while
the week runs."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Min, Q
from django.urls import reverse

from placements.models import Programme, Session
from placements.tasklist import (
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    TaskState,
    plural,
    register_programme_tasks,
    shared_facts,
    verb,
)

from . import selectors
from .models import Action, Document


def partner_facts(programme: Programme, today: date) -> dict:
    """Open and overdue actions, documents running out, activities refused by the risk-assessment rule."""

    def compute():
        actions = Action.objects.filter(programme=programme, state=Action.State.OPEN).aggregate(
            open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)), next_due=Min("due_on")
        )
        on_timetable = list(
            Session.objects.filter(programme=programme, status=Session.Status.PLANNED)
            .values_list("activity_id", flat=True)
            .distinct()
        )
        running_out = (
            Document.objects.filter(force=programme.force_id, expires_on__lt=programme.end_date)
            .filter(Q(programme=programme) | Q(activity__in=on_timetable))
            .count()
        )
        refused = selectors.risk_assessment_refusals(programme, on_timetable) if on_timetable else {}
        return {**actions, "running_out": running_out, "refused": len(refused)}

    return shared_facts(programme, f"partners:{today}", compute)


def partners_state(programme: Programme, today: date) -> TaskState:
    url = reverse("partners:programme", args=[programme.pk])
    if today > programme.end_date:
        return TaskState(DONE, "The programme has finished", url)
    facts = partner_facts(programme, today)
    problems = []
    if facts["running_out"]:
        count = facts["running_out"]
        problems.append(f"{plural(count, 'document')} {verb(count, 'expires', 'expire')} before the programme ends")
    if facts["refused"]:
        count = facts["refused"]
        problems.append(f"{plural(count, 'timetabled activity', 'timetabled activities')} without a risk assessment")
    if facts["overdue"]:
        problems.append(f"{plural(facts['overdue'], 'action')} overdue")
    if problems and (facts["running_out"] or facts["refused"]):
        return TaskState(NEEDS_ATTENTION, "; ".join(problems), url)
    if problems:
        return TaskState(IN_PROGRESS, f"{plural(facts['open'], 'open action')}; {problems[0]}", url)
    if facts["open"]:
        return TaskState(IN_PROGRESS, f"{plural(facts['open'], 'open action')}, none overdue", url)
    return TaskState(DONE, "No open actions; documents in date", url)


def register() -> None:
    register_programme_tasks(
        ((112, "partners", "Partners and documents", partners_state, "Follow up the partners' actions"),)
    )
