"""Intake's steps of the programme's task list: schools and quotas, contacts, nominations, consent,
selection and offers.

Each state comes from the programme's dates and two aggregate queries (nominations, allocations)
shared by all six steps and by the Intake section of the programme page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q, Sum
from django.urls import reverse
from django.utils import timezone

from placements.models import Programme
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    TaskState,
    day_text,
    plural,
    register_programme_tasks,
    shared_facts,
    verb,
)

from .models import Allocation, Consent, ContactInvitation, InstitutionContact, Nomination
from .services import HOLDING_PLACE, POOL_STATUSES

Status = Nomination.Status
# Nominations still in the running: their consent is still wanted.
IN_THE_RUNNING = POOL_STATUSES + HOLDING_PLACE


def intake_facts(programme: Programme, today: date) -> dict[str, Any]:
    """Counts of the programme's nominations, consents and allocations, in two queries."""

    def compute():
        running = Q(status__in=IN_THE_RUNNING)
        pending = running & (Q(consent__isnull=True) | Q(consent__status=Consent.Status.REQUESTED))
        facts = Nomination.objects.filter(programme=programme).aggregate(
            total=Count("pk"),
            **{value: Count("pk", filter=Q(status=value)) for value in Status.values},
            running=Count("pk", filter=running),
            consent_pending=Count("pk", filter=pending),
            consent_pending_adults=Count("pk", filter=pending & Q(consent__relationship=Consent.Relationship.SELF)),
            consent_refused=Count("pk", filter=running & Q(consent__status=Consent.Status.REFUSED)),
            consent_given=Count("pk", filter=Q(consent__status=Consent.Status.GIVEN, consent__participation=True)),
            first_offer_deadline=Min("offer_deadline", filter=Q(status=Status.OFFERED)),
        )
        contact = InstitutionContact.objects.filter(institution=OuterRef("institution"), is_active=True)
        invitation = ContactInvitation.objects.filter(
            institution=OuterRef("institution"), accepted_at__isnull=True, expires_at__gt=timezone.now()
        )
        facts.update(
            Allocation.objects.filter(programme=programme)
            .annotate(has_contact=Exists(contact), invited=Exists(invitation))
            .aggregate(
                schools=Count("pk"),
                quota=Sum("quota"),
                without_contact=Count("pk", filter=Q(has_contact=False, invited=False)),
                invited_only=Count("pk", filter=Q(has_contact=False, invited=True)),
            )
        )
        facts["quota"] = facts["quota"] or 0
        facts["holders"] = facts[Status.OFFERED] + facts[Status.ACCEPTED]
        facts["free"] = max(programme.capacity - facts["holders"], 0)
        facts["undecided"] = facts[Status.SUBMITTED] + facts[Status.SHORTLISTED]
        facts["decided"] = facts["holders"] + sum(
            facts[s] for s in (Status.DECLINED, Status.WAITLISTED, Status.NOT_SELECTED)
        )
        facts["offers_made"] = facts["holders"] + facts[Status.DECLINED]
        facts["nominated"] = facts["total"] - facts[Status.WITHDRAWN]
        return facts

    return shared_facts(programme, f"schools:{today}", compute)


def selection_open(programme: Programme, today: date) -> bool:
    """Whether the selection assistant has something to decide: between the close of nominations and
    the week, nominations undecided (or places free and students on the waiting list)."""
    facts = intake_facts(programme, today)
    waiting = facts["free"] and facts[Status.WAITLISTED]
    between = programme.nomination_closes < today < programme.start_date
    return between and bool(facts["undecided"] or waiting)


def _school(programme: Programme) -> str:
    """What the reasons call the nominating institutions: schools, or for a university placement institutions."""
    return "school" if programme.kind == Programme.Kind.SCHOOL_WEEK else "institution"


def schools_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    school = _school(programme)
    url = reverse("schools:allocations", args=[programme.pk])
    if not facts["schools"]:
        if today > programme.nomination_closes:
            return TaskState(NOT_DONE, f"No {school} was chosen", url)
        if today >= programme.nomination_opens:
            return TaskState(
                NEEDS_ATTENTION,
                f"Nominations opened on {day_text(programme.nomination_opens, today)} but no {school} can nominate yet",
                url,
            )
        return TaskState(NOT_STARTED, f"No {school}s chosen yet", url)
    chosen = f"{plural(facts['schools'], school)} may nominate up to {facts['quota']} students"
    if facts["quota"] < programme.capacity and today <= programme.nomination_closes:
        return TaskState(
            NEEDS_ATTENTION,
            f"Quotas allow {facts['quota']} nomination{'s' if facts['quota'] != 1 else ''} "
            f"for {programme.capacity} places",
            url,
        )
    return TaskState(DONE, chosen, url)


def contacts_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    url = reverse("schools:contact_invite", args=[programme.pk])
    schools, missing, invited = facts["schools"], facts["without_contact"], facts["invited_only"]
    school = _school(programme)
    if not schools:
        return TaskState(CANNOT_START, f"Starts when {school}s are chosen", url)
    with_contact = schools - missing - invited
    if today > programme.end_date:
        # Nobody is invited to a programme that has run: the link goes to the schools' list instead.
        schools_url = reverse("schools:allocations", args=[programme.pk])
        return TaskState(DONE, f"{with_contact} of {plural(schools, school)} had a contact", schools_url)
    pending = f"{plural(invited, 'invitation')} not accepted yet"
    if missing:
        reason = f"{plural(missing, school)} {verb(missing, 'has', 'have')} no contact"
        return TaskState(NEEDS_ATTENTION, f"{reason}; {pending}" if invited else reason, url)
    if invited:
        return TaskState(IN_PROGRESS, pending, url)
    return TaskState(DONE, f"Every {school} has a contact", url)


