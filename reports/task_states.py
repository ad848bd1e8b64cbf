"""The practice report's step of the programme's task list: after the week, write it up."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from placements.models import Programme
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    ProgrammeTask,
    TaskState,
    register_programme_task,
)

from .selectors import section_context


def practice_report_state(programme: Programme, today: date) -> TaskState:
    url = reverse("reports:practice_report", args=[programme.pk])
    if today <= programme.end_date:
        return TaskState(CANNOT_START, "Write it up once the week is over", url)
    facts = section_context(programme)
    if facts["report_written"]:
        return TaskState(DONE, "Aims, lessons and next steps written", url)
    if facts["report_started"]:
        return TaskState(IN_PROGRESS, "Aims, lessons learned or next steps still to write", url)
    return TaskState(NOT_STARTED, "Write the aims, lessons learned and next steps; the figures are added for you", url)


def register() -> None:
    register_programme_task(
        ProgrammeTask(
            order=150,
            key="practice_report",
            title="Practice report",
            state_fn=practice_report_state,
            action="Write the practice report",
        )
    )
