"""Joining instructions: who gets which email (text and HTML), the calendar attached, sending once, the
reminder the working day before, and the task list's step."""

import re
from datetime import date, datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from communications import services, task_states
from communications.models import JoiningInstructions, JoiningLink
from communications.services import CommunicationsError
from communications.tasks import joining_daily
from core.models import OutboundEmail
from placements.models import Placement, Programme
from placements.tasklist import DONE, IN_PROGRESS, NEEDS_ATTENTION, NOT_DONE, NOT_STARTED
from tests import factories as f
from tests.communications.conftest import place, written
from tests.privacy.factories import ErasureFactory

LINK = re.compile(r"/joining/([A-Za-z0-9_\-]{20,})/")


def _send(programme, actor, capture):
    mail.outbox.clear()
    with capture(execute=True):
        return services.joining_instructions_send(programme=programme, actor=actor)


def _by_address():
    return {message.to[0]: message for message in mail.outbox}


def _html(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def _ics(message):
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return Calendar.from_ical(content)


def test_each_student_s_family_and_school_get_their_own_email(
    week, coordinator, june, django_capture_on_commit_callbacks
):
    programme = week["programme"]
    written(programme, actor=coordinator)
    assert _send(programme, coordinator, django_capture_on_commit_callbacks) == 7
    emails = _by_address()
    # Pupil Minor: the guardian and School A; Ada Adult (18): herself and both of School C's active
    # contacts; Sam Second: the guardian and School A again (one email per student).
    assert sorted(emails) == sorted(
        [
            "gina@family.invalid",
            "ada@student.invalid",
            "cal@school-c.invalid",
            "con@school-c.invalid",
            "sg@family.invalid",
            "tess@school-a.invalid",
        ]
    )
    assert sorted(m.to[0] for m in mail.outbox).count("tess@school-a.invalid") == 2

    guardian = emails["gina@family.invalid"]
    assert guardian.subject == "Joining instructions for Pupil Minor: Force A week, from Monday 12 July"
    text = guardian.body
    assert text.startswith("Dear Gina Guardian,")
    assert "Pupil has a place on Force A week with Force A Constabulary" in text
    assert "PUPIL'S SYNDICATE\nRed: a small group" in text
    assert "IF PUPIL IS ILL OR LATE" in text and "01234 567890" in text
    assert "1 Station Road\nNorthtown NT1 1AA" in text
    assert "Map: https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1" in text  # not HTML-escaped in text
    assert "arrive by 09:00, collection at 16:00" in text
    assert "Monday 12 July\n  10:00 to 12:00  Premises search with dogs (Dog training centre)" in text
    assert "Tuesday 13 July\n  13:00 to 15:00  Drones demonstration (Airfield)" in text
    assert "Vehicle forensics" not in text  # Blue's session, not Red's
    assert "Wednesday 14 July\n  09:00 to 16:00  Sessions to be confirmed" in text
    html = _html(guardian)
    assert "<h2" in html and "Pupil's syndicate and timetable" in html
    assert "Premises search with dogs" in html and "Vehicle forensics" not in html
    assert "If Pupil is ill or late" in html and "Force A Constabulary" in html
    # The working link is in the email delivered, and the same in both parts.
    (token,) = set(LINK.findall(text))
    assert LINK.findall(html) == [token] * 3  # the button, and the address as a link

    adult = emails["ada@student.invalid"]
    assert adult.subject == "Your joining instructions: Force A week, from Monday 12 July"
    assert adult.body.startswith("Dear Ada,")
    assert "Your place on Force A week with Force A Constabulary is confirmed" in adult.body
    assert "YOUR SYNDICATE\nBlue" in adult.body and "IF YOU ARE ILL OR LATE" in adult.body
    assert "Vehicle forensics" in adult.body and "Premises search" not in adult.body
    assert "If you are ill or late" in _html(adult) and "Your syndicate and timetable" in _html(adult)

    school = emails["cal@school-c.invalid"]
    assert school.subject == "Joining instructions for Ada Adult: Force A week, from Monday 12 July"
    assert school.body.startswith("Dear Cal Careers,")
    assert "sent to Ada Adult's family, for your records" in school.body
    assert "please do not share it further" in school.body
    assert "for your records" in _html(school)
    # A school contact reads the same student's link as the family.
    assert set(LINK.findall(school.body)) == set(LINK.findall(adult.body)) and len(LINK.findall(school.body)) == 1

    sam = next(m for m in mail.outbox if m.to == ["sg@family.invalid"])
    assert "Syndicates are being put together" in sam.body and "Sessions to be confirmed" in sam.body

    # Every email has the student's week attached, and the outbox records who each was about.
    assert all(len(m.attachments) == 1 for m in mail.outbox)
    stored = OutboundEmail.objects.get(to="gina@family.invalid")
    assert stored.students.get() == week["minor"].nomination and stored.to_student
    assert not OutboundEmail.objects.get(to="cal@school-c.invalid").to_student
    assert stored.attachments == [["joining-calendar", week["minor"].pk]]
    assert "[[link:joining:" in stored.body_text and "/joining/" not in stored.body_text.replace("[[link", "")


def test_the_calendar_attached_is_the_student_s_week(week, coordinator, june, django_capture_on_commit_callbacks):
    programme = week["programme"]
    written(programme, actor=coordinator)
    _send(programme, coordinator, django_capture_on_commit_callbacks)
    calendar = _ics(_by_address()["gina@family.invalid"])
    events = calendar.walk("VEVENT")
    assert len(events) == 5 + 2  # a day event for each day, and Red's two sessions
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert "Premises search with dogs" in summaries and "Vehicle forensics" not in summaries


def test_sending_again_sends_only_to_students_confirmed_since(
    week, coordinator, june, django_capture_on_commit_callbacks
):
    programme = week["programme"]
    written(programme, actor=coordinator)
    assert _send(programme, coordinator, django_capture_on_commit_callbacks) == 7
    first_sent = JoiningInstructions.objects.get().sent_at
    assert _send(programme, coordinator, django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []
    late = place(programme, f.InstitutionFactory(force=programme.force), guardian_email="late@family.invalid")
    assert _send(programme, coordinator, django_capture_on_commit_callbacks) == 1
    assert [m.to for m in mail.outbox] == [["late@family.invalid"]]
    assert JoiningInstructions.objects.get().sent_at == first_sent
    assert JoiningLink.objects.count() == 4 and JoiningLink.objects.filter(placement=late).exists()
    actions = LogEntry.objects.filter(additional_data__action="Joining instructions sent").order_by("pk")
    assert [(e.actor, e.additional_data["emails"]) for e in actions] == [
        (coordinator, 7),
        (coordinator, 0),
        (coordinator, 1),
    ]


def test_a_withdrawn_or_erased_student_gets_nothing(week, coordinator, june, django_capture_on_commit_callbacks):
    programme = week["programme"]
    Placement.objects.filter(pk=week["second"].pk).update(status=Placement.Status.WITHDRAWN)
    ErasureFactory(nomination=week["adult"].nomination)
    written(programme, actor=coordinator)
    assert _send(programme, coordinator, django_capture_on_commit_callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["gina@family.invalid", "tess@school-a.invalid"]


def test_sending_is_refused_without_instructions_or_students(week, coordinator, force_a, june):
    with pytest.raises(CommunicationsError, match="Write the joining instructions first") as refused:
        services.joining_instructions_send(programme=week["programme"], actor=coordinator)
    assert refused.value.status == 409
    empty = f.ProgrammeFactory(force=force_a)
    written(empty)
    with pytest.raises(CommunicationsError, match="Nobody has a confirmed place yet"):
        services.joining_instructions_send(programme=empty, actor=coordinator)
    assert OutboundEmail.objects.count() == 0


def test_nothing_is_written_or_sent_for_a_cancelled_or_finished_programme(week, coordinator):
    programme = week["programme"]
    after = datetime(2027, 7, 17, 10, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(after), pytest.raises(CommunicationsError, match="has finished"):
        written(programme)
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.CANCELLED)
    with pytest.raises(CommunicationsError, match="cancelled"):
        written(programme)


def test_saving_records_a_named_action(week, coordinator, june):
    written(week["programme"], actor=coordinator)
    written(week["programme"], actor=coordinator, contact_phone="07700 900123")
    actions = LogEntry.objects.filter(additional_data__action__startswith="Joining instructions").order_by("pk")
    assert [e.additional_data["action"] for e in actions] == [
        "Joining instructions written",
        "Joining instructions changed",
    ]


# --- the reminder, the working day before ------------------------------------------------------------


def _daily(day, capture, hour=8):
    mail.outbox.clear()
    with (
        time_machine.travel(
            datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone()), tick=False
        ),
        capture(execute=True),
    ):
        return joining_daily.delay().get()


def test_the_reminder_goes_once_on_the_working_day_before(week, coordinator, june, django_capture_on_commit_callbacks):
    programme = week["programme"]  # Monday 12 July 2027: the working day before is Friday 9 July
    written(programme, actor=coordinator)
    _send(programme, coordinator, django_capture_on_commit_callbacks)
    assert services.working_day_before(programme.start_date) == date(2027, 7, 9)
    capture = django_capture_on_commit_callbacks
    assert _daily(date(2027, 7, 8), capture) == {
        "instructions": 0,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    assert mail.outbox == []
    assert _daily(date(2027, 7, 9), capture) == {
        "instructions": 0,
        "reminders": 7,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    reminders = _by_address()
    assert reminders["gina@family.invalid"].subject == "Reminder: Pupil Minor's work experience starts Monday 12 July"
    assert "A reminder: Pupil Minor's work experience with Force A Constabulary starts on Monday 12 July" in (
        reminders["gina@family.invalid"].body
    )
    assert reminders["ada@student.invalid"].subject == "Reminder: your work experience starts Monday 12 July"
    assert all(len(m.attachments) == 1 for m in mail.outbox)
    # Run again the same day (a second beat, a retried task), and over the weekend: nothing more.
    assert _daily(date(2027, 7, 9), capture, hour=15) == {
        "instructions": 0,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    assert _daily(date(2027, 7, 10), capture) == {
        "instructions": 0,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    assert _daily(date(2027, 7, 12), capture) == {
        "instructions": 0,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    assert mail.outbox == []
    assert OutboundEmail.objects.filter(kind="joining_reminder").count() == 7
    assert LogEntry.objects.filter(additional_data__action="Joining reminders sent").count() == 1


def test_no_reminder_for_instructions_never_sent(week, june, django_capture_on_commit_callbacks):
    written(week["programme"])
    assert _daily(date(2027, 7, 9), django_capture_on_commit_callbacks) == {
        "instructions": 0,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }


def test_a_place_confirmed_after_the_send_gets_the_instructions_next_morning(
    week, coordinator, june, django_capture_on_commit_callbacks
):
    programme = week["programme"]
    written(programme, actor=coordinator)
    _send(programme, coordinator, django_capture_on_commit_callbacks)
    place(programme, f.InstitutionFactory(force=programme.force), guardian_email="late@family.invalid")
    assert _daily(date(2027, 7, 5), django_capture_on_commit_callbacks) == {
        "instructions": 1,
        "reminders": 0,
        "texts": 0,
        "leads": 0,
        "departments": 0,
    }
    assert [m.to for m in mail.outbox] == [["late@family.invalid"]]
    assert mail.outbox[0].subject.startswith("Joining instructions for")


def test_the_working_day_before():
    assert services.working_day_before(date(2027, 7, 12)) == date(2027, 7, 9)  # Monday → Friday
    assert services.working_day_before(date(2027, 7, 14)) == date(2027, 7, 13)
    assert services.working_day_before(date(2027, 7, 11)) == date(2027, 7, 9)  # Sunday → Friday


# --- the task list ------------------------------------------------------------------------------------


def test_the_joining_details_step_is_not_started_drafted_or_sent(
    week, coordinator, june, django_capture_on_commit_callbacks
):
    programme = week["programme"]

    def state(today):
        fresh = Programme.objects.get(pk=programme.pk)
        found = task_states.joining_details_state(fresh, today)
        return found.status, found.reason

    assert state(date(2027, 6, 1)) == (NOT_STARTED, "Write them, then send them by 28 June")
    assert state(date(2027, 6, 28)) == (NEEDS_ATTENTION, "Not written yet; families were promised them by 28 June")
    assert state(date(2027, 7, 12)) == (NOT_DONE, "No joining instructions were sent")  # the week has begun
    assert state(date(2027, 8, 1)) == (NOT_DONE, "No joining instructions were sent")
    written(programme, actor=coordinator)
    assert state(date(2027, 6, 1)) == (IN_PROGRESS, "Drafted, not sent yet: send them by 28 June")
    assert state(date(2027, 6, 30))[0] == NEEDS_ATTENTION
    _send(programme, coordinator, django_capture_on_commit_callbacks)
    assert state(date(2027, 6, 2)) == (DONE, "Sent on 1 June; a reminder goes the working day before")


def test_the_place_confirmed_email_says_when_the_instructions_come():
    from django.template.loader import get_template

    source = get_template("emails/place_confirmed_body.txt").template.source
    assert "at least two weeks before the week starts" in source
    assert "reminder follows on the working day before" in source