def nominations_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    url = reverse("schools:review", args=[programme.pk])
    closes = day_text(programme.nomination_closes, today)
    nominated = facts["nominated"]
    if today < programme.nomination_opens:
        return TaskState(CANNOT_START, f"Opens on {day_text(programme.nomination_opens, today)}", url)
    if today <= programme.nomination_closes:
        so_far = f"{nominated} nominated so far" if nominated else "None yet"
        return TaskState(IN_PROGRESS, f"{so_far}; closes on {closes}", url)
    if not nominated:
        if today > programme.end_date:
            return TaskState(NOT_DONE, "Nobody was nominated", url)
        return TaskState(NEEDS_ATTENTION, f"Nominations closed on {closes} with none received", url)
    return TaskState(DONE, f"{nominated} nominated for {programme.capacity} places", url)


def consent_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    url = reverse("schools:review", args=[programme.pk])
    if today >= programme.start_date:
        if facts["consent_given"]:
            return TaskState(DONE, f"{plural(facts['consent_given'], 'consent')} given", url)
        return TaskState(NOT_DONE, "No consent was given", url)
    if not facts["running"]:
        return TaskState(CANNOT_START, "Starts when the first nomination arrives", url)
    url += "?consent=requested"
    pending, adults = facts["consent_pending"], facts["consent_pending_adults"]
    refused = f"{facts['consent_refused']} refused" if facts["consent_refused"] else ""
    if pending:
        who = "student" if adults == pending else ("guardian" if not adults else "guardian or student")
        reason = f"{plural(pending, who)} {verb(pending, 'has', 'have')} not answered"
        status = NEEDS_ATTENTION if today > programme.nomination_closes else IN_PROGRESS
        return TaskState(status, f"{reason}; {refused}" if refused else reason, url)
    reason = f"Every request answered: {facts['consent_given']} given"
    return TaskState(DONE, f"{reason}, {refused}" if refused else reason, url)


def selection_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    url = reverse("schools:selection", args=[programme.pk])
    holders, free, capacity = facts["holders"], facts["free"], programme.capacity
    if today >= programme.start_date:
        # Selection is over: the link shows the decisions, not the assistant.
        decisions = reverse("schools:review", args=[programme.pk])
        if facts["decided"]:
            return TaskState(DONE, f"{holders} of {capacity} places offered", decisions)
        return TaskState(NOT_DONE, "Nobody was offered a place", decisions)
    if today <= programme.nomination_closes:
        return TaskState(
            CANNOT_START, f"Opens when nominations close on {day_text(programme.nomination_closes, today)}", url
        )
    if not facts["running"] and not facts["decided"]:
        return TaskState(CANNOT_START, "There are no nominations to choose from", url)
    if not facts["decided"]:
        return TaskState(NEEDS_ATTENTION, "Nobody has been offered a place yet", url)
    if free and facts["undecided"]:
        return TaskState(
            IN_PROGRESS,
            f"{plural(facts['undecided'], 'nomination')} still to decide; {plural(free, 'place')} free",
            url,
        )
    if free and facts[Status.WAITLISTED]:
        return TaskState(
            IN_PROGRESS,
            f"{plural(free, 'place')} free; {facts[Status.WAITLISTED]} on the waiting list",
            url,
        )
    if free:
        return TaskState(DONE, f"{holders} of {capacity} places offered; nobody left to choose", url)
    return TaskState(DONE, f"All {capacity} places offered", url)


def offers_state(programme: Programme, today: date) -> TaskState:
    facts = intake_facts(programme, today)
    before_week = today < programme.start_date
    shown = Status.OFFERED if before_week else Status.ACCEPTED
    url = reverse("schools:review", args=[programme.pk]) + f"?status={shown}"
    accepted, waiting = facts[Status.ACCEPTED], facts[Status.OFFERED]
    if not facts["offers_made"]:
        if today >= programme.start_date:
            return TaskState(NOT_DONE, "No place was offered", url)
        return TaskState(CANNOT_START, "Starts when places are offered", url)
    if today >= programme.start_date:
        return TaskState(DONE, f"{accepted} of {programme.capacity} places accepted", url)
    if waiting:
        deadline = facts["first_offer_deadline"]
        if deadline is not None and deadline < today:
            return TaskState(NEEDS_ATTENTION, f"{plural(waiting, 'offer')} past the deadline to answer", url)
        by = f" (first deadline {day_text(deadline, today)})" if deadline else ""
        return TaskState(IN_PROGRESS, f"{accepted} accepted; {waiting} waiting for an answer{by}", url)
    if accepted >= programme.capacity:
        return TaskState(DONE, f"All {programme.capacity} places accepted", url)
    return TaskState(DONE, f"{accepted} of {programme.capacity} places accepted", url)


def register() -> None:
    register_programme_tasks(
        (
            (20, "schools", "Schools and quotas", schools_state, "Choose the schools and their quotas"),
            (30, "contacts", "Contacts invited", contacts_state, "Invite a contact at each school"),
            (40, "nominations", "Nominations", nominations_state, "Follow the nominations"),
            (50, "consent", "Consent", consent_state, "Chase consent"),
            (60, "selection", "Selection", selection_state, "Choose who gets a place"),
            (70, "offers", "Offers accepted", offers_state, "Follow up the offers"),
        )
    )
