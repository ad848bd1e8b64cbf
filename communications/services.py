"""Writes for joining instructions: save them, send them (with each student's link and calendar), remind."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext as _, gettext_lazy

from core.attachments import Attachment
from core.audit import audit_action
from core.errors import DomainError
from core.languages import ENGLISH, WELSH, language_for, language_for_student
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.models import OutboundSms
from core.services import email_queue, sms_queue
from core.sms import phone_normalise
from placements.models import Department, Placement, Programme, Session, Syndicate

from . import calendars, selectors
from .models import JOINING_FIELDS, JoiningInstructions, JoiningLink, StaffBriefing, TextConsent

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)

JOINING_LINK_PURPOSE = "joining-link"
# The place-confirmed email promises the instructions by this many days before the week.
SEND_BY_DAYS_BEFORE = 14
# A student's own phone is texted only from this age (younger: the guardian's number).
MIN_TEXT_AGE = 13


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
        **(welsh_defaults(force) if programme.force.default_language == WELSH else {}),
    }


def welsh_defaults(force: str) -> dict[str, str]:
    """The same first draft in Welsh, for a force whose public read Welsh first.

    Drafted, awaiting review by a Welsh speaker (README, "Welsh"); the coordinator corrects it like the English.
    """
    return {
        "venue_name_cy": f"{force}, pencadlys, y brif dderbynfa",
        "other_venues_cy": (
            "Mae rhai sesiynau'n digwydd mewn safleoedd eraill yr heddlu. Mae arweinydd y syndicet yn mynd â'r "
            "myfyrwyr yno ac yn ôl yng ngherbydau'r heddlu; does dim angen i deuluoedd drefnu dim."
        ),
        "what_to_wear_cy": (
            "Dillad taclus, cyfforddus y gallwch symud ynddynt (does dim angen gwisg ysgol), ac esgidiau fflat â "
            "bysedd caeedig: mae rhai senarios yn yr awyr agored neu ar dir garw. Dewch â chot dal dŵr beth bynnag "
            "yw rhagolygon y tywydd."
        ),
        "what_to_bring_cy": (
            "Bag gyda photel ddŵr, beiro a llyfr nodiadau, unrhyw feddyginiaeth sydd ei hangen arnoch yn ystod y "
            "dydd (anadlydd, pen adrenalin), a dogfen adnabod gyda'ch enw arni, fel cerdyn adnabod ysgol."
        ),
        "food_cy": (
            "Mae cinio a diodydd yn cael eu darparu bob dydd. Os oes gennych alergedd bwyd neu angen deietegol "
            "(llysieuol, halal, kosher, heb glwten …), dylai eich ysgol neu'ch teulu ddweud wrthym o leiaf wythnos "
            "ymlaen llaw fel y gall y tîm arlwyo gynllunio ar ei gyfer. Mae croeso i chi ddod â'ch cinio eich hun."
        ),
        "ill_or_late_cy": (
            "Os ydych chi'n sâl ac yn methu dod, neu os byddwch chi'n hwyr, ffoniwch y rhif isod cyn dechrau'r "
            "diwrnod. Os byddwch chi'n teimlo'n sâl yn ystod y dydd, bydd arweinydd eich syndicet yn gofalu "
            "amdanoch ac yn ffonio eich rhiant neu warcheidwad (neu eich cyswllt mewn argyfwng). Dim ond i riant "
            "neu warcheidwad, neu rywun maen nhw wedi'i enwi i ni, y caiff myfyrwyr dan 16 oed eu rhyddhau."
        ),
        "photo_rules_cy": (
            f"Dim ond lluniau o fyfyrwyr y mae eu caniatâd yn cynnwys lluniau y caiff {force} eu tynnu yn ystod yr "
            "wythnos. Peidiwch â thynnu lluniau na fideo eich hun y tu mewn i adeiladau'r heddlu nac o gerbydau, "
            "offer neu swyddogion yr heddlu, a pheidiwch â phostio am y senarios tra bo'r wythnos yn mynd rhagddi."
        ),
    }


@transaction.atomic
def joining_instructions_save(
    *, programme: Programme, data: Mapping[str, Any], actor: AbstractBaseUser | None, tell_changes: bool = True
) -> JoiningInstructions:
    """Create or change a programme's joining instructions; refused once it is cancelled or finished.

    Once they have been sent, a change is emailed in words to everyone already sent them (and to leads
    already told, if it touches them), unless `tell_changes` is False (a typo not worth an email).
    """
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    _refuse_closed(programme)
    instructions = JoiningInstructions.objects.filter(programme=programme).first() or JoiningInstructions(
        programme=programme
    )
    created = instructions.pk is None
    before = {name: getattr(instructions, name) for name in JOINING_FIELDS}
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
    changes = instructions_changes(before, {name: getattr(instructions, name) for name in JOINING_FIELDS})
    if tell_changes and not created and instructions.sent_at is not None and changes:
        instructions_changed_tell(instructions=instructions, changes=changes, actor=actor)
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
    with translation.override(language_for_student(placement.nomination)):  # made at send time: say which
        calendar = calendars.student_calendar(placement)
    return Attachment(calendars.calendar_filename(programme), calendar, "text/calendar")


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
    with translation.override(_recipient_language(recipient)):
        _queue_email(kind, recipient, placement, context, key)
    return not before


def _recipient_language(recipient: selectors.Recipient) -> str:
    """The family reads it in their language; the school in the force's usual one."""
    placement = recipient.placement
    if recipient.is_school:
        return language_for(force=placement.programme.force)
    return language_for_student(placement.nomination)


