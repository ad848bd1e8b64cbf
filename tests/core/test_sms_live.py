"""A text travels through Redis to a real Celery worker after the change that queued it commits."""

import pytest
from django.db import transaction

from core.models import OutboundSms
from core.services import sms_queue
from tests.conftest import wait_for

pytestmark = pytest.mark.live_services


def test_a_text_is_sent_once_by_a_real_worker_after_commit(live_worker):
    with transaction.atomic():
        text = sms_queue(kind="test_text", to="+447700900123", context={"name": "Sam"}, dedupe_key="live:1")
        assert not OutboundSms.objects.filter(pk=text.pk, sent_at__isnull=False).exists()
    assert wait_for(lambda: OutboundSms.objects.filter(pk=text.pk, sent_at__isnull=False).exists())
    text.refresh_from_db()
    assert text.failed_attempts == 0 and text.provider_reference.startswith("locmem-")
