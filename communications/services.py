"""Writes for joining instructions: save them, send them (with each student's link and calendar), remind."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.attachments import Attachment
from core.audit import audit_action
from core.errors import DomainError
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.services import email_queue
from placements.models import Placement, Programme

from . import calendars, selectors
from .models import JOINING_FIELDS, JoiningInstructions, JoiningLink

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

JOINING_LINK_PURPOSE = "joining-link"
# The place-confirmed email promises the instructions by this many days before the week.
SEND_BY_DAYS_BEFORE = 14


class CommunicationsError(DomainError):
    """A rule of joining instructions refused an action; `message` is for the coordinator."""


def joining_defaults(programme: Programme) -> dict[str, Any]:
    """A good first draft the coordinator corrects: plain wording for a family reading it the week before."""
    force = programme.force.name
    return {
        "venue_name": f"{force} headquarters, main reception",
        "venue_address": "",
        "venue_map_url": "",
        "other_venues": (
            "Some sessions take place at other police sites. The syndicate lead takes the students there and back "
            "in police transport; families do not need to arrange anything."
        ),
        "day_starts": time(9, 0),
        "day_ends": time(16, 0),
        "what_to_wear": (
            "Smart, comfortable clothes you can move in (no school uniform needed), and flat shoes with closed toes: "
            "some scenarios are outdoors or on rough ground. Bring a waterproof coat whatever the forecast."
        ),
        "what_to_bring": (
            "A bag with a water bottle, a pen and a notebook, any medication you need during the day (an inhaler, "
            "an adrenaline pen), and a form of ID with your name on it, such as a school ID card."
        ),
        "food": (
            "Lunch and drinks are provided every day. If you have a food allergy or dietary need (vegetarian, halal, "
            "kosher, gluten-free …), your school or family should tell us at least a week before so the catering "
            "team can plan for it. You are welcome to bring your own lunch instead."
        ),
        "ill_or_late": (
            "If you are ill and cannot come, or will be late, phone the number below before the start of the day. "
            "If you are unwell during the day, your syndicate lead will look after you and call your parent or "
            "guardian (or your emergency contact). Students under 16 are only released to a parent or guardian, "
            "or someone they have named to us."
        ),
        "contact_phone": "",
        "photo_rules": (
            f"{force} may take photographs during the week only of students whose consent includes photographs. "
            "Please do not take photographs or video yourself inside police buildings or of police vehicles, "
            "equipment or officers, and do not post about the scenarios while the week is running."
        ),
    }


@transaction.atomic
def joining_instructions_save(
    *, programme: Programme, data: Mapping[str, Any], actor: AbstractBaseUser | None
) -> JoiningInstructions:
    """Create or change a programme's joining instructions; refused once it is cancelled or finished."""
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    _refuse_closed(programme)
    instructions = JoiningInstructions.objects.filter(programme=programme).first() or JoiningInstructions(
        programme=programme
    )
    created = instructions.pk is None
    for name in JOINING_FIELDS:
        if name in data:
            setattr(instructions, name, data[name])
    instructions.updated_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        instructions.full_clean(exclude=["programme", "updated_by", "sent_by"])
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise CommunicationsError(problems[0], field=None if field == NON_FIELD_ERRORS else field) from exc
    instructions.save()
    audit_action(
        actor=actor,
        action="Joining instructions written" if created else "Joining instructions changed",
        instance=programme,
        sent=instructions.sent_at is not None,
    )
    return instructions


def _refuse_closed(programme: Programme, today: date | None = None) -> None:
    today = today or timezone.localdate()
    if programme.status == Programme.Status.CANCELLED:
        raise CommunicationsError("This programme is cancelled, so there is nothing to tell anyone.", status=409)
    if today > programme.end_date:
        raise CommunicationsError("This programme has finished, so its joining instructions are closed.", status=409)


# --- the student's link ------------------------------------------------------------------------------


def joining_link_for(placement: Placement) -> JoiningLink:
    """The student's one link (made on first use); the same link goes in every email about them."""
    link = JoiningLink.objects.filter(placement=placement).first()
    if link is not None:
        return link
    salt = new_token_salt()
    link, _created = JoiningLink.objects.get_or_create(
        placement=placement,
        defaults={"token_salt": salt, "token_hash": token_hash(link_token(JOINING_LINK_PURPOSE, salt))},
    )
    return link


def joining_link_path(pk: int) -> str | None:
    """The working link of JoiningLink `pk` (for the outbox at send time), or None."""
    link = JoiningLink.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = link and link_token(JOINING_LINK_PURPOSE, link.token_salt)
    return reverse("joining:open", args=[token]) if token and token_hash(token) == link.token_hash else None


def joining_link_find(*, token: str | None = None, pk: int | None = None, today: date | None = None) -> JoiningLink:
    """The link of a token (or, once opened, its pk): CommunicationsError 404 if unknown, 410 once the week is over."""
    links = JoiningLink.objects.select_related(
        "placement__programme__force",
        "placement__nomination__institution",
        "placement__nomination__erasure",
        "placement__syndicate",
    )
    if pk is None and not token:
        link = None
    else:
        link = links.filter(token_hash=token_hash(token)).first() if pk is None else links.filter(pk=pk).first()
    not_valid = CommunicationsError("This link is not valid. Check you used the whole link from the email.", status=404)
    if link is None or hasattr(link.placement.nomination, "erasure"):
        raise not_valid
    programme = link.placement.programme
    today = today or timezone.localdate()
    if today > programme.end_date or programme.status == Programme.Status.CANCELLED:
        raise CommunicationsError(
            "This link has expired: it worked until the last day of the programme. "
            f"If you need something, contact {programme.force.name}'s work-experience coordinator.",
            status=410,
        )
    if link.placement.status != Placement.Status.CONFIRMED:
        raise CommunicationsError(
            "This place is no longer going ahead, so there are no joining instructions to show.", status=410
        )
    return link


