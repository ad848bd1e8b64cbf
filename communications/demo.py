"""The demo's communications: the running week's joining instructions written and sent, its leads and
departments told, one family agreed to a text reminder (at a number in Ofcom's drama range, never anyone's
phone), the intake week's instructions drafted; and a briefing sent to the running week's syndicate leads
as a message to an audience, its wording saved as one of the force's templates. Running it again adds
nothing."""

from __future__ import annotations

import contextlib
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from placements.models import Department, Placement, Programme

from . import services
from .audiences import AUDIENCES
from .messages import audience_message_send, message_template_save
from .models import AudienceMessage, JoiningInstructions, TextConsent

DEMO_PHONE = "07700 900461"


def _instructions(programme: Programme) -> JoiningInstructions:
    found = JoiningInstructions.objects.filter(programme=programme).first()
    if found is not None:
        return found
    data = {
        **services.joining_defaults(programme),
        "venue_address": "Police Headquarters\nCentral Road\nNorthtown NT1 4PQ",
        "venue_map_url": "https://www.openstreetmap.org/search?query=Northtown",
        "contact_phone": "01632 960123",
    }
    end = programme.end_date
    tz = timezone.get_current_timezone()
    data["ceremony_starts_at"] = datetime.combine(end, time(14, 30), tz)
    data["ceremony_ends_at"] = datetime.combine(end, time(15, 30), tz)
    data["ceremony_venue"] = "Headquarters conference hall"
    return services.joining_instructions_save(programme=programme, data=data, actor=None)


def _joining(*, force, story):
    running = Programme.objects.filter(force=force, title=story.running.title).first()
    intake = Programme.objects.filter(force=force, title=story.intake.title).first()
    for department in Department.objects.filter(force=force, contact_email=""):
        department.contact_name = f"{department.name} duty desk"
        department.contact_email = f"{slugify(department.name)}@northshire.police.invalid"
        department.save(update_fields=["contact_name", "contact_email"])
    if intake is not None and intake.end_date >= timezone.localdate():
        _instructions(intake)
    if running is None or running.end_date < timezone.localdate():
        return []
    instructions = _instructions(running)
    if instructions.sent_at is None:
        services.joining_instructions_send(programme=running, actor=None)
    with contextlib.suppress(services.CommunicationsError):
        services.staff_tell(programme=running, actor=None)
    placement = Placement.objects.filter(programme=running, status=Placement.Status.CONFIRMED).order_by("pk").first()
    if placement is not None and not TextConsent.objects.filter(placement=placement).exists():
        who = TextConsent.Who.STUDENT if placement.nomination.is_adult else TextConsent.Who.GUARDIAN
        services.text_consent_give(placement=placement, who=who, phone=DEMO_PHONE)
    return []


SUBJECT = "{programme_title}: briefing for syndicate leads"
BODY = (
    "Dear {recipient_name},\n\n"
    "Thank you for leading {syndicate_name} on {programme_title} ({programme_dates}).\n\n"
    "The leads' briefing is at 08:15 on the first day in the main conference room, before the students arrive "
    "at 09:00. Bring your warrant card or staff pass; lanyards and the syndicate folders will be there.\n\n"
    "Your syndicate's register and timetable are on your start page when you sign in. Please take the register "
    "by 09:30 each morning.\n\n"
    "{force_name} work-experience team"
)


def _messages(*, force, story):
    if AudienceMessage.objects.filter(force=force).exists():
        return []
    week = Programme.objects.filter(force=force, title=story.running.title).first()
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if week is None or coordinator is None:
        return []
    message_template_save(force=force, name="Leads' briefing", subject=SUBJECT, body=BODY, actor=coordinator)
    audience_message_send(
        force=force, audience=AUDIENCES["leads"], programme=week, subject=SUBJECT, body=BODY, actor=coordinator
    )
    return []


def seed(*, force, story):
    _joining(force=force, story=story)
    _messages(force=force, story=story)
    return []
