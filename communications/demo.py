"""The demo's joining instructions: written and sent for the running week, its leads and departments told,
one family agreed to a text reminder (at a number in Ofcom's drama range, never anyone's phone), and the
intake week's instructions drafted. Running it again adds nothing."""

from __future__ import annotations

import contextlib
from datetime import datetime, time

from django.utils import timezone
from django.utils.text import slugify

from placements.models import Department, Placement, Programme

from . import services
from .models import JoiningInstructions, TextConsent

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


def seed(*, force, story):
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
