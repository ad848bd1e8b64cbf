"""An event as a calendar file (RFC 5545, with `icalendar`): a stable UID and a SEQUENCE raised when it moves."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify
from icalendar import Calendar, Event as CalendarEvent

from .models import Event

CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_uid(event: Event) -> str:
    """Stable for the event's life. A programme's ceremony keeps the UID the joining calendars always gave it
    ("ceremony.programme-<id>"), so a family's calendar holds one ceremony whichever file it came from."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    if event.kind == Event.Kind.CEREMONY and event.programme_id:
        return f"ceremony.programme-{event.programme_id}@{host}"
    return f"event-{event.pk}@{host}"


def event_location(event: Event) -> str:
    return ", ".join(part for part in (event.shown_venue(), event.address_one_line) if part)


def event_component(event: Event) -> CalendarEvent:
    item = CalendarEvent()
    item.add("uid", event_uid(event))
    item.add("sequence", event.sequence)
    item.add("dtstamp", timezone.now())
    item.add("dtstart", timezone.localtime(event.starts_at))
    item.add("dtend", timezone.localtime(event.ends_at))
    item.add("summary", event.shown_title())
    location = event_location(event)
    if location:
        item.add("location", location)
    if event.shown_description():
        item.add("description", event.shown_description())
    item.add("status", "CONFIRMED")
    return item


def event_calendar(event: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", f"-//{event.force.name}//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.shown_title())
    calendar.add_component(event_component(event))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_filename(event: Event) -> str:
    return f"{slugify(event.title) or 'event'}.ics"
