"""Property tests: every plan the builder and the generator make keeps every hard rule."""

import math
from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from placements.planning import (
    DEMONSTRATION,
    SCENARIO,
    ActivityRecord,
    LeadRecord,
    PlanningError,
    StudentRecord,
    SyndicateRecord,
    Unavailable,
    build_syndicates,
    check_timetable,
    generate_timetable,
    vetting_warning,
)

START, END = date(2027, 7, 12), date(2027, 7, 16)
WEEK = [START + timedelta(days=i) for i in range(5)]


students_strategy = st.lists(
    st.tuples(st.integers(0, 6), st.booleans(), st.sampled_from(["", "female", "male", "non_binary"])),
    min_size=0,
    max_size=40,
).map(lambda rows: [StudentRecord(i + 1, school, support, gender) for i, (school, support, gender) in enumerate(rows)])


@settings(max_examples=300, deadline=None)
@given(students=students_strategy, size=st.integers(1, 6))
def test_syndicate_builder_keeps_its_rules(students, size):
    plan = build_syndicates(students, size=size, start=START, end=END)
    placed = [s for group in plan.groups for s in group]
    assert sorted(placed) == sorted(s.id for s in students)  # everyone exactly once
    if not students:
        return
    assert len(plan.groups) == math.ceil(len(students) / size)
    sizes = [len(g) for g in plan.groups]
    assert max(sizes) <= size and max(sizes) - min(sizes) <= 1
    by_id = {s.id: s for s in students}
    per_school = Counter(s.institution for s in students)
    for group in plan.groups:
        schools = Counter(by_id[s].institution for s in group)
        for school, count in schools.items():
            # Two from one school only when that school has more students than there are syndicates.
            assert count <= math.ceil(per_school[school] / len(plan.groups))
    support = [sum(by_id[s].has_support_needs for s in g) for g in plan.groups]
    total_support = sum(support)
    assert max(support) <= math.ceil(total_support / len(plan.groups)) + 1
    assert plan.explanation
    assert build_syndicates(list(reversed(students)), size=size, start=START, end=END) == plan  # deterministic


