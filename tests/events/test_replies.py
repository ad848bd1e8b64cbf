"""The invitee's side: a reply link opens only its own invitation, until the event, and not once replaced;
replies within the places left, changeable until the reply-by date."""

from datetime import datetime

import pytest
import time_machine
from django.urls import reverse

from core.links import links_resolve
from core.models import OutboundEmail
from events import services
from events.models import Invitation
from events.services import EventsError

from .conftest import LONDON, invite, token_of


def _open(client, invitation):
    return client.get(reverse("event_reply:open", args=[token_of(invitation)]))


def test_each_invitee_s_link_opens_their_own_invitation_and_changes_only_theirs(client, ceremony, people):
    found = invite(ceremony, Invitation.Kind.STUDENT)
    minor = found[("student", people["minor"].pk)]
    adult = found[("student", people["adult"].pk)]

    response = _open(client, minor)
    assert response.status_code == 302 and response["Location"] == reverse("event_reply:page")
    page = client.get(reverse("event_reply:page"))
    assert page.status_code == 200
    assert "This invitation is for Pupil." in page.content.decode()
    assert "Ada" not in page.content.decode()

    # Whatever the form says, a reply changes only the invitation of the link this browser opened.
    answer = client.post(reverse("event_reply:page"), {"coming": "yes", "guests": "2", "invitation": adult.pk})
    assert answer.status_code == 302
    minor.refresh_from_db()
    adult.refresh_from_db()
    assert (minor.answer, minor.guests) == ("yes", 2)
    assert (adult.answer, adult.guests) == ("", 0)


def test_the_emailed_link_is_the_working_link_and_the_outbox_holds_no_token(ceremony, people):
    found = invite(ceremony, Invitation.Kind.STUDENT)
    minor = found[("student", people["minor"].pk)]
    email = OutboundEmail.objects.get(to="gina@family.invalid")
    token = token_of(minor)
    assert token not in email.body_text and token not in email.body_html
    assert reverse("event_reply:open", args=[token]) in links_resolve(email.body_text)
    assert minor.token_hash != token and len(minor.token_hash) == 64


def test_a_replaced_link_stops_working_even_in_a_browser_that_opened_it(client, ceremony, people, coordinator):
    minor = invite(ceremony, Invitation.Kind.STUDENT)[("student", people["minor"].pk)]
    old = token_of(minor)
    assert client.get(reverse("event_reply:open", args=[old])).status_code == 302

    assert services.invitation_new_link(invitation=minor, actor=coordinator) == 1
    assert client.get(reverse("event_reply:page")).status_code == 404
    assert client.post(reverse("event_reply:page"), {"coming": "yes", "guests": "0"}).status_code == 404
    assert client.get(reverse("event_reply:open", args=[old])).status_code == 404
    new = token_of(minor)
    assert new != old
    assert client.get(reverse("event_reply:open", args=[new])).status_code == 302
    assert client.get(reverse("event_reply:page")).status_code == 200
    # The new link went by email, under its own dedupe key (the first invitation is not sent twice).
    assert OutboundEmail.objects.filter(to="gina@family.invalid", kind="event_invitation").count() == 2


def test_a_link_of_another_kind_or_a_made_up_one_opens_nothing(client, ceremony, people):
    invite(ceremony, Invitation.Kind.STUDENT)
    for token in ("x" * 43, "", "not-a-token"):
        if token:
            assert client.get(reverse("event_reply:open", args=[token])).status_code == 404
    assert client.get(reverse("event_reply:page")).status_code == 404


def test_the_link_stops_working_once_the_event_is_over(client, ceremony, people):
    minor = invite(ceremony, Invitation.Kind.STUDENT)[("student", people["minor"].pk)]
    token = token_of(minor)
    assert client.get(reverse("event_reply:open", args=[token])).status_code == 302
    with time_machine.travel(datetime(2027, 9, 20, 20, 1, tzinfo=LONDON), tick=False):
        response = client.get(reverse("event_reply:open", args=[token]))
        assert response.status_code == 410
        assert "already taken place" in response.content.decode()


