"""Messages to a chosen audience: placeholders, templates, the send (one request) and the batches (Celery).

The coordinator's text is never a Django template. Placeholders are `{name}` from the fixed list below,
swapped in one pass for plain values; the HTML part escapes the result (core's email layout), so nothing a
coordinator, a school or a family typed can run as template code, and no link marker (core.links) can be
smuggled into an email through it.

Sending writes the message and one row per recipient in the request; a Celery task then queues their emails
in the outbox in batches. Each recipient's email has the outbox key `audience:<message>:<recipient>`, and
each is queued in its own transaction that also records it on the recipient, so a batch that dies half-way
keeps what it did and the next run (the chain, or the sweep) queues only those still waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone, translation

from core.audit import audit_action
from core.languages import ENGLISH, language_for, language_for_student
from core.models import OutboundEmail
from core.services import email_queue
from placements.models import Force, Programme
from schools.models import Nomination

from .audiences import Audience, Person, Reach, audience_reach, programme_dates
from .models import AudienceMessage, MessageRecipient, MessageTemplate
from .services import CommunicationsError

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

# Every placeholder there is, and what it becomes. An audience offers only those it has values for.
PLACEHOLDERS: dict[str, str] = {
    "recipient_name": "the name of the person it goes to",
    "student_first_name": "the student's first name",
    "school_name": "the student's (or the contact's) school or college",
    "syndicate_name": "the lead's syndicate (or syndicates)",
    "survey_title": "the survey's title",
    "survey_link": "the student's own survey link (made when the email is sent)",
    "survey_closes": "when the survey closes",
    "overdue_count": "how many of the mentor's mentees are overdue a contact",
    "programme_title": "the programme's name",
    "programme_dates": "the programme's dates",
    "force_name": "the force's name",
}
PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
# A ready-made template's note to the coordinator ("[Say what has changed …]"), to be replaced before sending.
INSTRUCTION = re.compile(r"\[(Say|Write|Give) [^\]]*\]")
SUBJECT_MAX = 150
BODY_MAX = 5000


def batch_size() -> int:
    return settings.AUDIENCE_MESSAGE_BATCH_SIZE


@dataclass(frozen=True)
class BuiltInTemplate:
    key: str
    name: str
    audience: str
    subject: str
    body: str


BUILT_IN: tuple[BuiltInTemplate, ...] = (
    BuiltInTemplate(
        "survey-reminder",
        "Survey reminder to families",
        "survey_post_unanswered",
        "{student_first_name}'s survey about {programme_title}",
        "Dear {recipient_name},\n\n"
        "{student_first_name} has not yet answered the short survey about {programme_title}. It takes about "
        "five minutes on a phone, and it helps us make the week better for the next students.\n\n"
        "{student_first_name}'s own link: {survey_link}\n\n"
        "The survey closes {survey_closes}.\n\n"
        "Thank you,\n{force_name}",
    ),
    BuiltInTemplate(
        "week-change",
        "A change to the week, to families",
        "families",
        "A change to {programme_title}",
        "Dear {recipient_name},\n\n"
        "We need to tell you about a change to {programme_title} ({programme_dates}).\n\n"
        "[Say what has changed, what it means for {student_first_name}, and whether anything needs doing.]\n\n"
        "If you have any questions, phone the number in the joining instructions.\n\n"
        "{force_name}",
    ),
    BuiltInTemplate(
        "school-update",
        "An update for school contacts",
        "school_contacts",
        "{programme_title}: an update for {school_name}",
        "Dear {recipient_name},\n\n"
        "Thank you for supporting {programme_title} ({programme_dates}).\n\n"
        "[Write the update for schools here.]\n\n"
        "{force_name} work-experience team",
    ),
    BuiltInTemplate(
        "lead-briefing",
        "Briefing for syndicate leads",
        "leads",
        "{programme_title}: briefing for syndicate leads",
        "Dear {recipient_name},\n\n"
        "Thank you for leading {syndicate_name} on {programme_title} ({programme_dates}).\n\n"
        "[Give the time and place of the leads' briefing, and anything to read beforehand.]\n\n"
        "Your syndicate's register and timetable are on your start page when you sign in.\n\n"
        "{force_name} work-experience team",
    ),
    BuiltInTemplate(
        "mentor-overdue",
        "Mentor contacts overdue",
        "mentors_overdue",
        "Mentoring: your mentees are waiting to hear from you",
        "Dear {recipient_name},\n\n"
        "{overdue_count} of your mentees are overdue a contact. A short message or call keeps them connected "
        "with policing; please log each contact when you make it.\n\n"
        "If you cannot keep up with your mentees for a while, tell us and we will find cover.\n\n"
        "{force_name} work-experience team",
    ),
)


def built_in(key: str) -> BuiltInTemplate | None:
    return next((t for t in BUILT_IN if t.key == key), None)


# --- placeholders ----------------------------------------------------------------------------------------


def placeholders_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text or "")


def placeholders_check(text: str, audience: Audience) -> str | None:
    """A message for the coordinator when `text` uses a placeholder that does not exist or this audience
    cannot fill; None when every placeholder is fine."""
    allowed = audience.placeholders
    for name in placeholders_in(text):
        if name not in PLACEHOLDERS:
            return f"{{{name}}} is not a placeholder. You can use: " + ", ".join(f"{{{p}}}" for p in allowed) + "."
        if name not in allowed:
            return (
                f"{{{name}}} cannot be filled in for {audience.label.lower()}. You can use: "
                + ", ".join(f"{{{p}}}" for p in allowed)
                + "."
            )
    return None


def _no_markers(text: str) -> str:
    """Typed text can never carry a working link: a link marker in it is broken up before anything else.

    Since markers are signed (core.links), a typed one would not resolve anyway; this stays as a second,
    independent guard, so that a leaked SECRET_KEY alone does not let a coordinator's text (or a name
    filled into it) mint a working link to another student's page. Remove it only with that in mind.
    """
    return (text or "").replace("[[link:", "[ [link:")


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each `{placeholder}` swapped for its value, in one pass (a value is never read again)."""
    text = _no_markers(text)

    def swap(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = values[name]
        return value if name == "survey_link" else _no_markers(value)

    return PLACEHOLDER.sub(swap, text)


def display_subject(message: AudienceMessage) -> str:
    """The subject as the list shows it: the programme and force filled in, each person's own words left as written."""
    return fill(message.subject, values_for({}, force=message.force, programme=message.programme))


def values_for(person_values: dict[str, str], *, force: Force, programme: Programme | None) -> dict[str, str]:
    values = {"force_name": force.name, **person_values}
    if programme is not None:
        values |= {"programme_title": programme.title, "programme_dates": programme_dates(programme)}
    if "survey_link" in values:
        values["survey_link"] = settings.SITE_URL + values["survey_link"]
    return values


def email_context(
    *, subject: str, body: str, values: dict[str, str], force: Force, programme: Programme | None
) -> dict:
    return {
        "message_subject": " ".join(fill(subject, values).split())[:SUBJECT_MAX],
        "message_body": fill(body, values),
        "email_force": force,
        "programme": programme,
    }


# --- sending ---------------------------------------------------------------------------------------------


def _sent_in_last_hour(actor: AbstractBaseUser, now) -> int:
    return (
        AudienceMessage.objects.filter(sent_by=actor, created_at__gt=now - timedelta(hours=1)).aggregate(
            n=Sum("recipient_count")
        )["n"]
        or 0
    )


def _refuse_over_limits(*, actor: AbstractBaseUser | None, count: int, now) -> None:
    most = settings.AUDIENCE_MESSAGE_MAX_RECIPIENTS
    if count > most:
        raise CommunicationsError(
            f"This audience is {count} people, and one message can go to at most {most}. "
            "Choose a narrower audience (one programme at a time).",
            status=400,
        )
    if actor is None:
        return
    per_hour = settings.AUDIENCE_MESSAGE_HOURLY_LIMIT
    sent = _sent_in_last_hour(actor, now)
    if sent + count > per_hour:
        raise CommunicationsError(
            f"You have sent {sent} emails in the last hour, and the limit is {per_hour} an hour, so this message "
            f"to {count} more people would go over it. Try again later, or ask another coordinator.",
            status=429,
        )


@transaction.atomic
def audience_message_send(
    *,
    force: Force,
    audience: Audience,
    programme: Programme | None,
    subject: str,
    body: str,
    actor: AbstractBaseUser | None,
    today: date | None = None,
) -> AudienceMessage:
    """Record a message to everyone `audience` reaches now and start sending it (Celery, in batches).

    Refused when the audience cannot be emailed or is empty, a placeholder does not fit, the audience is
    bigger than one message may be, or the coordinator would pass their emails-per-hour limit.
    """
    if not audience.can_send:
        raise CommunicationsError("Nobody in this audience can be emailed: it is a list to act on.", status=400)
    if audience.needs_programme and (programme is None or programme.force_id != force.pk):
        raise CommunicationsError("Choose the programme this message is about.", field="programme", status=400)
    for field, text in (("subject", subject), ("body", body)):
        problem = placeholders_check(text, audience)
        if problem:
            raise CommunicationsError(problem, field=field, status=400)
    if actor is not None and getattr(actor, "is_authenticated", False):
        # One send at a time per coordinator, so two tabs cannot both pass the hourly limit.
        get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    else:
        actor = None
    now = timezone.now()
    reach = audience_reach(audience=audience, force=force, programme=programme, today=today)
    if not reach.people:
        raise CommunicationsError("Nobody in this audience can be emailed just now, so nothing was sent.", status=409)
    _refuse_over_limits(actor=actor, count=len(reach.people), now=now)
    label = audience.label + (f": {programme.title}" if audience.needs_programme else "")
    message = AudienceMessage.objects.create(
        force=force,
        programme=programme if audience.needs_programme else None,
        audience=audience.key,
        audience_label=label[:200],
        subject=subject,
        body=body,
        sent_by=actor,
        recipient_count=len(reach.people),
    )
    MessageRecipient.objects.bulk_create(
        MessageRecipient(
            message=message,
            kind=person.kind,
            person_name=person.name[:200],
            address=person.address,
            key=person.key[:300],
            nomination_id=person.nomination_id,
            values=person.values,
        )
        for person in reach.people
    )
    audit_action(
        actor=actor,
        action="Message sent to an audience",
        instance=message,
        recipients=len(reach.people),
        not_reached=len(reach.not_reached),
    )
    from core.tasks import enqueue

    from .tasks import audience_message_send_batch

    transaction.on_commit(lambda: enqueue(audience_message_send_batch, message.pk))
    return message


def _recipient_language(recipient: MessageRecipient, force: Force) -> str:
    """A family's own language (the nomination's preference, else the force's), a school's the force's usual
    one; police staff read English, like their own pages."""
    if recipient.kind in (MessageRecipient.Kind.GUARDIAN, MessageRecipient.Kind.ADULT_STUDENT):
        nomination = (
            Nomination.objects.select_related("programme__force").filter(pk=recipient.nomination_id).first()
            if recipient.nomination_id
            else None
        )
        return language_for_student(nomination) if nomination is not None else language_for(force=force)
    if recipient.kind == MessageRecipient.Kind.SCHOOL:
        return language_for(force=force)
    return ENGLISH


def _queue_one(recipient_id: int, message: AudienceMessage) -> bool:
    """Queue one recipient's email and record it on their row, in one transaction; False if already done."""
    with transaction.atomic():
        recipient = (
            MessageRecipient.objects.select_for_update(skip_locked=True)
            .filter(pk=recipient_id, email__isnull=True)
            .first()
        )
        if recipient is None:
            return False
        values = values_for(recipient.values, force=message.force, programme=message.programme)
        context = email_context(
            subject=message.subject, body=message.body, values=values, force=message.force, programme=message.programme
        )
        student = recipient.kind in (MessageRecipient.Kind.GUARDIAN, MessageRecipient.Kind.ADULT_STUDENT)
        # The coordinator's words stay as written; the email's own wording around them is in the reader's language.
        with translation.override(_recipient_language(recipient, message.force)):
            email = email_queue(
                kind="audience_message",
                to=recipient.address,
                context=context,
                dedupe_key=recipient.dedupe_key,
                force=message.force,
                about=[recipient.nomination_id] if recipient.nomination_id else (),
                to_student=student,
            )
        recipient.email = email
        recipient.save(update_fields=["email"])
        return True


def audience_message_batch(*, message_id: int, size: int | None = None) -> int:
    """Queue the next batch of a message's emails; returns how many recipients are still waiting after it.

    Safe to run twice or side by side: a recipient already queued (or being queued by another worker) is
    skipped, and the outbox's key makes a second email for the same recipient impossible.
    """
    message = AudienceMessage.objects.select_related("force", "programme").filter(pk=message_id).first()
    if message is None or message.status == AudienceMessage.Status.DONE:
        return 0
    AudienceMessage.objects.filter(pk=message.pk, status=AudienceMessage.Status.QUEUED).update(
        status=AudienceMessage.Status.SENDING
    )
    waiting = MessageRecipient.objects.filter(message=message, email__isnull=True).order_by("pk")
    for recipient_id in list(waiting.values_list("pk", flat=True)[: size or batch_size()]):
        _queue_one(recipient_id, message)
        AudienceMessage.objects.filter(pk=message.pk).update(progressed_at=timezone.now())
    remaining = waiting.count()
    if not remaining:
        AudienceMessage.objects.filter(pk=message.pk).exclude(status=AudienceMessage.Status.DONE).update(
            status=AudienceMessage.Status.DONE, finished_at=timezone.now(), progressed_at=timezone.now()
        )
    return remaining


def audience_messages_stalled(*, now=None, after: timedelta = timedelta(minutes=5)) -> list[int]:
    """Messages still waiting that no batch has moved on for `after`: their chain died with a worker."""
    now = now or timezone.now()
    return list(
        AudienceMessage.objects.exclude(status=AudienceMessage.Status.DONE)
        .filter(progressed_at__lt=now - after)
        .values_list("pk", flat=True)
    )


# --- templates -------------------------------------------------------------------------------------------


@transaction.atomic
def message_template_save(
    *, force: Force, name: str, subject: str, body: str, actor: AbstractBaseUser | None
) -> MessageTemplate:
    """Save (or replace, by name) one of the force's message templates."""
    name = " ".join((name or "").split())
    if not name:
        raise CommunicationsError("Give the template a name.", field="template_name")
    try:
        with transaction.atomic():
            template, created = MessageTemplate.objects.update_or_create(
                force=force,
                name=name[:100],
                defaults={
                    "subject": subject,
                    "body": body,
                    "created_by": actor if actor and actor.is_authenticated else None,
                },
            )
    except IntegrityError as exc:  # two saves of the same new name at once
        raise CommunicationsError("A template with this name was saved just now; try again.", status=409) from exc
    audit_action(
        actor=actor, action="Message template saved" if created else "Message template changed", instance=template
    )
    return template


@transaction.atomic
def message_template_delete(*, template: MessageTemplate, actor: AbstractBaseUser | None) -> None:
    """Delete one of the force's saved message templates (messages already sent keep their own text)."""
    audit_action(actor=actor, action="Message template deleted", instance=template.force, template=template.name)
    template.delete()


# --- reads -----------------------------------------------------------------------------------------------

WAITING, SENT, FAILED = "waiting", "sent", "failed"
STATE_WORDS = {WAITING: "Waiting to send", SENT: "Sent", FAILED: "Not delivered"}


def messages_with_counts(force: Force):
    """The force's messages, newest first, each with how many were sent, not delivered, and waiting (one query)."""
    return (
        AudienceMessage.objects.filter(force=force)
        .select_related("sent_by", "programme", "force")
        .annotate(
            sent_count=Count("recipients", filter=Q(recipients__email__sent_at__isnull=False)),
            failed_count=Count(
                "recipients",
                filter=Q(
                    recipients__email__failed_attempts__gte=OutboundEmail.MAX_ATTEMPTS,
                    recipients__email__sent_at__isnull=True,
                ),
            ),
        )
        .order_by("-created_at", "-pk")
    )


def recipient_state(recipient: MessageRecipient) -> str:
    email = recipient.email
    if email is None or (email.sent_at is None and email.failed_attempts < OutboundEmail.MAX_ATTEMPTS):
        return WAITING
    return SENT if email.sent_at is not None else FAILED


def message_reach_preview(reach: Reach) -> list[tuple[str, Person, int]]:
    """One example recipient per kind (with how many of that kind), for the preview."""
    return [(people[0].kind_words, people[0], len(people)) for people in reach.by_kind().values()]
