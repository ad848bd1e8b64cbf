"""The selection assistant for linked weeks (pure function): one round, several weeks, students' choices."""

import random
from decimal import Decimal

from hypothesis import given, settings, strategies as st

from schools.selection import Candidate, Week, acceptable_weeks, propose_cohort, propose_weeks


def _c(id, inst, *, weeks=(), send=False, area="A1", idaci=5, consent=True):
    return Candidate(
        id=id,
        institution_id=inst,
        area=area,
        is_send=send,
        idaci_decile=idaci,
        fsm_pct=Decimal(20),
        has_consent=consent,
        weeks=tuple(weeks),
    )


def _placed(picks):
    return {p.candidate.id: p.week_id for p in picks if p.selected}


WEEK_1 = Week(id=1, capacity=2, label="Week 1")
WEEK_2 = Week(id=2, capacity=2, label="Week 2")


def test_first_choices_are_honoured_and_each_reason_names_the_week():
    pool = [_c(1, 1, weeks=[1]), _c(2, 2, weeks=[2, 1]), _c(3, 3, weeks=[2]), _c(4, 4)]
    picks = propose_weeks(pool, [WEEK_1, WEEK_2])
    assert _placed(picks) == {1: 1, 2: 2, 3: 2, 4: 1}
    reasons = {p.candidate.id: p.reason for p in picks}
    assert reasons[1].endswith("Week 1 (first choice)")
    assert reasons[4].endswith("Week 1 (any week suits)")


def test_a_second_choice_is_used_when_that_lets_someone_else_in():
    # Two want only week 2 (capacity 2); the third would rather week 2 but can do week 1.
    pool = [_c(1, 1, weeks=[2]), _c(2, 2, weeks=[2]), _c(3, 3, weeks=[2, 1])]
    placed = _placed(propose_weeks(pool, [WEEK_1, WEEK_2]))
    assert placed == {1: 2, 2: 2, 3: 1}


def test_nobody_goes_to_a_week_they_did_not_choose_they_wait_instead():
    pool = [_c(i, i, weeks=[1]) for i in range(1, 5)]
    picks = propose_weeks(pool, [WEEK_1, WEEK_2])
    assert set(_placed(picks).values()) == {1}
    assert len(_placed(picks)) == 2
    waiting = [p for p in picks if p.waitlist_rank]
    assert [p.waitlist_rank for p in waiting] == [1, 2]
    assert all("the weeks they can do are full" in p.reason for p in waiting)


def test_choices_outside_the_round_are_ignored_and_none_left_means_no_place():
    assert acceptable_weeks(_c(1, 1, weeks=[9, 2, 2]), {1, 2}) == (2,)
    picks = propose_weeks([_c(1, 1, weeks=[9])], [WEEK_1, WEEK_2])
    assert not _placed(picks)
    assert "none of the weeks they can do" in picks[0].reason


def test_the_institution_cap_holds_across_the_round():
    pool = [_c(i, 1) for i in range(1, 6)]
    picks = propose_weeks(pool, [WEEK_1, WEEK_2], cap_per_institution=2)
    assert len(_placed(picks)) == 2
    assert any("cap" in p.reason for p in picks if not p.selected)


def test_students_happy_with_any_week_are_spread_evenly():
    pool = [_c(i, i) for i in range(1, 5)]
    assert sorted(_placed(propose_weeks(pool, [WEEK_1, WEEK_2])).values()) == [1, 1, 2, 2]


def test_reserved_send_places_across_the_round_go_first():
    weeks = [Week(id=1, capacity=2, reserved_send=1), Week(id=2, capacity=1)]
    pool = [_c(i, i, idaci=1) for i in range(1, 5)] + [_c(10, 10, send=True, idaci=10)]
    assert 10 in _placed(propose_weeks(pool, weeks))


candidate_lists = st.lists(
    st.tuples(
        st.integers(1, 5),  # institution
        st.sampled_from(["A1", "A2", "A3"]),
        st.booleans(),  # SEND
        st.integers(1, 10),  # IDACI
        st.booleans(),  # consent
        st.lists(st.integers(1, 4), max_size=3),  # week choices (4 is outside a three-week round)
    ),
    max_size=25,
)


