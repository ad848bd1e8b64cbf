"""Selection and offers: the assistant's proposal, confirming it, answers, the waiting list."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from placements.models import Placement, Programme

from .. import selection
from ..models import (
    Consent,
    Nomination,
)
from ._common import (
    HOLDING_PLACE,
    OFFER_DAYS,
    POOL_STATUSES,
    SchoolsError,
    _contact_emails,
    _coordinator_emails,
    _send,
    _set_status,
)

logger = logging.getLogger(__name__)


def _candidate(nomination):
    consent = getattr(nomination, "consent", None)
    institution = nomination.institution
    return selection.Candidate(
        id=nomination.pk,
        institution_id=institution.pk,
        institution_name=institution.name,
        area=institution.area,
        is_send=institution.is_send,
        idaci_decile=institution.idaci_decile,
        fsm_pct=institution.fsm_pct,
        police_first_choice=nomination.police_first_choice,
        has_consent=bool(consent and consent.status == Consent.Status.GIVEN and consent.participation),
    )


def selection_propose(*, programme):
    """The assistant's proposal for the places still free, with the pool it chose from."""
    pool = list(
        programme.nominations.filter(status__in=POOL_STATUSES).select_related("institution", "consent").order_by("pk")
    )
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = max(programme.capacity - holders.count(), 0)
    send_holding = holders.filter(institution__is_send=True).count()
    picks = selection.propose_cohort(
        [_candidate(n) for n in pool],
        capacity=free,
        reserved_send=max(programme.reserved_send_places - send_holding, 0),
        cap_per_institution=programme.max_per_institution,
    )
    by_id = {n.pk: n for n in pool}
    return [(by_id[p.candidate.id], p) for p in picks], free


@transaction.atomic
def selection_confirm(*, programme, selected_ids, actor, deadline=None, today=None):
    """Offer places to the chosen nominations; the rest with consent join the waiting list, others are not selected."""
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    deadline = deadline or today + timedelta(days=OFFER_DAYS)
    if deadline < today:
        raise SchoolsError("The answer deadline cannot be in the past.", field="deadline")
    proposal, free = selection_propose(programme=programme)
    by_id = {n.pk: (n, p) for n, p in proposal}
    selected_ids = [int(i) for i in selected_ids]
    unknown = [i for i in selected_ids if i not in by_id]
    if unknown:
        raise SchoolsError("Some chosen nominations are no longer in the pool; reload the page.", status=409)
    if len(selected_ids) > free:
        raise SchoolsError(f"You chose {len(selected_ids)} students but only {free} places are free.")
    no_consent = [by_id[i][0].full_name for i in selected_ids if not by_id[i][1].candidate.has_consent]
    if no_consent:
        raise SchoolsError(f"No participation consent yet, so no offer can be made: {', '.join(no_consent)}.")
    for pk in selected_ids:
        nomination = by_id[pk][0]
        reason = by_id[pk][1].reason if by_id[pk][1].selected else "Chosen by the coordinator"
        _offer(nomination, deadline=deadline, reason=reason)
    rank = 0
    for nomination, pick in proposal:
        if nomination.pk in selected_ids:
            continue
        if pick.candidate.has_consent:
            rank += 1
            was_waiting = nomination.status == Nomination.Status.WAITLISTED
            _set_status(
                nomination, Nomination.Status.WAITLISTED, waitlist_rank=rank, selection_reason=pick.reason[:300]
            )
            if not was_waiting:
                _notify_institution(nomination, "waitlisted")
        else:
            _set_status(
                nomination, Nomination.Status.NOT_SELECTED, waitlist_rank=None, selection_reason=pick.reason[:300]
            )
            _notify_institution(nomination, "not_selected")
    if programme.status in (Programme.Status.DRAFT, Programme.Status.NOMINATIONS_OPEN):
        programme.status = Programme.Status.SELECTION
        programme.save(update_fields=["status", "updated_at"])
    logger.info("Selection for programme %s confirmed by %s: %s offers", programme.pk, actor, len(selected_ids))
    return len(selected_ids)


def _offer(nomination, *, deadline, reason):
    _set_status(
        nomination,
        Nomination.Status.OFFERED,
        offer_deadline=deadline,
        waitlist_rank=None,
        selection_reason=reason[:300],
    )
    _notify_institution(nomination, "offer")


