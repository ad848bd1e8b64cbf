"""A school week (Monday 12 to Friday 16 July 2027) with three confirmed students in two syndicates.

Pupil Minor (15, guardian's email), Ada Adult (18 on the first day, her own email) and Sam Second (15,
no syndicate yet); School A has one contact, School C two. Sessions: a scenario for syndicate Red on
Monday, a demonstration for both on Tuesday, a scenario for Blue on Monday.
"""

from datetime import date, datetime, time

import pytest
import time_machine
from django.utils import timezone

from communications import services
from placements.models import Placement
from schools.models import Nomination
from tests import factories as f

BEFORE = datetime(2027, 6, 1, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def june():
    """Six weeks before the week: everything can still be written and sent."""
    with time_machine.travel(BEFORE, tick=False):
        yield BEFORE.date()


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), timezone.get_default_timezone())


def place(programme, institution, *, syndicate=None, **student):
    nomination = f.NominationFactory(
        programme=programme, institution=institution, status=Nomination.Status.ACCEPTED, **student
    )
    return Placement.objects.create(programme=programme, nomination=nomination, syndicate=syndicate)


@pytest.fixture
def week(programme_a, school_a):
    programme = programme_a
    f.InstitutionContactFactory(institution=school_a, name="Tess Teacher", email="tess@school-a.invalid")
    school_c = f.InstitutionFactory(force=programme.force, name="School C")
    f.InstitutionContactFactory(institution=school_c, name="Cal Careers", email="cal@school-c.invalid")
    f.InstitutionContactFactory(institution=school_c, name="Con Deputy", email="con@school-c.invalid")
    f.InstitutionContactFactory(institution=school_c, name="Old Contact", email="old@school-c.invalid", is_active=False)
    dogs = f.DepartmentFactory(force=programme.force, name="Dog Unit")
    air = f.DepartmentFactory(force=programme.force, name="Air Support")
    red = f.SyndicateFactory(programme=programme, name="Red")
    blue = f.SyndicateFactory(programme=programme, name="Blue")
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
        school_c,
        syndicate=blue,
        first_name="Ada",
        last_name="Adult",
        date_of_birth=date(2009, 7, 1),
        student_email="ada@student.invalid",
        guardian_email="",
    )
    second = place(programme, school_a, first_name="Sam", last_name="Second", guardian_email="sg@family.invalid")
    search = f.ActivityFactory(
        force=programme.force, title="Premises search with dogs", department=dogs, venue="Dog training centre"
    )
    drones = f.ActivityFactory(
        force=programme.force, title="Drones demonstration", department=air, venue="Airfield", kind="demonstration"
    )
    forensics = f.ActivityFactory(force=programme.force, title="Vehicle forensics", department=dogs, venue="Garage")
    monday, tuesday = date(2027, 7, 12), date(2027, 7, 13)
    s_search = f.SessionFactory(programme=programme, activity=search, starts_at=at(monday, 10), ends_at=at(monday, 12))
    s_search.syndicates.add(red)
    s_drones = f.SessionFactory(
        programme=programme, activity=drones, starts_at=at(tuesday, 13), ends_at=at(tuesday, 15)
    )
    s_drones.syndicates.add(red, blue)
    s_forensics = f.SessionFactory(
        programme=programme, activity=forensics, starts_at=at(monday, 10), ends_at=at(monday, 12)
    )
    s_forensics.syndicates.add(blue)
    return {
        "programme": programme,
        "minor": minor,
        "adult": adult,
        "second": second,
        "red": red,
        "blue": blue,
        "dogs": dogs,
        "air": air,
        "search": s_search,
        "drones": s_drones,
        "forensics": s_forensics,
    }


def written(programme, actor=None, **changes):
    data = {
        **services.joining_defaults(programme),
        "venue_address": "1 Station Road\nNorthtown NT1 1AA",
        "venue_map_url": "https://www.openstreetmap.org/?mlat=51.5&mlon=-0.1",
        "contact_phone": "01234 567890",
        **changes,
    }
    return services.joining_instructions_save(programme=programme, data=data, actor=actor)
