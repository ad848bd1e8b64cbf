"""Change notices: a swapped session, changed joining instructions and a moved ceremony are told once to
everyone affected (family, school, lead, department), each with an updated calendar: same UID, higher SEQUENCE."""

from datetime import datetime

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from communications import calendars, services
from communications.models import JoiningInstructions
from core.models import OutboundEmail
from placements.services import session_replace
from tests import factories as f
from tests.communications.conftest import written
from tests.communications.test_staff import staffed  # noqa: F401 - the fixture

TZ = timezone.get_default_timezone()


def _ics(message):
    (attachment,) = message.attachments
    name, content, mimetype = attachment
    assert name.endswith(".ics") and mimetype == "text/calendar"
    return Calendar.from_ical(content)


def _events(calendar):
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _html(message):
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.fixture
def told(staffed, coordinator, june, django_capture_on_commit_callbacks):
    """Instructions (with a ceremony) sent to every family and school, leads and departments told."""
    programme = staffed["programme"]
    written(
        programme,
        actor=coordinator,
        ceremony_starts_at=datetime(2027, 7, 16, 14, tzinfo=TZ),
        ceremony_ends_at=datetime(2027, 7, 16, 15, tzinfo=TZ),
        ceremony_venue="Headquarters hall",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_send(programme=programme, actor=coordinator)
        services.staff_tell(programme=programme, actor=coordinator)
    # What each calendar said when first sent (the file made at send time raised nothing yet).
    staffed["first_family"] = _events(_ics(next(m for m in mail.outbox if m.to == ["gina@family.invalid"])))
    mail.outbox.clear()
    return staffed


def _swap(told, coordinator, capture):
    stand_in = f.ActivityFactory(
        force=told["programme"].force,
        title="Crime scene basics",
        is_contingency=True,
        venue="Training room 2",
        department=told["air"],
    )
    told["air"].contact_email, told["air"].contact_name = "air@police.invalid", "Air desk"
    told["air"].save()
    with capture(execute=True):
        return session_replace(session=told["search"], activity=stand_in, actor=coordinator)


def test_a_swap_tells_the_family_school_lead_and_department_once_with_updated_calendars(
    told, coordinator, django_capture_on_commit_callbacks
):
    _swap(told, coordinator, django_capture_on_commit_callbacks)
    by_address = {}
    for message in mail.outbox:
        by_address.setdefault(message.to[0], []).append(message)
    # Red's student (Pupil Minor): her guardian and School A; Red's lead (placements' own email, with the
    # calendar now); the Dog Unit (its session went). Blue's student and family hear nothing. Air Support
    # was never told of the programme, so it is not sent a change to something it has not heard of.
    assert sorted(by_address) == [
        "dogs@police.invalid",
        "gina@family.invalid",
        "lena@police.invalid",
        "tess@school-a.invalid",
    ]
    assert all(len(messages) == 1 for messages in by_address.values())

    (family,) = by_address["gina@family.invalid"]
    assert family.subject == "A change to Pupil Minor's work experience week: Force A week"
    assert "- Premises search with dogs on Monday 12 July, 10:00 to 12:00 is cancelled." in family.body
    assert "- Instead: Crime scene basics, Monday 12 July, 10:00 to 12:00 at Training room 2." in family.body
    assert "/joining/" in family.body
    assert "Crime scene basics" in _html(family)
    after = _events(_ics(family))
    before = told["first_family"]
    uid = f"session-{told['search'].pk}.programme-{told['programme'].pk}@127.0.0.1"
    assert str(after[uid]["summary"]) == "Crime scene basics"
    assert after[uid]["sequence"] == before[uid]["sequence"] + 1
    assert set(after) == set(before)  # the same events: updated, none added

    (school,) = by_address["tess@school-a.invalid"]
    assert "please do not share it further" in school.body

    (lead,) = by_address["lena@police.invalid"]
    assert lead.subject.startswith("Change to Red's timetable: Crime scene basics")
    assert _events(_ics(lead))[uid]["sequence"] == 1

    (dogs,) = by_address["dogs@police.invalid"]
    assert dogs.subject == "Change to Dog Unit's sessions: Force A week"
    assert "Premises search with dogs on Monday 12 July, 10:00 to 12:00 is cancelled." in dogs.body
    assert "Pupil" not in dogs.body
    dog_events = _events(_ics(dogs))
    # No longer the Dog Unit's: its calendar cancels the old entry (same UID, the raised sequence).
    assert dog_events[uid]["sequence"] == 1 and str(dog_events[uid]["status"]) == "CANCELLED"
    assert "Vehicle forensics" in {str(e["summary"]) for e in dog_events.values()}


def test_a_swap_before_anyone_was_told_emails_only_the_lead(
    staffed,
    coordinator,
    june,
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    stand_in = f.ActivityFactory(force=staffed["programme"].force, title="Crime scene basics", is_contingency=True)
    with django_capture_on_commit_callbacks(execute=True):
        session_replace(session=staffed["search"], activity=stand_in, actor=coordinator)
    assert [m.to for m in mail.outbox] == [["lena@police.invalid"]]


def test_after_a_swap_telling_leads_again_sends_them_nothing_new(told, coordinator, django_capture_on_commit_callbacks):
    _swap(told, coordinator, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.staff_tell(programme=told["programme"], actor=coordinator)
    # Red's lead had the change from placements' email; the Dog Unit from the change notice. Air Support is new.
    assert counts == {"leads": 0, "departments": 1}


def test_changed_instructions_are_told_in_words_once_to_those_already_sent_them(
    told, coordinator, django_capture_on_commit_callbacks
):
    programme = told["programme"]
    instructions = JoiningInstructions.objects.get(programme=programme)
    data = {name: getattr(instructions, name) for name in services.JOINING_FIELDS}
    data["day_starts"] = datetime(2027, 1, 1, 9, 30).time()
    data["what_to_wear"] = "Trainers and a warm coat: the scenarios are outdoors."
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_save(programme=programme, data=data, actor=coordinator)
    families = [m for m in mail.outbox if m.to[0].endswith((".invalid",)) and "police" not in m.to[0]]
    # Everyone sent the instructions (7 emails: 3 students' families and schools) hears once.
    assert len(families) == 7
    gina = next(m for m in families if m.to == ["gina@family.invalid"])
    assert "- Arrive by: was 09:00, now 09:30." in gina.body
    assert "- What to wear now reads: Trainers and a warm coat: the scenarios are outdoors." in gina.body
    day_uid = f"day-1.programme-{programme.pk}@127.0.0.1"
    day = _events(_ics(gina))[day_uid]
    assert day["sequence"] == told["first_family"][day_uid]["sequence"] + 1
    assert day.decoded("dtstart").hour == 9 and day.decoded("dtstart").minute == 30
    # The lead is told the new time (it touches them), not the clothes; the department is not told.
    lead = next(m for m in mail.outbox if m.to == ["lena@police.invalid"])
    assert "Arrive by: was 09:00, now 09:30." in lead.body and "wear" not in lead.body
    assert not [m for m in mail.outbox if m.to == ["dogs@police.invalid"]]
    # Saving the same again says nothing new.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_save(programme=programme, data=data, actor=coordinator)
    assert mail.outbox == []


def test_a_correction_can_be_saved_without_telling_anyone(told, coordinator, django_capture_on_commit_callbacks):
    programme = told["programme"]
    instructions = JoiningInstructions.objects.get(programme=programme)
    data = {name: getattr(instructions, name) for name in services.JOINING_FIELDS}
    data["food"] = instructions.food + " (typo fixed)"
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_save(programme=programme, data=data, actor=coordinator, tell_changes=False)
    assert mail.outbox == []
    assert JoiningInstructions.objects.get(programme=programme).food.endswith("(typo fixed)")


def test_a_moved_ceremony_tells_families_schools_and_leads_with_the_same_uid_and_a_higher_sequence(
    told, coordinator, django_capture_on_commit_callbacks
):
    programme = told["programme"]
    instructions = JoiningInstructions.objects.get(programme=programme)
    lead_before = _events(Calendar.from_ical(calendars.syndicate_calendar(told["red"])))
    data = {name: getattr(instructions, name) for name in services.JOINING_FIELDS}
    data["ceremony_starts_at"] = datetime(2027, 7, 16, 16, tzinfo=TZ)
    data["ceremony_ends_at"] = datetime(2027, 7, 16, 17, tzinfo=TZ)
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_save(programme=programme, data=data, actor=coordinator)
    uid = f"ceremony.programme-{programme.pk}@127.0.0.1"
    gina = next(m for m in mail.outbox if m.to == ["gina@family.invalid"])
    assert (
        "- The awards ceremony has moved: now Friday 16 July 2027, 16:00 to 17:00 "
        "(it was Friday 16 July 2027, 14:00 to 15:00)." in gina.body
    )
    assert "ends" not in gina.body
    assert _events(_ics(gina))[uid]["sequence"] == told["first_family"][uid]["sequence"] + 1
    lead = next(m for m in mail.outbox if m.to == ["lena@police.invalid"])
    assert lead.subject == "Change to Red's week: Force A week"
    lead_after = _events(_ics(lead))[uid]
    assert lead_after["uid"] == lead_before[uid]["uid"]
    assert lead_after["sequence"] > 0 and lead_after.decoded("dtstart").hour == 16
    assert "The awards ceremony has moved" in _html(lead)
    # Each told once: a second run of the daily job sends nothing about it.
    assert OutboundEmail.objects.filter(kind="week_changed").count() == 7
    assert OutboundEmail.objects.filter(kind="staff_changed").count() == 1


def test_the_week_changed_email_reaches_only_people_already_sent_the_instructions(
    told, coordinator, django_capture_on_commit_callbacks
):
    """A student placed after the send (their instructions not yet sent) is not told of a 'change'."""
    programme = told["programme"]
    late = f.PlacementFactory(
        programme=programme,
        syndicate=told["red"],
        nomination=f.NominationFactory(
            programme=programme, institution=told["minor"].nomination.institution, guardian_email="late@family.invalid"
        ),
    )
    assert late.pk
    _swap(told, coordinator, django_capture_on_commit_callbacks)
    assert not [m for m in mail.outbox if m.to == ["late@family.invalid"]]
