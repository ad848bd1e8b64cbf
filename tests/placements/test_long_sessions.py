"""Long, multi-day and shared sessions, idle time filled, and several programmes planned side by side."""

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from placements.planning import (
    DAY_MINUTES,
    DEMONSTRATION,
    SCENARIO,
    ActivityRecord,
    Busy,
    PlannedSession,
    PlanningError,
    SyndicateRecord,
    Unavailable,
    bookings_busy,
    check_timetable,
    consecutive_week_busy,
    describe_minutes,
    double_bookings,
    parse_length,
    plan_week,
)

MONDAY = date(2027, 7, 12)


def working_days(start, count):
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


WEEK = working_days(MONDAY, 5)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("90", 90),
        ("90 minutes", 90),
        ("2 hours", 120),
        ("1 hour 30 minutes", 90),
        ("1.5 h", 90),
        ("an hour and 15 mins", 75),
        ("half day", 240),
        ("Full day", DAY_MINUTES),
        ("2 days", 2 * DAY_MINUTES),
        ("five hours", 300),
    ],
)
def test_lengths_in_plain_words(text, minutes):
    assert parse_length(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "2 fortnights", "1.01 minutes", "-3 hours"])
def test_unreadable_lengths_say_how_to_write_them(text):
    with pytest.raises(PlanningError):
        parse_length(text)


def test_lengths_are_described_in_words():
    assert describe_minutes(120) == "2 hours"
    assert describe_minutes(90) == "1 hour 30 minutes"
    assert describe_minutes(240) == "half a day (4 hours)"
    assert describe_minutes(DAY_MINUTES) == "1 full day"
    assert describe_minutes(2 * DAY_MINUTES) == "2 days"


def test_a_full_day_and_a_two_day_shared_session_keep_breaks_and_the_days():
    recruits = ActivityRecord(
        1,
        "Recruits' public order day",
        kind=DEMONSTRATION,
        capacity=None,
        duration_minutes=2 * DAY_MINUTES,
        department=5,
        venue="Training school",
        staff=(900,),
        shared_with="Recruits' class 27/3",
    )
    community = ActivityRecord(2, "Community input", department=None, capacity=2, duration_minutes=300)
    short = [ActivityRecord(10 + i, f"S{i}", department=i, capacity=2) for i in range(3)]
    syndicates = [SyndicateRecord(i, f"Syndicate {i}", lead=i) for i in range(1, 5)]
    activities = [recruits, community, *short]
    plan = plan_week(days=WEEK, activities=activities, syndicates=syndicates)
    assert check_timetable(plan.sessions, activities=activities, syndicates=syndicates, days=WEEK) == []
    recruit_parts = [s for s in plan.sessions if s.activity == 1]
    assert len(recruit_parts) == 6 and {s.parts for s in recruit_parts} == {6}
    assert len({s.starts_at.date() for s in recruit_parts}) == 2  # two days in a row
    assert recruit_parts[0].starts_at.time() == time(9, 0)
    five_hours = [s for s in plan.sessions if s.activity == 2]
    # 5 hours: two inputs and an hour after lunch, the same day, for each group of two syndicates
    assert sorted({(s.ends_at - s.starts_at) for s in five_hours}) == [timedelta(hours=1), timedelta(hours=2)]
    assert all(s.starts_at.time() != time(11, 0) for s in plan.sessions)  # the break stays free


def test_check_timetable_catches_a_long_session_cut_short_and_a_venue_clash():
    """The checker the property tests rely on is not toothless."""
    long = ActivityRecord(1, "Long", duration_minutes=240, venue="Hall")
    other = ActivityRecord(2, "Other", venue="hall ")
    syndicates = [SyndicateRecord(1, "S1", lead=1), SyndicateRecord(2, "S2", lead=2)]
    at = datetime(2027, 7, 12, 9)
    cut = [
        PlannedSession(1, at, at + timedelta(hours=2), (1,), part=1, parts=2),
        PlannedSession(1, at, at + timedelta(hours=2), (2,), part=1, parts=2),
        PlannedSession(2, at + timedelta(hours=2, minutes=15), at + timedelta(hours=4, minutes=15), (1, 2), 1, 1),
    ]
    problems = check_timetable(cut, activities=[long, other], syndicates=syndicates)
    assert "syndicate 1 has Long for the wrong length" in problems
    assert "a venue is double-booked" in problems


def test_idle_slots_are_filled_from_contingency_inputs_and_the_rest_explained():
    """The demo's shape: four syndicates, five one-at-a-time scenarios, five demonstrations."""
    activities = [ActivityRecord(i, f"Scenario {i}", department=min(i, 4)) for i in range(1, 6)] + [
        ActivityRecord(i, f"Demo {i}", kind=DEMONSTRATION, department=i, capacity=None) for i in range(6, 11)
    ]
    syndicates = [SyndicateRecord(i, f"Syndicate {i}", lead=i) for i in range(1, 5)]
    bare = plan_week(days=WEEK, activities=activities, syndicates=syndicates)
    assert sum(len(item.syndicates) for item in bare.idle) == 20
    assert all("no contingency or community activity in the catalogue" in i.reason for i in bare.idle)
    fillers = [
        ActivityRecord(20, "Neighbourhood walk", department=20, capacity=2),
        ActivityRecord(21, "Stop and search role-play", department=21, capacity=2),
        ActivityRecord(22, "Careers talk", department=22, capacity=None, venue="Lecture theatre"),
        ActivityRecord(23, "Reflection", capacity=None),
        ActivityRecord(24, "Victim support charity", capacity=2),
    ]
    full = plan_week(days=WEEK, activities=activities, syndicates=syndicates, fillers=fillers)
    assert full.idle == []
    assert (
        check_timetable(full.sessions, activities=activities, syndicates=syndicates, days=WEEK, fillers=fillers) == []
    )
    assert [s for s in full.sessions if not s.filler] == bare.sessions
    few = plan_week(days=WEEK, activities=activities, syndicates=syndicates, fillers=fillers[:1])
    reasons = {item.reason for item in few.idle}
    assert reasons == {
        "They have already done every contingency and community activity.",
        "No contingency or community activity they have not done can run then "
        "(“Neighbourhood walk”: its department is busy then).",
    }


