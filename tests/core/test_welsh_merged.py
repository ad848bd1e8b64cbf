"""Welsh for what the other work of the session added for families: event invitations and their reply page,
the reminder text the day before, a change to the week and a coordinator's message (the wording around their
words). Each goes in the family's language, and an English family of the same Welsh force still gets English."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.links import MARKER, link_token
from core.models import OutboundEmail, OutboundSms
from tests import factories as f
from tests.core.welsh import english_left, welsh_world


@pytest.fixture
def world(db):
    return welsh_world()


def _english_family(world, **names):
    from placements.models import Placement
    from schools.models import Nomination

    nomination = f.NominationFactory(
        programme=world["programme"],
        institution=world["nomination"].institution,
        preferred_language="en-gb",
        status=Nomination.Status.ACCEPTED,
        **names,
    )
    return Placement.objects.create(programme=world["programme"], nomination=nomination)


def _ceremony(world):
    from events import services
    from events.models import Event

    programme = world["programme"]
    day = programme.end_date + timedelta(days=7)
    zone = timezone.get_default_timezone()
    return services.event_save(
        force=world["force"],
        data={
            "kind": Event.Kind.CEREMONY,
            "programme": programme,
            "title": "Seremoni wobrwyo",
            "description": "",
            "starts_at": datetime.combine(day, time(18), zone),
            "ends_at": datetime.combine(day, time(20), zone),
            "venue": "Neuadd y Dref",
            "address": "",
            "capacity": None,
            "guests_allowed": 2,
            "reply_by": day - timedelta(days=3),
        },
        actor=None,
    )


def test_an_event_invitation_and_its_reply_page_in_the_familys_language(client, world):
    from events import services

    english = _english_family(world, first_name="Tom", last_name="Jones", guardian_name="Ann Jones")
    event = _ceremony(world)
    services.invitations_add(event=event, kinds=["guardian"], actor=None)
    allowed = [*world["allowed"], "Seremoni wobrwyo", "Neuadd y Dref"]

    welsh = OutboundEmail.objects.get(kind="event_invitation", to=world["nomination"].guardian_email)
    assert welsh.subject.startswith("Gwahoddiad: Seremoni wobrwyo")
    assert '<html lang="cy">' in welsh.body_html
    assert english_left(MARKER.sub("", welsh.body_html), allowed=allowed) == []
    assert english_left(MARKER.sub("", welsh.body_text), allowed=allowed) == []
    other = OutboundEmail.objects.get(kind="event_invitation", to=english.nomination.guardian_email)
    assert other.subject.startswith("Invitation: Seremoni wobrwyo")

    invitation = event.invitations.get(placement=world["placement"])
    token = link_token(services.REPLY_LINK_PURPOSE, invitation.token_salt)
    page = client.get(reverse("event_reply:open", args=[token]), follow=True)
    html = page.content.decode()
    assert '<html lang="cy">' in html
    assert english_left(html, allowed=allowed) == []
    refused = client.post(reverse("event_reply:page"), {"coming": "", "guests": "abc"})
    assert refused.status_code == 400
    assert english_left(refused.content.decode(), allowed=allowed) == []


def test_the_reminder_text_in_the_familys_language(world):
    from communications.models import JoiningInstructions
    from communications.services import _text_reminders, text_consent_give

    english = _english_family(world, first_name="Tom", last_name="Jones")
    text_consent_give(placement=world["placement"], who="guardian", phone="07700 900123")
    text_consent_give(placement=english, who="guardian", phone="07700 900124")
    programme = world["programme"]
    assert _text_reminders(programme, JoiningInstructions.objects.get(programme=programme)) == 2
    welsh = OutboundSms.objects.get(to="+447700900123")
    assert "nodyn i atgoffa bod profiad gwaith Gwen yn dechrau" in welsh.body
    assert "Manylion:" in welsh.body
    assert english_left(MARKER.sub("", welsh.body), allowed=world["allowed"]) == []
    assert "a reminder that Tom's work experience starts" in OutboundSms.objects.get(to="+447700900124").body


def test_the_joining_pages_text_form_refuses_in_welsh(client, world):
    client.get(reverse("joining:open", args=[world["tokens"]["joining"]]))
    response = client.post(reverse("joining:texts"), {"who": "guardian", "phone": "not a number"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Rhowch rif ffôn symudol yn y DU" in html
    assert english_left(html, allowed=world["allowed"]) == []


def test_a_change_to_the_week_told_in_the_familys_language(world):
    from communications.models import JoiningInstructions
    from communications.selectors import confirmed_placements
    from communications.services import _tell_families

    programme = world["programme"]
    instructions = JoiningInstructions.objects.get(programme=programme)
    OutboundEmail.objects.create(
        kind="joining_instructions",
        to=world["nomination"].guardian_email,
        subject="x",
        body_text="x",
        dedupe_key=f"joining-instructions:{world['placement'].pk}:{world['nomination'].guardian_email}",
    )
    placements = list(confirmed_placements(programme))
    told = _tell_families(programme, placements, changes=["Neuadd newydd."], key="t", instructions=instructions)
    assert told == 1
    email = OutboundEmail.objects.get(kind="week_changed")
    assert email.subject.startswith("Newid i wythnos profiad gwaith Gwen Morgan")
    assert english_left(MARKER.sub("", email.body_text), allowed=world["allowed"]) == []
    assert english_left(MARKER.sub("", email.body_html), allowed=world["allowed"]) == []


def test_a_coordinators_message_keeps_their_words_and_words_the_rest_in_the_familys_language(world):
    from django.test import TestCase

    from communications import messages
    from communications.audiences import AUDIENCES

    english = _english_family(world, first_name="Tom", last_name="Jones")
    with TestCase.captureOnCommitCallbacks(execute=True):
        messages.audience_message_send(
            force=world["force"],
            audience=AUDIENCES["families"],
            programme=world["programme"],
            subject="Newyddion / News",
            body="Dear {recipient_name}, the bus leaves at nine.",
            actor=f.UserFactory(),
        )
    welsh = OutboundEmail.objects.get(kind="audience_message", to=world["nomination"].guardian_email)
    assert "Dear Siân Morgan, the bus leaves at nine." in welsh.body_text  # as the coordinator wrote it
    assert "Anfonwyd gan dîm profiad gwaith Heddlu Dyfed-Powys." in welsh.body_text
    assert '<html lang="cy">' in welsh.body_html
    other = OutboundEmail.objects.get(kind="audience_message", to=english.nomination.guardian_email)
    assert "Sent by Heddlu Dyfed-Powys's work-experience team." in other.body_text


def test_an_events_welsh_words_reach_welsh_readers_and_their_calendar(client, world):
    """The coordinator writes the event in both languages: each family reads (and gets in its calendar file)
    the words in its own language; a Welsh field left empty shows the English."""
    from events import services
    from events.models import Event

    english = _english_family(world, first_name="Tom", last_name="Jones", guardian_name="Ann Jones")
    event = _ceremony(world)
    Event.objects.filter(pk=event.pk).update(
        title="Awards evening",
        title_cy="Noson wobrwyo",
        venue="Town Hall",
        venue_cy="Neuadd y Dref",
        description="Families welcome.",
        description_cy="Croeso i deuluoedd.",
    )
    services.invitations_add(event=event, kinds=["guardian"], actor=None)

    welsh = OutboundEmail.objects.get(kind="event_invitation", to=world["nomination"].guardian_email)
    assert welsh.subject.startswith("Gwahoddiad: Noson wobrwyo")
    assert "Neuadd y Dref" in welsh.body_text and "Croeso i deuluoedd." in welsh.body_text
    assert "Awards evening" not in welsh.body_text and "Town Hall" not in welsh.body_text
    assert welsh.attachments == [["event-calendar-cy", event.pk]]
    other = OutboundEmail.objects.get(kind="event_invitation", to=english.nomination.guardian_email)
    assert other.subject.startswith("Invitation: Awards evening") and "Town Hall" in other.body_text
    assert other.attachments == [["event-calendar", event.pk]]

    from core.attachments import attachments_make

    (welsh_file,) = attachments_make([("event-calendar-cy", event.pk)])
    (english_file,) = attachments_make([("event-calendar", event.pk)])
    assert b"SUMMARY:Noson wobrwyo" in welsh_file.content and b"Neuadd y Dref" in welsh_file.content
    assert b"SUMMARY:Awards evening" in english_file.content and b"Town Hall" in english_file.content

    invitation = event.invitations.get(placement=world["placement"])
    token = link_token(services.REPLY_LINK_PURPOSE, invitation.token_salt)
    html = client.get(reverse("event_reply:open", args=[token]), follow=True).content.decode()
    assert "Noson wobrwyo</h1>" in html and "Croeso i deuluoedd." in html


def test_the_students_calendar_file_is_worded_in_the_familys_language_without_moving_anything(world):
    from communications.models import JoiningInstructions
    from communications.services import joining_calendar_attachment
    from core.attachments import attachments_make

    JoiningInstructions.objects.filter(programme=world["programme"]).update(venue_name_cy="Gorsaf yr Heddlu")
    english = _english_family(world, first_name="Tom", last_name="Jones")
    welsh_file = joining_calendar_attachment(world["placement"].pk).content.decode()
    english_file = joining_calendar_attachment(english.pk).content.decode()
    assert "Wythnos Profiad Gwaith: diwrnod 1" in welsh_file and "Cyrraedd erbyn" in welsh_file
    assert "Gorsaf yr Heddlu" in welsh_file
    assert "Wythnos Profiad Gwaith: day 1" in english_file and "Arrive by" in english_file
    # The same days in two languages are the same events: neither file raised the other's SEQUENCE.
    assert "SEQUENCE:0" in welsh_file and "SEQUENCE:1" not in english_file
    again = joining_calendar_attachment(world["placement"].pk).content.decode()
    assert "SEQUENCE:1" not in again and attachments_make([("joining-calendar", english.pk)])