def _pool(rows):
    return [
        _c(i, inst, area=area, send=send, idaci=idaci, consent=consent, weeks=weeks)
        for i, (inst, area, send, idaci, consent, weeks) in enumerate(rows, start=1)
    ]


@settings(max_examples=300, deadline=None)
@given(
    rows=candidate_lists,
    capacities=st.lists(st.integers(0, 4), min_size=1, max_size=3),
    reserved=st.integers(0, 2),
    cap=st.one_of(st.none(), st.integers(1, 3)),
    seed=st.integers(0, 1000),
)
def test_property_weeks_never_over_capacity_choices_kept_nobody_left_out_and_deterministic(
    rows, capacities, reserved, cap, seed
):
    weeks = [Week(id=i, capacity=n, reserved_send=min(reserved, n)) for i, n in enumerate(capacities, start=1)]
    week_ids = {w.id for w in weeks}
    pool = _pool(rows)
    picks = propose_weeks(pool, weeks, cap_per_institution=cap)
    assert len(picks) == len(pool)
    placed = _placed(picks)
    # No week over capacity.
    for week in weeks:
        assert sum(1 for w in placed.values() if w == week.id) <= week.capacity
    by_id = {c.id: c for c in pool}
    for cid, week_id in placed.items():
        candidate = by_id[cid]
        assert candidate.has_consent
        # Nobody in a week they ruled out.
        assert week_id in week_ids and (not candidate.weeks or week_id in candidate.weeks)
    # The institution cap holds across all the weeks.
    if cap is not None:
        per = {}
        for cid in placed:
            per[by_id[cid].institution_id] = per.get(by_id[cid].institution_id, 0) + 1
        assert max(per.values(), default=0) <= cap
    # Nobody with consent waits while a week they would accept has a free place (unless their school is at its cap).
    free = {w.id: w.capacity - sum(1 for x in placed.values() if x == w.id) for w in weeks}
    per = {}
    for cid in placed:
        per[by_id[cid].institution_id] = per.get(by_id[cid].institution_id, 0) + 1
    for candidate in pool:
        if candidate.has_consent and candidate.id not in placed:
            at_cap = cap is not None and per.get(candidate.institution_id, 0) >= cap
            if not at_cap:
                assert all(free[w] == 0 for w in acceptable_weeks(candidate, week_ids)), candidate
    # Order does not matter.
    shuffled = list(pool)
    random.Random(seed).shuffle(shuffled)
    again = propose_weeks(shuffled, list(reversed(weeks)), cap_per_institution=cap)
    assert [(p.candidate.id, p.selected, p.week_id, p.reason, p.waitlist_rank) for p in again] == [
        (p.candidate.id, p.selected, p.week_id, p.reason, p.waitlist_rank) for p in picks
    ]


@settings(max_examples=200, deadline=None)
@given(
    rows=candidate_lists,
    capacity=st.integers(0, 8),
    reserved=st.integers(0, 3),
    cap=st.one_of(st.none(), st.integers(1, 3)),
    only_week_or_any=st.booleans(),
)
def test_property_one_week_selects_exactly_as_propose_cohort(rows, capacity, reserved, cap, only_week_or_any):
    pool = [
        _c(
            c.id,
            c.institution_id,
            area=c.area,
            send=c.is_send,
            idaci=c.idaci_decile,
            consent=c.has_consent,
            weeks=(7,) if only_week_or_any and c.id % 2 else (),
        )
        for c in _pool(rows)
    ]
    week = Week(id=7, capacity=capacity, reserved_send=min(reserved, capacity))
    weekly = propose_weeks(pool, [week], cap_per_institution=cap)
    cohort = propose_cohort(pool, capacity=capacity, reserved_send=min(reserved, capacity), cap_per_institution=cap)
    assert [(p.candidate.id, p.selected, p.waitlist_rank) for p in weekly] == [
        (p.candidate.id, p.selected, p.waitlist_rank) for p in cohort
    ]
    assert all(p.week_id == 7 for p in weekly if p.selected)
    assert [p.reason for p in weekly if p.selected] == [
        p.reason + "; week 7 (" + ("first choice" if p.candidate.weeks else "any week suits") + ")"
        for p in cohort
        if p.selected
    ]