def _queue_email(kind, recipient, placement, context, key):
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
    counts = {"instructions": 0, "reminders": 0, "texts": 0, "leads": 0, "departments": 0}
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
                texts = _text_reminders(programme, instructions)
                if reminders or texts:
                    audit_action(
                        actor=None, action="Joining reminders sent", instance=programme, emails=reminders, texts=texts
                    )
                counts["reminders"] += reminders
                counts["texts"] += texts
    # Leads and departments told once by the coordinator hear of any later change to what they were told
    # (a student moved, a session added), up to the day before the week; during it, change notices do.
    told = (
        Programme.objects.filter(staff_briefings__isnull=False, start_date__gt=today)
        .exclude(status=Programme.Status.CANCELLED)
        .select_related("force")
        .distinct()
    )
    for programme in told:
        with transaction.atomic():
            Programme.objects.select_for_update().filter(pk=programme.pk).first()
            staff = _tell_staff(programme)
            if staff["leads"] or staff["departments"]:
                audit_action(actor=None, action="Leads and departments told", instance=programme, **staff)
            counts["leads"] += staff["leads"]
            counts["departments"] += staff["departments"]
    return counts


def send_by(programme: Programme) -> date:
    """The day the place-confirmed email promises the instructions by."""
    return programme.start_date - timedelta(days=SEND_BY_DAYS_BEFORE)


def local_datetime(day: date, at: time) -> datetime:
    return datetime.combine(day, at, timezone.get_current_timezone())


# --- leads and departments ----------------------------------------------------------------------------


def _brief_context(programme: Programme, brief: selectors.StaffBrief, instructions: JoiningInstructions | None):
    context = {
        "programme": programme,
        "force": programme.force,
        "email_force": programme.force,
        "instructions": instructions,
        "brief": brief,
        **selectors.ceremony_context(programme, instructions),
    }
    if brief.syndicate is not None:
        context["register_url"] = reverse("placements:register", args=[brief.syndicate.pk])
        context["lead_home_url"] = reverse("placements:lead_home")
    return context


def _briefing_row(programme: Programme, brief: selectors.StaffBrief) -> StaffBriefing:
    """The brief's row (made on first use, locked), whose pk names the calendar attached to its emails."""
    where = {"syndicate": brief.syndicate} if brief.syndicate is not None else {"department": brief.department}
    row, _created = StaffBriefing.objects.get_or_create(
        programme=programme,
        **where,
        defaults={"audience": brief.audience, "version": "", "told_at": timezone.now(), "told_to": brief.email},
    )
    return StaffBriefing.objects.select_for_update().get(pk=row.pk)


def _brief_queue(programme: Programme, brief: selectors.StaffBrief, instructions: JoiningInstructions | None) -> bool:
    """Email one lead or department what they need, once per version; True if this version was new."""
    version = brief.version
    row = _briefing_row(programme, brief)
    key = f"{brief.audience}-briefing:{row.pk}:{brief.email}:{version[:20]}"
    if row.version == version:
        # Told already: by this email, or by a change notice that recorded the version it described.
        return False
    kind = "lead_briefing" if brief.audience == StaffBriefing.Audience.LEAD else "department_briefing"
    email = email_queue(
        kind=kind,
        to=brief.email,
        context={**_brief_context(programme, brief, instructions), "updated": bool(row.version)},
        dedupe_key=key,
        force=programme.force,
        about=[m["nomination_id"] for m in brief.members],
        attachments=[("briefing-calendar", row.pk)],
    )
    row.version, row.told_at, row.told_to = version, email.created_at or timezone.now(), brief.email
    row.save(update_fields=["version", "told_at", "told_to"])
    return True


