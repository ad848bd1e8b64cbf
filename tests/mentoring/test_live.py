"""The daily mentoring job really travels through Redis to a Celery worker, and its emails reach the outbox."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from mentoring.models import MentorReminder
from mentoring.tasks import mentoring_daily
from tests import factories as f
from tests.conftest import wait_for

pytestmark = pytest.mark.live_services


def test_daily_job_on_a_real_worker_sends_each_reminder_once(live_worker):
    today = timezone.localdate()
    force = f.ForceFactory()
    mentor = f.ForcePersonFactory(force=force, is_mentor=True, email="live-mentor@police.invalid")
    f.ForcePersonFactory(force=force, is_coordinator=True, email="live-coord@police.invalid")
    due_today = f.MentorAssignmentFactory(
        placement__programme__force=force,
        mentor=mentor,
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=300),
        next_due_on=today,
    )
    very_late = f.MentorAssignmentFactory(
        placement__programme__force=force,
        mentor=mentor,
        starts_on=today - timedelta(days=40),
        ends_on=today + timedelta(days=300),
        next_due_on=today - timedelta(days=15),
    )
    for assignment in (due_today, very_late):
        f.ConsentFactory(nomination=assignment.placement.nomination)

    result = mentoring_daily.apply_async(ignore_result=False)
    assert result.get(timeout=60)["emails_queued"] == 3  # due; overdue + one escalation

    def sent():
        return set(OutboundEmail.objects.filter(sent_at__isnull=False).values_list("kind", "to"))

    expected = {
        ("mentoring_reminder_due", "live-mentor@police.invalid"),
        ("mentoring_reminder_overdue", "live-mentor@police.invalid"),
        ("mentoring_escalation", "live-coord@police.invalid"),
    }
    assert wait_for(lambda: sent() == expected)

    assert (
        mentoring_daily.apply_async(ignore_result=False).get(timeout=60)["emails_queued"] == 0
    )  # beat fired twice: nothing more
    assert OutboundEmail.objects.count() == 3
    assert MentorReminder.objects.filter(assignment=very_late, status=MentorReminder.Status.SUPERSEDED).count() == 1
