"""Every list and dashboard page of every role runs the same number of queries however much it lists.

Each test builds a small force (one or two of everything a page lists), counts the page's queries,
then adds more of every kind (programmes, nominations, placements, syndicates, sessions, attendance,
budget spend, certificates, mentoring contacts, audit entries, outbox rows) and counts again: the
two counts must be equal. A page whose count grows with its rows is an N+1 waiting for a big force.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.admin import ScopedAdmin
from mentoring.models import MentorAssignment
from placements.models import Attendance, BudgetLine, Placement
from schools.models import Allocation, Consent, Nomination
from tests import factories as f
from tests.mentoring.factories import MentoringReferralFactory, MentorReminderFactory
from tests.placements.factories import PlanningHoursFactory, SpendEntryFactory


def _programme(force, offset_weeks=0, **extra):
    start = date(2026, 7, 13) + timedelta(weeks=offset_weeks)
    return f.ProgrammeFactory(
        force=force,
        start_date=start,
        end_date=start + timedelta(days=4),
        nomination_opens=start - timedelta(days=180),
        nomination_closes=start - timedelta(days=60),
        **extra,
    )


def _fill(programme, world, *, students, syndicates):
    """Add `students` placed students (with everything that hangs off a student) in `syndicates` new syndicates."""
    force = programme.force
    groups = [
        f.SyndicateFactory(programme=programme, lead=f.ForcePersonFactory(force=force)) for _ in range(syndicates)
    ]
    if world["lead_person"] is not None and not programme.syndicates.filter(lead=world["lead_person"]).exists():
        groups.append(f.SyndicateFactory(programme=programme, lead=world["lead_person"]))
    activity = f.ActivityFactory(force=force, department=f.DepartmentFactory(force=force))
    for day in programme.days[:2]:
        session = f.SessionFactory(
            programme=programme,
            activity=activity,
            starts_at=timezone.make_aware(datetime.combine(day, time(9, 30))),
            ends_at=timezone.make_aware(datetime.combine(day, time(11, 30))),
        )
        session.syndicates.set(groups)
    used = set(programme.budget_lines.values_list("category", flat=True))
    category = next(c for c in BudgetLine.Category.values if c not in used)
    line = f.BudgetLineFactory(programme=programme, category=category)
    SpendEntryFactory(budget_line=line, date=programme.start_date)
    PlanningHoursFactory(programme=programme, department=activity.department)
    Allocation.objects.update_or_create(
        programme=programme, institution=world["school"], defaults={"quota": programme.nominations.count() + 20}
    )
    f.AllocationFactory(programme=programme, institution=f.InstitutionFactory(force=force))
    mentor = world["mentor_person"]
    for index in range(students):
        school = world["school"] if index % 2 == 0 else f.InstitutionFactory(force=force)
        nomination = f.NominationFactory(programme=programme, institution=school, status=Nomination.Status.ACCEPTED)
        f.ConsentFactory(nomination=nomination, status=Consent.Status.GIVEN)
        placement = f.PlacementFactory(
            programme=programme, nomination=nomination, syndicate=groups[index % len(groups)] if groups else None
        )
        for day in programme.days[: 3 + index % 3]:
            f.AttendanceFactory(placement=placement, date=day, status=Attendance.Status.PRESENT)
        f.CertificateFactory(placement=placement)
        assignment = f.MentorAssignmentFactory(placement=placement, mentor=mentor)
        f.MentorContactFactory(assignment=assignment)
        MentorReminderFactory(assignment=assignment)
        f.OutcomeFactory(placement=placement)
        f.OutboundEmailFactory(force=force)
        # Someone nominated and not (yet) placed, with consent pending.
        waiting = f.NominationFactory(programme=programme, institution=school)
        f.ConsentFactory(nomination=waiting, status=Consent.Status.REQUESTED, responded_at=None)
    unplaced = f.PlacementFactory(programme=programme, nomination__institution=world["school"])
    MentoringReferralFactory(placement=unplaced)


def _grow(world):
    """More of every kind: new programmes, and more students, syndicates and the rest in the first one."""
    force = world["force"]
    _fill(world["programme"], world, students=6, syndicates=2)
    for offset in (1, 2):
        _fill(_programme(force, offset_weeks=-52 * offset), world, students=3, syndicates=1)
    _programme(force, offset_weeks=30)  # a programme not yet planned
    f.OutboundEmailFactory.create_batch(5, force=force)


@pytest.fixture
def world(force_a, force_b, school_a, coordinator, contact, mentor, platform_admin, superuser):
    """Force A with one programme (two students) and another; force B with a little of its own."""
    lead_user = f.UserFactory(username="lead-q")
    lead_person = f.ForcePersonFactory(force=force_a, user=lead_user, name="Lead Q")
    data = {
        "force": force_a,
        "school": school_a,
        "lead_person": lead_person,
        "mentor_person": mentor.force_person,
        "users": {
            "coordinator": coordinator,
            "contact": contact,
            "lead": lead_user,
            "mentor": mentor,
            "platform_admin": platform_admin,
            "superuser": superuser,
        },
    }
    data["programme"] = _programme(force_a)
    _fill(data["programme"], data, students=2, syndicates=1)
    _fill(_programme(force_a, offset_weeks=-52), data, students=1, syndicates=0)
    _fill(_programme(force_b), {**data, "school": f.InstitutionFactory(force=force_b), "lead_person": None,
                                "mentor_person": f.ForcePersonFactory(force=force_b, is_mentor=True)},
          students=1, syndicates=1)  # fmt: skip
    return data


def _lead_register(world):
    syndicate = world["programme"].syndicates.get(lead=world["lead_person"])
    return reverse("placements:register", args=[syndicate.pk]) + f"?day={world['programme'].start_date}"


def _programme_url(name):
    return lambda world: reverse(name, args=[world["programme"].pk])


def _url(name):
    return lambda world: reverse(name)


PAGES = {
    # coordinator
    "programme list": ("coordinator", _url("placements:programme_list")),
    "programme page": ("coordinator", _programme_url("placements:programme_detail")),
    "nominations review": ("coordinator", _programme_url("schools:review")),
    "schools and quotas": ("coordinator", _programme_url("schools:allocations")),
    "people": ("coordinator", _url("placements:people")),
    "certificates": ("coordinator", _programme_url("certificates:programme_certificates")),
    "programme mentoring": ("coordinator", _programme_url("mentoring:programme")),
    "mentoring dashboard": ("coordinator", _url("mentoring:dashboard")),
    "syndicates": ("coordinator", _programme_url("placements:syndicates")),
    "timetable": ("coordinator", _programme_url("placements:timetable")),
    "attendance register": ("coordinator", _programme_url("placements:attendance")),
    "budget": ("coordinator", _programme_url("placements:budget")),
    "audit trail": ("coordinator", _url("audit_trail")),
    # school contact
    "contact start page": ("contact", _url("schools:contact_home")),
    "contact nominations": ("contact", _url("schools:nomination_list")),
    "contact certificates": ("contact", _programme_url("certificates:programme_certificates")),
    # syndicate lead
    "lead start page": ("lead", _url("placements:lead_home")),
    "lead register": ("lead", _lead_register),
    # mentor
    "mentor start page": ("mentor", _url("mentoring:mentor_home")),
}


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


# The audit trail names the records on its page with one query per kind of record (core/trail.py):
# bounded by the number of audited models, so with more data it may name fewer kinds, never more.
AT_MOST = {"audit trail"}


def _assert_constant(client, world, url_for, *, at_most=False):
    url = url_for(world)
    client.get(url)  # warm per-process caches (content types, sessions)
    small, _ = _count(client, url)
    _grow(world)
    url = url_for(world)
    # Warm again: growing the data changed roles, surveys and sessions, so the caches kept until those change
    # (the user's scope, the survey questions) are worked out once more; both counts are of warm pages.
    client.get(url)
    large, response = _count(client, url)
    if at_most:
        assert large <= small, f"{url}: {small} queries with a little data, {large} with more"
    else:
        assert large == small, f"{url}: {small} queries with a little data, {large} with more"
    return response


@pytest.mark.parametrize("page", list(PAGES))
def test_page_query_count_does_not_grow(page, world, client_for):
    role, url_for = PAGES[page]
    _assert_constant(client_for(world["users"][role]), world, url_for, at_most=page in AT_MOST)


def _changelists():
    """(who, model) for every admin changelist: the platform admin sees the scoped ones, a superuser all."""
    found = []
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if isinstance(model_admin, ScopedAdmin):
            found.append(("platform_admin", label))
        found.append(("superuser", label))
    return sorted(found)


@pytest.mark.parametrize(("who", "label"), _changelists())
def test_admin_changelist_query_count_does_not_grow(who, label, world, client_for):
    url = reverse(f"admin:{label.replace('.', '_')}_changelist")
    _assert_constant(client_for(world["users"][who]), world, lambda world: url)


def test_the_larger_data_is_larger(world):
    """The grown force really has more of each kind the pages list (so equal counts mean something)."""
    programme = world["programme"]
    before = (
        Placement.objects.filter(programme=programme).count(),
        programme.syndicates.count(),
        programme.sessions.count(),
        MentorAssignment.objects.filter(placement__programme=programme).count(),
        Nomination.objects.filter(programme__force=world["force"]).count(),
    )
    _grow(world)
    after = (
        Placement.objects.filter(programme=programme).count(),
        programme.syndicates.count(),
        programme.sessions.count(),
        MentorAssignment.objects.filter(placement__programme=programme).count(),
        Nomination.objects.filter(programme__force=world["force"]).count(),
    )
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)


def test_linked_weeks_selection_page_query_count_does_not_grow(force_a, coordinator, client_for):
    """The selection assistant over a round of linked weeks: more students and more weeks, same queries."""
    from schools import services

    home = _programme(force_a, offset_weeks=60, capacity=6, reserved_send_places=1)

    def another_week(offset, capacity):
        start = home.start_date + timedelta(weeks=offset)
        return f.ProgrammeFactory(
            force=force_a,
            start_date=start,
            end_date=start + timedelta(days=4),
            nomination_opens=home.nomination_opens,
            nomination_closes=home.nomination_closes,
            capacity=capacity,
            reserved_send_places=0,
        )

    week_2 = another_week(1, 3)
    services.week_link(programme=home, week=week_2, name="Autumn weeks", actor=coordinator)
    home.refresh_from_db()

    def nominate(count):
        weeks = list(home.week_group.weeks.values_list("pk", flat=True))
        for index in range(count):
            school = f.InstitutionFactory(force=force_a, area=f"A{index % 3}", is_send=index == 0)
            choices = [] if index % 3 == 0 else [weeks[index % len(weeks)]]
            nomination = f.NominationFactory(programme=home, institution=school, week_choices=choices)
            f.ConsentFactory(nomination=nomination)

    nominate(2)
    client = client_for(coordinator)
    url = reverse("schools:selection", args=[home.pk])
    client.get(url)
    small, _ = _count(client, url)
    services.week_link(programme=home, week=another_week(2, 2), actor=coordinator)
    nominate(9)
    client.get(url)  # warm again: a change to the data may clear the per-user caches (see _grow)
    large, response = _count(client, url)
    assert "Week 3: " in response.content.decode()
    assert large == small, f"{url}: {small} queries with a little data, {large} with more"