def _tell_staff(programme: Programme) -> dict[str, int]:
    instructions = JoiningInstructions.objects.filter(programme=programme).first()
    sessions = selectors._planned_sessions(programme)
    counts = {"leads": 0, "departments": 0}
    for brief in selectors.lead_briefs(programme=programme, sessions=sessions):
        counts["leads"] += _brief_queue(programme, brief, instructions)
    for brief in selectors.department_briefs(programme=programme, sessions=sessions):
        counts["departments"] += _brief_queue(programme, brief, instructions)
    return counts


@transaction.atomic
def staff_tell(*, programme: Programme, actor: AbstractBaseUser | None) -> dict[str, int]:
    """Email each syndicate lead their syndicate, sessions, register link and calendar, and each department's
    contact its sessions (venue, staff needed) and calendar. Again: only those whose email would now say
    something different (a student moved, a session added); returns how many of each were queued."""
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    _refuse_closed(programme)
    counts = _tell_staff(programme)
    if not StaffBriefing.objects.filter(programme=programme).exists():
        raise CommunicationsError(
            "No syndicate has a lead with an email address and no department with a contact has a session yet, "
            "so there is nobody to tell. Give the syndicates their leads, or the departments a contact, first.",
            status=409,
        )
    if any(counts.values()):  # telling nobody anything new is not an action worth a line in the trail
        audit_action(actor=actor, action="Leads and departments told", instance=programme, **counts)
    return counts


def briefing_calendar_attachment(pk: int) -> Attachment | None:
    """The calendar of a lead's syndicate or a department's sessions (for the outbox at send time)."""
    row = StaffBriefing.objects.select_related("programme__force", "syndicate", "department").filter(pk=pk).first()
    if row is None:
        return None
    programme = row.programme
    if row.syndicate_id:
        data, suffix = calendars.syndicate_calendar(row.syndicate), row.syndicate.name
    else:
        data, suffix = calendars.department_calendar(programme, row.department), row.department.name
    return Attachment(calendars.calendar_filename(programme, suffix), data, "text/calendar")


def syndicate_calendar_attachment(pk: int) -> Attachment | None:
    """A syndicate's calendar (attached to the contingency swap email placements sends its lead)."""
    syndicate = Syndicate.objects.select_related("programme__force").filter(pk=pk).first()
    if syndicate is None:
        return None
    return Attachment(
        calendars.calendar_filename(syndicate.programme, syndicate.name),
        calendars.syndicate_calendar(syndicate),
        "text/calendar",
    )


# --- change notices -----------------------------------------------------------------------------------


def _already_sent_joining(recipient: selectors.Recipient) -> bool:
    return _outbox_has(f"joining-instructions:{recipient.placement.pk}:{recipient.email}")


def _tell_families(
    programme: Programme,
    placements: list[Placement],
    *,
    changes: list[Any],
    key: str,
    instructions,
    welsh_changes: list[Any] | None = None,
) -> int:
    """The week_changed email (with the student's updated calendar) to each family and school already sent
    the joining instructions of these students; once per `key`. Welsh readers are told `welsh_changes` if
    given; a reader with nothing to be told is not emailed."""
    told = 0
    for recipient in selectors.joining_recipients(programme=programme, placements=placements):
        if not _already_sent_joining(recipient):
            continue
        language = _recipient_language(recipient)
        shown = welsh_changes if welsh_changes is not None and language == WELSH else changes
        if not shown:
            continue
        placement = recipient.placement
        dedupe = f"week-changed:{key}:{placement.pk}:{recipient.email}"
        if _outbox_has(dedupe):
            continue
        context = {
            **selectors.email_context(placement=placement, instructions=instructions),
            "recipient": recipient,
            "link": link_marker("joining", joining_link_for(placement).pk),
            "changes": shown,
        }
        with translation.override(language):
            email_queue(
                kind="week_changed",
                to=recipient.email,
                context=context,
                dedupe_key=dedupe,
                force=programme.force,
                about=[placement.nomination],
                to_student=not recipient.is_school,
                attachments=[("joining-calendar", placement.pk)],
            )
        told += 1
    return told


