"""Week plan pages: access three ways, constant query counts, and what each page does."""

import csv
import io
from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from core.models import OutboundEmail
from placements.models import Attendance, Placement, Session, SpendEntry, Syndicate
from tests import factories as f
from tests.placements import factories as pf
from tests.placements.conftest import add_students

GET_PAGES = [
    "placements:activities",
    "placements:syndicates",
    "placements:timetable",
    "placements:department_schedule",
    "placements:attendance",
    "placements:budget",
    "placements:budget_csv",
    "placements:run_sheet",
]
POST_ACTIONS = [
    "placements:syndicates_build",
    "placements:placement_move",
    "placements:timetable_generate",
]


def _syndicate_of(user):
    return Syndicate.objects.get(lead=user.force_person)


@pytest.mark.parametrize("name", GET_PAGES)
def test_coordinator_pages_three_ways(name, week, coordinator, coordinator_b, lead, client_for):
    url = reverse(name, args=[week.pk])
    response = client_for(None).get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client_for(coordinator_b).get(url).status_code == 404  # another force's programme
    assert client_for(lead).get(url).status_code == 403  # signed in, not a coordinator
    assert client_for(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("name", POST_ACTIONS)
def test_coordinator_actions_three_ways(name, week, coordinator, coordinator_b, lead, client_for):
    url = reverse(name, args=[week.pk])
    assert "/login/" in client_for(None).post(url)["Location"]
    assert client_for(coordinator_b).post(url).status_code == 404
    assert client_for(lead).post(url).status_code == 403
    assert client_for(coordinator).post(url).status_code == 302  # bad form: a message and back to the page


def test_object_pages_three_ways(week, coordinator, coordinator_b, lead, client_for):
    syndicate = week.syndicates.first()
    session = week.sessions.first()
    urls = [
        reverse("placements:syndicate_schedule", args=[week.pk, syndicate.pk]),
        reverse("placements:session_swap", args=[week.pk, session.pk]),
    ]
    for url in urls:
        assert "/login/" in client_for(None).get(url)["Location"]
        assert client_for(coordinator_b).get(url).status_code == 404
        assert client_for(lead).get(url).status_code == 403
        assert client_for(coordinator).get(url).status_code == 200
    update = reverse("placements:syndicate_update", args=[week.pk, syndicate.pk])
    assert "/login/" in client_for(None).post(update)["Location"]
    assert client_for(coordinator_b).post(update).status_code == 404
    assert client_for(lead).post(update).status_code == 403
    # A syndicate of another programme through this programme's URL: 404.
    other = f.SyndicateFactory(programme=f.ProgrammeFactory(force=week.force))
    url = reverse("placements:syndicate_schedule", args=[week.pk, other.pk])
    assert client_for(coordinator).get(url).status_code == 404


def test_programme_page_shows_the_three_sections(week, coordinator, client_for):
    page = client_for(coordinator).get(reverse("placements:programme_detail", args=[week.pk])).content.decode()
    for title in ("Overview", "Week plan", "Attendance", "Budget"):
        assert f">{title}</h2>" in page
    assert reverse("placements:timetable", args=[week.pk]) in page


# --- query counts -----------------------------------------------------------------------------


# Queries every signed-in request costs before the view runs (session refresh for the idle
# timeout, two-factor and audit middleware): the same on every page, whatever its rows.
REQUEST_OVERHEAD = 3


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("placements:activities", 10),  # one more since it holds the department unavailability form
        ("placements:syndicates", 10),
        # and what could fill free slots: filler activities, other programmes, whether the force lets fillers
        # without a risk assessment in (partners' timetable gate: one query), and the learning outcomes
        ("placements:timetable", 14),
        ("placements:department_schedule", 10),
        ("placements:attendance", 8),
        ("placements:budget", 12),
    ],
)
def test_list_pages_keep_a_constant_query_count(
    name, limit, week, coordinator, client_for, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = reverse(name, args=[week.pk])
    client.get(url)  # warm caches (sessions, content types)
    with django_assert_max_num_queries(limit + REQUEST_OVERHEAD):
        assert client.get(url).status_code == 200
    # Twice the students, syndicates, sessions, marks and spend: the same number of queries.
    add_students(week, 16, prefix="More")
    services_leads = [f.ForcePersonFactory(force=week.force) for _ in range(8)]
    from placements import services

    services.syndicates_build(programme=week, size=4, leads=services_leads, actor=coordinator)
    services.timetable_generate(
        programme=week, activities=[week.activities["dogs"], week.activities["air"]], actor=coordinator
    )
    for placement in Placement.objects.filter(programme=week):
        for day in week.days[:3]:
            Attendance.objects.create(placement=placement, date=day, status="present")
    line = f.BudgetLineFactory(programme=week)
    for _ in range(3):
        f.ActivityFactory(force=week.force, department=week.activities["dogs"].department).delivering_staff.add(
            f.ForcePersonFactory(force=week.force)
        )
        pf.DepartmentUnavailabilityFactory(department=week.activities["dogs"].department)
    for n in range(5):
        SpendEntry.objects.create(budget_line=line, date=week.start_date, amount=10 + n, note=f"Item {n}")
    with django_assert_max_num_queries(limit + REQUEST_OVERHEAD):
        assert client.get(url).status_code == 200


LEAD_HOME, REGISTER = 8, 10


def test_lead_home_and_register_keep_a_constant_query_count(week, lead, client_for, django_assert_max_num_queries):
    client = client_for(lead)
    syndicate = _syndicate_of(lead)
    register = reverse("placements:register", args=[syndicate.pk]) + f"?day={week.start_date}"
    client.get(register)
    with django_assert_max_num_queries(LEAD_HOME + REQUEST_OVERHEAD):
        assert client.get(reverse("placements:lead_home")).status_code == 200
    with django_assert_max_num_queries(REGISTER + REQUEST_OVERHEAD):
        assert client.get(register).status_code == 200
    for placement in add_students(week, 4, prefix="Extra"):
        placement.syndicate = syndicate
        placement.save()
    with django_assert_max_num_queries(LEAD_HOME + REQUEST_OVERHEAD):
        assert client.get(reverse("placements:lead_home")).status_code == 200
    with django_assert_max_num_queries(REGISTER + REQUEST_OVERHEAD):
        assert client.get(register).status_code == 200


# --- syndicates -------------------------------------------------------------------------------


def test_build_mixes_schools_and_assigns_only_vetted_leads(programme_a, coordinator, client_for):
    add_students(programme_a, 16)
    fine = [f.ForcePersonFactory(force=programme_a.force, vetting_expires_on=date(2030, 1, 1)) for _ in range(3)]
    lapsed = f.ForcePersonFactory(force=programme_a.force, vetting_expires_on=programme_a.start_date)
    response = client_for(coordinator).post(
        reverse("placements:syndicates_build", args=[programme_a.pk]),
        {"size": 4, "leads": [p.pk for p in fine] + [lapsed.pk]},
        follow=True,
    )
    # The lapsed lead is not even a choice: the form refuses the whole submission.
    assert "not one of the available choices" in response.content.decode()
    response = client_for(coordinator).post(
        reverse("placements:syndicates_build", args=[programme_a.pk]),
        {"size": 4, "leads": [p.pk for p in fine]},
        follow=True,
    )
    assert "no two from the same school" in response.content.decode()
    assert "1 syndicate(s) have no lead" in response.content.decode()
    syndicates = list(programme_a.syndicates.prefetch_related("placements__nomination"))
    assert len(syndicates) == 4
    for syndicate in syndicates:
        schools = [p.nomination.institution_id for p in syndicate.placements.all()]
        assert len(schools) == 4 and len(set(schools)) == 4
    assert {s.lead_id for s in syndicates} == {p.pk for p in fine} | {None}


def test_locked_syndicates_survive_a_rebuild_and_block_moves(week, coordinator, client_for):
    client = client_for(coordinator)
    locked = week.syndicates.order_by("name").first()
    members = set(locked.placements.values_list("pk", flat=True))
    client.post(
        reverse("placements:syndicate_update", args=[week.pk, locked.pk]),
        {"lead": locked.lead_id, "is_locked": "on"},
    )
    client.post(reverse("placements:syndicates_build", args=[week.pk]), {"size": 3})
    locked.refresh_from_db()
    assert locked.is_locked and set(locked.placements.values_list("pk", flat=True)) == members
    other = week.syndicates.exclude(pk=locked.pk).first()
    response = client.post(
        reverse("placements:placement_move", args=[week.pk]),
        {"placement": next(iter(members)), "syndicate": other.pk},
        follow=True,
    )
    assert "is locked" in response.content.decode()
    assert set(locked.placements.values_list("pk", flat=True)) == members


def test_a_lead_whose_vetting_lapses_mid_week_is_refused(week, coordinator, client_for):
    syndicate = week.syndicates.first()
    lapsing = f.ForcePersonFactory(force=week.force, vetting_expires_on=week.start_date)
    response = client_for(coordinator).post(
        reverse("placements:syndicate_update", args=[week.pk, syndicate.pk]), {"lead": lapsing.pk}, follow=True
    )
    assert response.status_code == 200
    syndicate.refresh_from_db()
    assert syndicate.lead_id != lapsing.pk


def test_vetting_expiring_soon_is_flagged(week, coordinator, client_for, settings):
    import time_machine

    syndicate = week.syndicates.first()
    syndicate.lead.vetting_expires_on = date(2027, 8, 1)  # covers the week (12–16 July 2027)
    syndicate.lead.save()
    with time_machine.travel(date(2027, 7, 10)):
        page = client_for(coordinator).get(reverse("placements:syndicates", args=[week.pk])).content.decode()
    assert "within 30 days" in page


def test_move_student_between_syndicates(week, coordinator, client_for):
    source, target = list(week.syndicates.order_by("name")[:2])
    placement = source.placements.first()
    client_for(coordinator).post(
        reverse("placements:placement_move", args=[week.pk]), {"placement": placement.pk, "syndicate": target.pk}
    )
    placement.refresh_from_db()
    assert placement.syndicate == target


# --- timetable --------------------------------------------------------------------------------


def test_generate_replaces_the_timetable_and_reports_an_infeasible_rule(week, coordinator, client_for):
    client = client_for(coordinator)
    activities = week.activities
    response = client.post(
        reverse("placements:timetable_generate", args=[week.pk]),
        {"activities": [activities["dogs"].pk, activities["air"].pk]},
        follow=True,
    )
    assert "Timetable generated" in response.content.decode()
    assert set(week.sessions.values_list("activity", flat=True)) == {activities["dogs"].pk, activities["air"].pk}
    # Dogs take one syndicate at a time: squeeze them out of every slot but one.
    pf.DepartmentUnavailabilityFactory(
        department=activities["dogs"].department,
        starts_at=_aware(week.start_date, time(8)),
        ends_at=_aware(week.end_date, time(11, 30)),
    )
    before = list(week.sessions.values_list("pk", flat=True))
    response = client.post(
        reverse("placements:timetable_generate", args=[week.pk]),
        {"activities": [activities["dogs"].pk, activities["air"].pk]},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The timetable could not be made" in page and "activity capacity" in page
    assert list(week.sessions.values_list("pk", flat=True)) == before  # nothing half-written


def _aware(day, at):
    from datetime import datetime

    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, at))


