"""Reads for partners' pages: each a fixed number of queries, however many rows there are."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q

from placements.models import Activity, Session

from .models import (
    Action,
    Document,
    DocumentRules,
    Meeting,
    Organisation,
    PartnerPerson,
    ProgrammePartner,
    RiskAssessmentOverride,
)

if TYPE_CHECKING:
    from placements.models import Force, Programme


def organisation_list(*, force: Force):
    """The force's partner organisations with how many people and programme roles each has (one query)."""
    return list(
        Organisation.objects.filter(force=force)
        .annotate(
            people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
            signed_in=Count("people", filter=Q(people__user__isnull=False), distinct=True),
            role_count=Count("programme_roles", distinct=True),
        )
        .order_by("-is_active", "name")
    )


def organisation_people(*, organisation: Organisation):
    """An organisation's people with their pending invitation, if any (two queries)."""
    from django.utils import timezone

    from .models import PartnerInvitation

    pending = PartnerInvitation.objects.filter(accepted_at__isnull=True, expires_at__gt=timezone.now())
    return list(
        organisation.people.order_by("-is_active", "name").prefetch_related(
            Prefetch("invitations", queryset=pending, to_attr="pending_invitations")
        )
    )


def _actions():
    return Action.objects.select_related("owner_person", "owner_partner__organisation", "meeting")


def programme_partners(*, programme: Programme) -> dict:
    """The programme's partners and roles, its action log and meetings (four queries)."""
    roles = list(
        ProgrammePartner.objects.filter(programme=programme)
        .select_related("organisation", "contact")
        .order_by("role", "organisation__name")
    )
    actions = list(_actions().filter(programme=programme).order_by("state", "due_on", "pk"))
    meetings = list(Meeting.objects.filter(programme=programme).annotate(action_count=Count("actions")))
    return {
        "roles": roles,
        "open_actions": [a for a in actions if a.state == Action.State.OPEN],
        "closed_actions": [a for a in actions if a.state != Action.State.OPEN],
        "meetings": meetings,
    }


