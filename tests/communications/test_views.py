"""The coordinator's pages (edit, preview, send, calendars), the lead's calendar and the family's page opened
from the emailed link: who may open what, bad input, old and wrong links."""

import re
from datetime import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from communications.models import JoiningInstructions, JoiningLink
from placements.models import Placement
from tests import factories as f
from tests.communications.conftest import written

LINK = re.compile(r"/joining/([A-Za-z0-9_\-]{20,})/")


def _edit_post(**changes):
    data = {
        "venue_name": "Northtown police station",
        "venue_address": "1 Station Road\nNorthtown NT1 1AA",
        "venue_map_url": "https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1",
        "other_venues": "",
        "day_starts": "09:00",
        "day_ends": "16:00",
        "what_to_wear": "Smart clothes",
        "what_to_bring": "Water",
        "food": "Lunch provided",
        "ill_or_late": "Phone us",
        "contact_phone": "01234 567890",
        "photo_rules": "No photos",
        "ceremony_date_day": "",
        "ceremony_date_month": "",
        "ceremony_date_year": "",
        "ceremony_starts": "",
        "ceremony_ends": "",
        "ceremony_venue": "",
    }
    data.update(changes)
    return data


def test_the_edit_page_starts_from_the_default_wording(client_for, coordinator, week, june):
    url = reverse("communications:joining_edit", args=[week["programme"].pk])
    page = client_for(coordinator).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Force A Constabulary headquarters, main reception" in html and "Smart, comfortable clothes" in html
    assert 'value="09:00"' in html and 'value="16:00"' in html


def test_saving_goes_to_the_preview_which_shows_each_kind_of_email(client_for, coordinator, week, june):
    client = client_for(coordinator)
    programme = week["programme"]
    response = client.post(reverse("communications:joining_edit", args=[programme.pk]), _edit_post())
    assert response.status_code == 302
    assert response.url == reverse("communications:joining_preview", args=[programme.pk])
    saved = JoiningInstructions.objects.get(programme=programme)
    assert saved.venue_name == "Northtown police station" and saved.updated_by == coordinator
    page = client.get(response.url).content.decode()
    for title in ("To the parent or guardian", "To a student aged 18 or over", "To the school contact", "The reminder"):
        assert title in page
    assert "Joining instructions for Ada Adult" in page  # a real student's email (the first by name), not sent
    assert "Dear Ada," in page and "Dear Cal Careers" in page
    assert mail.outbox == []
    assert reverse("communications:department_calendar", args=[programme.pk, week["dogs"].pk]) in page
    assert reverse("communications:syndicate_calendar", args=[week["red"].pk]) in page


def test_a_ceremony_can_be_added(client_for, coordinator, week, june):
    client = client_for(coordinator)
    post = _edit_post(
        ceremony_date_day="20",
        ceremony_date_month="9",
        ceremony_date_year="2027",
        ceremony_starts="18:00",
        ceremony_ends="20:00",
    )
    assert client.post(reverse("communications:joining_edit", args=[week["programme"].pk]), post).status_code == 302
    saved = JoiningInstructions.objects.get()
    assert timezone.localtime(saved.ceremony_starts_at).strftime("%Y-%m-%d %H:%M %Z") == "2027-09-20 18:00 BST"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"venue_name": ""}, "Enter building or meeting point"),
        ({"contact_phone": ""}, "Enter phone number on the day"),
        ({"day_starts": "nine"}, "Enter the time to arrive by, like 09:00"),
        ({"day_ends": "08:00"}, "Collection must be after the arrival time (09:00)."),
        ({"venue_map_url": "not a link"}, "Enter the map link as a full web address"),
        ({"ceremony_starts": "18:00"}, "Give the ceremony&#x27;s day, start and end (or leave all three blank)."),
        ({"ceremony_venue": "Town hall"}, "Give the ceremony&#x27;s day, start and end, or leave its venue blank."),
        (
            {
                "ceremony_date_day": "20",
                "ceremony_date_month": "9",
                "ceremony_date_year": "2027",
                "ceremony_starts": "18:00",
                "ceremony_ends": "17:00",
            },
            "The ceremony must end after it starts (18:00).",
        ),
        (
            {
                "ceremony_date_day": "31",
                "ceremony_date_month": "2",
                "ceremony_date_year": "2027",
                "ceremony_starts": "18:00",
                "ceremony_ends": "19:00",
            },
            "as a real date",
        ),
    ],
)
def test_bad_input_is_a_400_with_a_message(client_for, coordinator, week, june, changes, message):
    response = client_for(coordinator).post(
        reverse("communications:joining_edit", args=[week["programme"].pk]), _edit_post(**changes)
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not JoiningInstructions.objects.exists()


def test_send_needs_the_box_ticked_then_sends(client_for, coordinator, week, june, django_capture_on_commit_callbacks):
    client = client_for(coordinator)
    programme = week["programme"]
    url = reverse("communications:joining_send", args=[programme.pk])
    assert "Write the joining instructions" in client.get(url).content.decode()
    refused = client.post(url, {"confirm": "on"})
    assert refused.status_code == 409 and "Write the joining instructions" in refused.content.decode()
    written(programme)
    page = client.get(url).content.decode()
    assert (
        "3 students with a confirmed place: an email to 3 parents, guardians or adult students, and 4 to school" in page
    )
    unticked = client.post(url, {})
    assert unticked.status_code == 400 and "Tick the box to confirm" in unticked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url, {"confirm": "on"}, follow=True)
    assert "Sending 7 emails now." in sent.content.decode()
    assert len(mail.outbox) == 7
    again = client.post(url, {"confirm": "on"}, follow=True)
    assert "nothing new to send" in again.content.decode()


