"""Reminders for unanswered invitations: spaced, at most two, idempotent, never for the answered."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from surveys.models import Invitation
from surveys.services import invitation_send_reminders, responses_import_csv
from surveys.tasks import send_survey_reminders, send_survey_reminders_for
from tests import factories as f
from tests.conftest import wait_for


@pytest.fixture
def old_week(week_a):
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=4))
    for placement in week_a["placements"]:
        f.InstitutionContactFactory(institution=placement.nomination.institution)
    return week_a


def test_reminders_capped_at_two_and_spaced(old_week):
    survey = old_week["surveys"]["pre"]
    now = timezone.now()
    assert invitation_send_reminders(survey=survey, now=now) == 4
    first_round = OutboundEmail.objects.filter(kind="survey_reminder").count()
    assert first_round == 4  # one contact per school, one school per student here
    assert invitation_send_reminders(survey=survey, now=now) == 0  # running twice changes nothing
    assert invitation_send_reminders(survey=survey, now=now + timedelta(days=1)) == 0  # too soon
    assert invitation_send_reminders(survey=survey, now=now + timedelta(days=4)) == 4
    assert invitation_send_reminders(survey=survey, now=now + timedelta(days=8)) == 0  # capped
    assert set(Invitation.objects.filter(survey=survey).values_list("reminders_sent", flat=True)) == {2}
    assert OutboundEmail.objects.filter(kind="survey_reminder").count() == 2 * first_round


def test_answered_and_closed_are_not_reminded(old_week):
    survey = old_week["surveys"]["pre"]
    p = old_week["placements"][0]
    responses_import_csv(programme=old_week["programme"], data=f"placement,phase,question,answer\n{p.pk},pre,trust,3")
    assert invitation_send_reminders(survey=survey) == 3
    assert Invitation.objects.get(survey=survey, placement=p).reminders_sent == 0
    post = old_week["surveys"]["post"]
    post.closes_at = timezone.now() - timedelta(hours=1)
    post.save()
    assert invitation_send_reminders(survey=post) == 0


def test_adult_student_is_reminded_directly(old_week):
    placement = old_week["placements"][0]
    placement.nomination.student_email = "student@uni.invalid"
    placement.nomination.save()
    invitation_send_reminders(survey=old_week["surveys"]["pre"])
    email = OutboundEmail.objects.get(to="student@uni.invalid")
    assert "/s/" in email.body_text


def test_beat_task_covers_open_surveys(old_week):
    assert send_survey_reminders() == 8  # two surveys × four students
    assert send_survey_reminders() == 0


@pytest.mark.live_services
def test_reminder_task_runs_on_a_real_worker(live_worker, old_week):
    survey = old_week["surveys"]["pre"]
    send_survey_reminders_for.delay(survey.pk)
    assert wait_for(lambda: Invitation.objects.filter(survey=survey, reminders_sent=1).count() == 4)
