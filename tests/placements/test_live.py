"""The contingency swap's emails travel through Redis to a real Celery worker after the change commits."""

import pytest

from core.models import OutboundEmail
from placements import services
from tests.conftest import wait_for

pytestmark = pytest.mark.live_services


def test_swap_emails_are_sent_by_a_real_worker_after_commit(live_worker, week, coordinator):
    session = week.sessions.filter(activity=week.activities["dogs"]).first()
    services.session_replace(session=session, activity=week.activities["voices"], actor=coordinator)
    leads = {s.lead.email for s in session.syndicates.all()}
    assert wait_for(
        lambda: (
            set(
                OutboundEmail.objects.filter(kind="session_replaced", sent_at__isnull=False).values_list(
                    "to", flat=True
                )
            )
            == leads
        )
    )