def owner_choices(*, force: Force):
    """Who can own an action: the force's active people and its partners' active people (two queries)."""
    from placements.models import ForcePerson

    people = list(ForcePerson.objects.filter(force=force, is_active=True).order_by("name"))
    partners = list(
        PartnerPerson.objects.filter(organisation__force=force, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )
    return people, partners


# --- documents and the risk-assessment rule ---------------------------------------------------------


def risk_assessment_required(force_id: int) -> bool:
    """Whether the force timetables an activity only with an approved risk assessment in date.

    Off until a coordinator switches it on (forces that kept risk assessments elsewhere before this
    page existed are not stopped overnight); the demo force has it on.
    """
    return DocumentRules.objects.filter(force_id=force_id, risk_assessment_required=True).exists()


def covering_risk_assessments(programme: Programme, activity_ids):
    """Approved risk assessments in date on the programme's last day, for these activities, of this
    programme or of none in particular."""
    return Document.objects.filter(
        kind=Document.Kind.RISK_ASSESSMENT,
        activity__in=activity_ids,
        approved_at__isnull=False,
        expires_on__gte=programme.end_date,
    ).filter(Q(programme__isnull=True) | Q(programme=programme))


def risk_assessment_refusals(programme: Programme, activity_ids: list[int]) -> dict[int, str]:
    """{activity id: why} for activities that may not be timetabled on `programme` (the timetable gate)."""
    if not activity_ids or not risk_assessment_required(programme.force_id):
        return {}
    covered = set(covering_risk_assessments(programme, activity_ids).values_list("activity_id", flat=True))
    allowed = set(
        RiskAssessmentOverride.objects.filter(programme=programme, activity__in=activity_ids).values_list(
            "activity_id", flat=True
        )
    )
    missing = [pk for pk in activity_ids if pk not in covered | allowed]
    if not missing:
        return {}
    end = f"{programme.end_date.day} {programme.end_date:%B %Y}"
    titles = dict(Activity.objects.filter(pk__in=missing).values_list("pk", "title"))
    return {
        pk: f"“{titles.get(pk, 'An activity')}” has no approved risk assessment in date until {end}: upload and "
        "approve one under Documents, or record why it can go ahead without one (programme page, Partners and "
        "documents)."
        for pk in missing
    }


def activity_risk_states(*, programme: Programme) -> list[dict]:
    """Each active activity of the force (and any on the timetable) with its risk assessment for this
    programme: covered (until when), allowed without one (why), or missing. Four queries."""
    on_timetable = set(Session.objects.filter(programme=programme).values_list("activity_id", flat=True))
    activities = list(
        Activity.objects.filter(force=programme.force_id)
        .filter(Q(is_active=True) | Q(pk__in=on_timetable))
        .order_by("kind", "title")
    )
    ids = [a.pk for a in activities]
    covering = {}
    for document in covering_risk_assessments(programme, ids).order_by("expires_on"):
        covering[document.activity_id] = document  # the one that lasts longest wins
    overrides = {
        o.activity_id: o
        for o in RiskAssessmentOverride.objects.filter(programme=programme, activity__in=ids).select_related("given_by")
    }
    return [
        {
            "activity": activity,
            "document": covering.get(activity.pk),
            "override": overrides.get(activity.pk),
            "on_timetable": activity.pk in on_timetable,
        }
        for activity in activities
    ]


def document_list(*, force: Force, today: date):
    """The force's documents, expired and expiring first (one query)."""
    documents = list(
        Document.objects.filter(force=force).select_related(
            "activity", "programme", "organisation", "owner", "approved_by"
        )
    )
    order = {"expired": 0, "awaiting": 1, "expiring": 2, "approved": 3}
    documents.sort(key=lambda d: (order[d.state_on(today)], d.expires_on, d.title))
    for document in documents:
        document.state = document.state_on(today)
    return documents


# --- what a partner person sees ------------------------------------------------------------------


def partner_home(*, person: PartnerPerson) -> dict:
    """A partner person's own actions and their organisation's programmes (three queries)."""
    actions = list(
        Action.objects.filter(owner_partner=person).select_related("programme").order_by("state", "due_on", "pk")
    )
    roles = list(
        ProgrammePartner.objects.filter(organisation=person.organisation_id)
        .select_related("programme")
        .order_by("-programme__start_date", "role")
    )
    programmes = {}
    for link in roles:
        programmes.setdefault(link.programme_id, {"programme": link.programme, "roles": []})["roles"].append(
            link.get_role_display()
        )
    return {
        "open_actions": [a for a in actions if a.state == Action.State.OPEN],
        "closed_actions": [a for a in actions if a.state != Action.State.OPEN],
        "programmes": list(programmes.values()),
    }


def partner_programme(*, programme: Programme, person: PartnerPerson) -> dict:
    """A programme as a partner sees it: dates, stage, partners and roles, milestones, their own
    actions and the documents they may read. Nothing about any student. Four queries."""
    roles = list(ProgrammePartner.objects.filter(programme=programme).select_related("organisation").order_by("role"))
    log = list(
        Action.objects.filter(programme=programme)
        .filter(Q(kind=Action.Kind.MILESTONE) | Q(owner_partner=person))
        .select_related("owner_person", "owner_partner")
        .order_by("due_on", "pk")
    )
    documents = list(
        Document.objects.filter(force=programme.force_id)
        .filter(Q(programme=programme) | Q(organisation=person.organisation_id))
        .order_by("kind", "title")
    )
    return {
        "roles": roles,
        "milestones": [a for a in log if a.kind == Action.Kind.MILESTONE],
        "my_actions": [a for a in log if a.owner_partner_id == person.pk and a.kind == Action.Kind.ACTION],
        "documents": documents,
    }


def programme_section(*, programme: Programme) -> dict:
    """The programme page's "Partners and documents" section: partners by role, open and overdue
    actions, and activities on the timetable the risk-assessment rule refuses. Shares the task list's facts."""
    from django.utils import timezone

    from .task_states import partner_facts

    today = timezone.localdate()
    roles = list(ProgrammePartner.objects.filter(programme=programme).select_related("organisation").order_by("role"))
    return {"roles": roles, **partner_facts(programme, today)}
