"""A broken or hung Redis never fails a user's request, and every email still goes out exactly once."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction

from core.models import OutboundEmail
from core.services import email_queue
from core.tasks import send_email, send_pending_emails
from tests.schools.conftest import allocation_a, open_programme, today  # noqa: F401
from tests.trust.broker_proxy import BrokerProxy, redis_url

pytestmark = pytest.mark.live_services


@pytest.fixture
def proxy(transactional_db):
    if not redis_url():
        if __import__("os").environ.get("REQUIRE_LIVE_SERVICES") == "1":
            pytest.fail("REDIS_URL is required")
        pytest.skip("REDIS_URL is not set")
    from config.celery import app

    proxy = BrokerProxy(redis_url())
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = proxy.url
    app.conf.task_always_eager = False
    app._after_fork()  # drop pooled connections so the next publish goes through the proxy
    yield proxy
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._after_fork()
    proxy.close()


def _queue_in_a_request(key):
    """What a view does: write the change and its email in one transaction; enqueue after commit."""
    started = time.monotonic()
    with transaction.atomic():
        email_queue(kind="test_hello", to="guardian@example.org", context={"name": "Sam"}, dedupe_key=key)
    return time.monotonic() - started


def _run_with_hang_guard(func, *args):
    """Run func in a thread; fail (rather than hang the suite) if it has not returned in 30 s."""
    from django.db import connection

    result = {}

    def run():
        try:
            result["value"] = func(*args)
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the enqueue hung"
    return result["value"]


@pytest.mark.parametrize("mode", ["hang", "refuse"])
def test_enqueue_with_redis_broken_returns_and_sweeper_sends_once(proxy, mode):
    proxy.mode = mode
    proxy.drop_connections()
    elapsed = _run_with_hang_guard(_queue_in_a_request, f"fault-{mode}")
    print(f"enqueue with Redis {mode}: returned in {elapsed:.2f} s")
    email = OutboundEmail.objects.get(dedupe_key=f"fault-{mode}")
    assert email.sent_at is None and mail.outbox == []

    proxy.mode = "forward"  # Redis is back: the beat sweep sends what was left behind
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=email.created_at.replace(year=2020))
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    send_email(email.pk)  # the original task arriving late changes nothing
    assert len(mail.outbox) == 1
    # And the same web process enqueues through Redis again, with no restart.
    assert _llen_after(lambda: _queue_in_a_request(f"fault-{mode}-after")) == 1


def _llen_after(action):
    import redis

    from config.celery import app

    client = redis.Redis.from_url(redis_url())
    queue = app.conf.task_default_queue
    before = client.llen(queue)
    action()
    added = client.llen(queue) - before
    for _ in range(added):
        client.lpop(queue)  # no worker here: tidy up what we sent
    return added


def test_enqueue_through_a_working_broker_reaches_redis(proxy):
    assert _llen_after(lambda: _queue_in_a_request("fault-ok")) == 1


def test_coordinator_confirming_offers_with_redis_hung_still_succeeds(
    proxy,
    client,
    coordinator,
    open_programme,
    allocation_a,
    contact,
):
    from django.urls import reverse

    from schools import services as schools_services
    from schools.models import Consent, Nomination
    from tests.schools.conftest import student

    made = [
        schools_services.nomination_submit(
            allocation=allocation_a, data=student(open_programme, last_name=name), actor=contact
        )
        for name in ("Alpha", "Bravo")
    ]
    Consent.objects.update(status="given", participation=True, data_processing=True, responded_at=made[0].created_at)
    OutboundEmail.objects.update(sent_at=made[0].created_at)  # the nomination emails went out earlier
    client.force_login(coordinator)
    proxy.mode = "hang"
    proxy.drop_connections()
    url = reverse("schools:selection_confirm", args=[open_programme.pk])
    choice = {"selected": [str(made[1].pk)], "deadline": str(open_programme.start_date - timedelta(days=7))}
    page = client.get(url, choice).content.decode()  # the confirm step queues nothing
    digest = re.search(r'name="digest" value="([0-9a-f]{64})"', page).group(1)
    started = time.monotonic()
    response = _run_with_hang_guard(lambda: client.post(url, {**choice, "digest": digest}))
    elapsed = time.monotonic() - started
    print(f"confirm offers with Redis hung: {elapsed:.2f} s")
    assert response.status_code == 302
    assert Nomination.objects.get(pk=made[1].pk).status == Nomination.Status.OFFERED
    pending = OutboundEmail.objects.filter(sent_at__isnull=True)
    queued = pending.count()
    assert queued >= 2  # the offer and the waiting-list letter, at least
    assert mail.outbox == []

    proxy.mode = "forward"
    pending.update(created_at=made[0].created_at.replace(year=2020))
    assert send_pending_emails() == queued
    assert send_pending_emails() == 0
    assert len(mail.outbox) == queued
