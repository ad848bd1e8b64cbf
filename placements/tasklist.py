"""The programme's task list: the steps of the year in order, each contributed by the app that owns it.

An app registers its tasks in its AppConfig.ready(), as it registers its page section (sections.py).
A task's `state_fn(programme, today)` returns a TaskState worked out from dates and facts (never
from `Programme.status`) with a few aggregate queries. Facts that several tasks of one app need are
computed once per page through `shared_facts`, so the whole list costs a fixed number of queries
however many nominations or students the programme has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date

    from .models import Programme

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
NEEDS_ATTENTION = "needs_attention"
CANNOT_START = "cannot_start"
NOT_AVAILABLE = "not_available"
# A planning step whose time has passed without it being done (a placement run without syndicates):
# shown for the record, never offered as the next thing to do.
NOT_DONE = "not_done"

LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    DONE: "Done",
    NEEDS_ATTENTION: "Needs attention",
    CANNOT_START: "Cannot start yet",
    NOT_AVAILABLE: "Not available yet",
    NOT_DONE: "Not done",
}
# Steps the coordinator can act on now: one of these is "what to do next".
ACTIONABLE = (NEEDS_ATTENTION, IN_PROGRESS, NOT_STARTED)
# Steps shown without a link: there is nothing to do on their page yet.
WITHOUT_LINK = (CANNOT_START, NOT_AVAILABLE)


@dataclass(frozen=True)
class TaskState:
    status: str
    reason: str = ""
    url: str = ""

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def link(self) -> str:
        """Where the task's name links to (nothing while it cannot start)."""
        return "" if self.status in WITHOUT_LINK else self.url


@dataclass(frozen=True)
class ProgrammeTask:
    order: int
    key: str
    title: str
    state_fn: Callable[[Programme, date], TaskState]
    # What doing it means, as the link of "What to do next" ("Invite school contacts").
    action: str = ""


@dataclass(frozen=True)
class TaskRow:
    task: ProgrammeTask
    state: TaskState

    @property
    def sentence(self) -> str:
        """One sentence for "What to do next": the reason in words, else the task's action."""
        text = self.state.reason or self.task.action or self.task.title
        return text if text.endswith(".") else f"{text}."


_TASKS: list[ProgrammeTask] = []


def register_programme_task(task: ProgrammeTask) -> None:
    if all(existing.key != task.key for existing in _TASKS):
        _TASKS.append(task)
        _TASKS.sort(key=lambda t: t.order)


def register_programme_tasks(rows) -> None:
    """Register an app's steps from rows of (order, key, title, state_fn, action)."""
    for order, key, title, state_fn, action in rows:
        register_programme_task(ProgrammeTask(order=order, key=key, title=title, state_fn=state_fn, action=action))


def programme_tasks() -> list[ProgrammeTask]:
    return list(_TASKS)


def task_list(programme: Programme, today: date) -> list[TaskRow]:
    """Every registered task of the programme with its state on `today`, in the order of the year."""
    return [TaskRow(task=task, state=task.state_fn(programme, today)) for task in programme_tasks()]


def next_task(rows: list[TaskRow]) -> TaskRow | None:
    """The first task that is not done and can start (None when there is nothing left to do).

    A task that needs attention comes first, wherever it is in the year: schools with no contact
    while nominations are open matter more than a budget not planned yet.
    """
    for statuses in ((NEEDS_ATTENTION,), ACTIONABLE):
        row = next((row for row in rows if row.state.status in statuses), None)
        if row is not None:
            return row
    return None


def shared_facts(programme: Programme, key: str, compute: Callable[[], Any]) -> Any:
    """`compute()` once per programme object and key: one app's tasks (and its section) share its facts."""
    cache = programme.__dict__.setdefault("_task_facts", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 school', '3 schools'; for the reasons in words."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def verb(count: int, singular: str, plural_form: str) -> str:
    """The verb that agrees with `count`: verb(1, "has", "have") is "has"."""
    return singular if count == 1 else plural_form


def day_text(day: date, today: date) -> str:
    """A date as the reasons say it: '14 March', with the year when it is not this year's."""
    return f"{day.day} {day:%B}" if day.year == today.year else f"{day.day} {day:%B %Y}"
