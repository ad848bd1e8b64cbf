"""Linked weeks: several weeks of a force fed by one nomination round (issue 18, point 8).

Schools nominate to the round's home week, whose schools and quotas serve the whole round; the
selection assistant moves each student offered a place to a week they said they can do. A week
joins a round only before anyone is nominated to it, with the home week's nomination window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.audit import audit_action
from placements.models import Programme, WeekGroup

from ..models import Allocation, Nomination
from ..selection import MAX_WEEKS
from ._common import SchoolsError

ENDED = (Programme.Status.CANCELLED, Programme.Status.COMPLETED)


@dataclass(frozen=True)
class RoundWeek:
    """One week of a round, in the words school contacts and coordinators read."""

    programme: Programme
    number: int

    @property
    def pk(self) -> int:
        return self.programme.pk

    @property
    def dates(self) -> str:
        return week_dates(self.programme.start_date, self.programme.end_date)

    @property
    def label(self) -> str:
        return gettext("Week %(number)s: %(dates)s") % {"number": self.number, "dates": self.dates}


def week_dates(start: date, end: date) -> str:
    """'Mon 20 July – Fri 24 July' in the reader's language (the years too when the dates span two)."""
    style = "D j F Y" if start.year != end.year else "D j F"
    return f"{date_format(start, style)} – {date_format(end, style)}"


def round_weeks(programme: Programme) -> list[RoundWeek]:
    """The weeks of the programme's round, earliest first, numbered; [] when it is a week on its own."""
    if not getattr(programme, "week_group_id", None):
        return []
    weeks = Programme.objects.filter(week_group_id=programme.week_group_id).order_by("start_date", "pk")
    return [RoundWeek(week, number) for number, week in enumerate(weeks, start=1)]


def round_home(programme: Programme) -> Programme:
    """The week schools nominate to: the round's home week, or the programme itself."""
    if not programme.week_group_id:
        return programme
    return (
        Programme.objects.select_related("force", "week_group").filter(home_of_group__pk=programme.week_group_id).get()
    )


def linkable_weeks(programme: Programme):
    """Programmes of the same force and kind that could join this programme's round."""
    return (
        Programme.objects.filter(force_id=programme.force_id, kind=programme.kind, week_group__isnull=True)
        .exclude(pk=programme.pk)
        .exclude(status__in=ENDED)
        .order_by("start_date", "pk")
    )


@transaction.atomic
def week_link_open(home: Programme, weeks_in_round: int) -> bool:
    """Whether another week may still join `home`'s round: the round is not finished or cancelled, nor full.

    The page asks this to offer the form; `week_link` refuses the same cases with its reasons.
    """
    return home.status not in ENDED and weeks_in_round < MAX_WEEKS


def week_link(*, programme: Programme, week: Programme, actor, name: str = "") -> WeekGroup:
    """Join `week` to `programme`'s round (starting the round, with `programme` as its home week)."""
    locked = Programme.objects.select_for_update().in_bulk([programme.pk, week.pk])
    programme, week = locked[programme.pk], locked[week.pk]
    if week.pk == programme.pk:
        raise SchoolsError("Choose another week to link.", field="week")
    if week.force_id != programme.force_id or week.kind != programme.kind:
        raise SchoolsError("Only weeks of the same force and the same kind can be linked.", field="week")
    if programme.status in ENDED or week.status in ENDED:
        raise SchoolsError("A finished or cancelled week cannot be linked.", field="week", status=409)
    if week.week_group_id:
        raise SchoolsError(f"{week.title} is already linked with other weeks.", field="week", status=409)
    group = programme.week_group
    if group is not None and group.home_id != programme.pk:
        raise SchoolsError(f"Link weeks from {group.home.title}, where schools nominate.", status=409)
    if Nomination.objects.filter(programme=week).exists():
        raise SchoolsError(
            f"Schools have already nominated students to {week.title}, so it cannot join another week's round.",
            field="week",
            status=409,
        )
    if (week.nomination_opens, week.nomination_closes) != (programme.nomination_opens, programme.nomination_closes):
        raise SchoolsError(
            f"Linked weeks share one nomination window. {week.title} takes nominations "
            f"{week_dates(week.nomination_opens, week.nomination_closes)}, but {programme.title} takes them "
            f"{week_dates(programme.nomination_opens, programme.nomination_closes)}: give both the same dates first.",
            field="week",
        )
    if group is None:
        name = name.strip() or f"{programme.title} and linked weeks"
        group = WeekGroup.objects.create(force_id=programme.force_id, name=name[:120], home=programme)
        programme.week_group = group
        programme.save(update_fields=["week_group", "updated_at"])
    elif Programme.objects.filter(week_group=group).count() >= MAX_WEEKS:
        raise SchoolsError(f"A round has at most {MAX_WEEKS} weeks.", field="week", status=409)
    elif name.strip() and name.strip() != group.name:
        group.name = name.strip()[:120]
        group.save(update_fields=["name"])
    week.week_group = group
    week.save(update_fields=["week_group", "updated_at"])
    # The round's schools and quotas are the home week's: the linked week's own would be a second,
    # unused set (nobody can have nominated under them: checked above).
    dropped, _ = Allocation.objects.filter(programme=week).delete()
    audit_action(actor=actor, action="Week linked", instance=programme, programme=week.pk, quotas_dropped=dropped)
    return group


@transaction.atomic
def week_unlink(*, week: Programme, actor) -> None:
    """Take a week out of its round, while nobody has been given a place in it; the last one ends the round."""
    week = Programme.objects.select_for_update().get(pk=week.pk)
    group = week.week_group
    if group is None:
        raise SchoolsError(f"{week.title} is not linked with other weeks.", status=409)
    others = Programme.objects.filter(week_group=group).exclude(pk=week.pk)
    if group.home_id == week.pk and others.exists():
        raise SchoolsError(
            f"Schools nominate to {week.title}, so it stays in the round while other weeks are linked to it: "
            "unlink the others first.",
            status=409,
        )
    if group.home_id != week.pk and Nomination.objects.filter(programme=week).exists():
        raise SchoolsError(f"Students have been offered places in {week.title}, so it stays in the round.", status=409)
    week.week_group = None
    week.save(update_fields=["week_group", "updated_at"])
    home = Programme.objects.get(pk=group.home_id)
    audit_action(actor=actor, action="Week unlinked", instance=home, programme=week.pk)
    remaining = Programme.objects.filter(week_group=group)
    if remaining.count() <= 1:  # a round of one week is just a week
        remaining.update(week_group=None)
        group.delete()


def week_choices_check(*, programme: Programme, choices) -> list[int]:
    """The week choices a school gave, checked against the round: distinct weeks of it, in order."""
    choices = list(choices or [])
    if not choices:
        return []
    if not programme.week_group_id:
        raise SchoolsError("This programme is a single week: there are no weeks to choose.", field="week_choices")
    allowed = {week.pk for week in round_weeks(programme)}
    if any(not isinstance(choice, int) or choice not in allowed for choice in choices):
        raise SchoolsError("Choose weeks from the list.", field="week_choices")
    if len(set(choices)) != len(choices):
        raise SchoolsError("Choose each week only once.", field="week_choices")
    return choices
