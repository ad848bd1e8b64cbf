"""A planned week for force A: 16 students from four schools, four syndicates, a catalogue, a timetable."""

from datetime import date

import pytest

from placements import services
from placements.models import Activity
from tests import factories as f


def add_students(programme, count, *, schools=None, prefix="S"):
    schools = schools or [f.InstitutionFactory(force=programme.force) for _ in range(4)]
    placements = []
    for index in range(count):
        placements.append(
            f.PlacementFactory(
                programme=programme,
                nomination__institution=schools[index % len(schools)],
                nomination__last_name=f"{prefix}{index:03d}",
                nomination__support_needs="Short steps" if index % 5 == 0 else "",
                nomination__gender=["female", "male"][index % 2],
            )
        )
    return placements


def catalogue(force):
    dogs = f.DepartmentFactory(force=force, name="Dog Unit")
    csi = f.DepartmentFactory(force=force, name="CSI")
    air = f.DepartmentFactory(force=force, name="Air")
    nhood = f.DepartmentFactory(force=force, name="Neighbourhood", is_specialist=False)
    return {
        "dogs": f.ActivityFactory(
            force=force, title="Premises search", department=dogs, syndicate_capacity=1, staff_needed=3
        ),
        "cars": f.ActivityFactory(force=force, title="Vehicle forensics", department=csi, syndicate_capacity=2),
        "air": f.ActivityFactory(
            force=force, title="Helicopter", kind=Activity.Kind.DEMONSTRATION, department=air, syndicate_capacity=None
        ),
        "beat": f.ActivityFactory(
            force=force,
            title="Beat walk",
            department=nhood,
            syndicate_capacity=None,
            is_contingency=True,
            venue="Town centre",
        ),
        "voices": f.ActivityFactory(
            force=force,
            title="Community voices",
            kind=Activity.Kind.DEMONSTRATION,
            community_partner="Youth Forum",
            syndicate_capacity=None,
            is_contingency=True,
        ),
    }


@pytest.fixture
def week(programme_a, coordinator, lead):
    """programme_a planned: syndicates built and led, a timetable generated."""
    add_students(programme_a, 16)
    first = programme_a.syndicates.get()  # the `lead` fixture's syndicate, led by lead-a
    first.delete()
    leads = [lead.force_person] + [
        f.ForcePersonFactory(force=programme_a.force, name=f"Lead {n}", vetting_expires_on=date(2030, 1, 1))
        for n in range(3)
    ]
    services.syndicates_build(programme=programme_a, size=4, leads=leads, actor=coordinator)
    activities = catalogue(programme_a.force)
    chosen = [activities["dogs"], activities["cars"], activities["air"]]
    services.timetable_generate(programme=programme_a, activities=chosen, actor=coordinator)
    programme_a.activities = activities
    return programme_a
