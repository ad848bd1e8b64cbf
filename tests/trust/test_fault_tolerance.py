"""A broken or hung Redis never fails a user's request, and every email still goes out exactly once."""

import threading
import time

import pytest
from django.core import mail
from django.db import transaction

from core.models import OutboundEmail
from core.services import email_queue
from core.tasks import send_email, send_pending_emails
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
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", func(*args)))
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


def test_enqueue_through_a_working_broker_reaches_redis(proxy):
    import redis

    client = redis.Redis.from_url(redis_url())
    queue = __import__("config.celery", fromlist=["app"]).app.conf.task_default_queue
    before = client.llen(queue)
    _queue_in_a_request("fault-ok")
    assert client.llen(queue) == before + 1
    client.lpop(queue)  # no worker here: tidy up the message we sent