def test_a_reply_can_be_changed_until_the_reply_by_date_then_not(client, ceremony, people):
    minor = invite(ceremony, Invitation.Kind.STUDENT)[("student", people["minor"].pk)]
    _open(client, minor)
    client.post(reverse("event_reply:page"), {"coming": "yes", "guests": "1"})
    client.post(reverse("event_reply:page"), {"coming": "no", "guests": "1"})
    minor.refresh_from_db()
    assert (minor.answer, minor.guests) == ("no", 0)
    with time_machine.travel(datetime(2027, 9, 13, 23, 0, tzinfo=LONDON), tick=False):
        _open(client, minor)  # (a session lasts less than the twelve days since)
        assert client.post(reverse("event_reply:page"), {"coming": "yes", "guests": "0"}).status_code == 302
    with time_machine.travel(datetime(2027, 9, 14, 9, 0, tzinfo=LONDON), tick=False):
        _open(client, minor)
        page = client.get(reverse("event_reply:page"))
        assert page.status_code == 200 and "Replies closed on" in page.content.decode()
        refused = client.post(reverse("event_reply:page"), {"coming": "no"})
        assert refused.status_code == 409
    minor.refresh_from_db()
    assert minor.answer == "yes"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose yes or no."),
        ({"coming": "maybe"}, "Select a valid choice"),
        ({"coming": "yes", "guests": "3"}, "You can bring up to 2 guests."),
        ({"coming": "yes", "guests": "-1"}, "cannot be less than 0"),
        ({"coming": "yes", "guests": "two"}, "as a number"),
    ],
)
def test_a_bad_reply_is_refused_with_a_message_and_saves_nothing(client, ceremony, people, data, message):
    minor = invite(ceremony, Invitation.Kind.STUDENT)[("student", people["minor"].pk)]
    _open(client, minor)
    response = client.post(reverse("event_reply:page"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    minor.refresh_from_db()
    assert minor.answer == "" and minor.replied_at is None


def test_replies_stay_within_the_places_counting_guests(ceremony, people, coordinator):
    services.event_save(force=ceremony.force, event=ceremony, data={"capacity": 4}, actor=coordinator)
    found = invite(ceremony, Invitation.Kind.STUDENT)
    minor, adult, second = (found[("student", people[k].pk)] for k in ("minor", "adult", "second"))
    services.invitation_reply(invitation=minor, coming=True, guests=2)  # 3 places
    with pytest.raises(EventsError, match="only 1 place left"):
        services.invitation_reply(invitation=adult, coming=True, guests=1)
    services.invitation_reply(invitation=adult, coming=True, guests=0)  # the 4th
    with pytest.raises(EventsError, match="every place has been taken"):
        services.invitation_reply(invitation=second, coming=True)
    # Changing one's own reply counts only the change: Pupil may drop a guest, then take it back.
    services.invitation_reply(invitation=minor, coming=True, guests=1)
    services.invitation_reply(invitation=minor, coming=True, guests=2)
    assert sum(i.places for i in ceremony.invitations.all()) == 4
    # The coordinator cannot shrink the event below the places already taken.
    with pytest.raises(EventsError, match="4 places are already taken"):
        services.event_save(force=ceremony.force, event=ceremony, data={"capacity": 3}, actor=coordinator)


def test_an_erased_student_s_link_opens_nothing(client, ceremony, people, coordinator):
    from privacy.models import Erasure
    from privacy.services import student_erase

    minor = invite(ceremony, Invitation.Kind.STUDENT)[("student", people["minor"].pk)]
    token = token_of(minor)
    student_erase(nomination=people["minor"].nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)
    assert client.get(reverse("event_reply:open", args=[token])).status_code == 404