def test_a_department_that_cannot_run_weeks_in_a_row_is_held_the_weeks_around():
    booked = working_days(MONDAY, 5)
    next_week = working_days(MONDAY + timedelta(days=7), 5)
    same_week = working_days(MONDAY + timedelta(days=2), 3)
    held = consecutive_week_busy(department=3, booked_days=booked, days=next_week + same_week, reason="r")
    assert {b.starts_at.date() for b in held} == set(next_week)
    far = working_days(MONDAY + timedelta(days=14), 5)
    assert consecutive_week_busy(department=3, booked_days=booked, days=far, reason="r") == []


@st.composite
def force_weeks(draw):
    """Two to four programmes of one force, in overlapping weeks, sharing departments, leads, venues and staff."""
    departments = draw(st.integers(2, 6))
    venues = ["", "Hall", "Gym", "Training school"]
    people = draw(st.integers(3, 14))
    programmes = []
    next_id = 1
    for number in range(draw(st.integers(2, 4))):
        start = MONDAY + timedelta(days=draw(st.sampled_from([0, 0, 1, 2, 7])))
        days = working_days(start, draw(st.integers(2, 5)))
        activities = []
        for i in range(draw(st.integers(1, 6))):
            kind = draw(st.sampled_from([SCENARIO, SCENARIO, DEMONSTRATION]))
            activities.append(
                ActivityRecord(
                    id=next_id,
                    title=f"P{number}A{i}",
                    kind=kind,
                    department=draw(st.one_of(st.none(), st.integers(1, departments))),
                    capacity=None if kind == DEMONSTRATION else draw(st.integers(1, 6)),
                    duration_minutes=draw(st.sampled_from([60, 120, 180, 240, 300, DAY_MINUTES, 2 * DAY_MINUTES])),
                    venue=draw(st.sampled_from(venues)),
                    staff=tuple(draw(st.sets(st.integers(1000, 1000 + people), max_size=2))),
                    shared_with=draw(st.sampled_from(["", "Recruits' class"])),
                )
            )
            next_id += 1
        count = draw(st.integers(1, 8))
        syndicates = [
            SyndicateRecord(id=100 * (number + 1) + i, name=f"P{number}S{i}", lead=1000 + draw(st.integers(0, people)))
            for i in range(count)
        ]
        fillers = [
            ActivityRecord(
                id=next_id + i,
                title=f"P{number}F{i}",
                department=draw(st.one_of(st.none(), st.integers(1, departments))),
                capacity=draw(st.one_of(st.none(), st.integers(1, 4))),
                venue=draw(st.sampled_from(venues)),
            )
            for i in range(draw(st.integers(0, 3)))
        ]
        next_id += 10
        unavailable = [
            Unavailable(draw(st.integers(1, departments)), datetime.combine(d, time(9)), datetime.combine(d, time(13)))
            for d in draw(st.lists(st.sampled_from(days), max_size=2))
        ]
        programmes.append((days, activities, syndicates, fillers, unavailable))
    return programmes


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(force_weeks())
def test_no_department_lead_venue_or_syndicate_is_double_booked_across_programmes(programmes):
    made = []  # (sessions, activities + fillers, syndicates) of every programme planned so far
    for days, activities, syndicates, fillers, unavailable in programmes:
        busy = [
            item
            for sessions, known, others in made
            for item in bookings_busy(sessions, activities=known, syndicates=others, reason="booked elsewhere")
        ]
        try:
            plan = plan_week(
                days=days,
                activities=activities,
                syndicates=syndicates,
                unavailable=unavailable,
                busy=busy,
                fillers=fillers,
            )
        except PlanningError as error:
            assert str(error)  # a clear message, never a crash of another kind
            continue
        assert (
            check_timetable(
                plan.sessions,
                activities=activities,
                syndicates=syndicates,
                unavailable=unavailable,
                days=days,
                busy=busy,
                fillers=fillers,
            )
            == []
        )
        made.append((plan.sessions, activities + fillers, syndicates))
        idle = {(i.starts_at, s) for i in plan.idle for s in i.syndicates}
        busy_at = {(s.starts_at, y) for s in plan.sessions for y in s.syndicates}
        assert not idle & busy_at  # a syndicate said to be free has nothing on
    assert double_bookings(made) == []


def test_planning_a_second_week_avoids_what_the_first_holds():
    dogs = ActivityRecord(1, "Dogs", department=7, capacity=4, duration_minutes=DAY_MINUTES, venue="Kennels")
    first = plan_week(days=WEEK[:1], activities=[dogs], syndicates=[SyndicateRecord(1, "A", lead=50)])
    busy = bookings_busy(first.sessions, activities=[dogs], syndicates=[SyndicateRecord(1, "A", lead=50)], reason="x")
    with pytest.raises(PlanningError, match="no run of slots"):
        plan_week(days=WEEK[:1], activities=[dogs], syndicates=[SyndicateRecord(2, "B", lead=51)], busy=busy)
    second = plan_week(days=WEEK[:2], activities=[dogs], syndicates=[SyndicateRecord(2, "B", lead=51)], busy=busy)
    assert {s.starts_at.date() for s in second.sessions} == {WEEK[1]}
    assert isinstance(busy[0], Busy)
