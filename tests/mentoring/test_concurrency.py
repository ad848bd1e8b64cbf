"""Two daily jobs at the same moment (beat fired twice, or two workers) still send each reminder once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import OutboundEmail
from mentoring import services
from mentoring.models import MentorReminder
from tests import factories as f

pytestmark = pytest.mark.live_services


@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_send_each_reminder_once(postgres):
    today = timezone.localdate()
    force = f.ForceFactory()
    f.ForcePersonFactory(force=force, is_coordinator=True, email="coord@police.invalid")
    mentor = f.ForcePersonFactory(force=force, is_mentor=True, email="mentor@police.invalid")
    assignments = [
        f.MentorAssignmentFactory(
            placement__programme__force=force,
            mentor=mentor,
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=300),
            next_due_on=today - timedelta(days=days),
        )
        for days in (0, 7, 14, 3, 20)
    ]
    for assignment in assignments:
        f.ConsentFactory(nomination=assignment.placement.nomination)

    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(services.mentoring_daily(today=today)["emails_queued"])
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    # due today: 1; 3 days: 1; 7 days: 1 (overdue); 14 days: overdue + escalation; 20 days: overdue + escalation
    assert sum(results) == 7
    assert OutboundEmail.objects.count() == 7
    assert MentorReminder.objects.count() == 1 + 1 + 2 + 3 + 3
