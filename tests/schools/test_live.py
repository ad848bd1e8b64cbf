"""The intake's emails and beat job run on a real Celery worker through Redis (CI)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from schools import services
from schools.models import ConsentLink
from schools.tasks import send_consent_reminders
from tests.conftest import wait_for
from tests.schools.conftest import student

pytestmark = pytest.mark.live_services


def test_nomination_emails_are_sent_by_the_worker_after_commit(live_worker, contact, allocation_a):
    nomination = services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme), actor=contact
    )
    emails = OutboundEmail.objects.filter(kind__in=["consent_request", "nomination_received"])
    assert wait_for(lambda: emails.count() == 2 and not emails.filter(sent_at__isnull=True).exists())
    # The reminder beat job, run by the worker, once three days have passed since the link was sent.
    ConsentLink.objects.filter(consent=nomination.consent).update(
        created_at=timezone.now() - timedelta(days=3, hours=1)
    )
    assert send_consent_reminders.apply_async(ignore_result=False).get(timeout=30) == 1
    assert send_consent_reminders.apply_async(ignore_result=False).get(timeout=30) == 0
    reminder = OutboundEmail.objects.filter(kind="consent_reminder")
    assert wait_for(lambda: reminder.filter(sent_at__isnull=False).count() == 1)
