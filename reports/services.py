"""Writes of the practice report: only the coordinator's own words and choices; the figures are never stored."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from core.audit import audit_action
from core.errors import DomainError

from .models import PracticeReport
from .selectors import quote_choices

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from placements.models import Programme


class ReportError(DomainError):
    pass


TEXT_FIELDS = ("aims", "selection", "lessons_learned", "next_steps", "comparable_cost_label")


@transaction.atomic
def practice_report_update(
    *,
    programme: Programme,
    aims: str,
    selection: str,
    lessons_learned: str,
    next_steps: str,
    comparable_cost: Decimal | None,
    comparable_cost_label: str,
    quote_ids: list[int],
    actor: AbstractBaseUser | None,
) -> PracticeReport:
    """Save the coordinator-written sections and the chosen quotes of a programme's practice report."""
    if comparable_cost is not None and comparable_cost < 0:
        raise ReportError("Give the cost in pounds: £0 or more.", field="comparable_cost")
    if comparable_cost is not None and not comparable_cost_label.strip():
        raise ReportError(
            "Say what the comparable cost is for, e.g. “a missing person investigation”.",
            field="comparable_cost_label",
        )
    allowed = set(quote_choices(programme).filter(pk__in=quote_ids).values_list("pk", flat=True))
    if set(quote_ids) - allowed:
        raise ReportError("Choose quotes from this programme's survey answers only.", field="quotes")
    report, _ = PracticeReport.objects.select_for_update().get_or_create(programme=programme)
    report.aims = aims.strip()
    report.selection = selection.strip()
    report.lessons_learned = lessons_learned.strip()
    report.next_steps = next_steps.strip()
    report.comparable_cost = comparable_cost
    report.comparable_cost_label = comparable_cost_label.strip()[:200]
    report.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    report.save()
    report.quotes.set(sorted(allowed))
    audit_action(actor=actor, action="Practice report written", instance=report, quotes=len(allowed))
    return report
