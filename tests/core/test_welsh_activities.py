"""Activities named in Welsh: a Welsh-reading family sees the Welsh name in the student's timetable (page and
email), calendar file and the email about a swapped session; an English family of the same week the name."""

import pytest
from django.urls import reverse

from communications.services import joining_calendar_attachment
from placements.models import Activity, Placement
from schools.models import Nomination
from tests import factories as f
from tests.core.welsh import welsh_world


@pytest.fixture
def world(db):
    world = welsh_world()
    programme = world["programme"]
    syndicate = f.SyndicateFactory(programme=programme, name="Glas")
    Placement.objects.filter(pk=world["placement"].pk).update(syndicate=syndicate)
    english = Placement.objects.create(
        programme=programme,
        syndicate=syndicate,
        nomination=f.NominationFactory(
            programme=programme,
            institution=world["nomination"].institution,
            first_name="Tom",
            last_name="Jones",
            preferred_language="en-gb",
            status=Nomination.Status.ACCEPTED,
        ),
    )
    scene = f.ActivityFactory(force=world["force"], title="Crime scene", title_cy="Safle trosedd", venue="Yard")
    session = f.SessionFactory(programme=programme, activity=scene)
    session.syndicates.add(syndicate)
    return {**world, "english": english, "syndicate": syndicate, "scene": scene, "session": session}


def test_the_timetable_and_calendar_name_the_activity_in_the_familys_language(client, world):
    page = client.get(reverse("joining:open", args=[world["tokens"]["joining"]]), follow=True).content.decode()
    assert "Safle trosedd" in page and "Crime scene" not in page
    welsh_file = joining_calendar_attachment(world["placement"].pk).content.decode()
    english_file = joining_calendar_attachment(world["english"].pk).content.decode()
    assert "SUMMARY:Safle trosedd" in welsh_file and "Crime scene" not in welsh_file
    assert "SUMMARY:Crime scene" in english_file and "Safle trosedd" not in english_file
    # One slot in two languages is one event: neither file moved the other's SEQUENCE.
    again = joining_calendar_attachment(world["placement"].pk).content.decode()
    assert "SEQUENCE:1" not in english_file + again


def test_without_a_welsh_name_welsh_readers_see_the_name(client, world):
    Activity.objects.filter(pk=world["scene"].pk).update(title_cy="")
    page = client.get(reverse("joining:open", args=[world["tokens"]["joining"]]), follow=True).content.decode()
    assert "Crime scene" in page
    assert "SUMMARY:Crime scene" in joining_calendar_attachment(world["placement"].pk).content.decode()


def test_a_swapped_session_is_told_with_each_familys_names(world, django_capture_on_commit_callbacks, mailoutbox):
    from communications.services import joining_instructions_send
    from placements.services import session_replace

    coordinator = world["force"].people.get(is_coordinator=True).user
    with django_capture_on_commit_callbacks(execute=True):
        joining_instructions_send(programme=world["programme"], actor=coordinator)
    mailoutbox.clear()
    talk = f.ActivityFactory(force=world["force"], title="Dog handlers", title_cy="Trinwyr cŵn", is_contingency=True)
    with django_capture_on_commit_callbacks(execute=True):
        session_replace(session=world["session"], activity=talk, actor=coordinator)
    welsh = next(m for m in mailoutbox if m.to == [world["nomination"].consent_email])
    english = next(m for m in mailoutbox if m.to == [world["english"].nomination.consent_email])
    assert "Safle trosedd" in welsh.body and "Trinwyr cŵn" in welsh.body
    assert "Crime scene" not in welsh.body and "Dog handlers" not in welsh.body
    assert "Crime scene" in english.body and "Dog handlers" in english.body


def test_the_coordinator_gives_the_welsh_name_on_the_activity_form(client_for, world):
    from tests.placements.test_programme_setup import ACTIVITY

    coordinator = world["force"].people.get(is_coordinator=True).user
    url = reverse("placements:activity_edit", args=[world["programme"].pk, world["scene"].pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "Name in Welsh" in page
    response = client_for(coordinator).post(
        url, {**ACTIVITY, "community_partner": "Youth forum", "title": "Crime scene", "title_cy": "Lleoliad trosedd"}
    )
    assert response.status_code == 302
    world["scene"].refresh_from_db()
    assert world["scene"].title_cy == "Lleoliad trosedd"
