"""The awards ceremony moves from the joining instructions to an event: the data migration, and the joining
emails, page and calendars reading it from the event (same UID as the event's own file, its SEQUENCE)."""

import importlib
from datetime import date

from django.apps import apps
from icalendar import Calendar

from communications import calendars as joining_calendars, selectors as joining_selectors
from communications.models import CalendarEvent, JoiningInstructions
from communications.services import joining_defaults
from events import calendars, services
from events.models import Event
from tests import factories as f

from .conftest import at


def written(programme, **ceremony):
    """Joining instructions as they were written before the week (the service closes them after it)."""
    data = {**joining_defaults(programme), "venue_address": "1 Station Road", "contact_phone": "01234 567890"}
    return JoiningInstructions.objects.create(programme=programme, **data, **ceremony)


migration = importlib.import_module("events.migrations.0002_ceremonies_from_joining_instructions")


def _vevents(data: bytes) -> dict[str, object]:
    return {str(e["summary"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_the_migration_makes_each_written_ceremony_an_event_keeping_its_calendar_sequence(people, september):
    programme = people["programme"]
    written(
        programme,
        ceremony_starts_at=at(date(2027, 9, 20), 18),
        ceremony_ends_at=at(date(2027, 9, 20), 20),
        ceremony_venue="Town hall",
    )
    # The joining calendars had already sent the ceremony twice changed.
    CalendarEvent.objects.create(programme=programme, key="ceremony", sequence=2, fingerprint="x")
    other = written(f.ProgrammeFactory(force=programme.force, title="No ceremony week"))

    migration.ceremonies_to_events(apps, None)
    migration.ceremonies_to_events(apps, None)  # twice changes nothing

    event = Event.objects.get()
    assert (event.programme, event.kind, event.venue, event.sequence) == (programme, "ceremony", "Town hall", 2)
    assert event.starts_at == at(date(2027, 9, 20), 18) and event.reply_by == date(2027, 9, 13)
    assert event.force == programme.force and other.programme.events.count() == 0


def test_the_joining_emails_page_and_calendars_read_the_ceremony_from_its_event(people, ceremony, coordinator):
    programme = people["programme"]
    written(
        programme,
        ceremony_starts_at=at(date(2027, 9, 1), 18),
        ceremony_ends_at=at(date(2027, 9, 1), 19),
        ceremony_venue="Old place",
    )
    context = joining_selectors.ceremony_context(programme, programme.joining_instructions)
    assert context["ceremony_starts_at"] == at(date(2027, 9, 20), 18)
    assert context["ceremony_venue"] == "Town hall, 1 High Street, Northtown NT1 1AA"

    student_file = _vevents(joining_calendars.student_calendar(people["minor"]))
    in_joining = student_file["Awards ceremony: Force A week"]
    own = _vevents(calendars.event_calendar(ceremony))["Awards ceremony: Force A week"]
    assert in_joining["uid"] == own["uid"] and int(in_joining["sequence"]) == int(own["sequence"]) == 0

    services.event_save(force=ceremony.force, event=ceremony, data={"venue": "Guildhall"}, actor=coordinator)
    moved = _vevents(joining_calendars.syndicate_calendar(people["minor"].syndicate))["Awards ceremony: Force A week"]
    assert moved["uid"] == own["uid"] and int(moved["sequence"]) == 1
    assert str(moved["location"]).startswith("Guildhall")


def test_the_joining_form_leaves_the_ceremony_to_its_event(client_for, coordinator, people, ceremony):
    from django.urls import reverse

    programme = people["programme"]
    written(programme)
    page = client_for(coordinator).get(reverse("communications:joining_edit", args=[programme.pk]))
    text = page.content.decode()
    assert reverse("events:detail", args=[ceremony.pk]) in text
    assert 'name="ceremony_venue"' not in text
