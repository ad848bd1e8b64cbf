"""The programme's task list and "What to do next": what a coordinator expects at each stage of the year."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import CertificateTemplate
from mentoring.models import MentorAssignment
from placements.models import Attendance, BudgetLine, Programme
from placements.tasklist import (
    CANNOT_START,
    DONE,
    IN_PROGRESS,
    NEEDS_ATTENTION,
    NOT_DONE,
    NOT_STARTED,
    next_task,
    programme_tasks,
    task_list,
)
from schools.models import Consent, Nomination
from surveys.models import Question, Survey
from tests import factories as f
from tests.reports.factories import PracticeReportFactory
from tests.schools.factories import ContactInvitationFactory

STEPS = [
    "set_up",
    "schools",
    "contacts",
    "nominations",
    "consent",
    "selection",
    "offers",
    "syndicates",
    "timetable",
    "joining_details",
    "register",
    "partners",
    "surveys",
    "certificates",
    "mentoring",
    "practice_report",
]


def states(programme, today):
    """{key: (status, reason)}, from a fresh copy of the programme (facts are kept per programme object)."""
    rows = task_list(Programme.objects.get(pk=programme.pk), today)
    return {row.task.key: (row.state.status, row.state.reason) for row in rows}


def statuses(programme, today):
    return {key: status for key, (status, _) in states(programme, today).items()}


def next_key(programme, today):
    row = next_task(task_list(Programme.objects.get(pk=programme.pk), today))
    return row and row.task.key


# --- building a programme up to a stage ------------------------------------------------------------


def school_with_contact(programme, quota=8):
    school = f.InstitutionFactory(force=programme.force)
    f.AllocationFactory(programme=programme, institution=school, quota=quota)
    f.InstitutionContactFactory(institution=school)
    return school


def nominate(programme, school, *, status=Nomination.Status.SUBMITTED, consent=Consent.Status.GIVEN, **extra):
    nomination = f.NominationFactory(programme=programme, institution=school, status=status, **extra)
    if consent == Consent.Status.GIVEN:
        f.ConsentFactory(nomination=nomination)
    else:
        f.ConsentFactory(
            nomination=nomination,
            status=consent,
            respondent_name="",
            participation=False,
            data_processing=False,
            mentoring_contact=False,
            responded_at=None,
        )
    return nomination


def accepted_students(programme, count, school=None):
    school = school or school_with_contact(programme, quota=max(count, 1))
    return [
        f.PlacementFactory(
            programme=programme, nomination=nominate(programme, school, status=Nomination.Status.ACCEPTED)
        )
        for _ in range(count)
    ]


def plan_week(programme, placements):
    """One led syndicate with every student in it, and one planned session for it (made once)."""
    syndicate = programme.syndicates.first()
    if syndicate is None:
        syndicate = f.SyndicateFactory(programme=programme, name="Syndicate 1")
        f.SessionFactory(programme=programme).syndicates.add(syndicate)
    for placement in placements:
        placement.syndicate = syndicate
        placement.save(update_fields=["syndicate"])
    return syndicate


def run_week(programme, count, *, mentored=None):
    """A programme whose week has run: every day marked, certificates issued, surveys answered.

    Every student asked for a mentor; all but the last have one (unless `mentored` says how many).
    Run again, it adds `count` more students to the same week.
    """
    BudgetLine.objects.get_or_create(programme=programme, category=BudgetLine.Category.TRANSPORT, planned=550)
    placements = accepted_students(programme, count)
    plan_week(programme, placements)
    for placement in placements:
        for day in programme.days:
            Attendance.objects.create(placement=placement, date=day, status=Attendance.Status.PRESENT)
    if not CertificateTemplate.objects.filter(force=programme.force).exists():
        f.CertificateTemplateFactory(force=programme.force)
    for placement in placements:
        f.CertificateFactory(placement=placement)
    pre, _ = Survey.objects.get_or_create(programme=programme, phase=Survey.Phase.PRE, title="Before the week")
    post, _ = Survey.objects.get_or_create(programme=programme, phase=Survey.Phase.POST, title="After the week")
    wants_mentor, _ = Question.objects.get_or_create(
        survey=post, code="wants_mentor", kind=Question.Kind.YES_NO, text="Would you like a mentor?"
    )
    now = timezone.now()
    for placement in placements:
        f.InvitationFactory(survey=pre, placement=placement, answered_at=now)
        invitation = f.InvitationFactory(survey=post, placement=placement, answered_at=now)
        f.AnswerFactory(response=f.ResponseFactory(invitation=invitation), question=wants_mentor, value_int=1)
    mentored = count - 1 if mentored is None else mentored
    for placement in placements[:mentored]:
        f.MentorAssignmentFactory(
            placement=placement,
            starts_on=programme.end_date + timedelta(days=3),
            ends_on=programme.end_date + timedelta(days=365),
            next_due_on=programme.end_date + timedelta(days=60),
        )
    return placements


# --- the registry ----------------------------------------------------------------------------------


def test_each_app_registers_its_steps_in_the_order_of_the_year():
    assert [task.key for task in programme_tasks()] == STEPS


# --- the stages --------------------------------------------------------------------------------------


def test_a_brand_new_programme_starts_with_set_up_and_offers_no_selection(force_a):
    programme = f.ProgrammeFactory(force=force_a)  # nominations 4 January to 30 April 2027, week 12 July
    today = date(2026, 12, 1)
    found = states(programme, today)
    assert {key: status for key, (status, _) in found.items()} == {
        "set_up": IN_PROGRESS,
        "schools": NOT_STARTED,
        "contacts": CANNOT_START,
        "nominations": CANNOT_START,
        "consent": CANNOT_START,
        "selection": CANNOT_START,
        "offers": CANNOT_START,
        "syndicates": CANNOT_START,
        "timetable": CANNOT_START,
        "joining_details": NOT_STARTED,
        "register": CANNOT_START,
        "partners": DONE,
        "surveys": CANNOT_START,
        "certificates": CANNOT_START,
        "mentoring": CANNOT_START,
        "practice_report": CANNOT_START,
    }
    assert found["nominations"][1] == "Opens on 4 January 2027"
    assert found["selection"][1] == "Opens when nominations close on 30 April 2027"
    assert next_key(programme, today) == "set_up"
    f.BudgetLineFactory(programme=programme)
    assert next_key(programme, today) == "schools"


def test_nominations_arriving_with_some_consents_pending(force_a):
    programme = f.ProgrammeFactory(force=force_a)
    f.BudgetLineFactory(programme=programme)
    first, second = school_with_contact(programme), school_with_contact(programme)
    nominate(programme, first)
    nominate(programme, first, consent=Consent.Status.REQUESTED)
    nominate(programme, second, consent=Consent.Status.REQUESTED)
    window_open = date(2027, 2, 1)
    found = states(programme, window_open)
    assert found["schools"] == (DONE, "2 schools may nominate up to 16 students")
    assert found["contacts"] == (DONE, "Every school has a contact")
    assert found["nominations"] == (IN_PROGRESS, "3 nominated so far; closes on 30 April")
    assert found["consent"] == (IN_PROGRESS, "2 guardians have not answered")
    assert found["selection"] == (CANNOT_START, "Opens when nominations close on 30 April")
    assert next_key(programme, window_open) == "nominations"

    closed = date(2027, 5, 3)
    found = states(programme, closed)
    assert found["nominations"] == (DONE, "3 nominated for 16 places")
    assert found["consent"] == (NEEDS_ATTENTION, "2 guardians have not answered")
    assert found["selection"] == (NEEDS_ATTENTION, "Nobody has been offered a place yet")
    assert next_key(programme, closed) == "consent"


def test_schools_without_a_contact_need_attention_with_the_count(force_a):
    programme = f.ProgrammeFactory(force=force_a)
    f.BudgetLineFactory(programme=programme)
    school_with_contact(programme, quota=4)
    invited, lapsed, forgotten = (f.InstitutionFactory(force=force_a) for _ in range(3))
    for school in (invited, lapsed, forgotten):
        f.AllocationFactory(programme=programme, institution=school, quota=4)
    ContactInvitationFactory(institution=invited)
    ContactInvitationFactory(institution=lapsed, expires_at=timezone.now() - timedelta(days=1))
    f.InstitutionContactFactory(institution=lapsed, is_active=False)
    today = date(2027, 1, 10)
    assert states(programme, today)["contacts"] == (
        NEEDS_ATTENTION,
        "2 schools have no contact; 1 invitation not accepted yet",
    )
    assert next_key(programme, today) == "contacts"

    f.InstitutionContactFactory(institution=lapsed)
    f.InstitutionContactFactory(institution=forgotten)
    assert states(programme, today)["contacts"] == (IN_PROGRESS, "1 invitation not accepted yet")
    f.InstitutionContactFactory(institution=invited)
    assert states(programme, today)["contacts"] == (DONE, "Every school has a contact")


def test_a_step_that_needs_attention_comes_before_an_earlier_one_in_progress(force_a):
    programme = f.ProgrammeFactory(force=force_a)  # no budget yet: set up is in progress
    f.AllocationFactory(programme=programme, quota=16)  # a school with no contact
    today = date(2027, 1, 10)
    found = states(programme, today)
    assert found["set_up"][0] == IN_PROGRESS and found["contacts"] == (NEEDS_ATTENTION, "1 school has no contact")
    assert next_key(programme, today) == "contacts"


def test_quotas_short_of_the_places_need_attention(force_a):
    programme = f.ProgrammeFactory(force=force_a)  # 16 places
    school_with_contact(programme, quota=10)
    assert states(programme, date(2027, 1, 10))["schools"] == (
        NEEDS_ATTENTION,
        "Quotas allow 10 nominations for 16 places",
    )


def test_after_offers_the_answers_are_what_to_follow(force_a):
    programme = f.ProgrammeFactory(force=force_a, capacity=3, reserved_send_places=0)
    f.BudgetLineFactory(programme=programme)
    school = school_with_contact(programme, quota=5)
    for _ in range(2):
        nominate(programme, school, status=Nomination.Status.OFFERED, offer_deadline=date(2027, 5, 17))
    f.PlacementFactory(programme=programme, nomination=nominate(programme, school, status=Nomination.Status.ACCEPTED))
    nominate(programme, school, status=Nomination.Status.WAITLISTED)
    today = date(2027, 5, 10)
    found = states(programme, today)
    assert found["consent"][0] == DONE
    assert found["selection"] == (DONE, "All 3 places offered")
    assert found["offers"] == (IN_PROGRESS, "1 accepted; 2 waiting for an answer (first deadline 17 May)")
    assert found["syndicates"] == (NOT_STARTED, "1 student to put into syndicates")
    assert found["timetable"] == (CANNOT_START, "Starts when syndicates are built")
    assert next_key(programme, today) == "offers"
    # The nightly job has not lapsed them yet: the coordinator sees the offers are overdue.
    assert states(programme, date(2027, 5, 20))["offers"] == (NEEDS_ATTENTION, "2 offers past the deadline to answer")


def test_while_the_week_runs_the_register_is_next(force_a):
    programme = f.ProgrammeFactory(force=force_a, capacity=4)  # Monday 12 to Friday 16 July 2027
    f.BudgetLineFactory(programme=programme)
    placements = accepted_students(programme, 4)
    plan_week(programme, placements)
    monday, tuesday = programme.days[:2]
    for placement in placements:
        Attendance.objects.create(placement=placement, date=monday, status=Attendance.Status.PRESENT)
    for placement in placements[:3]:
        Attendance.objects.create(placement=placement, date=tuesday, status=Attendance.Status.PRESENT)
    found = states(programme, tuesday)
    assert found["register"] == (IN_PROGRESS, "Day 2 of 5: 3 of 4 students marked today")
    assert found["syndicates"] == (DONE, "1 syndicate of 4 students")
    assert found["timetable"] == (DONE, "1 session planned")
    assert found["offers"] == (DONE, "4 of 4 places accepted")
    assert found["certificates"] == (CANNOT_START, "Opens on the last day, 16 July")
    assert found["mentoring"][0] == CANNOT_START
    assert next_key(programme, tuesday) == "register"

    Attendance.objects.filter(placement=placements[0], date=monday).delete()
    assert states(programme, tuesday)["register"] == (NEEDS_ATTENTION, "1 register mark missing from earlier days")


def test_a_completed_programme_is_done_but_for_its_results(force_a):
    programme = f.ProgrammeFactory(force=force_a, capacity=4)
    run_week(programme, 4)
    today = date(2027, 8, 2)
    found = states(programme, today)
    assert {key: status for key, (status, _) in found.items()} == {
        **dict.fromkeys(STEPS, DONE),
        "joining_details": NOT_DONE,
        "mentoring": NEEDS_ATTENTION,
        # Written up by the coordinator (reports/), once the results are in.
        "practice_report": NOT_STARTED,
    }
    assert found["register"] == (DONE, "Every day recorded; no absences")
    assert found["certificates"] == (DONE, "4 certificates issued")
    assert found["surveys"] == (DONE, "After the week: 4 of 4 answered")
    assert found["mentoring"] == (NEEDS_ATTENTION, "1 student waiting for a mentor")
    assert next_key(programme, today) == "mentoring"

    f.MentorAssignmentFactory(
        placement=programme.placements.order_by("pk").last(), starts_on=today, ends_on=date(2028, 8, 2)
    )
    assert states(programme, today)["mentoring"] == (IN_PROGRESS, "4 students being mentored")
    # The coordinator ended one: that student needs a new mentor.
    MentorAssignment.objects.filter(placement=programme.placements.order_by("pk").first()).update(
        status=MentorAssignment.Status.ENDED, ended_at=timezone.now(), ended_reason="coordinator"
    )
    assert states(programme, today)["mentoring"] == (NEEDS_ATTENTION, "1 student waiting for a mentor")
    # Every mentoring ran its full period: nothing is left to do.
    MentorAssignment.objects.update(
        status=MentorAssignment.Status.ENDED, ended_at=timezone.now(), ended_reason="period_over"
    )
    assert states(programme, today)["mentoring"] == (DONE, "Mentoring ended for 4 students")
    # What is left is writing the practice report.
    assert next_key(programme, today) == "practice_report"
    PracticeReportFactory(programme=programme, lessons_learned="Book early.", next_steps="Two weeks.")
    assert next_key(programme, today) is None


def test_a_step_skipped_in_the_past_is_never_what_to_do_next(force_a):
    """A placement run without syndicates or a timetable: recorded as not done, and the list moves on."""
    programme = f.ProgrammeFactory(force=force_a, capacity=2, reserved_send_places=0)
    f.BudgetLineFactory(programme=programme)
    accepted_students(programme, 2)
    today = date(2027, 8, 2)
    found = states(programme, today)
    assert found["syndicates"] == (NOT_DONE, "The programme ran without syndicates")
    assert found["timetable"] == (NOT_DONE, "The programme ran without a timetable")
    assert found["register"] == (NEEDS_ATTENTION, "10 register marks missing")
    assert next_key(programme, today) == "register"


def test_certificates_wait_for_a_template_and_then_for_issuing(force_a):
    programme = f.ProgrammeFactory(force=force_a, capacity=2, reserved_send_places=0)
    placements = accepted_students(programme, 2)
    for placement in placements:
        for day in programme.days[: 3 if placement == placements[0] else 5]:
            Attendance.objects.create(placement=placement, date=day, status=Attendance.Status.PRESENT)
    today = date(2027, 7, 16)  # the last day: certificates can be issued
    status, reason = states(programme, today)["certificates"]
    assert (status, reason) == (
        NEEDS_ATTENTION,
        "There is no certificate template for school work-experience weeks yet",
    )
    f.CertificateTemplateFactory(force=force_a)
    # Three days of five is under the 80% threshold: only the second student earned one.
    assert states(programme, today)["certificates"] == (NOT_STARTED, "1 student earned a certificate")
    f.CertificateFactory(placement=placements[1])
    assert states(programme, today)["certificates"] == (DONE, "1 certificate issued")


# --- the page ----------------------------------------------------------------------------------------


def _ended_programme(force, today, **extra):
    """A programme whose week ended ten days ago."""
    return f.ProgrammeFactory(
        force=force,
        nomination_opens=today - timedelta(days=90),
        nomination_closes=today - timedelta(days=40),
        start_date=today - timedelta(days=14),
        end_date=today - timedelta(days=10),
        **extra,
    )


def test_the_page_leads_with_what_to_do_next_and_the_task_list(client_for, coordinator, force_a):
    programme = f.ProgrammeFactory(
        force=force_a,
        nomination_opens=timezone.localdate() + timedelta(days=30),
        nomination_closes=timezone.localdate() + timedelta(days=60),
        start_date=timezone.localdate() + timedelta(days=120),
        end_date=timezone.localdate() + timedelta(days=124),
    )
    page = client_for(coordinator).get(reverse("placements:programme_detail", args=[programme.pk])).content.decode()
    next_step = page.index("What to do next")
    assert next_step < page.index("Steps of the programme") < page.index(">Overview</h2>")
    budget = reverse("placements:budget", args=[programme.pk])
    assert f'<a class="next-step__link" href="{budget}">Plan the budget</a>' in page
    assert page.count('class="app-task-list__item') == len(STEPS)
    # A step that cannot start yet has no link: nothing to choose from, so no selection assistant at all.
    assert reverse("schools:selection", args=[programme.pk]) not in page
    assert "Opens when nominations close on" in page and "Write them, then send them by" in page


def test_a_completed_programme_offers_results_not_planning(client_for, coordinator, force_a):
    programme = _ended_programme(force_a, timezone.localdate(), capacity=4)
    run_week(programme, 4)
    f.NominationFactory(programme=programme, institution=programme.allocations.get().institution)  # never decided
    client = client_for(coordinator)
    page = client.get(reverse("placements:programme_detail", args=[programme.pk])).content.decode()
    for planning in ("Generate timetable", "Build syndicates", "Build unlocked syndicates", "Selection assistant"):
        assert planning not in page
    for name in ("schools:selection", "placements:syndicates_build", "placements:timetable_generate"):
        assert reverse(name, args=[programme.pk]) not in page
    assert ">Invite a contact</a>" not in page and ">Offers</a>" not in page
    # The results are there: attendance, surveys, certificates, mentoring.
    for name in ("placements:attendance", "surveys:programme_report", "certificates:programme_certificates"):
        assert reverse(name, args=[programme.pk]) in page
    assert "1 student waiting for a mentor" in page


def test_a_cancelled_programme_has_nothing_to_do_next(client_for, coordinator, force_a):
    programme = f.ProgrammeFactory(force=force_a, status=Programme.Status.CANCELLED)
    page = client_for(coordinator).get(reverse("placements:programme_detail", args=[programme.pk])).content.decode()
    assert "Nothing: this programme was cancelled." in page and "next-step__link" not in page


def test_another_forces_coordinator_gets_404(client_for, coordinator_b, force_a):
    programme = _ended_programme(force_a, timezone.localdate())
    assert client_for(coordinator_b).get(reverse("placements:programme_detail", args=[programme.pk])).status_code == 404


# --- a constant number of queries ----------------------------------------------------------------


def _queries(call):
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


@pytest.mark.parametrize("stage", ["intake", "completed"])
def test_the_task_list_costs_the_same_queries_for_any_number_of_students(force_a, stage):
    programme = (
        _ended_programme(force_a, date(2027, 8, 2)) if stage == "completed" else f.ProgrammeFactory(force=force_a)
    )
    today = date(2027, 8, 2) if stage == "completed" else date(2027, 5, 10)

    def grow(count):
        if stage == "completed":
            run_week(programme, count)
        else:
            school = school_with_contact(programme, quota=count)
            for index in range(count):
                status = [Nomination.Status.OFFERED, Nomination.Status.SUBMITTED][index % 2]
                nominate(programme, school, status=status, consent=[Consent.Status.GIVEN, "requested"][index % 2])

    grow(3)
    few = _queries(lambda: task_list(Programme.objects.get(pk=programme.pk), today))
    grow(12)
    many = _queries(lambda: task_list(Programme.objects.get(pk=programme.pk), today))
    assert few == many
    assert many <= 17  # the programme, then a few aggregates per app


def test_the_programme_page_costs_the_same_queries_for_any_number_of_students(client_for, coordinator, force_a):
    programme = _ended_programme(force_a, timezone.localdate(), capacity=40)
    run_week(programme, 3)
    client = client_for(coordinator)
    url = reverse("placements:programme_detail", args=[programme.pk])
    client.get(url)  # warm the session and content types
    few = _queries(lambda: client.get(url))
    run_week(programme, 12)
    client.get(url)  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    many = _queries(lambda: client.get(url))
    assert few == many
