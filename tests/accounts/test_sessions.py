"""Sessions are read from the cache and written to the database at most once a minute."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.middleware import LAST_SEEN_AT


def _session_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/programmes/").status_code == 200
    return [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]


def _last_seen(client):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.get(session_key=key).get_decoded()[LAST_SEEN_AT]


def _check_sessions_come_from_the_cache(client, coordinator):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(coordinator)
        client.get("/programmes/")  # the first page sets the sign-in and last-seen times
        assert _session_queries(client) == [], "a fresh session is neither read from nor written to the database"
        seen = _last_seen(client)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert _session_queries(client) == []
        assert _last_seen(client) == seen
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        written = _session_queries(client)
        assert written and all(not sql.lstrip().upper().startswith("SELECT") for sql in written)
        assert _last_seen(client) == seen + 61


def test_a_signed_in_page_writes_the_session_at_most_once_a_minute(client, coordinator):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    _check_sessions_come_from_the_cache(client, coordinator)


def test_sessions_come_from_redis(client, coordinator, redis_cache):
    _check_sessions_come_from_the_cache(client, coordinator)


def test_a_session_survives_a_cache_restart(client, coordinator):
    from django.core.cache import cache

    client.force_login(coordinator)
    assert client.get("/programmes/").status_code == 200
    cache.clear()
    assert client.get("/programmes/").status_code == 200


@pytest.mark.parametrize("minutes, signed_in", [(29, True), (31, False)])
def test_idle_limit_holds_though_last_seen_is_written_once_a_minute(client, coordinator, minutes, signed_in):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(coordinator)
        client.get("/programmes/")
    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        client.get("/programmes/")  # inside the minute: last-seen stays at `start`
    with time_machine.travel(start + timedelta(seconds=50, minutes=minutes), tick=False):
        status = client.get("/programmes/").status_code
    assert (status == 200) is signed_in
