"""Writes of the practice report: only the coordinator's own words and choices; the figures are never stored."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.audit import audit_action
from core.errors import DomainError
from core.links import token_hash

from .models import NationalSharing, PracticeReport, ShareLink
from .selectors import quote_choices

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

    from placements.models import Force, Programme


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


# --- national figures and sharing -------------------------------------------------------------

SHARE_LINK_LONGEST = timedelta(days=366)


@transaction.atomic
def national_sharing_set(*, force: Force, opted_in: bool, actor: AbstractBaseUser | None) -> NationalSharing:
    """Turn the force's part in the national figures on or off."""
    sharing, created = NationalSharing.objects.select_for_update().get_or_create(force=force)
    if sharing.opted_in == opted_in and not created:
        return sharing
    sharing.opted_in = opted_in
    sharing.changed_by = actor if getattr(actor, "is_authenticated", False) else None
    sharing.save()
    audit_action(
        actor=actor,
        action="Force's figures added to the national picture"
        if opted_in
        else "Force's figures taken out of the national picture",
        instance=sharing,
    )
    return sharing


@transaction.atomic
def share_link_create(
    *,
    force: Force,
    programme: Programme | None,
    label: str,
    expires_on: date,
    include_quotes: bool,
    actor: AbstractBaseUser | None,
) -> tuple[ShareLink, str]:
    """A link to the practice report (or the force's trends) for someone outside the force.

    Returns (link, token): the token is shown once and only its SHA-256 is kept.
    """
    today = timezone.localdate()
    if expires_on < today:
        raise ReportError("Choose a last day from today on.", field="expires_on")
    if expires_on > today + SHARE_LINK_LONGEST:
        raise ReportError("Choose a last day within a year from today.", field="expires_on")
    if programme is not None and programme.force_id != force.pk:
        raise ReportError("Choose one of your force's programmes.", field="what", status=404)
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        force=force,
        programme=programme,
        label=label.strip()[:120],
        expires_on=expires_on,
        include_quotes=bool(include_quotes and programme is not None),
        token_hash=token_hash(token),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_action(
        actor=actor,
        action="Shared by link",
        instance=link,
        expires_on=expires_on.isoformat(),
        quotes="yes" if link.include_quotes else "no",
    )
    return link, token


@transaction.atomic
def share_link_revoke(*, link: ShareLink, actor: AbstractBaseUser | None) -> ShareLink:
    """Stop a shared link working now (a second revoke changes nothing)."""
    link = ShareLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_action(actor=actor, action="Shared link stopped", instance=link)
    return link


def share_link_open(*, token: str | None) -> tuple[ShareLink | None, str]:
    """(link, "") for a working link, noting its use; (link, "expired"/"revoked") or (None, "unknown") otherwise."""
    link = (
        ShareLink.objects.select_related("force", "programme__force").filter(token_hash=token_hash(token or "")).first()
    )
    if link is None:
        return None, "unknown"
    state = link.state(timezone.localdate())
    if state != "active":
        return link, state
    ShareLink.objects.filter(pk=link.pk).update(last_opened_at=timezone.now(), times_opened=F("times_opened") + 1)
    return link, ""
