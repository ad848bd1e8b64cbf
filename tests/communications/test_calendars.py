"""Calendar files, parsed back with icalendar: which events, times in Europe/London, stable UIDs, and a
higher SEQUENCE after a contingency swap, a change of times or of the programme's dates."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from communications import calendars
from communications.models import JoiningInstructions
from placements.models import Session
from placements.services import session_replace
from tests import factories as f
from tests.communications.conftest import written

LONDON = ZoneInfo("Europe/London")


def _events(data: bytes) -> dict[str, dict]:
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    found = {}
    for event in calendar.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, "one UID per event"
        found[uid] = {
            "summary": str(event["SUMMARY"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "sequence": int(event.get("SEQUENCE", 0)),
            "status": str(event.get("STATUS", "")),
            "location": str(event.get("LOCATION", "")),
            "description": str(event.get("DESCRIPTION", "")),
            "tzid": event["DTSTART"].params.get("TZID"),
        }
    return found


def _by_summary(events):
    return {e["summary"]: (uid, e) for uid, e in events.items()}


@pytest.fixture
def instructions(week, june):
    return written(week["programme"])


def test_a_student_s_week_has_each_day_and_their_syndicate_s_sessions(week, instructions):
    events = _events(calendars.student_calendar(week["minor"]))
    assert len(events) == 7
    days = sorted(
        (e for e in events.values() if e["summary"].startswith("Force A week: day")), key=lambda e: e["start"]
    )
    assert [e["start"] for e in days] == [datetime(2027, 7, d, 9, 0, tzinfo=LONDON) for d in range(12, 17)]
    assert [e["end"].time() for e in days] == [time(16, 0)] * 5
    assert all(e["tzid"] == "Europe/London" for e in events.values())
    assert days[0]["location"] == "Force A Constabulary headquarters, main reception, 1 Station Road Northtown NT1 1AA"
    assert "Phone on the day: 01234 567890" in days[0]["description"]
    sessions = _by_summary(events)
    _, search = sessions["Premises search with dogs"]
    assert search["start"] == datetime(2027, 7, 12, 10, tzinfo=LONDON) and search["location"] == "Dog training centre"
    assert search["start"].utcoffset() == timedelta(hours=1)  # British Summer Time
    assert "Drones demonstration" in sessions and "Vehicle forensics" not in sessions
    assert all(e["status"] == "CONFIRMED" and e["sequence"] == 0 for e in events.values())


def test_a_student_without_a_syndicate_gets_the_days_only(week, instructions):
    assert len(_events(calendars.student_calendar(week["second"]))) == 5


def test_uids_are_stable_across_files_and_audiences(week, instructions):
    first = _events(calendars.student_calendar(week["minor"]))
    again = _events(calendars.student_calendar(week["minor"]))
    assert first.keys() == again.keys()
    assert all(e["sequence"] == 0 for e in again.values())
    # The lead's file and the department's name the same session by the same UID.
    lead = _events(calendars.syndicate_calendar(week["red"]))
    department = _events(calendars.department_calendar(week["programme"], week["dogs"]))
    search_uid = _by_summary(first)["Premises search with dogs"][0]
    assert search_uid in lead and search_uid in department
    assert search_uid == f"session-{week['search'].pk}.programme-{week['programme'].pk}@127.0.0.1"


def test_a_contingency_swap_keeps_the_uid_and_raises_the_sequence(week, instructions, coordinator):
    before = _by_summary(_events(calendars.student_calendar(week["minor"])))
    uid, _ = before["Premises search with dogs"]
    stand_in = f.ActivityFactory(
        force=week["programme"].force, title="Crime scene basics", is_contingency=True, venue="Training room 2"
    )
    session_replace(session=week["search"], activity=stand_in, actor=coordinator)

    after = _events(calendars.student_calendar(week["minor"]))
    assert len(after) == 7  # the cancelled session is not sent as well as its stand-in
    assert after[uid]["summary"] == "Crime scene basics"
    assert after[uid]["location"] == "Training room 2"
    assert after[uid]["sequence"] == 1
    assert all(after[u]["sequence"] == 0 for u in after if u != uid)
    # The lead's file made afterwards carries the same update; another file does not raise it again.
    assert _events(calendars.syndicate_calendar(week["red"]))[uid]["sequence"] == 1
    assert _events(calendars.student_calendar(week["minor"]))[uid]["sequence"] == 1


def test_a_cancelled_session_with_no_stand_in_is_sent_as_cancelled(week, instructions):
    uid = _by_summary(_events(calendars.syndicate_calendar(week["blue"])))["Vehicle forensics"][0]
    Session.objects.filter(pk=week["forensics"].pk).update(status=Session.Status.CANCELLED)
    event = _events(calendars.syndicate_calendar(week["blue"]))[uid]
    assert event["status"] == "CANCELLED" and event["sequence"] == 1


def test_new_times_or_dates_raise_the_sequence_of_the_days(week, instructions):
    programme = week["programme"]
    first = _events(calendars.student_calendar(week["minor"]))
    JoiningInstructions.objects.filter(pk=instructions.pk).update(day_starts=time(8, 30))
    changed = _events(calendars.student_calendar(week["minor"]))
    assert changed.keys() == first.keys()
    days = [u for u in changed if u.startswith("day-")]
    assert {changed[u]["sequence"] for u in days} == {1}
    assert {changed[u]["start"].time() for u in days} == {time(8, 30)}
    # The programme moves a week later: same UIDs, each day one higher again.
    programme.start_date, programme.end_date = date(2027, 7, 19), date(2027, 7, 23)
    programme.save(update_fields=["start_date", "end_date"])
    moved = _events(calendars.student_calendar(week["minor"]))
    assert {moved[u]["sequence"] for u in days} == {2}
    assert min(moved[u]["start"] for u in days) == datetime(2027, 7, 19, 8, 30, tzinfo=LONDON)


def test_a_department_s_file_has_its_sessions_with_venue_and_staff(week, instructions):
    events = _by_summary(_events(calendars.department_calendar(week["programme"], week["dogs"])))
    assert sorted(events) == ["Premises search with dogs", "Vehicle forensics"]
    _, search = events["Premises search with dogs"]
    assert search["description"] == "Scenario for Red. 2 members of staff needed. Venue: Dog training centre."
    assert search["location"] == "Dog training centre"
    air = _events(calendars.department_calendar(week["programme"], week["air"]))
    (drones,) = air.values()
    assert drones["description"].startswith("Demonstration for Blue, Red.")


def test_a_lead_s_file_has_their_syndicate_s_sessions(week, instructions):
    events = _by_summary(_events(calendars.syndicate_calendar(week["red"])))
    assert sorted(events) == ["Drones demonstration", "Premises search with dogs"]
    assert events["Drones demonstration"][1]["description"] == "With Red."


def test_the_awards_ceremony_is_in_every_student_s_and_lead_s_file(week, june):
    london = ZoneInfo("Europe/London")
    written(
        week["programme"],
        ceremony_starts_at=datetime(2027, 9, 20, 18, 0, tzinfo=london),
        ceremony_ends_at=datetime(2027, 9, 20, 20, 0, tzinfo=london),
        ceremony_venue="Town hall",
    )
    student = _by_summary(_events(calendars.student_calendar(week["minor"])))
    uid, ceremony = student["Awards ceremony: Force A week"]
    assert uid.startswith("ceremony.programme-")
    assert ceremony["start"] == datetime(2027, 9, 20, 18, tzinfo=london) and ceremony["location"] == "Town hall"
    assert uid in _events(calendars.syndicate_calendar(week["blue"]))
    assert len(student) == 8
