"""The coordinator's side: pages by role, invitations by group, reminders once per round, the door list,
the calendar file (stable UID, SEQUENCE raised on a move) and the emails of each kind."""

import subprocess
from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from core.models import OutboundEmail
from events import calendars, documents, services
from events.models import Event, Invitation

from .conftest import LONDON, at, ceremony_data, invite

# --- pages by role -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["events:detail", "events:edit", "events:invite", "events:door_list", "events:calendar", "events:delete"]
)
def test_event_pages_are_for_the_force_s_coordinators_only(
    client_for, ceremony, coordinator, coordinator_b, contact, name
):
    url = reverse(name, args=[ceremony.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(contact).get(url).status_code == 403
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator).get(url).status_code == 200


def test_another_force_s_coordinator_cannot_remind_renew_or_remove(client_for, ceremony, coordinator_b):
    invitation = invite(ceremony, Invitation.Kind.STUDENT).popitem()[1]
    other = client_for(coordinator_b)
    before = OutboundEmail.objects.count()
    assert other.post(reverse("events:remind", args=[ceremony.pk]), {"round": "1"}).status_code == 404
    assert other.post(reverse("events:invitation_new_link", args=[invitation.pk])).status_code == 404
    assert other.post(reverse("events:invitation_remove", args=[invitation.pk])).status_code == 404
    assert OutboundEmail.objects.count() == before
    assert Invitation.objects.filter(pk=invitation.pk, token_hash=invitation.token_hash).exists()


def test_a_coordinator_plans_an_event_from_the_form(client_for, coordinator, people, september):
    response = client_for(coordinator).post(
        reverse("events:create"),
        {
            "kind": "information",
            "title": "Community involvement in police training",
            "programme": "",
            "starts_at_day": "28",
            "starts_at_month": "9",
            "starts_at_year": "2027",
            "starts_at_time": "16:00",
            "ends_at_day": "28",
            "ends_at_month": "9",
            "ends_at_year": "2027",
            "ends_at_time": "18:30",
            "venue": "Peel Centre, Hendon",
            "address": "Aerodrome Road",
            "description": "",
            "capacity": "60",
            "guests_allowed": "0",
            "reply_by_day": "21",
            "reply_by_month": "9",
            "reply_by_year": "2027",
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("events:invite", args=[event.pk])
    assert event.force == people["programme"].force and event.programme is None and event.capacity == 60


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at_time": "15:00"}, "The event must end after it starts."),
        ({"reply_by_day": "29"}, "on or before the day of the event"),
        ({"kind": "ceremony"}, "An awards ceremony belongs to a programme"),
        ({"capacity": "0"}, "at least 1 place"),
        ({"guests_allowed": "11"}, "at most 10 guests"),
        ({"starts_at_time": "25:00"}, "24-hour time"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_event_is_refused_with_a_message_and_saves_nothing(
    client_for, coordinator, people, september, changes, message
):
    data = {
        "kind": "information",
        "title": "Information event",
        "starts_at_day": "28",
        "starts_at_month": "9",
        "starts_at_year": "2027",
        "starts_at_time": "16:00",
        "ends_at_day": "28",
        "ends_at_month": "9",
        "ends_at_year": "2027",
        "ends_at_time": "18:30",
        "venue": "Hall",
        "guests_allowed": "0",
        "reply_by_day": "21",
        "reply_by_month": "9",
        "reply_by_year": "2027",
        **changes,
    }
    response = client_for(coordinator).post(reverse("events:create"), data)
    assert response.status_code == 400
    assert message.lower() in response.content.decode().lower()
    assert not Event.objects.exists()


def test_another_force_s_programme_cannot_be_chosen(client_for, coordinator, programme_b, people, september):
    response = client_for(coordinator).post(
        reverse("events:create"),
        {
            "kind": "ceremony",
            "title": "x",
            "programme": programme_b.pk,
            "starts_at": "2027-09-20 18:00",
            "ends_at": "2027-09-20 20:00",
            "venue": "Hall",
            "guests_allowed": "0",
            "reply_by": "2027-09-13",
        },
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    assert not Event.objects.exists()


def test_a_past_event_cannot_be_changed(client_for, ceremony, coordinator):
    with time_machine.travel(datetime(2027, 9, 21, 9, 0, tzinfo=LONDON), tick=False):
        with pytest.raises(services.EventsError, match="already happened"):
            services.event_save(force=ceremony.force, event=ceremony, data={"venue": "Elsewhere"}, actor=coordinator)
        page = client_for(coordinator).get(reverse("events:detail", args=[ceremony.pk])).content.decode()
        assert "This event took place on" in page and reverse("events:invite", args=[ceremony.pk]) not in page
    ceremony.refresh_from_db()
    assert ceremony.venue == "Town hall"


def test_a_programme_has_one_ceremony(ceremony, people, coordinator):
    with pytest.raises(services.EventsError, match="already has an awards ceremony"):
        services.event_save(force=ceremony.force, data=ceremony_data(people["programme"]), actor=coordinator)
    assert Event.objects.count() == 1


# --- invitations --------------------------------------------------------------------------------------


def test_groups_are_invited_once_each_through_their_own_address(ceremony, people, coordinator):
    result = services.invitations_add(
        event=ceremony, kinds=["student", "guardian", "school", "lead", "mentor"], actor=coordinator
    )
    kinds = sorted(ceremony.invitations.values_list("kind", flat=True))
    # Three students; guardians only of the two under 18; School A's one contact; Red's lead; the mentor.
    assert kinds == ["guardian", "guardian", "lead", "mentor", "school", "student", "student", "student"]
    assert result == {"invited": 8, "emailed": 8, "no_email": 0}
    to = sorted(OutboundEmail.objects.values_list("to", flat=True))
    assert to == [
        "ada@student.invalid",  # an adult student is written to herself
        "gina@family.invalid",  # Pupil's invitation, to her guardian
        "gina@family.invalid",  # Gina's own
        "larry@police.invalid",
        "mo@police.invalid",
        "sg@family.invalid",
        "sg@family.invalid",
        "tess@school-a.invalid",
    ]
    again = services.invitations_add(event=ceremony, kinds=["student", "guardian", "mentor"], actor=coordinator)
    assert again["invited"] == 0 and ceremony.invitations.count() == 8


def test_a_community_member_is_invited_by_name_and_email_only(client_for, ceremony, coordinator):
    client = client_for(coordinator)
    url = reverse("events:invite", args=[ceremony.pk])
    response = client.post(url, {"action": "community", "name": "  Ruth   Community ", "email": "Ruth@Example.org"})
    assert response.status_code == 302
    invitation = ceremony.invitations.get()
    assert (invitation.kind, invitation.name, invitation.email) == ("community", "Ruth Community", "ruth@example.org")
    assert client.post(url, {"action": "community", "name": "Ruth", "email": "ruth@example.org"}).status_code == 302
    assert ceremony.invitations.count() == 1
    bad = client.post(url, {"action": "community", "name": "Ruth", "email": "not an address"})
    assert bad.status_code == 400 and "valid email" in bad.content.decode()
    nothing = client.post(url, {"action": "groups"})
    assert nothing.status_code == 400 and "Tick at least one group" in nothing.content.decode()


def test_groups_of_a_programme_need_the_event_linked_to_one(client_for, coordinator, people, september):
    event = services.event_save(
        force=people["programme"].force,
        data=ceremony_data(None, kind="information", title="Open evening"),
        actor=coordinator,
    )
    response = client_for(coordinator).post(
        reverse("events:invite", args=[event.pk]), {"action": "groups", "kinds": ["student"]}
    )
    assert response.status_code == 400 and "link the event to one first" in response.content.decode()
    assert not event.invitations.exists()


# --- reminders ----------------------------------------------------------------------------------------


def test_reminders_go_once_per_round_to_those_who_have_not_replied(client_for, ceremony, people, coordinator):
    found = invite(ceremony, Invitation.Kind.STUDENT, Invitation.Kind.MENTOR)
    services.invitation_reply(invitation=found[("student", people["minor"].pk)], coming=True)
    client = client_for(coordinator)
    url = reverse("events:remind", args=[ceremony.pk])
    assert client.get(url).status_code == 405

    client.post(url, {"round": "1"})
    first = sorted(OutboundEmail.objects.filter(kind="event_reminder").values_list("to", flat=True))
    assert first == ["ada@student.invalid", "mo@police.invalid", "sg@family.invalid"]
    # The same button again (a double click, a second tab) sends nothing more.
    response = client.post(url, {"round": "1"}, follow=True)
    assert "already been sent" in response.content.decode()
    assert OutboundEmail.objects.filter(kind="event_reminder").count() == 3
    # A second round, after Ada replied: the two still silent, once more each.
    services.invitation_reply(invitation=found[("student", people["adult"].pk)], coming=False)
    client.post(url, {"round": "2"})
    assert OutboundEmail.objects.filter(kind="event_reminder").count() == 5


def test_the_beat_reminds_once_a_few_days_before_the_reply_by_date(ceremony, people):
    invite(ceremony, Invitation.Kind.STUDENT)
    with time_machine.travel(datetime(2027, 9, 9, 8, 30, tzinfo=LONDON), tick=False):
        assert services.reminders_daily() == 0  # 4 days before: too early
    for day in (10, 11, 13):
        with time_machine.travel(datetime(2027, 9, day, 8, 30, tzinfo=LONDON), tick=False):
            services.reminders_daily()
    assert OutboundEmail.objects.filter(kind="event_reminder").count() == 3
    with time_machine.travel(datetime(2027, 9, 14, 8, 30, tzinfo=LONDON), tick=False):
        assert services.reminders_daily() == 0


# --- door list ----------------------------------------------------------------------------------------


def test_the_door_list_has_everyone_coming_by_surname_with_guests_and_a_tick_box(ceremony, people, tmp_path):
    found = invite(
        ceremony, Invitation.Kind.STUDENT, Invitation.Kind.LEAD, community=[("Zara Aardvark", "z@x.invalid")]
    )
    services.invitation_reply(invitation=found[("student", people["minor"].pk)], coming=True, guests=2)
    services.invitation_reply(invitation=found[("student", people["adult"].pk)], coming=True, guests=0)
    services.invitation_reply(invitation=found[("student", people["second"].pk)], coming=False)
    services.invitation_reply(invitation=found[("community", "z@x.invalid")], coming=True, guests=1)
    services.invitation_reply(invitation=found[("lead", people["lead"].pk)], coming=True)

    pdf = documents.door_list_pdf(ceremony)
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "door.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    names = [n for n in ("Zara Aardvark", "Ada Adult", "Larry Lead", "Pupil Minor") if n in text]
    assert names == ["Zara Aardvark", "Ada Adult", "Larry Lead", "Pupil Minor"]
    assert [text.index(n) for n in names] == sorted(text.index(n) for n in names)
    assert "Sam Second" not in text
    assert "4 people coming, 7 in all with their guests" in " ".join(text.split())
    assert "Arrived" in text
    import pikepdf

    with pikepdf.open(path) as document:
        assert "/StructTreeRoot" in document.Root  # tagged: headings and the table read in order


# --- the calendar file -------------------------------------------------------------------------------


def _vevent(data: bytes):
    calendar = Calendar.from_ical(data)
    (event,) = calendar.walk("VEVENT")
    return event


def test_the_calendar_keeps_its_uid_and_raises_sequence_when_the_event_moves(ceremony, people, coordinator):
    first = _vevent(calendars.event_calendar(ceremony))
    assert str(first["uid"]).startswith(f"ceremony.programme-{people['programme'].pk}@")
    assert int(first["sequence"]) == 0
    assert first.decoded("dtstart") == at(date(2027, 9, 20), 18)
    assert str(first["location"]) == "Town hall, 1 High Street, Northtown NT1 1AA"

    services.event_save(force=ceremony.force, event=ceremony, data={"description": "New words"}, actor=coordinator)
    ceremony.refresh_from_db()
    assert int(_vevent(calendars.event_calendar(ceremony))["sequence"]) == 0  # nothing a calendar places moved

    found = invite(ceremony, Invitation.Kind.STUDENT)
    services.invitation_reply(invitation=found[("student", people["second"].pk)], coming=False)
    services.event_save(
        force=ceremony.force,
        event=ceremony,
        data={"starts_at": at(date(2027, 9, 21), 18), "ends_at": at(date(2027, 9, 21), 20)},
        actor=coordinator,
    )
    ceremony.refresh_from_db()
    moved = _vevent(calendars.event_calendar(ceremony))
    assert moved["uid"] == first["uid"] and int(moved["sequence"]) == 1
    # Everyone invited is told, except whoever already said no.
    changed = sorted(OutboundEmail.objects.filter(kind="event_changed").values_list("to", flat=True))
    assert changed == ["ada@student.invalid", "gina@family.invalid"]

    other = services.event_save(
        force=ceremony.force, data=ceremony_data(None, kind="information", title="Open evening"), actor=coordinator
    )
    assert str(_vevent(calendars.event_calendar(other))["uid"]).startswith(f"event-{other.pk}@")


# --- the emails ---------------------------------------------------------------------------------------


def test_each_kind_of_invitee_is_written_to_in_their_own_words(ceremony, people):
    invite(ceremony, "student", "school", community=[("Ruth Community", "ruth@example.org")])
    emails = {e.to: e for e in OutboundEmail.objects.filter(kind="event_invitation")}
    guardian = emails["gina@family.invalid"]
    assert guardian.subject == "Invitation: Awards ceremony: Force A week, 20 September"
    assert "Dear Gina Guardian," in guardian.body_text
    assert "invites Pupil to Awards ceremony: Force A week." in guardian.body_text
    assert "Monday 20 September 2027, 18:00–20:00" in guardian.body_text
    assert "Please reply by Monday 13 September" in guardian.body_text
    assert "[[link:event-reply:" in guardian.body_text and "[[link:event-reply:" in guardian.body_html
    assert "Reply to the invitation" in guardian.body_html and "Town hall" in guardian.body_html
    assert guardian.to_student and guardian.attachments == [["event-calendar", ceremony.pk]]
    assert list(guardian.students.all()) == [people["minor"].nomination]
    adult = emails["ada@student.invalid"]
    assert "Dear Ada," in adult.body_text and "invites you to" in adult.body_text
    school = emails["tess@school-a.invalid"]
    assert "Dear Tess Teacher," in school.body_text and not school.to_student
    community = emails["ruth@example.org"]
    assert "Dear Ruth Community," in community.body_text and not community.students.exists()
    assert "&lt;" not in guardian.body_text  # plain text is not HTML-escaped


def test_the_email_is_sent_with_the_working_link_and_the_calendar_attached(
    ceremony, people, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(ceremony, "student")
    sent = [m for m in mailoutbox if m.to == ["gina@family.invalid"]]
    assert len(sent) == 1
    message = sent[0]
    assert "/reply/" in message.body and "[[link:" not in message.body
    (attachment,) = message.attachments
    assert attachment[0] == "awards-ceremony-force-a-week.ics"
    assert _vevent(attachment[1] if isinstance(attachment[1], bytes) else attachment[1].encode())["summary"]


# --- lists stay constant in queries -------------------------------------------------------------------


def test_the_event_pages_cost_the_same_queries_however_many_are_invited(
    client_for, ceremony, people, coordinator, django_assert_max_num_queries, school_a
):
    from .conftest import place

    client = client_for(coordinator)
    invite(ceremony, "student", "mentor")
    client.get(reverse("events:detail", args=[ceremony.pk]))
    client.get(reverse("events:list"))
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("events:detail", args=[ceremony.pk]))
    with django_assert_max_num_queries(30) as list_few:
        client.get(reverse("events:list"))
    for n in range(8):
        place(people["programme"], school_a, first_name=f"Extra{n}", last_name=f"Student{n}")
    invite(ceremony, "student")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("events:detail", args=[ceremony.pk])).status_code == 200
    with django_assert_max_num_queries(len(list_few.captured_queries)):
        assert client.get(reverse("events:list")).status_code == 200
