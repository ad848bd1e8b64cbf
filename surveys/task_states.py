"""Surveys' step of the programme's task list: set up the before and after surveys and get them answered."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from placements.models import Placement, Programme
from placements.task_states import week_facts
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    ProgrammeTask,
    TaskState,
    plural,
    register_programme_task,
    shared_facts,
    verb,
)

from .models import Survey


def survey_facts(programme: Programme, today: date) -> dict[str, Any]:
    """The programme's surveys by phase with invitation and answer counts (one query), and its students."""

    def compute():
        confirmed = Q(invitations__placement__status=Placement.Status.CONFIRMED)
        surveys = Survey.objects.filter(programme=programme).annotate(
            invited=Count("invitations", filter=confirmed),
            answered=Count("invitations", filter=confirmed & Q(invitations__answered_at__isnull=False)),
        )
        # Confirmed students, as counted once for the whole page by placements' own facts.
        students = week_facts(programme, today)["students"]
        return {"surveys": {survey.phase: survey for survey in surveys}, "students": students}

    return shared_facts(programme, f"surveys:{today}", compute)


def _answered(survey: Survey) -> str:
    return f"{survey.answered} of {survey.invited} answered"


def surveys_state(programme: Programme, today: date) -> TaskState:
    facts = survey_facts(programme, today)
    url = reverse("surveys:programme_surveys", args=[programme.pk])
    surveys, students = facts["surveys"], facts["students"]
    ended = today > programme.end_date
    if not students:
        if ended:
            return TaskState(NOT_DONE, "Nobody had a place", url)
        return TaskState(CANNOT_START, "Starts when the first place is accepted", url)
    if not surveys:
        if ended:
            return TaskState(NEEDS_ATTENTION, "The surveys have not been set up", url)
        return TaskState(NOT_STARTED, "The before and after surveys are not set up yet", url)
    uninvited = max(students - min(survey.invited for survey in surveys.values()), 0)
    if uninvited and not ended:
        return TaskState(
            NEEDS_ATTENTION,
            f"{plural(uninvited, 'student')} {verb(uninvited, 'has', 'have')} no survey yet: set them up again",
            url,
        )
    pre, post = surveys.get(Survey.Phase.PRE), surveys.get(Survey.Phase.POST)
    if not ended:
        return TaskState(IN_PROGRESS, f"Before the week: {_answered(pre)}" if pre else "Surveys set up", url)
    if post is None:
        return TaskState(NEEDS_ATTENTION, "There is no after-the-week survey", url)
    closed = post.closes_at is not None and timezone.localdate(post.closes_at) <= today
    if closed or post.answered >= post.invited:
        return TaskState(DONE, f"After the week: {_answered(post)}", url)
    waiting = post.invited - post.answered
    return TaskState(
        IN_PROGRESS,
        f"{plural(waiting, 'student')} {verb(waiting, 'has', 'have')} not answered the after-the-week survey "
        f"({_answered(post)})",
        url,
    )


def register() -> None:
    register_programme_task(
        ProgrammeTask(order=120, key="surveys", title="Surveys", state_fn=surveys_state, action="Run the surveys")
    )
