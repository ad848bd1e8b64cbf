"""Linked weeks (issue 18, point 8): one nomination round feeding several weeks, with students' choices."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.models import OutboundEmail
from placements import services as placement_services
from placements.models import Placement, Programme
from schools import selectors, services
from schools.models import Allocation, Consent, Nomination
from tests import factories as f

from .conftest import post_data, student


@pytest.fixture
def week_2(open_programme):
    """A second week, a week after the first, with the same nomination window and two places."""
    return f.ProgrammeFactory(
        force=open_programme.force,
        title="Second week",
        nomination_opens=open_programme.nomination_opens,
        nomination_closes=open_programme.nomination_closes,
        start_date=open_programme.start_date + timedelta(days=7),
        end_date=open_programme.end_date + timedelta(days=7),
        capacity=2,
        reserved_send_places=0,
        max_per_institution=2,
    )


@pytest.fixture
def linked(open_programme, week_2, coordinator):
    services.week_link(programme=open_programme, week=week_2, name="Summer weeks", actor=coordinator)
    open_programme.refresh_from_db()
    week_2.refresh_from_db()
    return open_programme, week_2


def _nominate(programme, school, weeks=(), consent=True, **extra):
    nomination = f.NominationFactory(programme=programme, institution=school, week_choices=list(weeks), **extra)
    if consent:
        f.ConsentFactory(nomination=nomination)
    return nomination


# ---------------------------------------------------------------- linking weeks


def test_linking_makes_a_round_with_the_first_week_as_home_and_drops_the_new_weeks_quotas(
    open_programme, week_2, coordinator, school_a
):
    f.AllocationFactory(programme=week_2, institution=school_a, quota=2)
    group = services.week_link(programme=open_programme, week=week_2, name="Summer weeks", actor=coordinator)
    assert group.home == open_programme and group.name == "Summer weeks"
    week_2.refresh_from_db()
    weeks = services.round_weeks(week_2)
    assert [w.programme for w in weeks] == [open_programme, week_2]
    assert weeks[1].label.startswith("Week 2: ") and "–" in weeks[1].label
    assert not Allocation.objects.filter(programme=week_2).exists()
    assert services.round_home(week_2) == open_programme


def test_a_week_with_another_window_or_nominations_or_of_another_force_is_not_linked(
    open_programme, week_2, coordinator, school_a, programme_b
):
    week_2.nomination_closes -= timedelta(days=1)
    week_2.save()
    with pytest.raises(services.SchoolsError, match="share one nomination window"):
        services.week_link(programme=open_programme, week=week_2, actor=coordinator)
    week_2.nomination_closes = open_programme.nomination_closes
    week_2.save()
    _nominate(week_2, school_a)
    with pytest.raises(services.SchoolsError, match="already nominated"):
        services.week_link(programme=open_programme, week=week_2, actor=coordinator)
    with pytest.raises(services.SchoolsError, match="same force"):
        services.week_link(programme=open_programme, week=programme_b, actor=coordinator)
    assert not Programme.objects.filter(week_group__isnull=False).exists()


def test_changing_the_window_of_one_linked_week_moves_it_for_all(linked, coordinator):
    home, week_2 = linked
    new_close = home.nomination_closes - timedelta(days=3)
    placement_services.programme_update(programme=week_2, details={"nomination_closes": new_close}, actor=coordinator)
    home.refresh_from_db()
    assert home.nomination_closes == new_close


def test_unlinking_the_last_other_week_ends_the_round(linked, coordinator):
    home, week_2 = linked
    with pytest.raises(services.SchoolsError, match="unlink the others first"):
        services.week_unlink(week=home, actor=coordinator)
    services.week_unlink(week=week_2, actor=coordinator)
    home.refresh_from_db()
    assert home.week_group_id is None and services.round_weeks(home) == []


# ---------------------------------------------------------------- nominating with week choices


def test_a_school_gives_week_choices_and_sees_plain_dates(linked, client_for, contact, school_a, today):
    home, week_2 = linked
    allocation = f.AllocationFactory(programme=home, institution=school_a, quota=3)
    client = client_for(contact)
    url = reverse("schools:nominate", args=[allocation.pk])
    page = client.get(url)
    body = page.content.decode()
    assert "Week 2: " in body and "First choice of week" in body
    assert f'value="{week_2.pk}"' in body
    data = post_data(student(home))
    response = client.post(url, {**data, "week_choice_1": str(week_2.pk), "week_choice_2": str(home.pk)})
    assert response.status_code == 302, response.content.decode()[:3000]
    nomination = Nomination.objects.get()
    assert nomination.programme == home and nomination.week_choices == [week_2.pk, home.pk]
    detail = client.get(reverse("schools:nomination_detail", args=[nomination.pk])).content.decode()
    assert "Week 2: " in detail and f">{week_2.pk}<" not in detail


def test_a_week_outside_the_round_or_twice_or_after_a_gap_is_a_form_error(
    linked, client_for, contact, school_a, programme_b
):
    home, _week_2 = linked
    allocation = f.AllocationFactory(programme=home, institution=school_a, quota=3)
    client = client_for(contact)
    url = reverse("schools:nominate", args=[allocation.pk])
    data = post_data(student(home))
    for choices in (
        {"week_choice_1": str(programme_b.pk)},
        {"week_choice_1": str(home.pk), "week_choice_2": str(home.pk)},
        {"week_choice_2": str(home.pk)},
    ):
        response = client.post(url, {**data, **choices})
        assert response.status_code == 400
    assert not Nomination.objects.exists()
    with pytest.raises(services.SchoolsError, match="Choose weeks from the list"):
        services.nomination_submit(
            allocation=allocation, data={**student(home), "week_choices": [programme_b.pk]}, actor=contact
        )


def test_nominations_go_through_the_home_week_only(linked, coordinator, school_a):
    _home, week_2 = linked
    with pytest.raises(services.SchoolsError, match="schools and quotas for the whole round"):
        services.allocation_set(programme=week_2, institution=school_a, quota=2, actor=coordinator)


# ---------------------------------------------------------------- selection over the round


@pytest.fixture
def round_pool(linked, force_a):
    home, week_2 = linked
    schools = [f.InstitutionFactory(force=force_a, area=f"NS{i}", idaci_decile=i) for i in range(1, 6)]
    for school in schools:
        f.AllocationFactory(programme=home, institution=school, quota=3)
        f.InstitutionContactFactory(institution=school, email=f"contact@{school.pk}.invalid")
    made = {
        "only_2_a": _nominate(home, schools[0], [week_2.pk]),
        "only_2_b": _nominate(home, schools[1], [week_2.pk]),
        "only_2_c": _nominate(home, schools[2], [week_2.pk]),
        "any_a": _nominate(home, schools[3]),
        "pref_1": _nominate(home, schools[4], [home.pk, week_2.pk]),
        "no_consent": _nominate(home, schools[4], consent=False),
    }
    return home, week_2, made


def test_the_proposal_fills_both_weeks_honouring_choices(round_pool):
    home, week_2, made = round_pool
    proposal, free = services.selection_propose(programme=week_2)
    assert free == 6
    weeks = {n.pk: p.week_id for n, p in proposal if p.selected}
    assert len(weeks) == 4  # week 2 holds two of the three who can only do week 2
    assert sum(1 for w in weeks.values() if w == week_2.pk) == 2
    for key in ("only_2_a", "only_2_b", "only_2_c"):
        assert weeks.get(made[key].pk) in (None, week_2.pk)
    assert weeks[made["pref_1"].pk] == home.pk
    fill = services.selection_round(programme=home, proposal=proposal)
    assert [(w.capacity, w.free, w.proposed) for w in fill] == [(4, 4, 2), (2, 2, 2)]


def test_confirming_moves_each_offer_to_its_week_keeping_consent_and_the_waiting_list_stays_home(
    round_pool, coordinator, contact
):
    home, week_2, _made = round_pool
    proposal, _ = services.selection_propose(programme=home)
    chosen = [n.pk for n, p in proposal if p.selected]
    plan = services.selection_confirm(programme=week_2, selected_ids=chosen, actor=coordinator)
    assert all(s.week.startswith("Week ") for s in plan.offers)
    in_week_2 = Nomination.objects.filter(programme=week_2)
    assert in_week_2.count() == 2 and set(in_week_2.values_list("status", flat=True)) == {"offered"}
    for nomination in in_week_2:
        assert nomination.consent.status == Consent.Status.GIVEN
        assert "Week 2: " in nomination.selection_reason
    waiting = Nomination.objects.get(status=Nomination.Status.WAITLISTED)
    assert waiting.programme == home and waiting.week_choices == [week_2.pk]
    moved = in_week_2.first()
    assert OutboundEmail.objects.filter(kind="offer").count() == 4
    # The quota still counts the students offered the other week.
    allocation = Allocation.objects.get(programme=home, institution=moved.institution)
    assert selectors.allocation_summary(programme=home).get(pk=allocation.pk).used == 1


def test_a_place_declined_in_week_2_goes_to_the_first_waiting_student_who_can_do_week_2(
    round_pool, coordinator, contact
):
    home, week_2, _made = round_pool
    proposal, _ = services.selection_propose(programme=home)
    chosen = [n.pk for n, p in proposal if p.selected]
    services.selection_confirm(programme=home, selected_ids=chosen, actor=coordinator)
    waiting = Nomination.objects.get(status=Nomination.Status.WAITLISTED)
    declining = Nomination.objects.filter(programme=week_2).first()
    services.offer_respond(nomination=declining, accept=False, actor=contact)
    waiting.refresh_from_db()
    assert waiting.status == Nomination.Status.OFFERED and waiting.programme == week_2
    services.offer_respond(nomination=waiting, accept=True, actor=contact)
    assert Placement.objects.get(nomination=waiting).programme == week_2


def test_ticking_more_students_than_their_weeks_hold_is_refused_and_nothing_changes(round_pool, coordinator):
    home, _week_2, made = round_pool
    only_week_2 = [made[k].pk for k in ("only_2_a", "only_2_b", "only_2_c")]
    with pytest.raises(services.SchoolsError, match="No week these students can do has a free place"):
        services.selection_confirm(programme=home, selected_ids=only_week_2, actor=coordinator)
    assert not Nomination.objects.filter(status=Nomination.Status.OFFERED).exists()


def test_a_withdrawn_offer_goes_back_to_the_rounds_pool(round_pool, coordinator):
    home, week_2, made = round_pool
    services.selection_confirm(programme=home, selected_ids=[made["only_2_a"].pk], actor=coordinator)
    nomination = Nomination.objects.get(pk=made["only_2_a"].pk)
    assert nomination.programme == week_2
    services.offer_withdraw(nomination=nomination, actor=coordinator)
    nomination.refresh_from_db()
    assert nomination.programme == home and nomination.status == Nomination.Status.SHORTLISTED


# ---------------------------------------------------------------- pages and attackers


def test_coordinator_links_a_week_on_the_page_and_outsiders_get_404(
    open_programme, week_2, client_for, coordinator, coordinator_b, contact
):
    url = reverse("schools:weeks", args=[open_programme.pk])
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {"week": week_2.pk}).status_code == 404
    assert client_for(contact).get(url).status_code in (403, 404)
    client = client_for(coordinator)
    page = client.get(url)
    assert page.status_code == 200 and "Second week" in page.content.decode()
    response = client.post(url, {"week": week_2.pk, "name": "Summer 2027 weeks"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Summer 2027 weeks" in page and "Week 2: " in page
    unlink = reverse("schools:week_unlink", args=[open_programme.pk, week_2.pk])
    assert client_for(coordinator_b).post(unlink).status_code == 404
    assert client_for(coordinator).post(unlink).status_code == 302
    week_2.refresh_from_db()
    assert week_2.week_group_id is None


def test_another_forces_week_cannot_be_linked_through_the_form(open_programme, client_for, coordinator, programme_b):
    response = client_for(coordinator).post(
        reverse("schools:weeks", args=[open_programme.pk]), {"week": programme_b.pk}
    )
    assert response.status_code == 400
    assert not Programme.objects.filter(week_group__isnull=False).exists()


def test_the_selection_page_shows_every_week_and_each_picks_week(round_pool, client_for, coordinator):
    home, week_2, _made = round_pool
    client = client_for(coordinator)
    assert client.get(reverse("schools:selection", args=[week_2.pk])).url == reverse(
        "schools:selection", args=[home.pk]
    )
    body = client.get(reverse("schools:selection", args=[home.pk])).content.decode()
    assert "Summer weeks: 2 linked weeks" in body
    assert body.count("Week 2: ") >= 3  # the table row and the picks for week 2
    assert "(first choice)" in body


def test_a_contact_cannot_change_week_choices_of_another_schools_nomination(linked, client_for, contact_b, school_a):
    home, week_2 = linked
    nomination = _nominate(home, school_a, [home.pk])
    response = client_for(contact_b).post(
        reverse("schools:nomination_edit", args=[nomination.pk]), {"week_choice_1": str(week_2.pk)}
    )
    assert response.status_code == 404
    nomination.refresh_from_db()
    assert nomination.week_choices == [home.pk]


def test_a_csv_upload_gives_week_choices_by_number_and_a_wrong_number_saves_nothing(
    linked, client_for, contact, school_a
):
    from .test_nominations import _row, _upload

    home, week_2 = linked
    allocation = f.AllocationFactory(programme=home, institution=school_a, quota=3)
    client = client_for(contact)
    header = [*services_csv_columns(), "weeks"]

    def content(*rows):
        lines = [",".join(header)]
        for row, weeks in rows:
            lines.append(",".join([*(str(row.get(c, "")) for c in header[:-1]), weeks]))
        return "\n".join(lines) + "\n"

    first = _row(home, first_name="Ada")
    second = _row(home, first_name="Ben")
    refused = _upload(client, allocation, content((first, "2 1"), (second, "3")))
    assert refused.status_code == 400 and "Write week numbers from 1 to 2" in refused.content.decode()
    assert not Nomination.objects.exists()
    saved = _upload(client, allocation, content((first, "Week 2; Week 1"), (second, "")))
    assert saved.status_code == 302
    choices = dict(Nomination.objects.values_list("first_name", "week_choices"))
    assert choices == {"Ada": [week_2.pk, home.pk], "Ben": []}


def services_csv_columns():
    from schools.forms import CSV_COLUMNS

    return CSV_COLUMNS
