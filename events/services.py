"""Writes for events: save an event, invite people, take their replies, remind those who have not replied."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Max, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation

from core.attachments import Attachment
from core.audit import audit_action
from core.errors import DomainError
from core.languages import ENGLISH, WELSH
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.services import email_queue
from placements.models import ForcePerson, Programme
from schools.models import InstitutionContact

from . import selectors
from .models import Event, Invitation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

REPLY_LINK_PURPOSE = "event-reply"
EVENT_FIELDS = (
    "kind",
    "programme",
    "title",
    "description",
    "starts_at",
    "ends_at",
    "venue",
    "address",
    "capacity",
    "guests_allowed",
    "reply_by",
    "title_cy",
    "description_cy",
    "venue_cy",
)
# What a calendar shows of where and when: a change raises the calendar files' SEQUENCE.
CALENDAR_FIELDS = ("title", "starts_at", "ends_at", "venue", "address")


class EventsError(DomainError):
    """A rule of events refused an action; `message` is for the person who asked."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- the event ---------------------------------------------------------------------------------------


@transaction.atomic
def event_save(*, force, data: Mapping[str, Any], actor: AbstractBaseUser | None, event: Event | None = None) -> Event:
    """Create an event of `force`, or change `event`; a change of date, time or venue raises the calendar SEQUENCE
    and tells everyone invited who has not said no."""
    if event is not None:
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.is_over:
            raise EventsError("This event has already happened, so it stays as it was.", status=409)
        before = {name: getattr(event, name) for name in CALENDAR_FIELDS}
    else:
        event = Event(force=force, created_by=_user(actor))
        before = None
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    programme = event.programme
    if programme is not None and programme.force_id != force.pk:
        raise EventsError("Choose one of your own programmes.", field="programme", status=404)
    if event.kind == Event.Kind.CEREMONY and programme is None:
        raise EventsError("An awards ceremony belongs to a programme: choose which one.", field="programme")
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        raise EventsError("The event must end after it starts.", field="ends_at")
    if event.reply_by and event.starts_at and event.reply_by > timezone.localtime(event.starts_at).date():
        raise EventsError("The reply-by date must be on or before the day of the event.", field="reply_by")
    if event.pk is not None:
        taken = selectors.places_taken(event)
        if event.capacity is not None and event.capacity < taken:
            raise EventsError(
                f"{taken} places are already taken by people who said yes, so the event needs at least {taken}.",
                field="capacity",
            )
        if event.guests_allowed < (event.invitations.aggregate(most=Max("guests"))["most"] or 0):
            raise EventsError(
                "Someone has already said they are bringing more guests than that. Allow at least as many.",
                field="guests_allowed",
            )
    try:
        event.full_clean(exclude=["force", "created_by"])
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        if "event_one_ceremony_per_programme" in problems[0] or "Constraint" in problems[0]:
            raise EventsError("This programme already has an awards ceremony.", field="programme", status=409) from exc
        raise EventsError(problems[0], field=None if field == NON_FIELD_ERRORS else field) from exc
    moved = before is not None and any(before[name] != getattr(event, name) for name in CALENDAR_FIELDS)
    if moved:
        event.sequence = F("sequence") + 1
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError as exc:
        raise EventsError("This programme already has an awards ceremony.", field="programme", status=409) from exc
    event.refresh_from_db()
    audit_action(actor=actor, action="Event changed" if before is not None else "Event planned", instance=event)
    if moved:
        told = 0
        for invitation in selectors.invitations_for(event).exclude(answer=Invitation.Answer.NO):
            if invitation.invited_at is not None:
                told += _queue(invitation, "event_changed", f"event-changed:{invitation.pk}:{event.sequence}")
        if told:
            audit_action(actor=actor, action="Invitees told of a change", instance=event, emails=told)
    return event


@transaction.atomic
def event_delete(*, event: Event, actor: AbstractBaseUser | None) -> None:
    """Delete an event nobody has been invited to yet; once invitations went out it stays on record."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.invitations.filter(invited_at__isnull=False).exists():
        raise EventsError("Invitations have gone out, so this event stays on record.", status=409)
    audit_action(actor=actor, action="Event deleted", instance=event)
    event.delete()


# --- invitations -------------------------------------------------------------------------------------


def _new_link(invitation: Invitation) -> None:
    invitation.token_salt = new_token_salt()
    invitation.token_hash = token_hash(link_token(REPLY_LINK_PURPOSE, invitation.token_salt))


def reply_link_path(pk: int) -> str | None:
    """The working reply link of invitation `pk` (for the outbox at send time), or None."""
    invitation = Invitation.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = invitation and link_token(REPLY_LINK_PURPOSE, invitation.token_salt)
    return reverse("event_reply:open", args=[token]) if token and token_hash(token) == invitation.token_hash else None


def event_calendar_attachment(pk: int, language: str = ENGLISH) -> Attachment | None:
    """The event as a calendar file (for the outbox at send time); `pk` is the event's. Made in `language`, the
    reader's: the outbox sends it later, outside the language the email was written in."""
    from . import calendars

    event = Event.objects.select_related("force", "programme").filter(pk=pk).first()
    if event is None:
        return None
    with translation.override(language):
        return Attachment(calendars.calendar_filename(event), calendars.event_calendar(event), "text/calendar")


