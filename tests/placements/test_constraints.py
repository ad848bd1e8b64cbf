"""The database itself refuses bad rows: each test bypasses forms and hits one constraint."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from placements.models import Attendance
from tests import factories as f


def refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
class TestProgrammeConstraints:
    def test_end_before_start(self):
        refused(lambda: f.ProgrammeFactory(start_date=date(2027, 7, 16), end_date=date(2027, 7, 12)))

    def test_capacity_zero(self):
        refused(lambda: f.ProgrammeFactory(capacity=0, reserved_send_places=0))

    def test_window_reversed(self):
        refused(lambda: f.ProgrammeFactory(nomination_opens=date(2027, 5, 1), nomination_closes=date(2027, 4, 1)))

    def test_window_after_start(self):
        refused(lambda: f.ProgrammeFactory(nomination_closes=date(2027, 7, 20)))

    def test_reserved_above_capacity(self):
        refused(lambda: f.ProgrammeFactory(capacity=4, reserved_send_places=5))

    def test_zero_institution_cap(self):
        refused(lambda: f.ProgrammeFactory(max_per_institution=0))

    def test_age_band_reversed(self):
        refused(lambda: f.ProgrammeFactory(min_age=17, max_age=14))

    def test_attendance_threshold_over_100(self):
        refused(lambda: f.ProgrammeFactory(attendance_threshold_pct=101))

    def test_good_programme_saves(self):
        assert f.ProgrammeFactory().pk


@pytest.mark.django_db
class TestIntakeConstraints:
    def test_same_student_twice_on_a_programme_case_insensitive(self):
        first = f.NominationFactory(first_name="Amy", last_name="Lee")
        refused(
            lambda: f.NominationFactory(
                programme=first.programme,
                institution=first.institution,
                first_name="AMY",
                last_name="lee",
                date_of_birth=first.date_of_birth,
            )
        )

    def test_one_placement_per_nomination(self):
        placement = f.PlacementFactory()
        refused(lambda: f.PlacementFactory(programme=placement.programme, nomination=placement.nomination))

    def test_allocation_quota_zero(self):
        refused(lambda: f.AllocationFactory(quota=0))

    def test_allocation_once_per_institution(self):
        allocation = f.AllocationFactory()
        refused(lambda: f.AllocationFactory(programme=allocation.programme, institution=allocation.institution))

    def test_fsm_over_100(self):
        refused(lambda: f.InstitutionFactory(fsm_pct=Decimal("100.5")))

    def test_idaci_decile_out_of_range(self):
        refused(lambda: f.InstitutionFactory(idaci_decile=11))

    def test_duplicate_urn_in_force(self):
        school = f.InstitutionFactory(code="123456")
        refused(lambda: f.InstitutionFactory(force=school.force, code="123456"))

    def test_consent_given_without_participation(self):
        refused(lambda: f.ConsentFactory(participation=False))

    def test_consent_withdrawn_before_given(self):
        consent = f.ConsentFactory()
        consent.withdrawn_at = consent.responded_at - timedelta(days=1)
        refused(consent.save)


@pytest.mark.django_db
class TestWeekConstraints:
    def test_attendance_once_per_student_day(self):
        attendance = f.AttendanceFactory()
        refused(lambda: f.AttendanceFactory(placement=attendance.placement, date=attendance.date))

    def test_late_needs_arrival_time(self):
        refused(lambda: f.AttendanceFactory(status=Attendance.Status.LATE, arrived_at=None))
        assert f.AttendanceFactory(status=Attendance.Status.LATE, arrived_at=time(9, 50)).pk

    def test_session_ends_before_start(self):
        session = f.SessionFactory()
        session.ends_at = session.starts_at - timedelta(minutes=1)
        refused(session.save)

    def test_activity_staff_needed_outside_1_to_3(self):
        refused(lambda: f.ActivityFactory(staff_needed=4))
        refused(lambda: f.ActivityFactory(staff_needed=0))

    def test_activity_zero_duration(self):
        refused(lambda: f.ActivityFactory(duration_minutes=0))

    def test_activity_slug_unique_per_force(self):
        activity = f.ActivityFactory(slug="drones")
        refused(lambda: f.ActivityFactory(force=activity.force, slug="drones"))

    def test_syndicate_name_unique_per_programme(self):
        syndicate = f.SyndicateFactory()
        refused(lambda: f.SyndicateFactory(programme=syndicate.programme, name=syndicate.name))

    def test_negative_budget(self):
        refused(lambda: f.BudgetLineFactory(planned=Decimal("-1")))

    def test_one_budget_line_per_category(self):
        line = f.BudgetLineFactory()
        refused(lambda: f.BudgetLineFactory(programme=line.programme, category=line.category))


@pytest.mark.django_db
class TestSurveyAndCertificateConstraints:
    def test_one_response_per_invitation(self):
        response = f.ResponseFactory()
        refused(lambda: f.ResponseFactory(invitation=response.invitation))

    def test_one_invitation_per_placement_and_survey(self):
        invitation = f.InvitationFactory()
        refused(lambda: f.InvitationFactory(survey=invitation.survey, placement=invitation.placement))

    def test_answer_value_out_of_range(self):
        refused(lambda: f.AnswerFactory(value_int=6))

    def test_one_answer_per_question(self):
        answer = f.AnswerFactory()
        refused(lambda: f.AnswerFactory(response=answer.response, question=answer.question))

    def test_one_survey_per_phase(self):
        survey = f.SurveyFactory()
        refused(lambda: f.SurveyFactory(programme=survey.programme, phase=survey.phase))

    def test_question_code_unique_in_survey(self):
        question = f.QuestionFactory()
        refused(lambda: f.QuestionFactory(survey=question.survey, code=question.code))

    def test_unique_verification_code(self):
        certificate = f.CertificateFactory()
        refused(lambda: f.CertificateFactory(verification_code=certificate.verification_code))

    def test_unique_serial_per_force(self):
        certificate = f.CertificateFactory()
        refused(
            lambda: f.CertificateFactory(
                placement=f.PlacementFactory(programme=certificate.placement.programme), serial=certificate.serial
            )
        )

    def test_one_valid_certificate_per_placement(self):
        certificate = f.CertificateFactory()
        refused(lambda: f.CertificateFactory(placement=certificate.placement))

    def test_revoked_certificate_needs_time(self):
        refused(lambda: f.CertificateFactory(status="revoked", revoked_at=None))

    def test_template_colour_must_be_hex(self):
        refused(lambda: f.CertificateTemplateFactory(primary_colour="red"))


@pytest.mark.django_db
class TestMentoringConstraints:
    def test_one_active_assignment_per_placement(self):
        assignment = f.MentorAssignmentFactory()
        refused(lambda: f.MentorAssignmentFactory(placement=assignment.placement))

    def test_assignment_ends_before_start(self):
        refused(lambda: f.MentorAssignmentFactory(starts_on=date(2027, 8, 1), ends_on=date(2027, 7, 1)))

    def test_one_outcome_per_milestone(self):
        outcome = f.OutcomeFactory()
        refused(lambda: f.OutcomeFactory(placement=outcome.placement, milestone=outcome.milestone))