def _notify_institution(nomination, kind):
    stamp = nomination.status_changed_at.strftime("%Y%m%d%H%M%S%f")
    _send(
        kind,
        _contact_emails(nomination.institution),
        context={"nomination": nomination, "programme": nomination.programme},
        key=f"{kind}-{nomination.pk}-{stamp}",
        force=nomination.programme.force,
        about=[nomination],
    )


@transaction.atomic
def offer_respond(*, nomination, accept, actor, today=None):
    """The institution accepts or declines an offered place on the student's behalf, before the deadline."""
    today = today or timezone.localdate()
    nomination = (
        Nomination.objects.select_for_update().select_related("programme__force", "institution").get(pk=nomination.pk)
    )
    if nomination.status != Nomination.Status.OFFERED:
        raise SchoolsError("There is no open offer for this student.", status=409)
    if accept:
        if nomination.offer_deadline and nomination.offer_deadline < today:
            raise SchoolsError("The deadline to accept this offer has passed.", status=409)
        _set_status(nomination, Nomination.Status.ACCEPTED)
        placement, created = Placement.objects.get_or_create(
            nomination=nomination, defaults={"programme": nomination.programme}
        )
        if not created and placement.status != Placement.Status.CONFIRMED:
            placement.status = Placement.Status.CONFIRMED
            placement.save(update_fields=["status"])
        _send(
            "place_confirmed",
            [*_contact_emails(nomination.institution), nomination.consent_email],
            context={"nomination": nomination, "programme": nomination.programme},
            key=f"place-confirmed-{nomination.pk}",
            force=nomination.programme.force,
            about=[nomination],
            student_address=nomination.consent_email,
        )
    else:
        _set_status(nomination, Nomination.Status.DECLINED)
        _place_released(nomination, why="declined", actor=actor, today=today)
    return nomination


def _place_released(nomination, *, why, actor, today):
    """A held place came free: offer it to the next on the waiting list and tell the coordinators."""
    promoted = waitlist_promote(programme=nomination.programme, actor=actor, today=today)
    _send(
        "place_released",
        [*_coordinator_emails(nomination.programme.force), *_contact_emails(nomination.institution)],
        context={"nomination": nomination, "programme": nomination.programme, "why": why, "promoted": promoted},
        key=f"place-released-{nomination.pk}-{nomination.status_changed_at:%Y%m%d%H%M%S%f}",
        force=nomination.programme.force,
        about=[nomination, *promoted],
    )


@transaction.atomic
def waitlist_promote(*, programme, actor, today=None):
    """Offer free places to the waiting list in rank order (consent given, institution under its cap)."""
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = programme.capacity - holders.count()
    per_institution = dict(holders.values_list("institution").annotate(n=Count("pk")).values_list("institution", "n"))
    promoted = []
    waiting = (
        programme.nominations.filter(
            status=Nomination.Status.WAITLISTED,
            consent__status=Consent.Status.GIVEN,
            consent__participation=True,
        )
        .select_related("institution", "programme__force")
        .order_by(F("waitlist_rank").asc(nulls_last=True), "pk")
    )
    for nomination in waiting:
        if free <= 0:
            break
        cap = programme.max_per_institution
        if cap is not None and per_institution.get(nomination.institution_id, 0) >= cap:
            continue
        _offer(nomination, deadline=today + timedelta(days=OFFER_DAYS), reason="Promoted from the waiting list")
        per_institution[nomination.institution_id] = per_institution.get(nomination.institution_id, 0) + 1
        promoted.append(nomination)
        free -= 1
    return promoted


def offers_expire(*, today=None):
    """Beat job: offers not answered by their deadline lapse (as declined) and the place moves on."""
    today = today or timezone.localdate()
    lapsed = Nomination.objects.filter(status=Nomination.Status.OFFERED, offer_deadline__lt=today).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(lapsed):
        with transaction.atomic():
            nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=pk)
            if nomination.status != Nomination.Status.OFFERED:
                continue
            _set_status(nomination, Nomination.Status.DECLINED)
            _place_released(nomination, why="not answered by the deadline", actor=None, today=today)
            count += 1
    return count