def event_calendar_attachment_welsh(pk: int) -> Attachment | None:
    return event_calendar_attachment(pk, WELSH)


def email_context(invitation: Invitation, person: selectors.Invitee | None = None) -> dict[str, Any]:
    event = invitation.event
    person = person or selectors.invitee(invitation)
    student = None
    if invitation.kind == Invitation.Kind.STUDENT and not person.erased:
        student = invitation.placement.nomination
    return {
        "event": event,
        "force": event.force,
        "email_force": event.force,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "invitation": invitation,
        "invitee": person,
        "student": student,
        "student_reads": student is not None and student.is_adult,
        "link": link_marker("event-reply", invitation.pk),
    }


def _queue(invitation: Invitation, kind: str, dedupe_key: str) -> int:
    """Queue one email to the invitee (once per `dedupe_key`); 1 if it is new, 0 if sent before or no address."""
    from core.models import OutboundEmail

    person = selectors.invitee(invitation)
    if not person.email or person.erased:
        return 0
    if OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists():
        return 0
    language = selectors.invitee_language(invitation, person)
    with translation.override(language):
        email_queue(
            kind=kind,
            to=person.email,
            context=email_context(invitation, person),
            dedupe_key=dedupe_key,
            force=invitation.event.force,
            about=[person.about] if person.about is not None else [],
            to_student=person.to_student,
            attachments=[("event-calendar-cy" if language == WELSH else "event-calendar", invitation.event_id)],
        )
    return 1


def _send_invitation(invitation: Invitation) -> int:
    sent = _queue(invitation, "event_invitation", f"event-invitation:{invitation.pk}:{invitation.link_version}")
    if sent:
        Invitation.objects.filter(pk=invitation.pk).update(invited_at=timezone.now())
    return sent


def _refuse_past(event: Event) -> None:
    if event.is_over:
        raise EventsError("This event has already happened.", status=409)


def _invitations_wanted(event: Event, kinds: Iterable[str]) -> list[Invitation]:
    """Unsaved invitations for everyone of `kinds` (programme groups need the event's programme)."""
    programme: Programme | None = event.programme
    wanted: list[Invitation] = []
    kinds = set(kinds)
    needs_programme = kinds & {Invitation.Kind.STUDENT, Invitation.Kind.GUARDIAN, Invitation.Kind.SCHOOL, "lead"}
    if needs_programme and programme is None:
        raise EventsError(
            "Students, families, schools and syndicate leads are invited through a programme: "
            "link the event to one first.",
            field="kinds",
        )
    if programme is not None:
        placements = list(selectors.invitable_placements(programme))
        if Invitation.Kind.STUDENT in kinds:
            wanted += [Invitation(kind=Invitation.Kind.STUDENT, placement=p) for p in placements]
        if Invitation.Kind.GUARDIAN in kinds:
            wanted += [
                Invitation(kind=Invitation.Kind.GUARDIAN, placement=p)
                for p in placements
                if not p.nomination.is_adult and p.nomination.guardian_email
            ]
        if Invitation.Kind.SCHOOL in kinds:
            contacts = InstitutionContact.objects.filter(
                is_active=True, institution__nominations__placement__in=[p.pk for p in placements]
            ).distinct()
            wanted += [Invitation(kind=Invitation.Kind.SCHOOL, contact=c) for c in contacts]
        if Invitation.Kind.LEAD in kinds:
            leads = ForcePerson.objects.filter(is_active=True, led_syndicates__programme=programme).distinct()
            wanted += [Invitation(kind=Invitation.Kind.LEAD, person=p) for p in leads]
    if Invitation.Kind.MENTOR in kinds:
        mentors = ForcePerson.objects.filter(force=event.force, is_active=True, is_mentor=True)
        wanted += [Invitation(kind=Invitation.Kind.MENTOR, person=p) for p in mentors]
    return wanted