def _tell_staff_of_change(
    programme: Programme, briefs: list[selectors.StaffBrief], *, changes: list[str], key: str, instructions
) -> int:
    """The staff_changed email (with their updated calendar) to each lead or department already told; the
    version it describes is recorded, so the next "tell" does not send it again."""
    told = 0
    existing = {
        (row.syndicate_id or row.department_id, row.audience): row
        for row in StaffBriefing.objects.filter(programme=programme)
    }
    for brief in briefs:
        target = brief.syndicate.pk if brief.syndicate is not None else brief.department.pk
        if (target, brief.audience) not in existing:
            continue
        row = _briefing_row(programme, brief)
        dedupe = f"staff-changed:{key}:{row.pk}:{brief.email}"
        if _outbox_has(dedupe):
            continue
        with translation.override(ENGLISH):  # staff read English, as on their pages
            email_queue(
                kind="staff_changed",
                to=brief.email,
                context={**_brief_context(programme, brief, instructions), "changes": changes},
                dedupe_key=dedupe,
                force=programme.force,
                about=[m["nomination_id"] for m in brief.members],
                attachments=[("briefing-calendar", row.pk)],
            )
        row.version, row.told_at, row.told_to = brief.version, timezone.now(), brief.email
        row.save(update_fields=["version", "told_at", "told_to"])
        told += 1
    return told


def _span(starts: datetime, ends: datetime, day_format: str) -> str:
    """'Monday 20 July, 09:30 to 12:00' in the language active when it is read (the email's reader's)."""
    starts, ends = timezone.localtime(starts), timezone.localtime(ends)
    return gettext("%(day)s, %(starts)s to %(ends)s") % {
        "day": date_format(starts, day_format),
        "starts": f"{starts:%H:%M}",
        "ends": f"{ends:%H:%M}",
    }


# Made when read, so a family reading Welsh gets Welsh day and month names.
_span_lazy = lazy(_span, str)


def _when(session: Session):
    return _span_lazy(session.starts_at, session.ends_at, "l j F")


def session_replaced_tell(*, session: Session, replacement: Session) -> dict[str, int]:
    """After a contingency swap: the families and schools of the syndicates' students and the departments of
    both sessions are told once (leads get placements' own email), each with their updated calendar."""
    programme = Programme.objects.select_related("force").get(pk=session.programme_id)
    instructions = JoiningInstructions.objects.filter(programme=programme).first()
    cancelled, standin = session.activity, replacement.activity
    # Each family reads the activities' names in its own language (lazy: chosen when the email is rendered).
    cancelled_title, standin_title = lazy(cancelled.shown_title, str)(), lazy(standin.shown_title, str)()
    instead = (
        format_lazy(
            gettext_lazy("Instead: {title}, {when} at {venue}."),
            title=standin_title,
            when=_when(replacement),
            venue=standin.venue,
        )
        if standin.venue
        else format_lazy(gettext_lazy("Instead: {title}, {when}."), title=standin_title, when=_when(replacement))
    )
    changes = [
        format_lazy(gettext_lazy("{title} on {when} is cancelled."), title=cancelled_title, when=_when(session)),
        instead,
    ]
    syndicate_ids = set(replacement.syndicates.values_list("pk", flat=True))
    counts = {"families": 0, "departments": 0}
    if instructions is not None and instructions.sent_at is not None:
        placements = [p for p in selectors.confirmed_placements(programme) if p.syndicate_id in syndicate_ids]
        counts["families"] = _tell_families(
            programme, placements, changes=changes, key=f"session-{session.pk}", instructions=instructions
        )
    departments = {a.department_id for a in (cancelled, standin) if a.department_id}
    briefs = [b for b in selectors.department_briefs(programme=programme) if b.department.pk in departments]
    # A department whose every session went may have no brief now: tell it from the stored row.
    briefed = {b.department.pk for b in briefs}
    for department in Department.objects.filter(pk__in=departments - briefed).exclude(contact_email=""):
        briefs.append(
            selectors.StaffBrief(
                audience="department",
                email=department.contact_email,
                name=department.contact_name or f"{department.name} team",
                department=department,
            )
        )
    counts["departments"] = _tell_staff_of_change(
        programme, briefs, changes=changes, key=f"session-{session.pk}", instructions=instructions
    )
    # The syndicates' leads got placements' email with their calendar: what they now know is recorded.
    for brief in selectors.lead_briefs(programme=programme):
        if brief.syndicate.pk in syndicate_ids:
            StaffBriefing.objects.filter(programme=programme, syndicate=brief.syndicate).update(
                version=brief.version, told_at=timezone.now()
            )
    return counts


