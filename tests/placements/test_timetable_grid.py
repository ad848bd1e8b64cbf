"""The week grid shows who is free in each slot and flags two activities at the same place and time."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from placements import selectors
from placements.models import Activity, Session
from tests import factories as f

pytestmark = pytest.mark.django_db


def _at(programme, day_index, hour, minute=0):
    day = programme.days[day_index]
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def plan(programme_a):
    syndicates = [f.SyndicateFactory(programme=programme_a, name=f"Syndicate {n}") for n in "ABCD"]
    dogs = f.ActivityFactory(force=programme_a.force, slug="dogs", title="Police dogs", venue="Training Centre")
    drones = f.ActivityFactory(force=programme_a.force, slug="drones", title="Drones", venue="training centre ")
    cars = f.ActivityFactory(force=programme_a.force, slug="cars", title="Road policing", venue="Garage")
    talk = f.ActivityFactory(
        force=programme_a.force, slug="talk", title="Welcome talk", kind=Activity.Kind.DEMONSTRATION, venue="Hall"
    )

    def session(activity, day, hour, minute, *groups):
        made = Session.objects.create(
            programme=programme_a,
            activity=activity,
            starts_at=_at(programme_a, day, hour, minute),
            ends_at=_at(programme_a, day, hour + 2, minute),
        )
        made.syndicates.add(*groups)
        return made

    session(talk, 0, 9, 0)  # everyone, Monday 09:00
    session(dogs, 0, 11, 15, syndicates[0])  # Monday 11:15: only A is busy
    session(drones, 1, 11, 15, syndicates[1])  # Tuesday 11:15: dogs and drones, same venue (case, spaces)
    session(dogs, 1, 11, 15, syndicates[2])
    session(cars, 1, 9, 0, syndicates[3])
    return programme_a, syndicates


def _cell(grid, day_index, start_hour):
    row = next(r for r in grid["rows"] if not r["is_break"] and r["start"].hour == start_hour)
    return row["cells"][day_index]


def test_each_slot_lists_the_syndicates_with_nothing_planned(plan):
    programme, syndicates = plan
    grid = selectors.week_grid(
        programme=programme, sessions=selectors.timetable(programme=programme), syndicates=syndicates
    )
    assert _cell(grid, 0, 9)["free"] == []  # a demonstration is for everyone
    assert [s.name for s in _cell(grid, 0, 11)["free"]] == ["Syndicate B", "Syndicate C", "Syndicate D"]
    assert [s.name for s in _cell(grid, 1, 9)["free"]] == ["Syndicate A", "Syndicate B", "Syndicate C"]
    assert [s.name for s in _cell(grid, 2, 14)["free"]] == [s.name for s in syndicates]


def test_two_activities_at_the_same_venue_and_time_are_a_clash(plan):
    programme, syndicates = plan
    grid = selectors.week_grid(
        programme=programme, sessions=selectors.timetable(programme=programme), syndicates=syndicates
    )
    assert [{s.activity.title for s in c["sessions"]} for c in grid["clashes"]] == [{"Police dogs", "Drones"}]
    assert _cell(grid, 1, 11)["clashes"] and not _cell(grid, 0, 11)["clashes"]
    Session.objects.filter(activity__slug="drones").update(status=Session.Status.CANCELLED)
    regrid = selectors.week_grid(programme=programme, sessions=selectors.timetable(programme=programme))
    assert regrid["clashes"] == []  # a cancelled session is not at the venue


def test_the_timetable_page_shows_free_time_and_the_clash_on_desktop_and_phone(plan, coordinator, client_for):
    programme, _ = plan
    page = client_for(coordinator).get(reverse("placements:timetable", args=[programme.pk])).content.decode()
    assert "Two activities at the same place and time" in page
    assert "Drones and Police dogs are both at training centre on Tuesday at 11:15" in page
    free_on_monday_late_morning = '<span class="fw-semibold">Free:</span> Syndicate B, Syndicate C, Syndicate D<'
    assert page.count(free_on_monday_late_morning) == 2  # the grid and the day-by-day list for a phone
    assert 'class="d-md-none"' in page