def _already(event: Event) -> set[tuple]:
    rows = Invitation.objects.filter(event=event).values_list("kind", "placement_id", "contact_id", "person_id")
    found = set()
    for kind, placement_id, contact_id, person_id in rows:
        if placement_id:
            found.add((kind, "placement", placement_id))
        if contact_id:
            found.add(("contact", contact_id))
        if person_id:
            found.add(("person", person_id))
    return found


def _key(invitation: Invitation) -> tuple:
    if invitation.placement_id:
        return (invitation.kind, "placement", invitation.placement_id)
    if invitation.contact_id:
        return ("contact", invitation.contact_id)
    return ("person", invitation.person_id)


@transaction.atomic
def invitations_add(
    *,
    event: Event,
    kinds: Iterable[str] = (),
    community: Iterable[tuple[str, str]] = (),
    actor: AbstractBaseUser | None,
) -> dict[str, int]:
    """Invite every person of `kinds` (and named community members) not invited yet, and email each their
    own reply link. Returns {"invited": new invitations, "emailed": emails queued, "no_email": without address}."""
    event = Event.objects.select_for_update(of=("self",)).select_related("force", "programme").get(pk=event.pk)
    _refuse_past(event)
    have = _already(event)
    new = []
    for invitation in _invitations_wanted(event, kinds):
        key = _key(invitation)
        if key in have:
            continue
        have.add(key)
        new.append(invitation)
    emails = set(Invitation.objects.filter(event=event, kind=Invitation.Kind.COMMUNITY).values_list("email", flat=True))
    for name, address in community:
        address = address.strip().lower()
        if address in emails:
            continue
        emails.add(address)
        new.append(Invitation(kind=Invitation.Kind.COMMUNITY, name=" ".join(name.split()), email=address))
    for invitation in new:
        invitation.event = event
        _new_link(invitation)
    Invitation.objects.bulk_create(new)
    emailed = 0
    created = list(selectors.invitations_for(event).filter(pk__in=[i.pk for i in new]))
    for invitation in created:
        emailed += _send_invitation(invitation)
    if new:
        audit_action(actor=actor, action="People invited to an event", instance=event, invited=len(new), emails=emailed)
    return {"invited": len(new), "emailed": emailed, "no_email": len(new) - emailed}