def test_builder_mixes_schools_and_spreads_support_needs():
    students = [StudentRecord(i, institution=i // 4, has_support_needs=i < 4) for i in range(16)]
    plan = build_syndicates(students, size=4, start=START, end=END)
    for group in plan.groups:
        assert len({g // 4 for g in group}) == 4  # four schools in every syndicate
        assert sum(1 for g in group if g < 4) == 1  # one student with support needs each
    assert "no two from the same school" in plan.explanation


def test_builder_assigns_only_leads_vetted_through_the_programme_and_warns():
    leads = [
        LeadRecord(1, "Expired", date(2027, 7, 14)),  # runs out mid-week
        LeadRecord(2, "Soon", date(2027, 7, 20)),
        LeadRecord(3, "Fine", date(2030, 1, 1)),
        LeadRecord(4, "Unknown", None),
    ]
    students = [StudentRecord(i, i) for i in range(8)]
    plan = build_syndicates(students, size=4, leads=leads, start=START, end=END, today=date(2027, 7, 1))
    assert sorted(plan.leads) == [2, 3]
    assert any("Soon" in w and "within 30 days" in w for w in plan.warnings)
    assert not any("Fine" in w for w in plan.warnings)


@pytest.mark.parametrize(
    ("days_left", "band"), [(100, None), (60, 60), (31, 60), (30, 30), (8, 30), (7, 7), (0, 7), (-3, 7)]
)
def test_vetting_warning_bands(days_left, band):
    today = date(2027, 1, 1)
    assert vetting_warning(today + timedelta(days=days_left), today=today) == band


@st.composite
def programmes(draw):
    day_count = draw(st.integers(1, 5))
    departments = draw(st.integers(1, 5))
    scenario_count = draw(st.integers(0, 7))
    demo_count = draw(st.integers(0, 3))
    syndicate_count = draw(st.integers(1, 12))
    lead_pool = draw(st.integers(1, syndicate_count))
    activities = []
    for i in range(scenario_count + demo_count):
        kind = SCENARIO if i < scenario_count else DEMONSTRATION
        activities.append(
            ActivityRecord(
                id=i + 1,
                title=f"A{i + 1}",
                kind=kind,
                department=draw(st.one_of(st.none(), st.integers(1, departments))),
                capacity=None if kind == DEMONSTRATION else draw(st.integers(1, 6)),
                duration_minutes=draw(st.sampled_from([60, 90, 120])),
            )
        )
    if not activities:
        activities.append(ActivityRecord(id=1, title="A1"))
    syndicates = [
        SyndicateRecord(id=i + 1, name=f"S{i + 1}", lead=draw(st.integers(1, lead_pool)))
        for i in range(syndicate_count)
    ]
    days = WEEK[:day_count]
    unavailable = []
    for _ in range(draw(st.integers(0, 4))):
        day = draw(st.sampled_from(days))
        start = draw(st.sampled_from([time(9), time(11), time(13), time(15)]))
        begin = datetime.combine(day, start)
        unavailable.append(Unavailable(draw(st.integers(1, departments)), begin, begin + timedelta(hours=2)))
    return days, activities, syndicates, unavailable


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(programmes())
def test_every_generated_timetable_keeps_every_hard_rule(programme):
    days, activities, syndicates, unavailable = programme
    try:
        sessions = generate_timetable(days=days, activities=activities, syndicates=syndicates, unavailable=unavailable)
    except PlanningError as error:
        assert str(error)  # a clear message, never a crash of another kind
        return
    assert (
        check_timetable(sessions, activities=activities, syndicates=syndicates, unavailable=unavailable, days=days)
        == []
    )


def test_the_school_week_shape_fits():
    """Four syndicates, five one-at-a-time scenarios (two from one department), five demonstrations."""
    activities = [ActivityRecord(i, f"Scenario {i}", department=min(i, 4)) for i in range(1, 6)] + [
        ActivityRecord(i, f"Demo {i}", kind=DEMONSTRATION, department=i, capacity=None) for i in range(6, 11)
    ]
    syndicates = [SyndicateRecord(i, f"Syndicate {i}", lead=i) for i in range(1, 5)]
    unavailable = [Unavailable(6, datetime(2027, 7, 12, 9), datetime(2027, 7, 16, 17))]  # air service away all week
    with pytest.raises(PlanningError, match="demonstration “Demo 6”"):
        generate_timetable(days=WEEK, activities=activities, syndicates=syndicates, unavailable=unavailable)
    sessions = generate_timetable(days=WEEK, activities=activities, syndicates=syndicates)
    assert check_timetable(sessions, activities=activities, syndicates=syndicates) == []
    assert generate_timetable(days=WEEK, activities=activities, syndicates=syndicates) == sessions


def test_department_overload_names_the_constraint():
    activities = [ActivityRecord(i, f"CSI {i}", department=1, capacity=1) for i in range(1, 4)]
    syndicates = [SyndicateRecord(i, f"S{i}") for i in range(1, 5)]
    with pytest.raises(PlanningError, match="department double-booking"):
        generate_timetable(days=WEEK[:3], activities=activities, syndicates=syndicates)


def test_capacity_shortfall_names_the_constraint():
    activities = [ActivityRecord(1, "Dogs", capacity=1)]
    syndicates = [SyndicateRecord(i, f"S{i}") for i in range(1, 5)]
    with pytest.raises(PlanningError, match="activity capacity"):
        generate_timetable(days=WEEK[:1], activities=activities, syndicates=syndicates)


def test_an_activity_longer_than_the_programme_names_the_days():
    """Inputs may be longer than a slot (see test_long_sessions.py), but not longer than the days allow."""
    with pytest.raises(PlanningError, match="longer than the programme's 2 working day"):
        generate_timetable(
            days=WEEK[:2],
            activities=[ActivityRecord(1, "Long", duration_minutes=3 * 360)],
            syndicates=[SyndicateRecord(1, "S")],
        )


def test_check_timetable_catches_a_double_booking():
    """The checker the property test relies on is not toothless."""
    activities = [ActivityRecord(1, "A"), ActivityRecord(2, "B")]
    syndicates = [SyndicateRecord(1, "S1", lead=7)]
    at = datetime(2027, 7, 12, 9)
    from placements.planning import PlannedSession

    clash = [PlannedSession(1, at, at + timedelta(hours=2), (1,)), PlannedSession(2, at, at + timedelta(hours=2), (1,))]
    assert "a syndicate is double-booked" in check_timetable(clash, activities=activities, syndicates=syndicates)


@st.composite
def roomy_programmes(draw):
    syndicate_count = draw(st.integers(1, 16))
    scenario_count = draw(st.integers(1, 8))
    demo_count = draw(st.integers(0, 4))
    activities = [
        ActivityRecord(
            i + 1,
            f"S{i + 1}",
            department=draw(st.one_of(st.none(), st.just(i + 1))),
            capacity=draw(st.integers(math.ceil(syndicate_count / 2), syndicate_count)),
        )
        for i in range(scenario_count)
    ] + [ActivityRecord(100 + i, f"D{i}", kind=DEMONSTRATION, capacity=None) for i in range(demo_count)]
    syndicates = [SyndicateRecord(i + 1, f"S{i + 1}", lead=i + 1) for i in range(syndicate_count)]
    return activities, syndicates


@settings(max_examples=200, deadline=None)
@given(roomy_programmes())
def test_a_roomy_week_always_gets_a_timetable(programme):
    """The generator is not allowed to give up on weeks with plenty of room (it is not a stub that always refuses)."""
    activities, syndicates = programme
    sessions = generate_timetable(days=WEEK, activities=activities, syndicates=syndicates)
    assert check_timetable(sessions, activities=activities, syndicates=syndicates) == []


def test_exact_search_finds_a_plan_the_quick_heuristics_miss():
    """Two days, two departments each delivering several scenarios: the rotation and the greedy
    search both fail, the integer programme finds a plan, and the plan keeps every rule."""
    from placements import planning

    days = WEEK[:2]
    activities = [
        ActivityRecord(1, "S1", department=2, capacity=3),
        ActivityRecord(2, "S2", department=2, capacity=3),
        ActivityRecord(3, "S3", department=2, capacity=3),
        ActivityRecord(4, "S4", department=1, capacity=1),
        ActivityRecord(5, "S5", department=1, capacity=4),
    ]
    syndicates = [SyndicateRecord(i, f"Y{i}", lead=i) for i in range(1, 5)]
    slots = planning.day_slots(days)
    free = sorted(range(len(slots)), key=lambda i: (i % 3, i // 3))
    assert planning._rotate_scenarios(activities, syndicates, slots, free, ()) is None
    assert not isinstance(planning._place_scenarios(activities, syndicates, slots, free, (), rotate=0), list)
    sessions = generate_timetable(days=days, activities=activities, syndicates=syndicates)
    assert check_timetable(sessions, activities=activities, syndicates=syndicates, days=days) == []


def test_contingency_options_fit_the_slot_the_syndicates_and_the_department():
    from placements.planning import ScheduledSession, contingency_options

    at = datetime(2027, 7, 12, 9)
    cancelled = ScheduledSession(1, 10, at, at + timedelta(hours=2), (1, 2))
    busy = ScheduledSession(2, 20, at, at + timedelta(hours=2), (3,))  # department 20 is out delivering
    done = ScheduledSession(5, None, at + timedelta(days=1), at + timedelta(days=1, hours=2), (2,))
    candidates = [
        ActivityRecord(3, "Fits", department=30, capacity=2),
        ActivityRecord(4, "Too small", department=30, capacity=1),
        ActivityRecord(5, "Already done by syndicate 2", capacity=None),
        ActivityRecord(6, "Department busy", department=20, capacity=None),
        ActivityRecord(7, "Too long", capacity=None, duration_minutes=150),
        ActivityRecord(8, "Department away", department=40, capacity=None),
        ActivityRecord(9, "Partner-led", capacity=None, kind=DEMONSTRATION),
    ]
    away = [Unavailable(40, at, at + timedelta(hours=1))]
    options = contingency_options(
        cancelled=cancelled, candidates=candidates, sessions=[busy, done], syndicates=[1, 2, 3], unavailable=away
    )
    assert [a.title for a in options] == ["Fits", "Partner-led"]


leads_strategy = st.lists(
    st.tuples(st.text(min_size=1, max_size=5), st.one_of(st.none(), st.integers(-30, 400))), max_size=8
).map(
    lambda rows: [
        LeadRecord(i + 1, name, None if days is None else START + timedelta(days=days))
        for i, (name, days) in enumerate(rows)
    ]
)


@settings(max_examples=200, deadline=None)
@given(students=students_strategy, leads=leads_strategy)
def test_builder_only_ever_assigns_leads_vetted_through_the_programme(students, leads):
    plan = build_syndicates(students, size=4, leads=leads, start=START, end=END, today=START - timedelta(days=20))
    by_id = {lead.id: lead for lead in leads}
    assigned = [lead for lead in plan.leads if lead is not None]
    assert len(assigned) == len(set(assigned))  # nobody leads two syndicates
    for lead_id in assigned:
        assert by_id[lead_id].vetting_expires_on is not None and by_id[lead_id].vetting_expires_on >= END
    vetted = sum(1 for lead in leads if lead.vetting_expires_on is not None and lead.vetting_expires_on >= END)
    assert len(assigned) == min(vetted, len(plan.groups))
