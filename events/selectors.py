"""Reads for events: who an invitation is for, the counts in words, the door list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from core.languages import ENGLISH, language_for, language_for_student
from placements.models import Placement, Programme
from schools.models import Nomination

from .models import Event, Invitation

# The automatic reminder goes to those who have not replied this many days before the reply-by date.
REMINDER_DAYS_BEFORE = 3


def invitations_for(event: Event) -> QuerySet[Invitation]:
    """An event's invitations with everything naming their invitee (one query)."""
    return Invitation.objects.filter(event=event).select_related(
        "event__programme",
        "placement__nomination__programme",
        "placement__nomination__erasure",
        "contact__institution",
        "person__user",
    )


@dataclass(frozen=True)
class Invitee:
    """Whom an invitation is for, read from the row it points at (nothing copied)."""

    name: str  # who comes to the door
    email: str  # where the invitation goes ("" when there is no address)
    greeting: str  # how the email speaks to its reader
    about: object | None = None  # the student's nomination, for the outbox and erasure
    to_student: bool = False
    erased: bool = False

    @property
    def surname(self) -> str:
        words = self.name.split()
        return words[-1].casefold() if words else ""


def invitee(invitation: Invitation) -> Invitee:
    kind = invitation.kind
    if kind in (Invitation.Kind.STUDENT, Invitation.Kind.GUARDIAN):
        nomination = invitation.placement.nomination
        if hasattr(nomination, "erasure"):
            return Invitee("Erased", "", "", about=nomination, to_student=True, erased=True)
        student = f"{nomination.first_name} {nomination.last_name}"
        if kind == Invitation.Kind.STUDENT:
            greeting = (
                nomination.first_name if nomination.is_adult else (nomination.guardian_name or "parent or guardian")
            )
            return Invitee(student, nomination.consent_email, greeting, about=nomination, to_student=True)
        guardian = nomination.guardian_name or f"Parent or guardian of {student}"
        return Invitee(guardian, nomination.guardian_email, guardian, about=nomination, to_student=True)
    if kind == Invitation.Kind.SCHOOL:
        contact = invitation.contact
        return Invitee(contact.name, contact.email, contact.name)
    if kind in (Invitation.Kind.LEAD, Invitation.Kind.MENTOR):
        person = invitation.person
        return Invitee(person.name, person.contact_email or "", person.name)
    return Invitee(invitation.name, invitation.email, invitation.name)


def invitee_language(invitation: Invitation, person: Invitee | None = None) -> str:
    """The language of an invitee's emails and reply page: a family's own (the nomination's preference, else the
    force's); police staff read English, like their own pages; schools and guests the force's usual one."""
    person = person or invitee(invitation)
    if isinstance(person.about, Nomination):
        return language_for_student(person.about)
    if invitation.kind in (Invitation.Kind.LEAD, Invitation.Kind.MENTOR):
        return ENGLISH
    return language_for(force=invitation.event.force)


def counts(event: Event) -> dict[str, int]:
    """How many are invited, coming (with guests), not coming and yet to reply (one query)."""
    found = Invitation.objects.filter(event=event).aggregate(
        invited=Count("pk"),
        coming=Count("pk", filter=Q(answer=Invitation.Answer.YES)),
        guests=Sum("guests", filter=Q(answer=Invitation.Answer.YES), default=0),
        not_coming=Count("pk", filter=Q(answer=Invitation.Answer.NO)),
        waiting=Count("pk", filter=Q(answer="")),
    )
    found["places_taken"] = found["coming"] + found["guests"]
    found["places_left"] = None if event.capacity is None else max(event.capacity - found["places_taken"], 0)
    return found


def places_taken(event: Event, *, excluding: Invitation | None = None) -> int:
    replies = Invitation.objects.filter(event=event, answer=Invitation.Answer.YES)
    if excluding is not None:
        replies = replies.exclude(pk=excluding.pk)
    found = replies.aggregate(people=Count("pk"), guests=Sum("guests", default=0))
    return found["people"] + found["guests"]


def _plural(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def counts_in_words(event: Event, found: dict[str, int]) -> list[str]:
    """The counts as sentences a coordinator reads at a glance."""
    words = []
    if not found["invited"]:
        return ["Nobody is invited yet."]
    words.append(f"{_plural(found['invited'], 'person is', 'people are')} invited.")
    coming = _plural(found["coming"], "person is", "people are") + " coming"
    if found["guests"]:
        coming += f", bringing {_plural(found['guests'], 'guest', 'guests')}"
    words.append(f"{coming}: {_plural(found['places_taken'], 'place', 'places')} taken.")
    if event.capacity is not None:
        left = found["places_left"]
        words.append(
            "Every place is taken."
            if left == 0
            else f"{_plural(left, 'place is', 'places are')} still free of {event.capacity}."
        )
    words.append(f"{_plural(found['not_coming'], 'person has', 'people have')} said they cannot come.")
    words.append(f"{_plural(found['waiting'], 'person has', 'people have')} not replied yet.")
    return words


def door_list(event: Event) -> list[dict]:
    """Everyone coming, sorted by surname then name: who they are, as what, and how many guests."""
    rows = []
    for invitation in invitations_for(event).filter(answer=Invitation.Answer.YES):
        person = invitee(invitation)
        rows.append(
            {
                "name": person.name,
                "surname": person.surname,
                "kind": invitation.get_kind_display(),
                "guests": invitation.guests,
            }
        )
    rows.sort(key=lambda row: (row["surname"], row["name"].casefold()))
    return rows


def replies(event: Event) -> list[dict]:
    """Every invitation with its invitee, for the coordinator's page (replied first? no: by surname)."""
    rows = []
    for invitation in invitations_for(event):
        person = invitee(invitation)
        rows.append({"invitation": invitation, "invitee": person})
    rows.sort(key=lambda row: (row["invitee"].surname, row["invitee"].name.casefold(), row["invitation"].pk))
    return rows


def events_for_force(force) -> QuerySet[Event]:
    return (
        Event.objects.filter(force=force)
        .select_related("programme")
        .annotate(
            invited=Count("invitations"),
            coming=Count("invitations", filter=Q(invitations__answer=Invitation.Answer.YES)),
            waiting=Count("invitations", filter=Q(invitations__answer="")),
        )
        .order_by("-starts_at")
    )


def programme_ceremony(programme: Programme) -> Event | None:
    """The programme's awards ceremony as an event, if it has one."""
    return Event.objects.filter(programme=programme, kind=Event.Kind.CEREMONY).first()


def invitable_placements(programme: Programme) -> QuerySet[Placement]:
    return Placement.objects.filter(
        programme=programme, status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True
    ).select_related("nomination__programme")


def reminders_due(today: date | None = None) -> QuerySet[Event]:
    """Events whose reply-by date is at most REMINDER_DAYS_BEFORE days away (the automatic reminder's window)."""
    today = today or timezone.localdate()
    return Event.objects.filter(
        reply_by__gte=today, reply_by__lte=today + timedelta(days=REMINDER_DAYS_BEFORE), starts_at__gt=timezone.now()
    ).select_related("force", "programme")
