"""Trends across years and programmes, for one force and across the forces that share their figures.

The same few queries whatever the number of programmes or forces (asserted in tests). Every count of
students goes through reports.reach.publish: a cell under the threshold reads "fewer than 5", and no
published figure (a programme's, a year's, a force's, the national one) can be differenced back to one
under it. Survey change is a mean of a group, shown only where at least THRESHOLD students answered
both surveys; a year's or the nation's change pools only programmes shown on their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone

from mentoring.models import MentorAssignment, MentorContact, Outcome
from placements.models import BudgetLine, Force, Placement, Programme
from surveys.report import programme_reports

from . import reach
from .models import NationalSharing

# At least this many forces in a national figure, so that no force's own figures can be read from it,
# and, for a force comparing itself, the rest are still two forces or more.
MIN_FORCES = 3

APPLIED = {Outcome.Milestone.APPLIED_OFFICER, Outcome.Milestone.APPLIED_STAFF, Outcome.Milestone.RECRUITED}
JOINED = {Outcome.Milestone.JOINED_CADETS, Outcome.Milestone.JOINED_SPECIALS}

# (key, words): the counts of students each group publishes. The first three split the group in two.
REACH = [
    ("send", "From a special (SEND or LDD) school", "From another school"),
    ("deprived", "From a school in the most deprived 30% of areas", "From a school elsewhere, or not known"),
    ("first", "Had chosen the police as their first choice", "Had not"),
]
PIPELINE = [
    ("mentored", "Given a career mentor"),
    ("applied", "Applied to the police (officer or staff) or were recruited"),
    ("joined", "Joined cadets or the specials"),
    ("recruited", "Recruited"),
]
REACH_KEYS = [key for key, _shown, _other in REACH]
KEYS = REACH_KEYS + [key for key, _words in PIPELINE]


@dataclass
class Group:
    """A programme, a year (of one force or of every sharing force), or every year together."""

    key: str
    label: str
    year: int | None = None
    programmes: int = 0
    forces: set = field(default_factory=set)
    pids: set = field(default_factory=set)
    places: int = 0
    students: set = field(default_factory=set)
    sets: dict = field(default_factory=lambda: defaultdict(set))
    spent: Decimal = Decimal("0")
    planned: Decimal = Decimal("0")
    costed_students: int = 0  # students of programmes with any spend recorded
    contacts: int = 0
    survey_n: int = 0
    survey_pre: float = 0.0
    survey_post: float = 0.0
    programme_id: int | None = None
    start_date: Any = None

    def add(self, other: Group) -> None:
        self.programmes += other.programmes
        self.forces |= other.forces
        self.pids |= other.pids
        self.places += other.places
        self.students |= other.students
        for key, members in other.sets.items():
            self.sets[key] |= members
        self.spent += other.spent
        self.planned += other.planned
        self.costed_students += other.costed_students
        self.contacts += other.contacts
        self.survey_n += other.survey_n
        self.survey_pre += other.survey_pre
        self.survey_post += other.survey_post


def finished_programmes(forces) -> list[Programme]:
    """Programmes that have ended and were not cancelled, oldest first."""
    return list(
        Programme.objects.filter(force__in=forces, end_date__lt=timezone.localdate())
        .exclude(status=Programme.Status.CANCELLED)
        .order_by("start_date", "title", "pk")
    )


def _programme_groups(programmes: list[Programme], threshold: int) -> list[Group]:
    """One group per programme, from six queries plus the survey report's own, however many programmes."""
    ids = [p.pk for p in programmes]
    groups = {
        p.pk: Group(
            key=f"p{p.pk}",
            label=p.title,
            year=p.start_date.year,
            programmes=1,
            forces={p.force_id},
            pids={p.pk},
            places=p.capacity,
            programme_id=p.pk,
            start_date=p.start_date,
        )
        for p in programmes
    }
    rows = Placement.objects.filter(programme__in=ids, status=Placement.Status.CONFIRMED).values_list(
        "pk",
        "programme_id",
        "nomination__institution__is_send",
        "nomination__institution__idaci_decile",
        "nomination__police_first_choice",
    )
    for pk, programme_id, is_send, decile, first in rows:
        group = groups[programme_id]
        group.students.add(pk)
        for key, held in (("send", is_send), ("deprived", decile is not None and decile <= 3), ("first", first)):
            group.sets[key if held else f"not_{key}"].add(pk)
    for placement_id, programme_id in (
        MentorAssignment.objects.filter(placement__programme__in=ids, placement__status=Placement.Status.CONFIRMED)
        .values_list("placement_id", "placement__programme_id")
        .distinct()
    ):
        groups[programme_id].sets["mentored"].add(placement_id)
    for placement_id, programme_id, milestone in Outcome.objects.filter(
        placement__programme__in=ids, placement__status=Placement.Status.CONFIRMED
    ).values_list("placement_id", "placement__programme_id", "milestone"):
        group = groups[programme_id]
        if milestone in APPLIED:
            group.sets["applied"].add(placement_id)
        if milestone in JOINED:
            group.sets["joined"].add(placement_id)
        if milestone == Outcome.Milestone.RECRUITED:
            group.sets["recruited"].add(placement_id)
    for row in (
        BudgetLine.objects.filter(programme__in=ids)
        .values("programme_id")
        .annotate(spent=Sum("actual"), planned=Sum("planned"))
        .order_by()
    ):
        group = groups[row["programme_id"]]
        group.spent, group.planned = row["spent"] or Decimal("0"), row["planned"] or Decimal("0")
    for row in (
        MentorContact.objects.filter(assignment__placement__programme__in=ids)
        .values("assignment__placement__programme_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        groups[row["assignment__placement__programme_id"]].contacts = row["n"]
    for pk, report in programme_reports(programmes).items():
        item = next((q for q in report["questions"] if q["code"] == "approachability"), None)
        # A mean of fewer than THRESHOLD students is theirs alone: left out everywhere, pooled nowhere.
        if item and item["paired_n"] >= threshold and item["pre_mean"] is not None:
            group = groups[pk]
            group.survey_n = item["paired_n"]
            group.survey_pre = item["pre_mean"] * item["paired_n"]
            group.survey_post = item["post_mean"] * item["paired_n"]
    for group in groups.values():
        group.costed_students = len(group.students) if group.spent else 0
    return [groups[p.pk] for p in programmes]


def _by_year(groups: list[Group], prefix: str = "y") -> list[Group]:
    years: dict[int, Group] = {}
    for group in groups:
        year = years.setdefault(group.year, Group(key=f"{prefix}{group.year}", label=str(group.year), year=group.year))
        year.add(group)
    return [years[y] for y in sorted(years)]


def _priority(group: Group) -> int:
    # When a figure must go to protect another, a total over years goes first, then a year, then a programme.
    return 0 if group.year is None else 2 if group.programme_id else 1


def _atoms(group: Group, key: str, value: int) -> set:
    """The kinds of student a figure counts: (programme, what, yes or no), present or not (see reach._Space)."""
    return {(pid, key, value) for pid in group.pids}


def _tables(group: Group, key: str) -> list[reach.Table]:
    total = len(group.students)
    for reach_key, shown, other in REACH:
        if reach_key == key:
            return [
                reach.table(
                    f"{group.key}:{key}",
                    shown,
                    [
                        (shown, group.sets[key], _atoms(group, key, 1)),
                        (other, group.sets[f"not_{key}"], _atoms(group, key, 0)),
                    ],
                    total=total,
                    priority=_priority(group),
                )
            ]
    words = dict(PIPELINE)[key]
    return [
        reach.table(
            f"{group.key}:{key}",
            words,
            [(words, group.sets[key], _atoms(group, key, 1))],
            total=total,
            partition=False,
            priority=_priority(group),
        )
    ]


def _cell(cell: reach.Cell | None, total: int, threshold: int) -> dict[str, Any]:
    if cell is None:
        return {"count": 0, "text": "0", "pct": 0 if total else None, "pct_text": "0%" if total else "", "hidden": ""}
    if not cell.shown:
        text = f"fewer than {threshold}" if cell.hidden == reach.SMALL else "not shown"
        return {"count": None, "text": text, "pct": None, "pct_text": "", "hidden": cell.hidden}
    pct = round(cell.count * 100 / total) if total else None
    return {"count": cell.count, "text": str(cell.count), "pct": pct, "pct_text": f"{pct}%" if total else ""}


def _pounds(value: Decimal | None) -> str:
    return "" if value is None else f"£{value:,.0f}"


def _row(group: Group, published: dict[str, reach.Table], threshold: int) -> dict[str, Any]:
    total = len(group.students)
    cells = {}
    for key in KEYS:
        tbl = published[f"{group.key}:{key}"]
        cells[key] = _cell(tbl.cells[0] if tbl.cells else None, total, threshold)
    change = None
    if group.survey_n >= threshold and group.survey_pre:
        change = round((group.survey_post - group.survey_pre) / group.survey_pre * 100, 1)
    cost = (group.spent / group.costed_students).quantize(Decimal("1")) if group.costed_students else None
    return {
        "key": group.key,
        "label": group.label,
        "year": group.year,
        "programme_id": group.programme_id,
        "start_date": group.start_date,
        "programmes": group.programmes,
        "forces": len(group.forces),
        "places": group.places,
        "students": total,
        "cells": cells,
        "survey_change": change,
        "survey_change_text": "" if change is None else f"{'+' if change > 0 else ''}{change:.1f}%",
        "survey_n": group.survey_n if change is not None else 0,
        "spent": group.spent,
        "spent_text": _pounds(group.spent),
        "cost_per_student": cost,
        "cost_per_student_text": _pounds(cost),
        "contacts": group.contacts,
    }


def _published(
    groups: list[Group], threshold: int, *, own: list[Group] = (), others: list[Group] = ()
) -> dict[str, reach.Table]:
    """Each group's cells as published, checked one attribute at a time (no figure crosses two).

    Every group's total is printed, so the reader knows it. `own`: programmes whose every figure the reader
    knows (one force's, to its coordinator). `others`: groups of students (the other forces) whose figures
    must not be worked out either.
    """
    population = set().union(*(g.students for g in groups)) if groups else set()
    published: dict[str, reach.Table] = {}
    for key in KEYS:
        tables = [tbl for group in groups for tbl in _tables(group, key)]
        known = [_atoms(g, key, 0) | _atoms(g, key, 1) for g in groups]
        known += [_atoms(g, key, value) for g in own for value in (0, 1)]
        protect = [(g.sets[key], _atoms(g, key, 1)) for g in others]
        if key in REACH_KEYS:
            protect += [(g.sets[f"not_{key}"], _atoms(g, key, 0)) for g in others]
        for tbl in reach.publish(tables, population, threshold, known=known, protect=protect):
            published[tbl.key] = tbl
    return published


def _publish(groups: list[Group], threshold: int) -> list[dict[str, Any]]:
    published = _published(groups, threshold)
    return [_row(group, published, threshold) for group in groups]


def force_trends(force: Force, *, threshold: int = reach.THRESHOLD) -> dict[str, Any]:
    """The force's finished programmes and its years, each a row of published figures."""
    programmes = finished_programmes([force])
    groups = _programme_groups(programmes, threshold)
    years = _by_year(groups)
    everything = Group(key="all", label="All years")
    for year in years:
        everything.add(year)
    rows = _publish(groups + years + ([everything] if len(years) > 1 else []), threshold)
    by_key = {row["key"]: row for row in rows}
    return {
        "force": force,
        "threshold": threshold,
        "programmes": [by_key[g.key] for g in groups],
        "years": [by_key[y.key] for y in years],
        "all": by_key.get("all"),
        "_groups": groups,
        "_years": years,
    }


# --- national --------------------------------------------------------------------------------


def sharing_forces() -> list[int]:
    return list(NationalSharing.objects.filter(opted_in=True).values_list("force_id", flat=True))


def national_figures(*, threshold: int = reach.THRESHOLD) -> dict[str, Any]:
    """Anonymised figures per year across the forces that share theirs: no force named, no child's record.

    A year is shown only when at least MIN_FORCES sharing forces finished a programme in it. The figures
    are the same for every reader, and safe against one who knows a sharing force's own figures exactly
    (its coordinator, or someone it shared its trends with): with them, the other forces' students of a
    year must not come to a small number, nor their mean survey change be of fewer than THRESHOLD pairs.
    A year where they would, whatever is hidden, is left out.
    """
    force_ids = sharing_forces()
    groups = _programme_groups(finished_programmes(force_ids), threshold)
    years = _by_year(groups, prefix="n")
    shown, withheld, unsafe = [], [], []
    for year in years:
        if len(year.forces) < MIN_FORCES:
            withheld.append(year.year)
            continue
        rests = [
            _minus(year, [g for g in groups if force in g.forces and g.year == year.year]) for force in year.forces
        ]
        if any(reach._small(rest.students, threshold) for rest in rests):
            unsafe.append(year.year)  # the year's total less one force's would give the others' few away
            continue
        if any(0 < rest.survey_n < threshold for rest in rests):
            year.survey_n = 0  # the others' mean change would follow from the year's and one force's
        shown.append(year)
    everything = Group(key="nall", label="All years shown")
    for year in shown:
        everything.add(year)
    rows_of = shown + ([everything] if len(shown) > 1 else [])
    published = _published(rows_of, threshold) if rows_of else {}
    # Against each sharing force's own knowledge in turn: what it would need hidden is hidden for all.
    # Hiding more never gives anything away, so the union is safe against each of them.
    for force in force_ids:
        own = [g for g in groups if force in g.forces and any(g.pids <= row.pids for row in rows_of)]
        if not own:
            continue
        others = [_minus(row, [g for g in own if g.pids <= row.pids]) for row in rows_of]
        if not _could_give_away(others, threshold):
            continue
        for key, tbl in _published(rows_of, threshold, own=own, others=others).items():
            published[key] = _hide_also(published[key], tbl)
    rows = [_row(group, published, threshold) for group in rows_of]
    for row in rows:
        row.pop("programme_id")
        row.pop("start_date")
    return {
        "threshold": threshold,
        "min_forces": MIN_FORCES,
        "forces_sharing": len(force_ids),
        "years": [r for r in rows if r["key"] != "nall"],
        "all": next((r for r in rows if r["key"] == "nall"), None),
        "withheld_years": sorted(withheld + unsafe),
    }


def _could_give_away(others: list[Group], threshold: int) -> bool:
    """Whether the other forces have a small group in any figure (else one force's knowledge shows nothing
    small: every figure of theirs is the national one less the force's, and those are the only ones)."""
    for rest in others:
        for key in KEYS:
            if reach._small(rest.sets[key], threshold):
                return True
            if key in REACH_KEYS and reach._small(rest.sets[f"not_{key}"], threshold):
                return True
    return False


def _hide_also(mine: reach.Table, theirs: reach.Table) -> reach.Table:
    cells = tuple(
        replace(cell, hidden=cell.hidden or (reach.SECONDARY if not other.shown else ""))
        for cell, other in zip(mine.cells, theirs.cells, strict=True)
    )
    return replace(mine, cells=cells)


def _minus(group: Group, own: list[Group]) -> Group:
    """The students of `group` outside the force's own programmes `own`, with their survey pairs."""
    others = Group(key="others", label="")
    own_students = set().union(*(g.students for g in own)) if own else set()
    others.pids = group.pids - set().union(*(g.pids for g in own)) if own else set(group.pids)
    others.students = group.students - own_students
    for key, members in group.sets.items():
        others.sets[key] = members - own_students
    others.survey_n = group.survey_n - sum(g.survey_n for g in own)
    return others


def national_for_force(force: Force, *, threshold: int = reach.THRESHOLD) -> dict[str, Any]:
    """The national figures beside which a force's coordinator sees their own, year by year."""
    figures = national_figures(threshold=threshold)
    figures["all"] = None
    return figures
