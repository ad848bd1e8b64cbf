"""Calendar files (RFC 5545, made with `icalendar`): a student's week, a lead's syndicate, a department's sessions.

Every event has a UID made from what it is, never at random: a timetable slot is named by the first
session that held it (a contingency swap keeps the slot's UID), a day of the week by its number, the
ceremony by the programme. What a calendar shows of each event is fingerprinted and kept in
`CalendarEvent`; a file made after an event changed carries a higher SEQUENCE, so a calendar that
imports it updates the event instead of adding a second copy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from events.calendars import event_location
from events.selectors import programme_ceremony
from placements.models import Department, Placement, Programme, Session, Syndicate

from .models import CalendarEvent, JoiningInstructions

CONTENT_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class CalendarItem:
    """One event as every audience sees it (what changes it), and words for this audience (what does not)."""

    key: str
    title: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    cancelled: bool = False
    description: str = field(default="", compare=False)
    # Set when another app keeps the event's SEQUENCE itself (the ceremony's event, in `events`).
    sequence: int | None = field(default=None, compare=False)
    # For a slot this reader no longer has (handed to another department): what everyone else's calendar
    # shows now. Its fingerprint keeps the slot's stored sequence, which this cancellation shares.
    canonical: CalendarItem | None = field(default=None, compare=False)
    # What the title and place stand for in every language, where they are worded per reader: a Welsh and an
    # English file of the same day must not count as a change of each other.
    words: str = field(default="", compare=False)

    @property
    def fingerprint(self) -> str:
        what = (self.words,) if self.words else (self.title, self.location)
        facts = "|".join((*what, self.starts_at.isoformat(), self.ends_at.isoformat(), str(self.cancelled)))
        return hashlib.sha256(facts.encode()).hexdigest()


def _uid(programme: Programme, key: str) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{key}.programme-{programme.pk}@{host}"


def _local(value: datetime) -> datetime:
    return timezone.localtime(value, timezone.get_current_timezone())


def sequences(programme: Programme, items: list[CalendarItem]) -> dict[str, int]:
    """Each event's SEQUENCE: the stored one, raised once when what a calendar shows has changed."""
    stored = {row.key: row for row in CalendarEvent.objects.filter(programme=programme, key__in=[i.key for i in items])}
    found = {}
    for item in items:
        if item.sequence is not None:
            found[item.key] = item.sequence
            continue
        fingerprint = (item.canonical or item).fingerprint
        row = stored.get(item.key)
        if row is None:
            row, _created = CalendarEvent.objects.get_or_create(
                programme=programme, key=item.key, defaults={"fingerprint": fingerprint}
            )
        if row.fingerprint != fingerprint:
            # Conditional, so two files made at once for the same change raise it once, not twice.
            CalendarEvent.objects.filter(pk=row.pk).exclude(fingerprint=fingerprint).update(
                sequence=F("sequence") + 1, fingerprint=fingerprint, changed_at=timezone.now()
            )
            row.refresh_from_db(fields=["sequence", "fingerprint"])
        found[item.key] = row.sequence
    return found