def on_session_replaced(sender, *, session, replacement, **kwargs) -> None:
    session_replaced_tell(session=session, replacement=replacement)


# What each kind of reader is told when the instructions change after they were sent.
LEAD_FIELDS = (
    "venue_name",
    "venue_address",
    "day_starts",
    "day_ends",
    "contact_phone",
    "ceremony_starts_at",
    "ceremony_ends_at",
    "ceremony_venue",
)


# How a change to the sent instructions names each thing, in the reader's language; a Welsh field is named
# as its English one, since its reader sees it in its place.
CHANGE_LABELS = {
    "venue_name": gettext_lazy("Where to come"),
    "venue_address": gettext_lazy("Address"),
    "venue_map_url": gettext_lazy("Map link"),
    "other_venues": gettext_lazy("Other places"),
    "day_starts": gettext_lazy("Arrive by"),
    "day_ends": gettext_lazy("Collect at"),
    "what_to_wear": gettext_lazy("What to wear"),
    "what_to_bring": gettext_lazy("What to bring"),
    "food": gettext_lazy("Food and dietary needs"),
    "ill_or_late": gettext_lazy("If the student is ill or late"),
    "contact_phone": gettext_lazy("Phone number on the day"),
    "photo_rules": gettext_lazy("Photographs"),
    "ceremony_venue": gettext_lazy("Awards ceremony venue"),
}


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return gettext("none")
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return gettext("%(day)s at %(time)s") % {"day": date_format(value, "l j F Y"), "time": f"{value:%H:%M}"}
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return " ".join(str(value).split())


_shown_lazy = lazy(_shown, str)


def _ceremony_words(starts: datetime, ends: datetime):
    return _span_lazy(starts, ends, "l j F Y")


def changes_for(changes: list[tuple[str, Any]], language: str, instructions: JoiningInstructions) -> list[Any]:
    """The sentences a reader of `language` is told: the Welsh texts' changes only to Welsh readers, and an
    English text's change to them only where no Welsh text stands in its place."""
    if language != WELSH:
        return [sentence for name, sentence in changes if not name.endswith("_cy")]
    return [
        sentence for name, sentence in changes if name.endswith("_cy") or not getattr(instructions, f"{name}_cy", "")
    ]


def instructions_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, sentence) for each field of the instructions that changed, in the order the form asks; the
    ceremony's start and end are one sentence."""
    found = []
    for name in JOINING_FIELDS:
        old, new = before.get(name), after.get(name)
        if name == "ceremony_starts_at":
            was = (old, before.get("ceremony_ends_at"))
            now = (new, after.get("ceremony_ends_at"))
            if was == now:
                continue
            if not old:
                found.append(
                    (name, format_lazy(gettext_lazy("Awards ceremony added: {when}."), when=_ceremony_words(*now)))
                )
            elif not new:
                found.append((name, gettext_lazy("The awards ceremony is no longer part of the programme.")))
            else:
                moved = gettext_lazy("The awards ceremony has moved: now {now} (it was {was}).")
                found.append((name, format_lazy(moved, now=_ceremony_words(*now), was=_ceremony_words(*was))))
            continue
        if name == "ceremony_ends_at" or old == new or (not old and not new):
            continue
        label = CHANGE_LABELS[name.removesuffix("_cy")]
        if len(_shown(name, new)) <= 80 and len(_shown(name, old)) <= 80:
            sentence = format_lazy(
                gettext_lazy("{label}: was {old}, now {new}."),
                label=label,
                old=_shown_lazy(name, old),
                new=_shown_lazy(name, new),
            )
        else:
            sentence = format_lazy(gettext_lazy("{label} now reads: {new}"), label=label, new=_shown_lazy(name, new))
        found.append((name, sentence))
    return found


