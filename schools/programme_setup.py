"""What the intake gives the programme set-up (placements.hooks): its schools and quotas to copy, and
the offers a programme's stage follows from."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from placements.hooks import (
    CopyContext,
    CopyItem,
    ProgrammeCopier,
    SelectionFacts,
    register_programme_copier,
    register_selection_facts,
)
from placements.models import Programme

from .models import Allocation, Nomination

OFFERED = (Nomination.Status.OFFERED, Nomination.Status.ACCEPTED, Nomination.Status.DECLINED)


def offer_facts(programme_ids: Iterable[int]) -> dict[int, SelectionFacts]:
    """Offers made (offered, accepted or declined) and still waiting for an answer, per programme, in one query."""
    rows = (
        Nomination.objects.filter(programme__in=list(programme_ids), status__in=OFFERED)
        .values("programme")
        .annotate(made=Count("pk"), awaiting=Count("pk", filter=Q(status=Nomination.Status.OFFERED)))
    )
    return {row["programme"]: SelectionFacts(offers_made=row["made"], offers_awaiting=row["awaiting"]) for row in rows}


def _allocations(source: Programme):
    return Allocation.objects.filter(programme=source, institution__is_active=True)


def allocations_describe(source: Programme) -> list[CopyItem]:
    count = _allocations(source).count()
    items = []
    if count:
        nouns = ("university", "universities") if source.kind == Programme.Kind.UNIVERSITY else ("school", "schools")
        noun = nouns[count != 1]
        items.append(CopyItem(f"{count} {noun} and their quotas (their contacts see the new programme straight away)"))
    items.append(CopyItem("Nominations, consent, offers and places: the new programme starts with none", copied=False))
    return items


def allocations_copy(context: CopyContext) -> list[str]:
    Allocation.objects.bulk_create(
        Allocation(programme=context.target, institution_id=row.institution_id, quota=row.quota)
        for row in _allocations(context.source)
    )
    return []


def register() -> None:
    register_selection_facts(offer_facts)
    register_programme_copier(
        ProgrammeCopier(order=10, name="allocations", describe=allocations_describe, copy=allocations_copy)
    )
