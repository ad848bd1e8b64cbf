"""What other apps tell the programme set-up, without placements importing them.

- Copy contributors: each app that holds part of a programme's set-up (schools and quotas, surveys,
  …) says what it would copy and copies it; `services.programme_copy` calls them in one transaction.
- Selection facts: the intake app says how many offers a programme has made and how many still wait
  for an answer, so the programme's stage can follow from them (`Programme.stage_on`).

Apps register in their AppConfig.ready(), like the programme page's sections (sections.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Programme


@dataclass(frozen=True)
class CopyItem:
    """One line of the copy page: "8 schools and their quotas" (copied) or a note on what is not."""

    text: str
    copied: bool = True


@dataclass(frozen=True)
class CopyContext:
    """The copy being made: the source, the new programme (already saved) and how far the dates moved."""

    source: Programme
    target: Programme
    shift_days: int


@dataclass(frozen=True)
class ProgrammeCopier:
    order: int
    name: str
    # (source) -> the lines the copy page shows; a few queries at most.
    describe: Callable[[Programme], list[CopyItem]]
    # (context) -> warnings for the coordinator ("2 leads' vetting ends before the new week"); None: nothing to copy.
    copy: Callable[[CopyContext], list[str]] | None = None


_COPIERS: list[ProgrammeCopier] = []


def register_programme_copier(copier: ProgrammeCopier) -> None:
    if all(existing.name != copier.name for existing in _COPIERS):
        _COPIERS.append(copier)
        _COPIERS.sort(key=lambda c: c.order)


def programme_copiers() -> list[ProgrammeCopier]:
    return list(_COPIERS)


@dataclass(frozen=True)
class SelectionFacts:
    offers_made: int = 0
    offers_awaiting: int = 0


_SELECTION_FACTS: list[Callable[[Iterable[int]], dict[int, SelectionFacts]]] = []


def register_selection_facts(provider: Callable[[Iterable[int]], dict[int, SelectionFacts]]) -> None:
    """`provider(programme_ids)` returns {programme id: SelectionFacts} for the ids that have any."""
    if provider not in _SELECTION_FACTS:
        _SELECTION_FACTS.append(provider)


def selection_facts(programme_ids: Iterable[int]) -> dict[int, SelectionFacts]:
    ids = list(programme_ids)
    facts: dict[int, SelectionFacts] = {}
    for provider in _SELECTION_FACTS:
        for pk, found in provider(ids).items():
            before = facts.get(pk, SelectionFacts())
            facts[pk] = SelectionFacts(
                offers_made=before.offers_made + found.offers_made,
                offers_awaiting=before.offers_awaiting + found.offers_awaiting,
            )
    return facts


# Gates on timetabling: another app may refuse to timetable an activity on a programme (the partners
# app: no approved risk assessment in date). `gate(programme, activity_ids)` returns {activity id: the
# reason in plain words} for the activities it refuses, in a few queries.
_TIMETABLE_GATES: list[Callable[[Programme, list[int]], dict[int, str]]] = []


def register_timetable_gate(gate: Callable[[Programme, list[int]], dict[int, str]]) -> None:
    if gate not in _TIMETABLE_GATES:
        _TIMETABLE_GATES.append(gate)


def timetable_refusals(programme: Programme, activity_ids: Iterable[int]) -> dict[int, str]:
    """{activity id: why it cannot be timetabled on `programme`}; empty when every one may be."""
    ids = sorted(set(activity_ids))
    refused: dict[int, str] = {}
    if not ids:
        return refused
    for gate in _TIMETABLE_GATES:
        for pk, reason in gate(programme, ids).items():
            refused.setdefault(pk, reason)
    return refused