def test_calendar_downloads(client_for, coordinator, week, june):
    written(week["programme"])
    client = client_for(coordinator)
    response = client.get(reverse("communications:department_calendar", args=[week["programme"].pk, week["dogs"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="force-a-week-dog-unit.ics"'
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 2


def test_a_lead_downloads_their_own_syndicate_only(client_for, week, june):
    user = f.UserFactory(username="lead-red")
    red = week["red"]
    red.lead.user = user
    red.lead.save()
    client = client_for(user)
    response = client.get(reverse("communications:syndicate_calendar", args=[red.pk]))
    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 2
    assert client.get(reverse("communications:syndicate_calendar", args=[week["blue"].pk])).status_code == 404


def test_outsiders_get_404_and_other_roles_403(client_for, coordinator_b, contact, week, june):
    programme = week["programme"]
    written(programme)
    urls = [
        reverse("communications:joining_edit", args=[programme.pk]),
        reverse("communications:joining_preview", args=[programme.pk]),
        reverse("communications:joining_send", args=[programme.pk]),
        reverse("communications:department_calendar", args=[programme.pk, week["dogs"].pk]),
    ]
    outsider = client_for(coordinator_b)
    for url in urls:
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {**_edit_post(), "confirm": "on"}).status_code == 404, url
    assert outsider.get(reverse("communications:syndicate_calendar", args=[week["red"].pk])).status_code == 404
    school = client_for(contact)
    for url in urls:
        assert school.get(url).status_code == 403, url
    assert school.get(reverse("communications:syndicate_calendar", args=[week["red"].pk])).status_code == 404
    anonymous = client_for(None)
    for url in [*urls, reverse("communications:syndicate_calendar", args=[week["red"].pk])]:
        assert anonymous.get(url)["Location"].startswith(reverse("accounts:login")), url
    assert JoiningInstructions.objects.get().venue_name != "Northtown police station"
    assert mail.outbox == []


# --- the family's page -------------------------------------------------------------------------------


@pytest.fixture
def delivered(week, coordinator, june, django_capture_on_commit_callbacks):
    """The link of each student, as delivered in the emails."""
    from communications import services

    written(week["programme"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.joining_instructions_send(programme=week["programme"], actor=coordinator)
    links = {}
    for message in mail.outbox:
        (token,) = set(LINK.findall(message.body))
        links[message.to[0]] = token
    return links


def test_the_link_opens_its_own_student_s_page_and_calendar(client, week, delivered):
    response = client.get(reverse("joining:open", args=[delivered["gina@family.invalid"]]))
    assert response.status_code == 302 and response.url == reverse("joining:page")
    page = client.get(response.url).content.decode()
    assert "Joining instructions for Pupil" in page and "Red" in page and "Premises search with dogs" in page
    assert "Ada" not in page and "Vehicle forensics" not in page
    calendar = client.get(reverse("joining:calendar"))
    assert calendar.status_code == 200
    assert len(Calendar.from_ical(calendar.content).walk("VEVENT")) == 7
    # The school's copy opens the same student's page; another student's link opens theirs.
    assert delivered["tess@school-a.invalid"] in {delivered["gina@family.invalid"], delivered["sg@family.invalid"]}
    client.get(reverse("joining:open", args=[delivered["ada@student.invalid"]]))
    page = client.get(reverse("joining:page")).content.decode()
    assert "Joining instructions for Ada" in page and "Vehicle forensics" in page and "Pupil" not in page


def test_only_the_hash_is_stored(week, delivered):
    token = delivered["gina@family.invalid"]
    link = JoiningLink.objects.get(placement=week["minor"])
    assert token not in (link.token_hash, link.token_salt)
    import hashlib

    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()


def test_a_wrong_or_old_link_is_a_clear_404_or_410(client, week, delivered):
    wrong = client.get(reverse("joining:open", args=["x" * 43]))
    assert wrong.status_code == 404 and "This link is not valid" in wrong.content.decode()
    assert client.get(reverse("joining:page")).status_code == 404
    assert client.get(reverse("joining:calendar")).status_code == 404
    token = delivered["gina@family.invalid"]
    london = timezone.get_default_timezone()
    with time_machine.travel(datetime(2027, 7, 16, 23, 50, tzinfo=london), tick=False):
        assert client.get(reverse("joining:open", args=[token])).status_code == 302
        assert client.get(reverse("joining:page")).status_code == 200  # the evening of the last day
    with time_machine.travel(datetime(2027, 7, 17, 0, 5, tzinfo=london), tick=False):
        assert client.get(reverse("joining:page")).status_code == 410  # opened before midnight, too
        assert client.get(reverse("joining:calendar")).status_code == 410
        expired = client.get(reverse("joining:open", args=[token]))
        assert expired.status_code == 410 and "This link has expired" in expired.content.decode()
    Placement.objects.filter(pk=week["minor"].pk).update(status=Placement.Status.WITHDRAWN)
    gone = client.get(reverse("joining:open", args=[token]))
    assert gone.status_code == 410 and "no longer going ahead" in gone.content.decode()
