"""An awards ceremony on Monday 20 September 2027 for a July 2027 school week, and the people to invite.

Pupil Minor (15, guardian Gina), Ada Adult (18 on the first day, her own email) and Sam Second (15); School A
has a contact, Red's lead and a force mentor. "Today" is 1 September 2027: replies are open until the 13th.
"""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from core.links import link_token
from events import services
from events.models import Event, Invitation
from placements.models import Placement
from schools.models import Nomination
from tests import factories as f

LONDON = timezone.get_default_timezone()
TODAY = datetime(2027, 9, 1, 10, 0, tzinfo=LONDON)


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), LONDON)


@pytest.fixture
def september():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY.date()


def place(programme, institution, *, syndicate=None, **student):
    nomination = f.NominationFactory(
        programme=programme, institution=institution, status=Nomination.Status.ACCEPTED, **student
    )
    return Placement.objects.create(programme=programme, nomination=nomination, syndicate=syndicate)


@pytest.fixture
def people(programme_a, school_a):
    programme = programme_a
    contact = f.InstitutionContactFactory(institution=school_a, name="Tess Teacher", email="tess@school-a.invalid")
    lead = f.ForcePersonFactory(force=programme.force, name="Larry Lead", email="larry@police.invalid")
    mentor = f.ForcePersonFactory(force=programme.force, name="Mo Mentor", email="mo@police.invalid", is_mentor=True)
    red = f.SyndicateFactory(programme=programme, name="Red", lead=lead)
    minor = place(
        programme,
        school_a,
        syndicate=red,
        first_name="Pupil",
        last_name="Minor",
        guardian_name="Gina Guardian",
        guardian_email="gina@family.invalid",
    )
    adult = place(
        programme,
        school_a,
        syndicate=red,
        first_name="Ada",
        last_name="Adult",
        date_of_birth=date(2009, 7, 1),
        student_email="ada@student.invalid",
        guardian_email="",
    )
    second = place(
        programme, school_a, first_name="Sam", last_name="Second", guardian_name="", guardian_email="sg@family.invalid"
    )
    return {
        "programme": programme,
        "contact": contact,
        "lead": lead,
        "mentor": mentor,
        "minor": minor,
        "adult": adult,
        "second": second,
    }


def ceremony_data(programme, **changes):
    day = date(2027, 9, 20)
    return {
        "kind": Event.Kind.CEREMONY,
        "programme": programme,
        "title": "Awards ceremony: Force A week",
        "description": "Certificates presented by the Chief Constable.",
        "starts_at": at(day, 18),
        "ends_at": at(day, 20),
        "venue": "Town hall",
        "address": "1 High Street\nNorthtown NT1 1AA",
        "capacity": 40,
        "guests_allowed": 2,
        "reply_by": date(2027, 9, 13),
        **changes,
    }


@pytest.fixture
def ceremony(people, coordinator, september):
    programme = people["programme"]
    return services.event_save(force=programme.force, data=ceremony_data(programme), actor=coordinator)


def token_of(invitation: Invitation) -> str:
    invitation.refresh_from_db()
    return link_token(services.REPLY_LINK_PURPOSE, invitation.token_salt)


def invite(event, *kinds, community=(), actor=None):
    services.invitations_add(event=event, kinds=kinds, community=community, actor=actor)
    return {(i.kind, i.placement_id or i.contact_id or i.person_id or i.email): i for i in event.invitations.all()}
