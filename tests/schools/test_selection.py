"""The selection assistant (pure function), confirming offers, answering them and the waiting list."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from core.models import OutboundEmail
from placements.models import Placement, Programme
from schools import services
from schools.models import Consent, Nomination
from schools.selection import Candidate, propose_cohort
from schools.services import offers
from tests import factories as f


def _c(id, inst, *, send=False, area="A1", idaci=5, fsm=20, first=True, consent=True):
    return Candidate(
        id=id,
        institution_id=inst,
        area=area,
        is_send=send,
        idaci_decile=idaci,
        fsm_pct=Decimal(fsm),
        police_first_choice=first,
        has_consent=consent,
    )


def _selected(picks):
    return [p.candidate.id for p in picks if p.selected]


def test_reserved_send_places_are_filled_first_even_from_less_deprived_schools():
    pool = [_c(i, i, idaci=1, fsm=60) for i in range(1, 6)] + [
        _c(10, 10, send=True, idaci=9, fsm=5),
        _c(11, 11, send=True, idaci=9),
    ]
    picks = propose_cohort(pool, capacity=3, reserved_send=2)
    assert set(_selected(picks)) >= {10, 11}
    assert [p.reason.split(";")[0] for p in picks if p.selected].count("Reserved SEND place") == 2


def test_cap_per_institution_is_respected():
    pool = [_c(i, 1, idaci=1) for i in range(1, 6)] + [_c(i, 2, idaci=9) for i in range(6, 9)]
    picks = propose_cohort(pool, capacity=5, cap_per_institution=2)
    chosen = [p.candidate for p in picks if p.selected]
    assert len(chosen) == 4
    assert sum(c.institution_id == 1 for c in chosen) == 2
    assert any("cap" in p.reason for p in picks if not p.selected)


def test_higher_deprivation_is_favoured_within_an_area():
    pool = [_c(1, 1, idaci=8, fsm=5), _c(2, 2, idaci=2, fsm=40), _c(3, 3, idaci=2, fsm=45)]
    assert _selected(propose_cohort(pool, capacity=1)) == [3]


def test_areas_are_spread_before_deprivation_decides():
    pool = [_c(1, 1, area="A1", idaci=1), _c(2, 2, area="A1", idaci=1), _c(3, 3, area="B2", idaci=9)]
    assert set(_selected(propose_cohort(pool, capacity=2))) == {1, 3}


def test_only_candidates_with_consent_can_be_picked_and_not_first_choice_is_flagged():
    pool = [_c(1, 1, consent=False, idaci=1), _c(2, 2, first=False, idaci=9)]
    picks = {p.candidate.id: p for p in propose_cohort(pool, capacity=2)}
    assert picks[1].selected is False and "no participation consent" in picks[1].reason
    assert picks[2].selected is True and picks[2].flags == ["Police was not first choice"]


def test_every_pick_has_a_one_line_reason_and_waiting_list_is_ranked():
    pool = [_c(i, i, idaci=i % 10 + 1) for i in range(1, 9)]
    picks = propose_cohort(pool, capacity=3)
    assert all(p.reason and "\n" not in p.reason for p in picks)
    assert [p.waitlist_rank for p in picks if not p.selected] == [1, 2, 3, 4, 5]


candidate_strategy = st.builds(
    Candidate,
    id=st.integers(1, 10_000),
    institution_id=st.integers(1, 6),
    area=st.sampled_from(["NS1", "NS2", "NS3", ""]),
    is_send=st.booleans(),
    idaci_decile=st.one_of(st.none(), st.integers(1, 10)),
    fsm_pct=st.one_of(st.none(), st.decimals(0, 100, places=1)),
    police_first_choice=st.booleans(),
    has_consent=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(
    pool=st.lists(candidate_strategy, max_size=40, unique_by=lambda c: c.id),
    capacity=st.integers(1, 20),
    reserved=st.integers(0, 6),
    cap=st.one_of(st.none(), st.integers(1, 5)),
    seed=st.integers(0, 1000),
)
def test_property_never_over_capacity_or_cap_send_first_and_deterministic(pool, capacity, reserved, cap, seed):
    reserved = min(reserved, capacity)
    picks = propose_cohort(pool, capacity=capacity, reserved_send=reserved, cap_per_institution=cap)
    chosen = [p.candidate for p in picks if p.selected]
    assert len(picks) == len(pool)
    assert len(chosen) <= capacity
    assert all(c.has_consent for c in chosen)
    if cap is not None:
        for institution in {c.institution_id for c in chosen}:
            assert sum(c.institution_id == institution for c in chosen) <= cap
    # How many SEND places could be filled at all, given consent and the caps:
    send_available = 0
    for institution in {c.institution_id for c in pool}:
        n = sum(1 for c in pool if c.institution_id == institution and c.is_send and c.has_consent)
        send_available += n if cap is None else min(n, cap)
    assert sum(c.is_send for c in chosen) >= min(reserved, send_available)
    # The reserved places come first in the list and are labelled.
    labels = [p.reason.startswith("Reserved SEND place") for p in picks if p.selected]
    assert labels == sorted(labels, reverse=True)
    # Deterministic whatever order the pool arrives in.
    shuffled = list(pool)
    random.Random(seed).shuffle(shuffled)
    again = propose_cohort(shuffled, capacity=capacity, reserved_send=reserved, cap_per_institution=cap)
    assert [(p.candidate.id, p.selected, p.reason) for p in again] == [
        (p.candidate.id, p.selected, p.reason) for p in picks
    ]
    # Nobody eligible is left out while places are free and their institution is under its cap.
    if len(chosen) < capacity:
        per = {}
        for c in chosen:
            per[c.institution_id] = per.get(c.institution_id, 0) + 1
        left = [p.candidate for p in picks if not p.selected and p.candidate.has_consent]
        assert all(cap is not None and per.get(c.institution_id, 0) >= cap for c in left)


def test_assistant_on_the_demo_data_fills_send_first_within_capacity_and_cap(db):
    from placements import demo

    force = demo.seed()
    week = force.programmes.get(title=demo.story_for(force).completed.title)
    nominations = week.nominations.select_related("institution", "consent")
    candidates = [offers._candidate(n) for n in nominations]
    # Treat every demo nomination as consented, so the pool is as large as the demo allows.
    candidates = [c.__class__(**{**c.__dict__, "has_consent": True}) for c in candidates]
    picks = propose_cohort(
        candidates,
        capacity=week.capacity,
        reserved_send=week.reserved_send_places,
        cap_per_institution=week.max_per_institution,
    )
    chosen = [p.candidate for p in picks if p.selected]
    assert len(chosen) == week.capacity
    assert sum(c.is_send for c in chosen) >= week.reserved_send_places
    assert all(p.reason.startswith("Reserved SEND place") for p in picks[: week.reserved_send_places])
    per = {}
    for c in chosen:
        per[c.institution_id] = per.get(c.institution_id, 0) + 1
    assert max(per.values()) <= week.max_per_institution


# ---------------------------------------------------------------- confirming and answering offers


@pytest.fixture
def pool(open_programme, force_a, today):
    """Five nominations with consent (one SEND) and one without, for a 4-place programme."""
    send_school = f.InstitutionFactory(force=force_a, name="Riverside SEND", is_send=True, area="NS9", idaci_decile=6)
    schools = [send_school] + [f.InstitutionFactory(force=force_a, idaci_decile=d, area=f"NS{d}") for d in (1, 2, 3)]
    for school in schools:
        f.AllocationFactory(programme=open_programme, institution=school, quota=3)
        f.InstitutionContactFactory(institution=school, email=f"contact@{school.pk}.invalid")
    made = []
    for school in [*schools, schools[1]]:
        nomination = f.NominationFactory(programme=open_programme, institution=school)
        f.ConsentFactory(nomination=nomination)
        made.append(nomination)
    no_consent = f.NominationFactory(programme=open_programme, institution=schools[2], last_name="NoConsent")
    f.ConsentFactory(nomination=no_consent, status=Consent.Status.REQUESTED, participation=False, responded_at=None)
    return made, no_consent


def test_confirming_the_proposal_offers_waitlists_and_tells_everyone(open_programme, pool, coordinator, today):
    made, no_consent = pool
    proposal, free = services.selection_propose(programme=open_programme)
    assert free == 4
    chosen = [n.pk for n, p in proposal if p.selected]
    services.selection_confirm(programme=open_programme, selected_ids=chosen, actor=coordinator)
    statuses = dict(Nomination.objects.values_list("pk", "status"))
    assert [statuses[pk] for pk in chosen] == ["offered"] * 4
    assert made[0].pk in chosen  # the SEND student
    waiting = [n for n in made if n.pk not in chosen]
    assert len(waiting) == 1 and statuses[waiting[0].pk] == "waitlisted"
    # Consent still awaited and the window open: under consideration, not turned away.
    assert statuses[no_consent.pk] == "submitted"
    assert Nomination.objects.get(pk=waiting[0].pk).waitlist_rank == 1
    # The answer-by date defaults to a week after nominations close, not a week from today.
    offered = Nomination.objects.get(pk=chosen[0])
    assert offered.offer_deadline == open_programme.nomination_closes + timedelta(days=services.OFFER_DAYS)
    kinds = sorted(OutboundEmail.objects.values_list("kind", flat=True))
    assert kinds.count("offer") == 4 and kinds.count("waitlisted") == 1 and kinds.count("not_selected") == 0


def test_coordinator_can_override_but_not_offer_without_consent_or_over_capacity(open_programme, pool, coordinator):
    made, no_consent = pool
    with pytest.raises(services.SchoolsError, match="No participation consent"):
        services.selection_confirm(programme=open_programme, selected_ids=[no_consent.pk], actor=coordinator)
    with pytest.raises(services.SchoolsError, match="only 4 places"):
        services.selection_confirm(programme=open_programme, selected_ids=[n.pk for n in made], actor=coordinator)
    services.selection_confirm(programme=open_programme, selected_ids=[made[4].pk], actor=coordinator)
    assert Nomination.objects.get(pk=made[4].pk).status == Nomination.Status.OFFERED
    assert not Nomination.objects.filter(status=Nomination.Status.OFFERED).exclude(pk=made[4].pk).exists()


def test_accepting_creates_a_confirmed_placement(open_programme, pool, coordinator, contact):
    made, _ = pool
    services.selection_confirm(programme=open_programme, selected_ids=[made[0].pk], actor=coordinator)
    services.offer_respond(nomination=made[0], accept=True, actor=contact)
    placement = Placement.objects.get(nomination=made[0])
    assert placement.programme == open_programme and placement.status == Placement.Status.CONFIRMED
    assert OutboundEmail.objects.filter(kind="place_confirmed", to=made[0].guardian_email).exists()
    with pytest.raises(services.SchoolsError):
        services.offer_respond(nomination=made[0], accept=True, actor=contact)


def test_declining_promotes_the_next_waitlisted_and_notifies(open_programme, pool, coordinator, contact):
    made, _ = pool
    open_programme.capacity = 1
    open_programme.reserved_send_places = 0
    open_programme.save()
    services.selection_confirm(programme=open_programme, selected_ids=[made[1].pk], actor=coordinator)
    first_waiting = Nomination.objects.get(waitlist_rank=1)
    services.offer_respond(nomination=made[1], accept=False, actor=contact)
    first_waiting.refresh_from_db()
    assert Nomination.objects.get(pk=made[1].pk).status == Nomination.Status.DECLINED
    assert first_waiting.status == Nomination.Status.OFFERED
    assert OutboundEmail.objects.filter(kind="offer", subject__contains=first_waiting.last_name).exists()
    assert OutboundEmail.objects.filter(kind="place_released", to=coordinator.force_person.email).exists()


def test_an_offer_cannot_be_accepted_after_its_deadline_and_then_lapses(
    open_programme, pool, coordinator, contact, today
):
    made, _ = pool
    open_programme.capacity = 1
    open_programme.reserved_send_places = 0
    open_programme.save()
    services.selection_confirm(programme=open_programme, selected_ids=[made[1].pk], actor=coordinator, deadline=today)
    later = today + timedelta(days=1)
    with pytest.raises(services.SchoolsError, match="deadline"):
        services.offer_respond(nomination=made[1], accept=True, actor=contact, today=later)
    assert services.offers_expire(today=later) == 1
    assert services.offers_expire(today=later) == 0
    assert Nomination.objects.get(pk=made[1].pk).status == Nomination.Status.DECLINED
    assert Nomination.objects.filter(status=Nomination.Status.OFFERED).count() == 1


def test_promotion_respects_the_institution_cap(open_programme, pool, coordinator, contact):
    made, _ = pool
    open_programme.max_per_institution = 1
    open_programme.capacity = 2
    open_programme.reserved_send_places = 0
    open_programme.save()
    # made[1] and made[4] are at the same school; offer made[1] and one other.
    services.selection_confirm(programme=open_programme, selected_ids=[made[1].pk, made[2].pk], actor=coordinator)
    services.offer_respond(nomination=made[2], accept=False, actor=contact)
    offered = set(Nomination.objects.filter(status="offered").values_list("pk", flat=True))
    assert made[4].pk not in offered
    assert len(offered) == 2


def test_assistant_on_the_seeded_2027_intake(db):
    from django.core.management import call_command

    from placements.demo import story_for

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    week = Programme.objects.get(title=story_for(None).intake.title)
    proposal, free = services.selection_propose(programme=week)
    chosen = [n for n, p in proposal if p.selected]
    assert free == week.capacity == len(chosen)
    assert [n.institution.is_send for n in chosen[: week.reserved_send_places]] == [True] * week.reserved_send_places
    assert all(n.consent.status == Consent.Status.GIVEN for n in chosen)
    per = {}
    for n in chosen:
        per[n.institution_id] = per.get(n.institution_id, 0) + 1
    assert max(per.values()) <= week.max_per_institution
    again, _ = services.selection_propose(programme=week)
    assert [(n.pk, p.selected, p.reason) for n, p in again] == [(n.pk, p.selected, p.reason) for n, p in proposal]
