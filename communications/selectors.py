"""Reads for joining instructions: who gets them, and each student's week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from events.calendars import event_location
from events.selectors import programme_ceremony
from placements.models import Placement, Programme, Session
from schools.models import InstitutionContact

from .models import JoiningInstructions


@dataclass(frozen=True)
class Recipient:
    """Who one email about one student goes to, and how the email speaks to them."""

    GUARDIAN = "guardian"
    ADULT_STUDENT = "adult_student"
    SCHOOL = "school"

    placement: Placement
    kind: str
    email: str
    name: str

    @property
    def is_student(self) -> bool:
        return self.kind == self.ADULT_STUDENT

    @property
    def is_school(self) -> bool:
        return self.kind == self.SCHOOL


def confirmed_placements(programme: Programme):
    """Confirmed places whose student has not been erased, with what the emails need (three queries)."""
    contacts = InstitutionContact.objects.filter(is_active=True).order_by("name")
    return (
        Placement.objects.filter(
            programme=programme, status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True
        )
        .select_related("programme__force", "nomination__programme", "nomination__institution", "syndicate__lead")
        .prefetch_related(Prefetch("nomination__institution__contacts", queryset=contacts, to_attr="active_contacts"))
        .order_by("nomination__last_name", "nomination__first_name", "pk")
    )


def joining_recipients(*, programme: Programme, placements: list[Placement] | None = None) -> list[Recipient]:
    """For each confirmed student: their guardian (or themself, when an adult) and each of their school's contacts.

    Addressed as the consent emails are (`Nomination.consent_email`).
    """
    recipients = []
    for placement in confirmed_placements(programme) if placements is None else placements:
        nomination = placement.nomination
        if nomination.consent_email:
            if nomination.is_adult:
                recipients.append(
                    Recipient(placement, Recipient.ADULT_STUDENT, nomination.consent_email, nomination.first_name)
                )
            else:
                name = nomination.guardian_name or f"parent or guardian of {nomination.first_name}"
                recipients.append(Recipient(placement, Recipient.GUARDIAN, nomination.consent_email, name))
        for contact in nomination.institution.active_contacts:
            recipients.append(Recipient(placement, Recipient.SCHOOL, contact.email, contact.name))
    return recipients


def student_week(placement: Placement) -> list[dict[str, Any]]:
    """The student's days, each with their syndicate's planned sessions in time order."""
    programme = placement.programme
    sessions: list[Session] = []
    if placement.syndicate_id is not None:
        sessions = list(
            Session.objects.filter(
                programme=programme, syndicates=placement.syndicate_id, status=Session.Status.PLANNED
            )
            .select_related("activity")
            .order_by("starts_at")
        )
    days: dict[date, list[Session]] = {day: [] for day in programme.days}
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        days.setdefault(day, []).append(session)
    return [
        {
            "day": day,
            "sessions": [
                {
                    "title": s.activity.title,
                    "kind": s.activity.get_kind_display(),
                    "starts_at": timezone.localtime(s.starts_at),
                    "ends_at": timezone.localtime(s.ends_at),
                    "venue": s.activity.venue,
                }
                for s in found
            ],
        }
        for day, found in sorted(days.items())
    ]


def email_context(*, placement: Placement, instructions: JoiningInstructions) -> dict[str, Any]:
    """What the joining emails and the student's page show about one student."""
    syndicate = placement.syndicate
    return {
        "programme": placement.programme,
        "force": placement.programme.force,
        "email_force": placement.programme.force,
        "instructions": instructions,
        "nomination": placement.nomination,
        "syndicate": syndicate,
        "lead": syndicate.lead if syndicate is not None else None,
        "week": student_week(placement),
        **ceremony_context(placement.programme, instructions),
    }


def ceremony_context(programme: Programme, instructions: JoiningInstructions | None) -> dict[str, Any]:
    """The awards ceremony as the joining emails and page show it: from its event where it has one (the events
    app), else from the ceremony fields the joining instructions had before events existed."""
    event = programme_ceremony(programme) if programme.pk else None
    if event is not None:
        starts, ends, venue = event.starts_at, event.ends_at, event_location(event)
    elif instructions is not None and instructions.has_ceremony:
        starts, ends, venue = (
            instructions.ceremony_starts_at,
            instructions.ceremony_ends_at,
            instructions.ceremony_venue,
        )
    else:
        return {"ceremony_starts_at": None, "ceremony_ends_at": None, "ceremony_venue": ""}
    return {
        "ceremony_starts_at": timezone.localtime(starts),
        "ceremony_ends_at": timezone.localtime(ends),
        "ceremony_venue": venue,
    }


def joining_summary(*, programme: Programme) -> dict[str, int]:
    """How many students and emails a send reaches: for the send page."""
    placements = list(confirmed_placements(programme))
    recipients = joining_recipients(programme=programme, placements=placements)
    return {
        "students": len(placements),
        "families": sum(1 for r in recipients if not r.is_school),
        "schools": sum(1 for r in recipients if r.is_school),
        "without_family_email": sum(1 for p in placements if not p.nomination.consent_email),
        "without_school_contact": sum(1 for p in placements if not p.nomination.institution.active_contacts),
    }
