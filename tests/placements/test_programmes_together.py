"""Long and shared activities in the app, free time filled and explained, and departments across
a force's programmes."""

from datetime import date

import pytest
from django.urls import reverse

from placements import selectors, services
from placements.models import Activity, Department, Session
from placements.planning import DAY_MINUTES, PlanningError
from tests import factories as f

from .conftest import add_students

pytestmark = pytest.mark.django_db

ACTIVITY = {
    "kind": "scenario",
    "title": "Recruits' public order day",
    "description": "With the recruits' class.",
    "department": "",
    "community_partner": "Training school",
    "staff_needed": "2",
    "syndicate_capacity": "",
    "venue": "Training school hall",
    "shared_with": "Recruits' intake, class 3",
    "risk_assessment_status": "in_progress",
}


@pytest.mark.parametrize(
    ("words", "minutes"), [("full day", DAY_MINUTES), ("2 days", 2 * DAY_MINUTES), ("4 hours 30 minutes", 270)]
)
def test_a_coordinator_sets_a_long_shared_activity_in_words(client_for, coordinator, programme_a, words, minutes):
    url = reverse("placements:activity_create", args=[programme_a.pk])
    response = client_for(coordinator).post(url, {**ACTIVITY, "duration_minutes": words})
    assert response.status_code == 302
    activity = Activity.objects.get(title="Recruits' public order day")
    assert (activity.duration_minutes, activity.shared_with) == (minutes, "Recruits' intake, class 3")
    page = client_for(coordinator).get(reverse("placements:activities", args=[programme_a.pk])).content.decode()
    assert activity.length_in_words in page and "Shared with Recruits" in page
    edit = client_for(coordinator).get(reverse("placements:activity_edit", args=[programme_a.pk, activity.pk]))
    assert f'value="{activity.length_in_words}"' in edit.content.decode()


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("a while", "is not a length we can read"),
        ("5 minutes", "Give at least 15 minutes."),
        ("11 days", "Give no more than 10 days."),
        ("", "Give the length"),
    ],
)
def test_a_length_that_cannot_be_read_is_a_400_with_a_message(client_for, coordinator, programme_a, words, message):
    url = reverse("placements:activity_create", args=[programme_a.pk])
    response = client_for(coordinator).post(url, {**ACTIVITY, "duration_minutes": words})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Activity.objects.filter(title="Recruits' public order day").exists()


def _week(programme, coordinator, leads=4):
    add_students(programme, 8)
    people = [
        f.ForcePersonFactory(
            force=programme.force, name=f"{programme.title} lead {n}", vetting_expires_on=date(2030, 1, 1)
        )
        for n in range(leads)
    ]
    services.syndicates_build(programme=programme, size=4, leads=people, actor=coordinator)
    return programme


def test_a_long_shared_session_is_saved_in_parts_and_shown(client_for, coordinator, programme_a):
    week = _week(programme_a, coordinator)
    training = f.DepartmentFactory(force=week.force, name="Training school")
    recruits = f.ActivityFactory(
        force=week.force,
        title="Public order with recruits",
        kind=Activity.Kind.DEMONSTRATION,
        department=training,
        syndicate_capacity=None,
        duration_minutes=DAY_MINUTES,
        shared_with="Recruits' class 3",
        venue="Training school hall",
    )
    plan = services.timetable_generate(programme=week, activities=[recruits], actor=coordinator)
    parts = list(week.sessions.order_by("starts_at"))
    assert [(s.part, s.parts) for s in parts] == [(1, 3), (2, 3), (3, 3)] and len(plan.sessions) == 3
    assert sum((s.ends_at - s.starts_at).seconds for s in parts) == DAY_MINUTES * 60  # breaks and lunch kept
    page = client_for(coordinator).get(reverse("placements:timetable", args=[week.pk])).content.decode()
    assert "part 2 of 3 (1 full day)" in page and "With Recruits&#x27; class 3" in page


def test_free_time_is_filled_and_what_stays_free_is_explained(client_for, coordinator, programme_a):
    week = _week(programme_a, coordinator)
    csi = f.DepartmentFactory(force=week.force, name="CSI")
    forensics = f.ActivityFactory(force=week.force, title="Vehicle forensics", department=csi, syndicate_capacity=1)
    talk = f.ActivityFactory(
        force=week.force,
        title="Careers talk",
        department=f.DepartmentFactory(force=week.force, name="HR", is_specialist=False),
        syndicate_capacity=None,
        is_contingency=True,
    )
    client = client_for(coordinator)
    response = client.post(
        reverse("placements:timetable_generate", args=[week.pk]),
        {"activities": [forensics.pk], "fill_idle": "on"},
        follow=True,
    )
    page = response.content.decode()
    assert "filling free time" in page
    filled = week.sessions.filter(is_filler=True)
    assert set(filled.values_list("activity", flat=True)) == {talk.pk}
    for syndicate in week.syndicates.all():  # the talk once each, not more
        assert filled.filter(syndicates=syndicate).count() == 1
    assert "They have already done every contingency and community activity." in page
    # Without filling, the page names what could fill the free slots.
    client.post(reverse("placements:timetable_generate", args=[week.pk]), {"activities": [forensics.pk]})
    assert not week.sessions.filter(is_filler=True).exists()
    page = client.get(reverse("placements:timetable", args=[week.pk])).content.decode()
    assert "Could fill it: “Careers talk” for Syndicate" in page


