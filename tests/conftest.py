"""Role fixtures shared by every test: two forces, two schools, and a user for each role."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests import factories as f
from tests.sso.idp import identity_provider  # noqa: F401 - the test OpenID Connect provider, one per session

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def force_a(db):
    return f.ForceFactory(name="Force A Constabulary", slug="force-a")


@pytest.fixture
def force_b(db):
    return f.ForceFactory(name="Force B Police", slug="force-b")


@pytest.fixture
def programme_a(force_a):
    return f.ProgrammeFactory(force=force_a, title="Force A week")


@pytest.fixture
def programme_b(force_b):
    return f.ProgrammeFactory(force=force_b, title="Force B week")


@pytest.fixture
def school_a(force_a):
    return f.InstitutionFactory(force=force_a, name="School A")


@pytest.fixture
def school_b(force_a):
    """Another school of the same force: its contact must not see school A's students."""
    return f.InstitutionFactory(force=force_a, name="School B")


def _coordinator(force, username):
    user = f.UserFactory(username=username)  # coordinators use the app, not the Django admin: not staff
    f.ForcePersonFactory(force=force, user=user, is_coordinator=True, name=username)
    return user


@pytest.fixture
def coordinator(force_a):
    return _coordinator(force_a, "coord-a")


@pytest.fixture
def coordinator_b(force_b):
    return _coordinator(force_b, "coord-b")


@pytest.fixture
def contact(school_a):
    user = f.UserFactory(username="contact-a")
    f.InstitutionContactFactory(institution=school_a, user=user, email=user.email)
    return user


@pytest.fixture
def contact_b(school_b):
    user = f.UserFactory(username="contact-b")
    f.InstitutionContactFactory(institution=school_b, user=user, email=user.email)
    return user


@pytest.fixture
def lead(programme_a):
    user = f.UserFactory(username="lead-a")
    person = f.ForcePersonFactory(force=programme_a.force, user=user, name="Lead A")
    f.SyndicateFactory(programme=programme_a, lead=person, name="Syndicate 1")
    return user


@pytest.fixture
def mentor(force_a):
    user = f.UserFactory(username="mentor-a")
    f.ForcePersonFactory(force=force_a, user=user, is_mentor=True, name="Mentor A")
    return user


@pytest.fixture
def platform_admin(force_a):
    """A platform admin who is not a superuser, and coordinates force A: the admin shows only force A's rows."""
    user = f.PlatformAdminFactory(username="platform-a")
    f.ForcePersonFactory(force=force_a, user=user, is_coordinator=True, name="Platform Admin A")
    return user


@pytest.fixture
def superuser(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    """Log the test client in as the given user (None: stay anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


LIVE_FIXTURES = {"postgres", "live_worker", "redis_cache"}


def pytest_collection_modifyitems(items):
    """A test that asks for a live service is a live_services test, marked or not.

    `-m "not live_services"` then leaves out exactly the tests that need PostgreSQL, Redis or a worker.
    """
    for item in items:
        if LIVE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.live_services)


def _require_live(what):
    message = f"{what} is not available"
    if os.environ.get("REQUIRE_LIVE_SERVICES") == "1":
        pytest.fail(f"{message}, and REQUIRE_LIVE_SERVICES=1 says it must be.")
    pytest.skip(message)


@pytest.fixture
def postgres(db):
    """For tests that only mean something on PostgreSQL (row locks, concurrency)."""
    if connection.vendor != "postgresql":
        _require_live("PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_cache(settings):
    """The cache on the real Redis (REDIS_URL), emptied before and after the test."""
    from django.core.cache import cache

    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        _require_live("Redis (set REDIS_URL)")
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": redis_url}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def live_worker(transactional_db):
    """A real Celery worker process, consuming from Redis and writing to the test database.

    Tasks sent while this fixture is active go through the broker (not eagerly). A queue of
    its own keeps this worker away from any other test run sharing the Redis server.
    """
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        _require_live("Redis and PostgreSQL (set REDIS_URL and DATABASE_URL)")
    from celery.result import allow_join_result

    from config.celery import app

    queue = f"test-{uuid.uuid4().hex[:12]}"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "CELERY_LIVE": "1",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while not any(queue in name for reply in app.control.ping(timeout=0.5) or [] for name in reply):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("The Celery worker did not start.")
        # Waiting on a task's result is what a live test does. Celery refuses it ("Never call result.get()
        # within a task!") while its process-wide flag says a task is running here, and eager tasks run in
        # several threads at once (the concurrency tests) can leave that flag set: each restores the value
        # it found, which the other had just set.
        with allow_join_result():
            yield process
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for(predicate, timeout=30.0, interval=0.2):
    """Poll until predicate() is true; returns its last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private-media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: every test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