def joining_calendar_attachment(placement_pk: int) -> Attachment | None:
    """The student's week as a calendar file (for the outbox at send time), or None when the place has gone."""
    placement = (
        Placement.objects.select_related("programme__force", "nomination__erasure")
        .filter(pk=placement_pk, status=Placement.Status.CONFIRMED)
        .first()
    )
    if placement is None or hasattr(placement.nomination, "erasure"):
        return None
    programme = placement.programme
    return Attachment(calendars.calendar_filename(programme), calendars.student_calendar(placement), "text/calendar")


# --- sending ------------------------------------------------------------------------------------------


def _queue(kind: str, recipient: selectors.Recipient, *, instructions: JoiningInstructions, key: str) -> bool:
    placement = recipient.placement
    link = joining_link_for(placement)
    context = {
        **selectors.email_context(placement=placement, instructions=instructions),
        "recipient": recipient,
        "link": link_marker("joining", link.pk),
    }
    before = _outbox_has(f"{key}:{recipient.email}")
    email_queue(
        kind=kind,
        to=recipient.email,
        context=context,
        dedupe_key=f"{key}:{recipient.email}",
        force=placement.programme.force,
        about=[placement.nomination],
        to_student=recipient.kind != selectors.Recipient.SCHOOL,
        attachments=[("joining-calendar", placement.pk)],
    )
    return not before


def _outbox_has(dedupe_key: str) -> bool:
    from core.models import OutboundEmail

    return OutboundEmail.objects.filter(dedupe_key=dedupe_key).exists()


def _send_to_all(programme: Programme, instructions: JoiningInstructions) -> int:
    sent = 0
    for recipient in selectors.joining_recipients(programme=programme):
        sent += _queue(
            "joining_instructions",
            recipient,
            instructions=instructions,
            key=f"joining-instructions:{recipient.placement.pk}",
        )
    return sent


@transaction.atomic
def joining_instructions_send(*, programme: Programme, actor: AbstractBaseUser | None) -> int:
    """Email the joining instructions to every confirmed student's guardian (or the adult student) and school.

    Each gets the student's syndicate and timetable, their link and the week as a calendar file. Sending
    again emails only those who have not had them (a place confirmed since); returns how many were queued.
    """
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    _refuse_closed(programme)
    instructions = JoiningInstructions.objects.filter(programme=programme).first()
    if instructions is None:
        raise CommunicationsError("Write the joining instructions first, then send them.", status=409)
    if not selectors.joining_recipients(programme=programme):
        raise CommunicationsError(
            "Nobody has a confirmed place yet, so there is nobody to send the instructions to.", status=409
        )
    sent = _send_to_all(programme, instructions)
    if instructions.sent_at is None:
        instructions.sent_at = timezone.now()
        instructions.sent_by = actor if getattr(actor, "is_authenticated", False) else None
        instructions.save(update_fields=["sent_at", "sent_by"])
    audit_action(actor=actor, action="Joining instructions sent", instance=programme, emails=sent)
    return sent


def working_day_before(day: date) -> date:
    """The last weekday before `day` (Friday for a Monday)."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def joining_daily(*, today: date | None = None) -> dict[str, int]:
    """Beat (daily): the instructions to anyone confirmed since they were sent, and the reminder the working
    day before the week. Each email has one dedupe key per student and address, so a second run (or a
    second worker) sends nothing new."""
    today = today or timezone.localdate()
    counts = {"instructions": 0, "reminders": 0}
    instructions_sent = (
        JoiningInstructions.objects.filter(sent_at__isnull=False, programme__end_date__gte=today)
        .exclude(programme__status=Programme.Status.CANCELLED)
        .select_related("programme__force")
    )
    for instructions in instructions_sent:
        programme = instructions.programme
        with transaction.atomic():
            if today < programme.start_date:
                late = _send_to_all(programme, instructions)
                if late:
                    audit_action(actor=None, action="Joining instructions sent", instance=programme, emails=late)
                counts["instructions"] += late
            if working_day_before(programme.start_date) <= today < programme.start_date:
                reminders = 0
                for recipient in selectors.joining_recipients(programme=programme):
                    reminders += _queue(
                        "joining_reminder",
                        recipient,
                        instructions=instructions,
                        key=f"joining-reminder:{recipient.placement.pk}",
                    )
                if reminders:
                    audit_action(actor=None, action="Joining reminders sent", instance=programme, emails=reminders)
                counts["reminders"] += reminders
    return counts


def send_by(programme: Programme) -> date:
    """The day the place-confirmed email promises the instructions by."""
    return programme.start_date - timedelta(days=SEND_BY_DAYS_BEFORE)


def local_datetime(day: date, at: time) -> datetime:
    return datetime.combine(day, at, timezone.get_current_timezone())