def test_a_department_is_not_double_booked_across_the_force_s_programmes(coordinator, programme_a):
    first = _week(programme_a, coordinator)
    second = _week(f.ProgrammeFactory(force=first.force, title="Second group, same week"), coordinator)
    dogs = f.DepartmentFactory(force=first.force, name="Dog Unit")
    search = f.ActivityFactory(force=first.force, title="Premises search", department=dogs, syndicate_capacity=2)
    services.timetable_generate(programme=first, activities=[search], actor=coordinator)
    services.timetable_generate(programme=second, activities=[search], actor=coordinator)
    bookings = selectors.department_bookings(department=dogs, today=date(2027, 7, 1))
    assert {s.programme_id for s in bookings} == {first.pk, second.pk}
    assert not any(s.clash for s in bookings)
    for a in first.sessions.all():
        for b in second.sessions.all():
            assert not (a.starts_at < b.ends_at and b.starts_at < a.ends_at)


def test_a_department_that_cannot_run_weeks_in_a_row_is_kept_out_of_the_next_week(coordinator, programme_a):
    first = _week(programme_a, coordinator)
    dogs = f.DepartmentFactory(force=first.force, name="Dog Unit", no_consecutive_weeks=True)
    search = f.ActivityFactory(force=first.force, title="Premises search", department=dogs, syndicate_capacity=None)
    services.timetable_generate(programme=first, activities=[search], actor=coordinator)
    next_week = _week(
        f.ProgrammeFactory(force=first.force, start_date=date(2027, 7, 19), end_date=date(2027, 7, 23)), coordinator
    )
    with pytest.raises(PlanningError, match="cannot run weeks in a row"):
        services.timetable_generate(programme=next_week, activities=[search], actor=coordinator)
    Department.objects.filter(pk=dogs.pk).update(no_consecutive_weeks=False)
    services.timetable_generate(programme=next_week, activities=[search], actor=coordinator)
    assert next_week.sessions.filter(activity=search).exists()


def test_the_department_page_lists_its_bookings_across_programmes(client_for, coordinator, programme_a, force_b):
    first = _week(programme_a, coordinator)
    other = _week(f.ProgrammeFactory(force=first.force, title="Autumn week"), coordinator)
    dogs = f.DepartmentFactory(force=first.force, name="Dog Unit")
    search = f.ActivityFactory(force=first.force, title="Premises search", department=dogs, syndicate_capacity=None)
    services.timetable_generate(programme=first, activities=[search], actor=coordinator)
    services.timetable_generate(programme=other, activities=[search], actor=coordinator)
    # A clash made by hand (not by the generator) is shown as one.
    clash = Session.objects.create(
        programme=other,
        activity=search,
        starts_at=first.sessions.get().starts_at,
        ends_at=first.sessions.get().ends_at,
    )
    url = reverse("placements:department_edit", args=[dogs.pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "Booked in every programme" in page
    assert first.title in page and "Autumn week" in page
    assert page.count("Booked twice at this time") == 2
    clash.delete()
    response = client_for(coordinator).post(
        url, {"name": "Dog Unit", "is_specialist": "on", "no_consecutive_weeks": "on"}
    )
    assert response.status_code == 302
    dogs.refresh_from_db()
    assert dogs.no_consecutive_weeks
    # Another force's coordinator cannot see them.
    from tests.conftest import _coordinator

    assert client_for(_coordinator(force_b, "coord-b2")).get(url).status_code == 404


def test_a_generated_timetable_says_so_to_other_apps(coordinator, programme_a):
    """Its sessions are written in bulk (no model signals): timetable_changed tells surveys, which asks about them."""
    from placements.signals import timetable_changed

    week = _week(programme_a, coordinator)
    search = f.ActivityFactory(force=week.force, title="Premises search", kind=Activity.Kind.SCENARIO)
    heard = []

    def receiver(sender, programme, **kwargs):
        heard.append((programme.pk, programme.sessions.count()))

    timetable_changed.connect(receiver, dispatch_uid="test-timetable-changed")
    try:
        services.timetable_generate(programme=week, activities=[search], actor=coordinator)
    finally:
        timetable_changed.disconnect(dispatch_uid="test-timetable-changed")
    assert heard == [(week.pk, week.sessions.count())]
    assert heard[0][1] > 0