def test_timetable_pages_show_the_plan(week, coordinator, client_for):
    client = client_for(coordinator)
    grid = client.get(reverse("placements:timetable", args=[week.pk])).content.decode()
    assert "Premises search" in grid and "Helicopter" in grid and "Lunch" in grid
    syndicate = week.syndicates.order_by("name").first()
    own = client.get(reverse("placements:syndicate_schedule", args=[week.pk, syndicate.pk])).content.decode()
    assert own.count("Premises search") == 1 and "Helicopter" in own
    departments = client.get(reverse("placements:department_schedule", args=[week.pk])).content.decode()
    assert "Dog Unit" in departments and "3 needed" in departments


def test_run_sheet_pdf_for_the_demo_programme(client_for, db):
    from django.core.management import call_command
    from pypdf import PdfReader

    from placements.demo import story_for
    from placements.models import Programme

    call_command("seed_demo", stdout=io.StringIO())
    story = story_for(None)
    week = Programme.objects.get(title=story.completed.title)
    from accounts.models import User

    response = client_for(User.objects.get(username="coordinator")).get(reverse("placements:run_sheet", args=[week.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    # The week at a glance, one page a day, then the learning outcomes of the week's activities.
    assert len(reader.pages) == 1 + len(week.days) + 1
    outcomes = reader.pages[-1].extract_text()
    assert "Learning outcomes" in outcomes and "Identify key stakeholders" in outcomes
    first = reader.pages[0].extract_text()
    assert f"Run sheet: {week.title}" in first
    assert "Syndicate 1" in first and "Break" in first and "Lunch" in first
    monday = reader.pages[1].extract_text()
    assert f"Monday {week.start_date.day} {week.start_date:%B %Y}" in monday
    assert "Community voices" in monday and "contingency for National Police Air" in monday


# --- contingency --------------------------------------------------------------------------------


def test_cancel_and_swap_offers_fitting_contingencies_and_emails_the_leads(
    week, coordinator, client_for, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    session = week.sessions.filter(activity=week.activities["dogs"]).first()
    url = reverse("placements:session_swap", args=[week.pk, session.pk])
    page = client.get(url).content.decode()
    assert "Beat walk" in page and "Community voices" in page
    assert "Vehicle forensics" not in page  # not a contingency activity
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"activity": week.activities["beat"].pk})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    replacement = session.replaced_by.get()
    assert replacement.activity == week.activities["beat"]
    assert replacement.starts_at == session.starts_at
    assert list(replacement.syndicates.all()) == list(session.syndicates.all())
    leads = {s.lead.email for s in session.syndicates.all()}
    emails = OutboundEmail.objects.filter(kind="session_replaced")
    assert {e.to for e in emails} == leads
    assert all(e.sent_at is not None for e in emails)  # sent after commit
    assert "Beat walk" in emails.first().subject
    # Swapping again is refused; nothing more is sent.
    assert client.get(url).status_code == 302
    assert OutboundEmail.objects.filter(kind="session_replaced").count() == len(leads)


def test_swap_refuses_an_activity_that_does_not_fit(week, coordinator, client_for):
    session = week.sessions.filter(activity=week.activities["dogs"]).first()
    url = reverse("placements:session_swap", args=[week.pk, session.pk])
    response = client_for(coordinator).post(url, {"activity": week.activities["cars"].pk})
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED
    assert not OutboundEmail.objects.exists()


# --- attendance ---------------------------------------------------------------------------------


def _register(syndicate, day):
    return reverse("placements:register", args=[syndicate.pk]) + f"?day={day.isoformat()}"


def test_register_three_ways(week, lead, coordinator, client_for):
    own = _syndicate_of(lead)
    other_programme = f.SyndicateFactory(programme=f.ProgrammeFactory(force=week.force))
    other_user = f.UserFactory(username="lead-other")
    other_programme.lead.user = other_user
    other_programme.lead.save()
    url = _register(own, week.start_date)
    assert "/login/" in client_for(None).get(url)["Location"]
    assert client_for(other_user).get(url).status_code == 404  # a lead of another programme
    assert client_for(other_user).post(url, {"placement": 1, "status": "present"}).status_code == 404
    assert client_for(lead).get(url).status_code == 200
    assert client_for(coordinator).get(url).status_code == 200
    # The lead cannot open another syndicate of the same programme either.
    sibling = week.syndicates.exclude(pk=own.pk).first()
    assert client_for(lead).get(_register(sibling, week.start_date)).status_code == 404


def test_marking_twice_updates_and_never_duplicates(week, lead, client_for):
    syndicate = _syndicate_of(lead)
    placement = syndicate.placements.first()
    client = client_for(lead)
    url = _register(syndicate, week.start_date)
    client.post(url, {"placement": placement.pk, "status": "present", "day": week.start_date})
    client.post(url, {"placement": placement.pk, "status": "late", "arrived_at": "09:20", "day": week.start_date})
    rows = Attendance.objects.filter(placement=placement, date=week.start_date)
    assert rows.count() == 1
    assert rows.get().status == "late" and rows.get().arrived_at == time(9, 20)
    assert rows.get().marked_by == lead


def test_offline_resubmission_loses_nothing(week, lead, client_for):
    """The phone queued three taps while offline and sends them all (one twice) when back online."""
    syndicate = _syndicate_of(lead)
    first, second, third = list(syndicate.placements.order_by("pk")[:3])
    client = client_for(lead)
    url = _register(syndicate, week.start_date)
    headers = {"Accept": "application/json"}
    client.post(url, {"placement": first.pk, "status": "present", "day": week.start_date}, headers=headers)
    for placement, status in ((first, "present"), (second, "absent"), (third, "late")):
        data = {"placement": placement.pk, "status": status, "day": week.start_date}
        response = client.post(url, data, headers=headers)
        assert response.status_code == 200 and response.json()["ok"]
    marks = dict(Attendance.objects.filter(date=week.start_date).values_list("placement_id", "status"))
    assert marks == {first.pk: "present", second.pk: "absent", third.pk: "late"}
    assert Attendance.objects.get(placement=third, date=week.start_date).arrived_at is not None


def test_register_rejects_bad_input_without_a_500(week, lead, client_for):
    syndicate = _syndicate_of(lead)
    client = client_for(lead)
    placement = syndicate.placements.first()
    outside = week.syndicates.exclude(pk=syndicate.pk).first().placements.first()
    url = _register(syndicate, week.start_date)
    assert client.post(url, {"placement": outside.pk, "status": "present"}).status_code == 404
    json = {"Accept": "application/json"}
    assert client.post(url, {"placement": placement.pk, "status": "sleeping"}, headers=json).status_code == 400
    saturday = reverse("placements:register", args=[syndicate.pk]) + "?day=2027-07-17"
    assert client.get(saturday).status_code == 404
    assert client.get(reverse("placements:register", args=[syndicate.pk]) + "?day=nonsense").status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_grid_shows_marks(week, coordinator, client_for):
    placement = Placement.objects.filter(programme=week).first()
    Attendance.objects.create(placement=placement, date=week.start_date, status="late", arrived_at=time(9, 40))
    page = client_for(coordinator).get(reverse("placements:attendance", args=[week.pk])).content.decode()
    assert "09:40" in page and placement.nomination.full_name in page


# --- budget -------------------------------------------------------------------------------------


def test_spend_updates_actual_and_cost_per_student(week, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("placements:budget", args=[week.pk])
    for amount in ("100.00", "60.00"):
        response = client.post(
            url,
            {"form": "spend", "spend-category": "transport", "spend-date": "2027-07-12", "spend-amount": amount},
        )
        assert response.status_code == 302
    line = week.budget_lines.get(category="transport")
    assert line.actual == 160
    page = client.get(url).content.decode()
    assert "£10.00" in page  # 160 / 16 students
    bad = client.post(
        url, {"form": "spend", "spend-category": "transport", "spend-date": "2027-07-12", "spend-amount": "-5"}
    )
    assert bad.status_code == 400
    assert SpendEntry.objects.count() == 2


def test_staff_hours_come_from_the_timetable(week, coordinator, client_for):
    client = client_for(coordinator)
    dogs = week.activities["dogs"].department
    client.post(
        reverse("placements:budget", args=[week.pk]), {"form": "hours", "hours-department": dogs.pk, "hours-hours": "5"}
    )
    from placements.selectors import staff_hours

    rows = {row["department"].name: row for row in staff_hours(programme=week)}
    # Four syndicates, one at a time: four two-hour sessions with three staff each.
    assert rows["Dog Unit"]["sessions"] == 4
    assert rows["Dog Unit"]["delivery"] == 24
    assert rows["Dog Unit"]["planning"] == 5 and rows["Dog Unit"]["total"] == 29


def test_budget_csv_neutralises_formulas(week, coordinator, client_for):
    client = client_for(coordinator)
    client.post(
        reverse("placements:budget", args=[week.pk]),
        {
            "form": "spend",
            "spend-category": "misc",
            "spend-date": "2027-07-12",
            "spend-amount": "12.50",
            "spend-note": '=HYPERLINK("http://evil.invalid")',
        },
    )
    response = client.get(reverse("placements:budget_csv", args=[week.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    notes = [row[3] for row in rows if row and row[0] == "spend"]
    assert notes == ['\'=HYPERLINK("http://evil.invalid")']
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(row[:1] == ["Dog Unit"] for row in rows)


def test_catalogue_flags_stale_risk_assessments(week, coordinator, client_for):
    stale = week.activities["cars"]
    stale.risk_assessment_status = "approved"
    stale.risk_assessed_on = date(2025, 1, 1)
    stale.save()
    page = client_for(coordinator).get(reverse("placements:activities", args=[week.pk])).content.decode()
    assert "over a year old" in page and "Community voices" in page and "Youth Forum" in page


def test_register_opens_on_today_during_the_programme(week, lead, client_for):
    import time_machine

    syndicate = _syndicate_of(lead)
    url = reverse("placements:register", args=[syndicate.pk])
    with time_machine.travel(_aware(week.days[2], time(8, 45)), tick=False):
        page = client_for(lead).get(url).content.decode()
        home = client_for(lead).get(reverse("placements:lead_home")).content.decode()
    assert week.days[2].strftime("%A %-d %B") in page
    assert "Present" in page and syndicate.placements.first().nomination.full_name in page
    assert "Take today&#x27;s register" in home or "Take today's register" in home
    with time_machine.travel(_aware(date(2027, 8, 2), time(9)), tick=False):
        assert "There is no register today" in client_for(lead).get(url).content.decode()


@pytest.mark.parametrize("days_after, listed", [(0, True), (30, True), (31, False)])
def test_lead_home_lists_only_current_and_recent_syndicates(week, lead, client_for, days_after, listed):
    """A lead sees their children's names and needs around the week, not for every syndicate they ever led."""
    import time_machine

    syndicate = _syndicate_of(lead)
    name = syndicate.placements.first().nomination.full_name
    with time_machine.travel(_aware(week.end_date + timedelta(days=days_after), time(9)), tick=False):
        page = client_for(lead).get(reverse("placements:lead_home")).content.decode()
    assert (name in page) is listed
    assert ("ended more than 30 days ago" in page) is not listed
