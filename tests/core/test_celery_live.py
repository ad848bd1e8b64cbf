"""A task really travels through Redis to a real Celery worker, and its result lands in PostgreSQL."""

import pytest

from core.models import OutboundEmail
from core.services import email_queue
from core.tasks import ping, send_email
from tests.conftest import wait_for

pytestmark = pytest.mark.live_services


def test_task_runs_on_a_real_worker_and_writes_to_postgres(live_worker):
    email = OutboundEmail.objects.create(
        kind="test", dedupe_key="live-1", to="a@example.org", subject="Hi", body_text="Hi"
    )
    send_email.delay(email.pk)
    assert wait_for(lambda: OutboundEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists())


def test_awaited_task_result_comes_back_through_redis(live_worker):
    assert ping.delay().get(timeout=30) is True


def test_email_queued_in_a_transaction_is_sent_by_the_worker_after_commit(live_worker):
    email = email_queue(kind="test_hello", to="b@example.org", context={"name": "Kai"}, dedupe_key="live-2")
    assert wait_for(lambda: OutboundEmail.objects.filter(pk=email.pk, sent_at__isnull=False).exists())
