"""Communications' step of the programme's task list: the joining details (not started, drafted, sent)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from placements.models import Programme
from placements.tasklist import (
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    TaskState,
    day_text,
    register_programme_tasks,
    shared_facts,
)

from .models import JoiningInstructions
from .services import send_by


def joining_details_state(programme: Programme, today: date) -> TaskState:
    """Not started, drafted or sent, from one query; overdue once the day promised to families has passed."""
    instructions = shared_facts(
        programme,
        "communications:joining",
        lambda: JoiningInstructions.objects.filter(programme=programme).only("sent_at", "updated_at").first(),
    )
    url = reverse("communications:joining_edit", args=[programme.pk])
    if instructions is not None and instructions.sent_at is not None:
        sent = day_text(instructions.sent_at.date(), today)
        return TaskState(DONE, f"Sent on {sent}; a reminder goes the working day before", url)
    if today >= programme.start_date:
        # Too late to be of use once the week has begun: recorded, never offered as the next thing to do.
        return TaskState(NOT_DONE, "No joining instructions were sent", url)
    due = send_by(programme)
    if instructions is None:
        if today >= due:
            return TaskState(
                NEEDS_ATTENTION, f"Not written yet; families were promised them by {day_text(due, today)}", url
            )
        return TaskState(NOT_STARTED, f"Write them, then send them by {day_text(due, today)}", url)
    preview = reverse("communications:joining_preview", args=[programme.pk])
    if today >= due:
        return TaskState(
            NEEDS_ATTENTION, f"Drafted, not sent; families were promised them by {day_text(due, today)}", preview
        )
    return TaskState(IN_PROGRESS, f"Drafted, not sent yet: send them by {day_text(due, today)}", preview)


def register() -> None:
    register_programme_tasks(
        ((100, "joining_details", "Joining details", joining_details_state, "Write the joining instructions"),)
    )