def instructions_changed_tell(
    *, instructions: JoiningInstructions, changes: list[tuple[str, str]], actor: AbstractBaseUser | None
) -> dict[str, int]:
    """Email a change of sent instructions, in words, to every family and school already sent them (with the
    updated calendar), and to leads already told if it touches them (times, place, phone, ceremony)."""
    programme = instructions.programme
    JoiningInstructions.objects.filter(pk=instructions.pk).update(changes_told=F("changes_told") + 1)
    instructions.refresh_from_db(fields=["changes_told"])
    key = f"instructions-{instructions.changes_told}"
    counts = {
        "families": _tell_families(
            programme,
            list(selectors.confirmed_placements(programme)),
            changes=changes_for(changes, ENGLISH, instructions),
            welsh_changes=changes_for(changes, WELSH, instructions),
            key=key,
            instructions=instructions,
        ),
        "leads": 0,
    }
    for_leads = [sentence for name, sentence in changes if name in LEAD_FIELDS]  # staff read English
    if for_leads:
        counts["leads"] = _tell_staff_of_change(
            programme, selectors.lead_briefs(programme=programme), changes=for_leads, key=key, instructions=instructions
        )
    audit_action(actor=actor, action="Joining instructions change sent", instance=programme, **counts)
    return counts


# --- text reminders -------------------------------------------------------------------------------


def text_consent_give(*, placement: Placement, who: str, phone: str) -> TextConsent:
    """Record a family's agreement to text reminders at a mobile number (replacing that person's earlier one)."""
    number = phone_normalise(phone)
    if number is None:
        raise CommunicationsError(
            _("Enter a UK mobile number, like 07700 900123, or one starting with + and the country code."),
            field="phone",
        )
    if who not in TextConsent.Who.values:
        raise CommunicationsError(_("Choose whose number this is."), field="who")
    if who == TextConsent.Who.STUDENT and placement.nomination.age_on(placement.programme.start_date) < MIN_TEXT_AGE:
        raise CommunicationsError(
            _("Reminders go to a student's own phone only from age %(age)s: give your own number instead.")
            % {"age": MIN_TEXT_AGE},
            field="who",
        )
    with transaction.atomic():
        now = timezone.now()
        current = TextConsent.objects.select_for_update().filter(
            placement=placement, who=who, withdrawn_at__isnull=True
        )
        current.update(withdrawn_at=now)
        consent = TextConsent.objects.create(
            placement=placement, who=who, phone=number, wording=str(TextConsent.WORDING), given_at=now
        )
        audit_action(actor=None, action="Text reminders agreed", instance=placement, who=who)
    return consent


def text_consent_withdraw(*, placement: Placement, pk: int) -> None:
    """Stop texts to one number of this student's family; refused for another student's row (404)."""
    with transaction.atomic():
        consent = (
            TextConsent.objects.select_for_update()
            .filter(placement=placement, pk=pk, withdrawn_at__isnull=True)
            .first()
        )
        if consent is None:
            raise CommunicationsError(_("Those text reminders have already been stopped."), status=404)
        consent.withdrawn_at = timezone.now()
        consent.save(update_fields=["withdrawn_at"])
        audit_action(actor=None, action="Text reminders stopped", instance=placement, who=consent.who)


def _text_reminders(programme: Programme, instructions: JoiningInstructions) -> int:
    """The working-day-before reminder by text to each number its owner agreed to (once per student and number)."""
    consents = TextConsent.objects.filter(
        placement__programme=programme,
        placement__status=Placement.Status.CONFIRMED,
        placement__nomination__erasure__isnull=True,
        withdrawn_at__isnull=True,
    ).select_related("placement__nomination__programme__force")
    queued = 0
    for consent in consents:
        placement = consent.placement
        key = f"joining-reminder-sms:{placement.pk}:{consent.phone}"
        if OutboundSms.objects.filter(dedupe_key=key).exists():
            continue
        with translation.override(language_for_student(placement.nomination)):
            _text_reminder_queue(consent, programme, instructions, key)
        queued += 1
    return queued


def _text_reminder_queue(consent, programme, instructions, key):
    """Queue one reminder text, worded in the active language (the family's)."""
    placement = consent.placement
    sms_queue(
        kind="joining_reminder",
        to=consent.phone,
        context={
            "force": programme.force,
            "programme": programme,
            "instructions": instructions,
            "nomination": placement.nomination,
            "to_student": consent.who == TextConsent.Who.STUDENT or placement.nomination.is_adult,
            "link": link_marker("joining", joining_link_for(placement).pk),
        },
        dedupe_key=key,
        force=programme.force,
        about=[placement.nomination],
    )