def calendar_bytes(programme: Programme, items: list[CalendarItem], *, name: str) -> bytes:
    """The items as one iCalendar file, times in the programme's time zone (Europe/London)."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{programme.force.name}//Work experience//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    numbers = sequences(programme, items)
    stamp = timezone.now()
    for item in items:
        event = Event()
        event.add("uid", _uid(programme, item.key))
        event.add("sequence", numbers[item.key])
        event.add("dtstamp", stamp)
        event.add("dtstart", _local(item.starts_at))
        event.add("dtend", _local(item.ends_at))
        event.add("summary", item.title)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


# --- what goes in each file ------------------------------------------------------------------------


def _sessions(programme: Programme) -> list[Session]:
    return list(
        programme.sessions.select_related("activity__department").prefetch_related("syndicates").order_by("starts_at")
    )


def _item(session: Session, key: str, describe, *, cancelled: bool | None = None, canonical=None) -> CalendarItem:
    activity = session.activity
    return CalendarItem(
        key=key,
        title=activity.shown_title(),  # Welsh in a Welsh family's file, where the coordinator gave it
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=activity.venue,
        cancelled=session.status == Session.Status.CANCELLED if cancelled is None else cancelled,
        description=describe(session),
        canonical=canonical,
        # Both names stand for the slot, so a Welsh and an English file agree on what changed.
        words=f"{activity.title}|{activity.title_cy}|{activity.venue}" if activity.title_cy else "",
    )


def session_items(
    programme: Programme, *, keep=lambda session: True, describe=lambda session: ""
) -> list[CalendarItem]:
    """The programme's timetable slots that `keep` selects, each under the key of the slot's first session.

    A session a contingency swap replaced is left out (its stand-in carries the slot's UID); a cancelled
    session with no stand-in is sent as cancelled, so calendars drop it. When the stand-in is not this
    reader's (a department's session replaced by another's activity), the slot is sent as cancelled, under
    the stand-in's sequence, so the department's calendar drops it too.
    """
    sessions = _sessions(programme)
    replaces = {s.pk: s.replaces_id for s in sessions}
    replaced = {s.replaces_id for s in sessions if s.replaces_id}
    stand_in = {s.replaces_id: s for s in sessions if s.replaces_id}

    def origin(pk: int) -> int:
        seen = set()
        while replaces.get(pk) and pk not in seen:
            seen.add(pk)
            pk = replaces[pk]
        return pk

    def last(session: Session) -> Session:
        seen = set()
        while session.pk in stand_in and session.pk not in seen:
            seen.add(session.pk)
            session = stand_in[session.pk]
        return session

    items, handed_over = [], set()
    for session in sessions:
        if not keep(session):
            continue
        key = f"session-{origin(session.pk)}"
        if session.pk in replaced:
            final = last(session)
            if not keep(final) and key not in handed_over:
                handed_over.add(key)
                canonical = _item(final, key, describe)
                items.append(_item(session, key, describe, cancelled=True, canonical=canonical))
            continue
        items.append(_item(session, key, describe))
    return items


def day_items(programme: Programme, instructions: JoiningInstructions | None) -> list[CalendarItem]:
    """One event per day of the week, from the arrival to the collection time (none without instructions)."""
    if instructions is None:
        return []
    tz = timezone.get_current_timezone()
    venue = instructions.shown["venue_name"]  # in Welsh for a Welsh reader, where the coordinator wrote it
    address = " ".join(instructions.venue_address.split())
    where = ", ".join(part for part in (venue, address) if part)
    place = "|".join((instructions.venue_name, instructions.venue_name_cy, address))
    times = {
        "arrive": f"{instructions.day_starts:%H:%M}",
        "collect": f"{instructions.day_ends:%H:%M}",
        "phone": instructions.contact_phone,
    }
    return [
        CalendarItem(
            key=f"day-{number}",
            title=gettext("%(title)s: day %(number)s") % {"title": programme.title, "number": number},
            starts_at=datetime.combine(day, instructions.day_starts, tz),
            ends_at=datetime.combine(day, instructions.day_ends, tz),
            location=where,
            description=gettext("Arrive by %(arrive)s; collect at %(collect)s. Phone on the day: %(phone)s.") % times,
            words=f"{programme.title}|day {number}|{place}",
        )
        for number, day in enumerate(programme.days, start=1)
    ]


def ceremony_items(programme: Programme, instructions: JoiningInstructions | None) -> list[CalendarItem]:
    """The awards ceremony: its event where it has one (same UID as the event's own calendar file, and the
    event's SEQUENCE), else the ceremony fields of the joining instructions."""
    event = programme_ceremony(programme)
    if event is not None:
        return [
            CalendarItem(
                key="ceremony",
                title=event.shown_title(),
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                location=event_location(event),
                sequence=event.sequence,
            )
        ]
    if instructions is None or not instructions.has_ceremony:
        return []
    return [
        CalendarItem(
            key="ceremony",
            title=gettext("Awards ceremony: %(title)s") % {"title": programme.title},
            starts_at=instructions.ceremony_starts_at,
            ends_at=instructions.ceremony_ends_at,
            location=instructions.shown["ceremony_venue"],
            words=f"ceremony|{programme.title}|{instructions.ceremony_venue}|{instructions.ceremony_venue_cy}",
        )
    ]


def _instructions(programme: Programme) -> JoiningInstructions | None:
    return JoiningInstructions.objects.filter(programme=programme).first()


def student_calendar(placement: Placement) -> bytes:
    """A student's (and their guardian's) week: each day from arrival to collection, their sessions, the ceremony."""
    programme = placement.programme
    instructions = _instructions(programme)
    syndicate_id = placement.syndicate_id
    items = day_items(programme, instructions)
    if syndicate_id is not None:
        items += session_items(programme, keep=lambda s: syndicate_id in {x.pk for x in s.syndicates.all()})
    items += ceremony_items(programme, instructions)
    return calendar_bytes(programme, items, name=programme.title)


def syndicate_calendar(syndicate: Syndicate) -> bytes:
    """A syndicate lead's sessions with their syndicate, and the ceremony."""
    programme = syndicate.programme

    def describe(session):
        return f"With {syndicate.name}."

    items = session_items(
        programme, keep=lambda s: syndicate.pk in {x.pk for x in s.syndicates.all()}, describe=describe
    )
    items += ceremony_items(programme, _instructions(programme))
    return calendar_bytes(programme, items, name=f"{programme.title}: {syndicate.name}")


def department_calendar(programme: Programme, department: Department) -> bytes:
    """A department's sessions of the programme, with venue, staff needed and which syndicates come."""

    def describe(session):
        activity = session.activity
        groups = ", ".join(sorted(s.name for s in session.syndicates.all())) or "no syndicate yet"
        staff = f"{activity.staff_needed} member{'s' if activity.staff_needed != 1 else ''} of staff needed"
        return f"{activity.get_kind_display()} for {groups}. {staff}. Venue: {activity.venue or 'to be confirmed'}."

    items = session_items(programme, keep=lambda s: s.activity.department_id == department.pk, describe=describe)
    return calendar_bytes(programme, items, name=f"{programme.title}: {department.name}")


def calendar_filename(programme: Programme, suffix: str = "") -> str:
    from django.utils.text import slugify

    return f"{slugify(programme.title)}{'-' + slugify(suffix) if suffix else ''}.ics"
