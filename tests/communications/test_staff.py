"""Leads and departments are told: each lead's syndicate (names, support needs a lead may see, never medical
notes or emergency contacts), sessions, register link and calendar; each department's sessions with venue and
staff numbers and its calendar; once per version, from the coordinator's page and the daily job."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communications import services
from communications.models import StaffBriefing
from communications.services import CommunicationsError
from communications.tasks import joining_daily
from core.models import OutboundEmail
from placements.models import Placement
from tests import factories as f
from tests.communications.conftest import at, place, written


@pytest.fixture
def staffed(week):
    """Red led by Lena Lead (with an email), Blue by a lead with no address; the Dog Unit has a contact, Air
    Support has none. Pupil Minor has support needs and medical notes."""
    programme = week["programme"]
    force = programme.force
    lena = f.ForcePersonFactory(force=force, name="Lena Lead", email="lena@police.invalid")
    silent = f.ForcePersonFactory(force=force, name="No Address", email="")
    week["red"].lead = lena
    week["red"].save()
    week["blue"].lead = silent
    week["blue"].save()
    week["dogs"].contact_name = "Sgt Dan Handler"
    week["dogs"].contact_email = "dogs@police.invalid"
    week["dogs"].save()
    nomination = week["minor"].nomination
    nomination.support_needs = "Needs instructions in short steps."
    nomination.medical_notes = "Severe nut allergy: adrenaline pen in bag."
    nomination.emergency_contact_phone = "07700 900999"
    nomination.emergency_contact_name = "Gina Guardian"
    nomination.save()
    return {**week, "lena": lena}


def _tell(programme, actor, capture):
    mail.outbox.clear()
    with capture(execute=True):
        return services.staff_tell(programme=programme, actor=actor)


def _html(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


def _ics(message):
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return Calendar.from_ical(content)


def _events(calendar):
    return {str(e["summary"]): e for e in calendar.walk("VEVENT")}


def test_the_lead_gets_their_syndicate_sessions_register_and_calendar(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    written(programme, actor=coordinator)
    counts = _tell(programme, coordinator, django_capture_on_commit_callbacks)
    assert counts == {"leads": 1, "departments": 1}
    (lead_email,) = [m for m in mail.outbox if m.to == ["lena@police.invalid"]]
    assert lead_email.subject == "Your syndicate for Force A week: Red, from Monday 12 July"
    text = lead_email.body
    assert "YOUR SYNDICATE: RED" in text
    assert "- Pupil Minor, " in text and "Support: Needs instructions in short steps." in text
    # Only what a lead may see: never medical notes, never emergency contact numbers, never another syndicate.
    for secret in ("nut allergy", "adrenaline", "07700 900999", "Ada", "Sam"):
        assert secret not in text and secret not in _html(lead_email)
    assert "Emergency contacts are on your register on the day" in text
    assert f"/programmes/register/{staffed['red'].pk}/" in text
    assert "10:00 to 12:00  Premises search with dogs (Dog training centre)" in text
    assert "13:00 to 15:00  Drones demonstration (Airfield)" in text
    assert "Vehicle forensics" not in text  # Blue's session
    html = _html(lead_email)
    assert "Open the register" in html and "Pupil Minor" in html and "Needs instructions in short steps." in html
    events = _events(_ics(lead_email))
    assert set(events) == {"Premises search with dogs", "Drones demonstration"}
    assert str(events["Premises search with dogs"]["uid"]).startswith(f"session-{staffed['search'].pk}.")
    # The email is about Red's students (erasure and the subject access export find it by them).
    row = OutboundEmail.objects.get(to="lena@police.invalid")
    assert list(row.students.all()) == [staffed["minor"].nomination]


def test_a_department_gets_its_sessions_with_venue_staff_and_calendar(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    written(programme, actor=coordinator)
    _tell(programme, coordinator, django_capture_on_commit_callbacks)
    (dogs,) = [m for m in mail.outbox if m.to == ["dogs@police.invalid"]]
    assert dogs.subject == "Dog Unit's sessions for Force A week, from Monday 12 July"
    text = dogs.body
    assert text.startswith("Dear Sgt Dan Handler,")
    assert "10:00 to 12:00  Premises search with dogs (scenario)" in text
    assert "Venue: Dog training centre" in text and "Venue: Garage" in text
    assert "Staff needed: 2" in text
    assert "Coming: Red, 1 student with their syndicate lead" in text
    assert "Coming: Blue, 1 student" in text
    assert "Drones demonstration" not in text  # Air Support's
    # No student is named to a department.
    for name in ("Pupil", "Minor", "Ada", "Adult"):
        assert name not in text and name not in _html(dogs)
    assert "2 members of staff" in _html(dogs)
    events = _events(_ics(dogs))
    assert set(events) == {"Premises search with dogs", "Vehicle forensics"}
    assert "2 members of staff needed" in str(events["Vehicle forensics"]["description"])
    assert str(events["Vehicle forensics"]["location"]) == "Garage"
    assert OutboundEmail.objects.get(to="dogs@police.invalid").students.count() == 0


def test_telling_again_sends_nothing_until_something_changes_then_only_the_new_version(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    written(programme, actor=coordinator)
    capture = django_capture_on_commit_callbacks
    _tell(programme, coordinator, capture)
    assert _tell(programme, coordinator, capture) == {"leads": 0, "departments": 0}
    assert mail.outbox == []
    # Sam Second joins Red: Red's lead gets the updated syndicate (once); the Dog Unit's email now says 2 students.
    second = staffed["second"]
    second.syndicate = staffed["red"]
    second.save()
    assert _tell(programme, coordinator, capture) == {"leads": 1, "departments": 1}
    lead_email = next(m for m in mail.outbox if m.to == ["lena@police.invalid"])
    assert lead_email.subject.startswith("Updated: Your syndicate for Force A week: Red")
    assert "Sam Second" in lead_email.body
    assert "Coming: Red, 2 students" in next(m for m in mail.outbox if m.to == ["dogs@police.invalid"]).body
    assert _tell(programme, coordinator, capture) == {"leads": 0, "departments": 0}
    assert OutboundEmail.objects.filter(kind="lead_briefing").count() == 2


def test_a_withdrawn_or_erased_student_is_not_in_the_lead_s_email(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    staffed["second"].syndicate = staffed["red"]
    staffed["second"].status = Placement.Status.WITHDRAWN
    staffed["second"].save()
    written(programme, actor=coordinator)
    _tell(programme, coordinator, django_capture_on_commit_callbacks)
    assert "Sam" not in next(m for m in mail.outbox if m.to == ["lena@police.invalid"]).body


def test_nobody_to_tell_is_refused_and_nothing_is_written(week, coordinator, june):
    week["programme"].syndicates.update(lead=None)
    with pytest.raises(CommunicationsError) as error:
        services.staff_tell(programme=week["programme"], actor=coordinator)
    assert error.value.status == 409
    assert StaffBriefing.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_a_finished_programme_is_refused(staffed, coordinator):
    august = datetime(2027, 8, 1, 10, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(august, tick=False), pytest.raises(CommunicationsError) as error:
        services.staff_tell(programme=staffed["programme"], actor=coordinator)
    assert error.value.status == 409


def _daily(day, capture):
    mail.outbox.clear()
    moment = datetime(day.year, day.month, day.day, 8, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return joining_daily.delay().get()


def test_the_daily_job_sends_a_new_version_before_the_week_and_only_once(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    capture = django_capture_on_commit_callbacks
    # Not told by the coordinator yet: the daily job does not start telling them on its own.
    assert _daily(date(2027, 6, 2), capture)["leads"] == 0
    _tell(programme, coordinator, capture)
    # A new session for Red, then the next morning's job: Red's lead and the Dog Unit get it, once.
    extra = f.SessionFactory(
        programme=programme,
        activity=staffed["search"].activity,
        starts_at=at(date(2027, 7, 14), 10),
        ends_at=at(date(2027, 7, 14), 12),
    )
    extra.syndicates.add(staffed["red"])
    counts = _daily(date(2027, 6, 3), capture)
    assert (counts["leads"], counts["departments"]) == (1, 1)
    assert "Wednesday 14 July" in next(m for m in mail.outbox if m.to == ["lena@police.invalid"]).body
    counts = _daily(date(2027, 6, 4), capture)
    assert (counts["leads"], counts["departments"]) == (0, 0)


def test_the_calendar_attached_is_made_when_sent_and_raises_sequence_after_a_change(
    staffed, coordinator, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    capture = django_capture_on_commit_callbacks
    _tell(programme, coordinator, capture)
    dogs = next(m for m in mail.outbox if m.to == ["dogs@police.invalid"])
    before = _events(_ics(dogs))["Vehicle forensics"]
    forensics = staffed["forensics"]
    forensics.starts_at, forensics.ends_at = at(date(2027, 7, 12), 13), at(date(2027, 7, 12), 15)
    forensics.save()
    _tell(programme, coordinator, capture)
    dogs = next(m for m in mail.outbox if m.to == ["dogs@police.invalid"])
    after = _events(_ics(dogs))["Vehicle forensics"]
    assert after["uid"] == before["uid"]
    assert after["sequence"] == before["sequence"] + 1
    assert after.decoded("dtstart").hour == 13


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_staff_page_and_the_preview_run_the_same_queries_however_many_they_list(
    staffed, coordinator, client_for, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    written(programme, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_send(programme=programme, actor=coordinator)
        services.staff_tell(programme=programme, actor=coordinator)
    client = client_for(coordinator)
    urls = [
        reverse("communications:staff_tell", args=[programme.pk]),
        reverse("communications:joining_preview", args=[programme.pk]),
    ]
    before = [_queries(client, url) for url in urls]
    # More of everything: syndicates with leads and students, departments with contacts and sessions.
    for n in range(3):
        lead = f.ForcePersonFactory(force=programme.force, email=f"lead{n}@police.invalid")
        syndicate = f.SyndicateFactory(programme=programme, name=f"Extra {n}", lead=lead)
        for _ in range(2):
            place(programme, staffed["minor"].nomination.institution, syndicate=syndicate, guardian_email="x@y.invalid")
        department = f.DepartmentFactory(force=programme.force, contact_email=f"d{n}@police.invalid")
        activity = f.ActivityFactory(force=programme.force, department=department)
        session = f.SessionFactory(
            programme=programme,
            activity=activity,
            starts_at=at(date(2027, 7, 14), 10),
            ends_at=at(date(2027, 7, 14), 12),
        )
        session.syndicates.add(syndicate)
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_send(programme=programme, actor=coordinator)
        services.staff_tell(programme=programme, actor=coordinator)
    assert [_queries(client, url) for url in urls] == before


def test_the_staff_page_lists_who_is_told_and_sends_once_the_box_is_ticked(
    staffed, coordinator, coordinator_b, client_for, june, django_capture_on_commit_callbacks
):
    programme = staffed["programme"]
    url = reverse("communications:staff_tell", args=[programme.pk])
    client = client_for(coordinator)
    page = client.get(url).content.decode()
    assert "Lena Lead" in page and "Sgt Dan Handler" in page and "Not yet" in page
    # Blue's lead has no address, Air Support no contact: the page says so.
    assert "Not told, with no lead or no email address for the lead: Blue" in page
    assert "Not told, with no contact: Air Support" in page
    assert "Needs instructions in short steps." in page  # the lead's email, previewed for the coordinator
    unticked = client.post(url, {})
    assert unticked.status_code == 400 and "Tick the box" in unticked.content.decode()
    assert OutboundEmail.objects.count() == 0
    # Another force's coordinator cannot see or send.
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {"confirm": "on"}).status_code == 404
    assert OutboundEmail.objects.count() == 0
    client = client_for(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"confirm": "on"}).status_code == 302
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == ["dogs@police.invalid", "lena@police.invalid"]
    assert "Everyone listed has the latest" in client.get(url).content.decode()
