"""Reads for the intake screens; every one starts from `scoped()` so outsiders see nothing."""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import get_for_user, scoped
from core.languages import language_for_student
from core.links import token_hash

from .models import Allocation, ConsentLink, ContactInvitation, InstitutionContact, Nomination
from .services import QUOTA_STATUSES_EXCLUDED, round_weeks
from .task_states import intake_facts, selection_open


def consent_link_pk_for_token(token):
    """The pk of the consent link a token belongs to (whatever its state), or None."""
    return ConsentLink.objects.filter(token_hash=token_hash(token)).values_list("pk", flat=True).first()


def consent_link_language(pk):
    """The language the guardian reads the consent form in: their preference, else the force's default."""
    link = ConsentLink.objects.select_related("consent__nomination__programme__force").get(pk=pk)
    return language_for_student(link.consent.nomination)


def _places_used():
    """An allocation's quota places taken: its institution's nominations for the programme, not refused or
    withdrawn. Linked weeks: a student offered another week of the round still counts against the quota.

    A subquery per allocation rather than a COUNT over a join of allocations and nominations, which
    multiplies rows (every allocation of the institution times every nomination it ever made).
    """
    nominations = (
        Nomination.objects.filter(institution=OuterRef("institution"))
        .filter(Q(programme=OuterRef("programme")) | Q(programme__week_group=OuterRef("programme__week_group")))
        .exclude(status__in=QUOTA_STATUSES_EXCLUDED)
        .order_by()
        .values("institution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(nominations, output_field=IntegerField()), 0)


def allocations_for_contact(*, user):
    """The contact's allocations, with how many quota places are used, in one query."""
    return (
        scoped(user, Allocation)
        .select_related("programme", "institution")
        .annotate(used=_places_used())
        .order_by("programme__start_date", "institution__name")
    )


def contact_home_allocations(*, user, today):
    """The contact's allocations for their start page: places left, open now or not yet, open ones first.

    Only programmes not yet over: a school's earlier years stay in its nominations, not as cards here.
    """
    allocations = list(allocations_for_contact(user=user).filter(programme__end_date__gte=today))
    for allocation in allocations:
        allocation.remaining = max(allocation.quota - allocation.used, 0)
        allocation.is_open = allocation.programme.nominations_open_on(today)
        allocation.not_yet = today < allocation.programme.nomination_opens
    allocations.sort(key=lambda a: (not a.is_open, not a.not_yet, -a.programme.start_date.toordinal()))
    return allocations


def allocation_for_contact(*, user, pk):
    return get_for_user(user, Allocation.objects.select_related("programme__force", "institution"), pk=pk)


def nominations_for_user(*, user):
    return scoped(user, Nomination).select_related("programme", "institution", "consent", "placement")


def programme_nominations(*, programme):
    """The coordinator's review list for one programme, with everything a row shows."""
    return (
        Nomination.objects.filter(programme=programme)
        .select_related("institution", "consent")
        .order_by("status", "institution__name", "last_name", "first_name")
    )


def allocation_summary(*, programme, now=None):
    """The quotas page: each allocation with places used, the institution's active contacts (who get
    its offers) and its invitations not yet accepted, in three queries whatever the number of rows."""
    now = now or timezone.now()
    return (
        Allocation.objects.filter(programme=programme)
        .select_related("institution")
        .prefetch_related(
            Prefetch(
                "institution__contacts",
                queryset=InstitutionContact.objects.filter(is_active=True).exclude(email="").order_by("name"),
                to_attr="active_contacts",
            ),
            Prefetch(
                "institution__invitations",
                queryset=ContactInvitation.objects.filter(accepted_at__isnull=True, expires_at__gt=now).order_by(
                    "-created_at"
                ),
                to_attr="open_invitations",
            ),
        )
        .annotate(used=_places_used())
        .order_by("institution__name")
    )


def intake_summary(*, programme, today):
    """Counts for the Intake section of the programme page, and which of its actions fit the stage.

    The counts are the task list's intake facts (computed once per page): the selection assistant is
    offered only while there are nominations to decide before the week, invitations and offers only
    before the week.
    """
    facts = intake_facts(programme, today)
    before_week = today < programme.start_date
    return {
        "intake_counts": [(label, facts[value]) for value, label in Nomination.Status.choices],
        "intake_total": facts["total"],
        "intake_consented": facts["consent_given"],
        "show_invite": before_week,
        "show_selection": selection_open(programme, today),
        "show_offers": before_week and bool(facts["offers_made"]),
        "round_weeks": round_weeks(programme),
    }


def selection_round_totals(*, programme, round_fill) -> dict:
    """The reserved SEND places and the first day of the round (or of the one week) the selection page quotes."""
    if not round_fill:
        return {"reserved_send": programme.reserved_send_places, "first_start": programme.start_date}
    return {
        "reserved_send": sum(fill.week.programme.reserved_send_places for fill in round_fill),
        "first_start": round_fill[0].week.programme.start_date,
    }
