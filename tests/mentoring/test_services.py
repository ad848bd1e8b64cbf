"""Who may be mentored, assignment rules and emails, the cadence, contact logs and outcomes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import OutboundEmail
from mentoring import selectors, services
from mentoring.models import MentorAssignment, Outcome
from placements.models import Placement
from schools.models import Consent
from surveys.models import Survey
from tests import factories as f
from tests.mentoring import factories as mf
from tests.mentoring.conftest import make_eligible

LONDON = ZoneInfo("Europe/London")
TODAY = date(2027, 7, 19)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime(2027, 7, 19, 10, 0, tzinfo=LONDON), tick=False):
        yield


def eligibility(placement):
    return selectors.placement_eligibility(placement=placement)


def test_consent_and_wanting_a_mentor_make_a_student_eligible(eligible):
    result = eligibility(eligible)
    assert result.eligible
    assert result.reason == "Asked for a mentor on the survey."


@pytest.mark.parametrize(
    "change",
    [
        {"mentoring_contact": False},
        {"status": Consent.Status.REFUSED},
        {"status": Consent.Status.REQUESTED},
    ],
)
def test_no_mentoring_consent_means_no_mentor(eligible, change):
    Consent.objects.filter(nomination=eligible.nomination).update(**change)
    result = eligibility(eligible)
    assert not result.eligible
    assert result.code == "no_consent"


def test_no_consent_row_at_all_means_no_mentor(programme_a):
    placement = f.PlacementFactory(programme=programme_a)
    assert eligibility(placement).code == "no_consent"


def test_saying_no_on_the_survey_is_not_asking(programme_a):
    placement = make_eligible(programme_a, asked=False)
    assert eligibility(placement).code == "not_asked"


def test_a_yes_on_the_pre_survey_does_not_count(programme_a):
    placement = make_eligible(programme_a, asked=False)
    pre = f.SurveyFactory(programme=programme_a, phase=Survey.Phase.PRE)
    question = f.QuestionFactory(survey=pre, code="wants_mentor", kind="yes_no")
    invitation = f.InvitationFactory(survey=pre, placement=placement)
    f.AnswerFactory(response=f.ResponseFactory(invitation=invitation), question=question, value_int=1)
    assert eligibility(placement).code == "not_asked"


def test_coordinator_putting_a_student_forward_makes_them_eligible(programme_a, coordinator):
    placement = make_eligible(programme_a, asked=False)
    services.mentoring_referral_create(placement=placement, actor=coordinator)
    services.mentoring_referral_create(placement=placement, actor=coordinator)  # twice is harmless
    result = eligibility(placement)
    assert result.eligible
    assert result.reason == "Put forward by the coordinator."


def test_put_forward_without_consent_is_still_not_eligible(programme_a, coordinator):
    placement = f.PlacementFactory(programme=programme_a)
    f.ConsentFactory(nomination=placement.nomination, mentoring_contact=False)
    services.mentoring_referral_create(placement=placement, actor=coordinator)
    assert eligibility(placement).code == "no_consent"


def test_withdrawn_place_is_not_eligible(eligible):
    Placement.objects.filter(pk=eligible.pk).update(status=Placement.Status.WITHDRAWN)
    assert eligibility(eligible).code == "withdrawn"


def test_assigning_sets_the_cadence_and_sends_two_introductions(eligible, mentor_person, coordinator):
    assignment = services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)
    assert assignment.starts_on == TODAY
    assert assignment.next_due_on == date(2027, 8, 2)
    assert assignment.ends_on == date(2028, 7, 19)
    assert assignment.assigned_by == coordinator
    emails = {e.kind: e for e in OutboundEmail.objects.all()}
    assert set(emails) == {"mentoring_intro_mentor", "mentoring_intro_mentee"}
    assert emails["mentoring_intro_mentor"].to == "mentor-a@police.invalid"
    assert "2 August 2027" in emails["mentoring_intro_mentor"].body_text
    # The student is 15: the introduction goes to their guardian, not to them.
    assert emails["mentoring_intro_mentee"].to == eligible.nomination.guardian_email
    assert "Mentor A" in emails["mentoring_intro_mentee"].body_text
    assert emails["mentoring_intro_mentee"].force == eligible.programme.force


def test_an_adult_student_gets_their_own_introduction(programme_a, mentor_person, coordinator):
    placement = make_eligible(programme_a, date_of_birth=date(2005, 1, 1), student_email="kai@uni.invalid")
    Consent.objects.filter(nomination=placement.nomination).update(relationship=Consent.Relationship.SELF)
    services.mentor_assignment_create(placement=placement, mentor=mentor_person, actor=coordinator)
    assert OutboundEmail.objects.get(kind="mentoring_intro_mentee").to == "kai@uni.invalid"


def test_cannot_assign_a_second_active_mentor(eligible, mentor_person, coordinator):
    services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)
    other = f.ForcePersonFactory(force=eligible.programme.force, is_mentor=True)
    with pytest.raises(services.MentoringError, match="already has a mentor"):
        services.mentor_assignment_create(placement=eligible, mentor=other, actor=coordinator)


def test_cannot_assign_an_ineligible_student(programme_a, mentor_person, coordinator):
    placement = make_eligible(programme_a, asked=False)
    with pytest.raises(services.MentoringError, match="Did not ask"):
        services.mentor_assignment_create(placement=placement, mentor=mentor_person, actor=coordinator)
    assert not MentorAssignment.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"vetting_expires_on": date(2027, 7, 18)}, "vetting is not in date"),
        ({"vetting_expires_on": None}, "vetting is not in date"),
        ({"is_mentor": False}, "force's mentors"),
        ({"is_active": False}, "force's mentors"),
    ],
)
def test_mentor_must_be_a_vetted_active_mentor(eligible, coordinator, attrs, message):
    person = f.ForcePersonFactory(force=eligible.programme.force, **{"is_mentor": True, **attrs})
    with pytest.raises(services.MentoringError, match=message):
        services.mentor_assignment_create(placement=eligible, mentor=person, actor=coordinator)


def test_mentor_of_another_force_is_refused(eligible, coordinator, force_b):
    person = f.ForcePersonFactory(force=force_b, is_mentor=True)
    with pytest.raises(services.MentoringError, match="force's mentors"):
        services.mentor_assignment_create(placement=eligible, mentor=person, actor=coordinator)


def test_load_is_capped_and_the_suggestion_is_the_least_loaded(programme_a, coordinator):
    force = programme_a.force
    mf.MentoringSettingsFactory(force=force, max_mentees_per_mentor=2)
    busy = f.ForcePersonFactory(force=force, is_mentor=True, name="Busy")
    free = f.ForcePersonFactory(force=force, is_mentor=True, name="Free")
    f.ForcePersonFactory(force=force, is_mentor=True, name="Lapsed", vetting_expires_on=date(2027, 1, 1))
    for _ in range(2):
        services.mentor_assignment_create(placement=make_eligible(programme_a), mentor=busy, actor=coordinator)
    services.mentor_assignment_create(placement=make_eligible(programme_a), mentor=free, actor=coordinator)
    mentors, suggestion, maximum = selectors.mentor_options(force=force)
    assert maximum == 2
    assert [(m.name, m.active_count, m.at_capacity) for m in mentors] == [("Free", 1, False), ("Busy", 2, True)]
    assert suggestion.name == "Free"
    with pytest.raises(services.MentoringError, match="the most allowed"):
        services.mentor_assignment_create(placement=make_eligible(programme_a), mentor=busy, actor=coordinator)


def test_mentoring_ends_at_the_set_age_if_sooner(eligible, mentor_person, coordinator):
    mf.MentoringSettingsFactory(force=eligible.programme.force, end_at_age=16)
    assignment = services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)
    assert assignment.ends_on == date(2027, 9, 1)  # born 1 September 2011


def test_student_already_past_the_end_age_cannot_start(eligible, mentor_person, coordinator):
    mf.MentoringSettingsFactory(force=eligible.programme.force, end_at_age=15)
    with pytest.raises(services.MentoringError, match="past the age"):
        services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)


@pytest.fixture
def assignment(eligible, mentor_person, coordinator):
    return services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)


def test_logging_a_contact_moves_the_due_date_from_the_latest_contact(assignment, mentor):
    with time_machine.travel(datetime(2027, 8, 20, 12, 0, tzinfo=LONDON), tick=False):
        services.mentor_contact_log(
            assignment=assignment, contacted_on=date(2027, 8, 15), method="phone", summary="Hi", actor=mentor
        )
        assignment.refresh_from_db()
        assert assignment.next_due_on == date(2027, 9, 12)
        # A contact logged late, for an earlier date, does not pull the due date back.
        services.mentor_contact_log(
            assignment=assignment, contacted_on=date(2027, 7, 30), method="email", summary="Hello", actor=mentor
        )
        assignment.refresh_from_db()
        assert assignment.next_due_on == date(2027, 9, 12)


def test_no_due_date_after_mentoring_ends(assignment, mentor):
    with time_machine.travel(datetime(2028, 7, 1, 12, 0, tzinfo=LONDON), tick=False):
        services.mentor_contact_log(
            assignment=assignment, contacted_on=date(2028, 7, 1), method="phone", summary="Last one", actor=mentor
        )
    assignment.refresh_from_db()
    assert assignment.next_due_on is None


@pytest.mark.parametrize(
    ("day", "message"), [(date(2027, 7, 20), "future"), (date(2027, 7, 18), "before this mentoring started")]
)
def test_contact_dates_are_checked(assignment, mentor, day, message):
    with pytest.raises(services.MentoringError, match=message):
        services.mentor_contact_log(assignment=assignment, contacted_on=day, method="phone", summary="x", actor=mentor)
    assert not assignment.contacts.exists()


def test_no_contact_can_be_logged_after_mentoring_ends(assignment, coordinator, mentor):
    services.mentor_assignment_end(assignment=assignment, actor=coordinator)
    with pytest.raises(services.MentoringError, match="has ended"):
        services.mentor_contact_log(
            assignment=assignment, contacted_on=TODAY, method="phone", summary="x", actor=mentor
        )
    with pytest.raises(services.MentoringError, match="already ended"):
        services.mentor_assignment_end(assignment=assignment, actor=coordinator)


def test_outcomes_are_recorded_once_per_milestone_and_can_be_redated(eligible, coordinator):
    services.outcome_record(
        placement=eligible, milestone=Outcome.Milestone.JOINED_CADETS, occurred_on=date(2027, 7, 18), actor=coordinator
    )
    services.outcome_record(
        placement=eligible, milestone=Outcome.Milestone.JOINED_CADETS, occurred_on=date(2027, 7, 19), actor=coordinator
    )
    assert list(eligible.outcomes.values_list("milestone", "occurred_on")) == [("joined_cadets", date(2027, 7, 19))]
    with pytest.raises(services.MentoringError, match="future"):
        services.outcome_record(
            placement=eligible, milestone=Outcome.Milestone.RECRUITED, occurred_on=date(2027, 8, 1), actor=coordinator
        )


def test_expected_contacts_follow_the_cadence():
    def expected(until):
        return selectors.expected_contacts(
            starts_on=date(2027, 7, 19), ends_on=date(2028, 7, 19), first_within=14, every=28, until=until
        )

    assert expected(date(2027, 8, 1)) == 0
    assert expected(date(2027, 8, 2)) == 1
    assert expected(date(2027, 8, 29)) == 1
    assert expected(date(2027, 8, 30)) == 2
    assert (
        expected(date(2030, 1, 1))
        == expected(date(2028, 7, 19))
        == 1 + (date(2028, 7, 19) - date(2027, 8, 2)).days // 28
    )


def test_mentoring_listens_for_consent_withdrawal_without_schools_importing_it():
    """schools sends consent_withdrawn; mentoring connects its receiver in MentoringConfig.ready()."""
    import ast
    from pathlib import Path

    from schools.models import Consent
    from schools.signals import consent_withdrawn

    assert consent_withdrawn.has_listeners(Consent)
    for path in (Path(__file__).resolve().parents[2] / "schools").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.startswith("mentoring") for name in names), path


def test_assigning_and_ending_early_are_named_actions_in_the_audit_trail(eligible, mentor_person, coordinator):
    from auditlog.models import LogEntry

    assignment = services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)
    services.mentor_assignment_end(assignment=assignment, actor=coordinator)
    for action in ("Mentor assigned", "Mentoring ended early"):
        entry = LogEntry.objects.filter(additional_data__action=action).get()
        assert (entry.actor, entry.object_pk) == (coordinator, str(assignment.pk))


def _summary_from_rows(programme, today):
    """The programme page's mentoring counts summed over programme_mentoring's rows, as the page once did."""
    rows = selectors.programme_mentoring(programme=programme)
    assignments = [a for row in rows for a in row["placement"].all_assignments]
    active = [a for a in assignments if a.status == MentorAssignment.Status.ACTIVE]
    over = MentorAssignment.EndReason.PERIOD_OVER
    return {
        "active": len(active),
        "overdue": sum(1 for a in active if a.next_due_on is not None and a.next_due_on < today),
        "ended": sum(1 for a in assignments if a.status == MentorAssignment.Status.ENDED),
        "awaiting": sum(
            1
            for row in rows
            if row["eligibility"].eligible
            and row["assignment"] is None
            and (row["ended"] is None or row["ended"].ended_reason != over)
        ),
    }


def test_programme_summary_counts_in_the_database_what_the_rows_say(programme_a, programme_b, coordinator):
    """Every kind of student the counts tell apart, and another force's programme that must not be counted."""
    today = date(2027, 9, 1)
    ended_at = datetime(2027, 8, 1, tzinfo=ZoneInfo("Europe/London"))
    reason = MentorAssignment.EndReason

    def ended(placement, why, created_at):
        a = f.MentorAssignmentFactory(
            placement=placement, status=MentorAssignment.Status.ENDED, ended_at=ended_at, ended_reason=why
        )
        MentorAssignment.objects.filter(pk=a.pk).update(created_at=created_at)

    make_eligible(programme_a)  # ready for a mentor
    make_eligible(programme_a, asked=False)  # did not ask: not ready
    services.mentoring_referral_create(placement=make_eligible(programme_a, asked=False), actor=coordinator)  # ready
    f.MentorAssignmentFactory(placement=make_eligible(programme_a), next_due_on=date(2027, 8, 20))  # active, overdue
    f.MentorAssignmentFactory(placement=make_eligible(programme_a), next_due_on=date(2027, 9, 20))  # active
    f.MentorAssignmentFactory(placement=make_eligible(programme_a), next_due_on=None)  # active, nothing due
    ran_its_period = make_eligible(programme_a)
    ended(ran_its_period, reason.PERIOD_OVER, ended_at)  # not ready again
    ended_by_coordinator = make_eligible(programme_a)
    ended(ended_by_coordinator, reason.COORDINATOR, ended_at)  # ready again
    # The latest assignment decides: a period run out once, then ended by the coordinator, is ready again …
    twice = make_eligible(programme_a)
    ended(twice, reason.PERIOD_OVER, datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/London")))
    ended(twice, reason.COORDINATOR, datetime(2027, 6, 1, tzinfo=ZoneInfo("Europe/London")))
    # … and the other way round is not.
    twice_over = make_eligible(programme_a)
    ended(twice_over, reason.COORDINATOR, datetime(2027, 1, 1, tzinfo=ZoneInfo("Europe/London")))
    ended(twice_over, reason.PERIOD_OVER, datetime(2027, 6, 1, tzinfo=ZoneInfo("Europe/London")))
    withdrawn = make_eligible(programme_a)
    Placement.objects.filter(pk=withdrawn.pk).update(status=Placement.Status.WITHDRAWN)
    no_consent = make_eligible(programme_a)
    Consent.objects.filter(nomination=no_consent.nomination).update(mentoring_contact=False)
    make_eligible(programme_b)
    f.MentorAssignmentFactory(placement=make_eligible(programme_b))

    expected = _summary_from_rows(programme_a, today)
    assert expected == {"active": 3, "overdue": 1, "ended": 6, "awaiting": 4}
    assert selectors.programme_summary(programme=programme_a, today=today) == expected