@transaction.atomic
def invitation_new_link(*, invitation: Invitation, actor: AbstractBaseUser | None) -> int:
    """A new reply link for one invitee, emailed to them; the old link stops working at once."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("event").get(pk=invitation.pk)
    _refuse_past(invitation.event)
    _new_link(invitation)
    invitation.link_version += 1
    invitation.save(update_fields=["token_salt", "token_hash", "link_version"])
    invitation = selectors.invitations_for(invitation.event).get(pk=invitation.pk)
    sent = _send_invitation(invitation)
    audit_action(actor=actor, action="Invitation sent again with a new link", instance=invitation, emails=sent)
    return sent


@transaction.atomic
def invitation_remove(*, invitation: Invitation, actor: AbstractBaseUser | None) -> None:
    """Take someone off the invitation list; their link stops working."""
    invitation = Invitation.objects.select_for_update(of=("self",)).select_related("event").get(pk=invitation.pk)
    Event.objects.select_for_update().filter(pk=invitation.event_id).first()
    audit_action(actor=actor, action="Invitation withdrawn", instance=invitation.event)
    invitation.delete()


# --- the invitee's reply -----------------------------------------------------------------------------


def invitation_find(*, token: str | None = None, pk: int | None = None, version: int | None = None) -> Invitation:
    """The invitation of a token (or, once opened, its pk and link version): 404 if unknown or replaced,
    410 once the event is over."""
    invitations = Invitation.objects.select_related(
        "event__force",
        "event__programme",
        "placement__nomination__programme",
        "placement__nomination__erasure",
        "contact",
        "person__user",
    )
    invitation = None
    if pk is not None:
        invitation = invitations.filter(pk=pk, link_version=version).first()
    elif token:
        invitation = invitations.filter(token_hash=token_hash(token)).first()
    from django.utils.translation import gettext as _

    if invitation is None or selectors.invitee(invitation).erased:
        raise EventsError(_("This link is not valid. Check you used the whole link from the latest email."), status=404)
    if invitation.event.is_over:
        raise EventsError(_("This event has already taken place, so its reply link no longer works."), status=410)
    return invitation


@transaction.atomic
def invitation_reply(*, invitation: Invitation, coming: bool, guests: int = 0, today: date | None = None) -> Invitation:
    """Record (or change) an invitee's reply, while replies are open and within the places left.

    The event's row is locked first, so replies to one event are counted one at a time: two people
    taking the last place at once cannot both have it.
    """
    from django.utils.translation import gettext as _, ngettext

    event = Event.objects.select_for_update().get(pk=invitation.event_id)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if event.is_over:
        raise EventsError(_("This event has already taken place."), status=410)
    if not event.replies_open(today):
        raise EventsError(
            _("Replies closed on %(day)s. To change your reply, contact the organisers.")
            % {"day": event.reply_by.strftime("%-d %B %Y")},
            status=409,
        )
    guests = guests if coming else 0
    if not 0 <= guests <= event.guests_allowed:
        raise EventsError(
            ngettext(
                "You can bring up to %(count)d guest.", "You can bring up to %(count)d guests.", event.guests_allowed
            )
            % {"count": event.guests_allowed},
            field="guests",
        )
    if coming and event.capacity is not None:
        left = event.capacity - selectors.places_taken(event, excluding=invitation)
        if 1 + guests > left:
            if left <= 0:
                message = _("Sorry, every place has been taken.")
            else:
                message = ngettext(
                    "Sorry, there is only %(count)d place left: please reply with fewer guests.",
                    "Sorry, there are only %(count)d places left: please reply with fewer guests.",
                    left,
                ) % {"count": left}
            raise EventsError(message, field="guests", status=409)
    was = invitation.answer
    invitation.answer = Invitation.Answer.YES if coming else Invitation.Answer.NO
    invitation.guests = guests
    invitation.replied_at = timezone.now()
    invitation.save(update_fields=["answer", "guests", "replied_at"])
    audit_action(
        actor=None,
        action="Reply changed" if was else "Invitation answered",
        instance=invitation,
        coming=coming,
        guests=guests,
    )
    return invitation


# --- reminders ---------------------------------------------------------------------------------------


def _remind(event: Event, label: str) -> int:
    sent = 0
    for invitation in selectors.invitations_for(event).not_replied().filter(invited_at__isnull=False):
        if _queue(invitation, "event_reminder", f"event-reminder:{invitation.pk}:{label}"):
            Invitation.objects.filter(pk=invitation.pk).update(reminded_at=timezone.now())
            sent += 1
    return sent


@transaction.atomic
def reminders_send(*, event: Event, round_number: int, actor: AbstractBaseUser | None) -> int:
    """Remind everyone who has not replied, once per round: `round_number` is the round the coordinator saw
    offered, so a second click (or a second tab) sends nothing more."""
    event = Event.objects.select_for_update(of=("self",)).select_related("force", "programme").get(pk=event.pk)
    _refuse_past(event)
    if not event.replies_open():
        raise EventsError("Replies have closed, so there is nothing to remind anyone of.", status=409)
    if round_number != event.reminder_rounds + 1:
        raise EventsError("These reminders have already been sent.", status=409)
    event.reminder_rounds = round_number
    event.save(update_fields=["reminder_rounds"])
    sent = _remind(event, f"round-{round_number}")
    audit_action(actor=actor, action="Reminders sent to those who have not replied", instance=event, emails=sent)
    return sent


def reminders_daily(*, today: date | None = None) -> int:
    """Beat (daily): one reminder to each invitee who has not replied, a few days before the reply-by date.
    Its dedupe key is one per invitee, so a second run (or a second worker) sends nothing new."""
    total = 0
    for event in selectors.reminders_due(today):
        with transaction.atomic():
            Event.objects.select_for_update().filter(pk=event.pk).first()
            sent = _remind(event, "before-reply-by")
            if sent:
                audit_action(actor=None, action="Reminders sent before the reply-by date", instance=event, emails=sent)
        total += sent
    return total


# --- community members' names and addresses ---------------------------------------------------------------

# How long after an event a community member's name and email stay on their invitation (for a follow-up).
COMMUNITY_KEEP_DAYS = 90


def community_invitees_erase(*, now=None) -> int:
    """Blank the name and email of community members invited to events that ended COMMUNITY_KEEP_DAYS ago
    (their replies stay, as counts). Idempotent."""
    from datetime import timedelta

    now = now or timezone.now()
    old = Invitation.objects.filter(
        kind=Invitation.Kind.COMMUNITY, event__ends_at__lt=now - timedelta(days=COMMUNITY_KEEP_DAYS)
    ).exclude(name="Erased", email="")
    return old.update(name="Erased", email="", token_hash=Concat(Value("erased-"), Cast("pk", CharField())))
