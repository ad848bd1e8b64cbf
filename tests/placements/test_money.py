"""Money: a programme's sponsor, funding source and allocation (a ceiling that spend is asked about before it
passes), and value-for-money figures worked out once for the budget page, its CSV and the practice report."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from placements import selectors, services
from placements.models import Attendance, Placement, Programme, SpendEntry
from placements.planning import PlanningError
from reports.selectors import money_facts
from tests import factories as f
from tests.reports.factories import PracticeReportFactory


def _spend(amount, *, confirmed=False, category="catering"):
    data = {"form": "spend", "spend-category": category, "spend-date": "2027-07-12", "spend-amount": amount}
    if confirmed:
        data["spend-past_allocation_confirmed"] = "1"
    return data


def _allocate(programme, amount, sponsor="Workforce Development"):
    programme.budget_allocated, programme.sponsor = Decimal(amount), sponsor
    programme.save(update_fields=["budget_allocated", "sponsor"])


# --- sponsor and allocation -----------------------------------------------------------------------


def test_a_coordinator_sets_sponsor_funding_and_allocation(week, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("placements:budget", args=[week.pk])
    response = client.post(
        url,
        {
            "form": "funding",
            "funding-sponsor": "Workforce Development",
            "funding-funding_source": "Positive Action budget",
            "funding-budget_allocated": "2700",
        },
    )
    assert response.status_code == 302
    week.refresh_from_db()
    assert (week.sponsor, week.funding_source, week.budget_allocated) == (
        "Workforce Development",
        "Positive Action budget",
        Decimal("2700"),
    )
    page = client.get(url).content.decode()
    assert "Paid for by Workforce Development, from Positive Action budget." in page
    assert "£2,700.00 left" in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "Give £0 or more."), ("lots", "Give an amount in pounds, for example 2700."), ("1" * 12, "digits")],
)
def test_a_bad_allocation_is_refused_with_a_message(week, coordinator, client_for, amount, message):
    client = client_for(coordinator)
    response = client.post(
        reverse("placements:budget", args=[week.pk]),
        {"form": "funding", "funding-sponsor": "Someone", "funding-budget_allocated": amount},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    week.refresh_from_db()
    assert week.sponsor == "" and week.budget_allocated is None


def test_the_service_refuses_a_negative_allocation(week, coordinator):
    with pytest.raises(PlanningError, match="£0 or more"):
        services.programme_funding_set(
            programme=week, sponsor="", funding_source="", budget_allocated=Decimal("-5"), actor=coordinator
        )


def test_an_unknown_budget_form_is_refused(week, coordinator, client_for):
    response = client_for(coordinator).post(reverse("placements:budget", args=[week.pk]), {"form": "nonsense"})
    assert response.status_code == 400
    assert "Choose what to save" in response.content.decode()


def test_another_forces_coordinator_cannot_set_the_allocation(week, coordinator_b, client_for):
    response = client_for(coordinator_b).post(
        reverse("placements:budget", args=[week.pk]), {"form": "funding", "funding-budget_allocated": "1"}
    )
    assert response.status_code == 404
    week.refresh_from_db()
    assert week.budget_allocated is None


# --- the ceiling ------------------------------------------------------------------------------------


def test_spend_that_would_pass_the_allocation_is_asked_about_first(week, coordinator, client_for):
    _allocate(week, "500")
    client = client_for(coordinator)
    url = reverse("placements:budget", args=[week.pk])
    assert client.post(url, _spend("400")).status_code == 302
    response = client.post(url, _spend("150.50"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "This spend passes the allocation" in page
    assert "takes spending to £550.50, £50.50 over the £500.00 allocated by Workforce Development" in page
    assert "Nothing has been recorded yet." in page
    assert 'name="spend-past_allocation_confirmed" value="1"' in page
    assert SpendEntry.objects.filter(budget_line__programme=week).count() == 1  # not recorded
    assert client.post(url, _spend("150.50", confirmed=True)).status_code == 302
    assert week.budget_lines.get(category="catering").actual == Decimal("550.50")
    page = client.get(url).content.decode()
    assert "Spending is £50.50 over the £500.00 allocated by Workforce Development" in page


def test_spend_within_the_allocation_or_without_one_is_not_asked_about(week, coordinator, client_for):
    client = client_for(coordinator)
    url = reverse("placements:budget", args=[week.pk])
    assert client.post(url, _spend("9999")).status_code == 302  # no allocation set: no ceiling
    _allocate(week, "10000")
    assert client.post(url, _spend("1")).status_code == 302  # exactly reaches it: allowed
    page = client.get(url).content.decode()
    assert "Only £0.00 of the £10,000.00 allocated by Workforce Development is left to spend." in page


def test_the_service_enforces_the_ceiling_too(week, coordinator):
    _allocate(week, "100")
    with pytest.raises(services.OverAllocation) as refused:
        services.spend_entry_add(
            programme=week, category="transport", day=week.start_date, amount=Decimal("101"), note="", actor=coordinator
        )
    assert refused.value.status == 409
    assert not SpendEntry.objects.filter(budget_line__programme=week).exists()


def test_a_plan_above_the_allocation_is_warned_about(week, coordinator, client_for):
    _allocate(week, "1000")
    f.BudgetLineFactory(programme=week, category="catering", planned=Decimal("1200"))
    page = client_for(coordinator).get(reverse("placements:budget", args=[week.pk])).content.decode()
    assert "The budget lines plan £1,200.00, £200.00 more than the allocation." in page


# --- value for money --------------------------------------------------------------------------------


def test_value_for_money_per_student_attendee_and_contact_hour(week, coordinator):
    f.BudgetLineFactory(programme=week, category="catering", planned=Decimal("0"), actual=Decimal("1600"))
    placements = list(Placement.objects.filter(programme=week).order_by("pk"))
    for placement in placements[:10]:  # ten came; two of them were late on one day and absent on another
        Attendance.objects.create(placement=placement, date=week.start_date, status="present")
    Attendance.objects.create(placement=placements[10], date=week.start_date, status="absent")
    value = selectors.budget_summary(programme=week)["value"]
    # Contact hours from the timetable itself: each planned session's hours × the students in its syndicates
    # (everyone placed when it has no syndicates).
    expected = Decimal("0")
    for session in week.sessions.filter(status="planned").prefetch_related("syndicates"):
        hours = Decimal((session.ends_at - session.starts_at).total_seconds()) / 3600
        syndicates = list(session.syndicates.all())
        students = sum(s.placements.filter(status="confirmed").count() for s in syndicates) if syndicates else 16
        expected += hours * students
    assert expected > 0
    assert value["students"] == 16 and value["attended"] == 10
    assert value["contact_hours"] == expected.quantize(Decimal("0.1"))
    assert value["cost_per_student"] == Decimal("100.00")
    assert value["cost_per_attendee"] == Decimal("160.00")
    assert value["cost_per_contact_hour"] == (Decimal("1600") / value["contact_hours"]).quantize(Decimal("0.01"))
    sentences = " ".join(value["sentences"])
    assert "£1,600.00 spent on 16 students with a place: £100.00 a student." in sentences
    assert "10 of them came on at least one day: £160.00 for each student who came." in sentences
    hours = value["contact_hours"]
    words = f"{hours:,.0f}" if hours == int(hours) else f"{hours:,}"
    assert f"The timetable gives {words} hours of contact with students" in sentences
    assert ".0 hours" not in sentences  # whole hours are written without a decimal


def test_a_withdrawn_students_session_hours_are_not_contact_hours(week, coordinator):
    before = selectors.budget_summary(programme=week)["value"]["contact_hours"]
    placement = Placement.objects.filter(programme=week, syndicate__isnull=False).first()
    placement.status = Placement.Status.WITHDRAWN
    placement.save(update_fields=["status"])
    after = selectors.budget_summary(programme=week)["value"]["contact_hours"]
    assert after < before


def test_value_for_money_before_anything_is_spent_says_so(programme_a):
    value = selectors.value_for_money(programme=programme_a, actual=Decimal("0"))
    assert value["cost_per_student"] is None and value["cost_per_contact_hour"] is None
    assert value["sentences"] == ["Nothing has been spent yet, so there is no cost per student to show."]


def test_the_budget_page_shows_value_for_money_in_words(week, coordinator, client_for):
    f.BudgetLineFactory(programme=week, category="catering", actual=Decimal("800"))
    page = client_for(coordinator).get(reverse("placements:budget", args=[week.pk])).content.decode()
    assert "Value for money" in page and "£50.00 a student" in page
    assert "No student has been marked present yet" in page
    assert "Per student contact hour" in page


def test_the_practice_report_reads_the_same_figures(week, coordinator):
    f.BudgetLineFactory(programme=week, category="catering", actual=Decimal("800"))
    _allocate(week, "700")
    week.funding_source = "Prevention First grant"
    week.save(update_fields=["funding_source"])
    summary = selectors.budget_summary(programme=week)
    money = money_facts(Programme.objects.get(pk=week.pk), PracticeReportFactory(programme=week))
    assert money["value"] == summary["value"]["sentences"]
    assert money["cost_per_student"] == "£50"
    assert money["allocated"].startswith(
        "The budget allocated was £700, provided by Workforce Development from Prevention First grant"
    )


def test_the_budget_csv_has_the_value_for_money_rows(week, coordinator, client_for):
    f.BudgetLineFactory(programme=week, category="catering", actual=Decimal("800"))
    _allocate(week, "900", sponsor="=HYPERLINK(1)")
    response = client_for(coordinator).get(reverse("placements:budget_csv", args=[week.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "cost per student who came" in body and "cost per student contact hour" in body
    assert "'=HYPERLINK(1)" in body  # the sponsor's words cannot become a formula


def test_the_budget_page_keeps_a_constant_query_count(week, coordinator, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    url = reverse("placements:budget", args=[week.pk])
    _allocate(week, "100")
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    line = f.BudgetLineFactory(programme=week, category="catering", actual=Decimal("300"))
    for n in range(5):
        SpendEntry.objects.create(budget_line=line, date=week.start_date + timedelta(days=n % 3), amount=10 + n)
    for placement in Placement.objects.filter(programme=week):
        Attendance.objects.create(placement=placement, date=week.start_date, status="present")
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
