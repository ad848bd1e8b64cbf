"""Test settings: same code paths as production, fast password hashing, in-memory email."""

import os
from urllib.parse import urlsplit, urlunsplit


def _redis_of_worker(url: str, worker: str) -> str:
    """With pytest-xdist (`-n 2`), worker gwN uses the Redis database N below the run's: tests empty their
    database, so two workers must never share one. The Celery worker a test starts inherits the result."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database - int(worker.removeprefix('gw'))) % 16}"))


# Once per worker: the Celery worker a test starts reads these settings again, with this environment.
if os.environ.get("PYTEST_XDIST_WORKER") and os.environ.get("REDIS_URL") and "REDIS_URL_OF_RUN" not in os.environ:
    os.environ["REDIS_URL_OF_RUN"] = os.environ["REDIS_URL"]
    os.environ["REDIS_URL"] = _redis_of_worker(os.environ["REDIS_URL"], os.environ["PYTEST_XDIST_WORKER"])

from .base import *  # noqa: E402, F403
from .base import REDIS_URL, env  # noqa: E402

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "core.sms.LocmemSmsBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Ordinary tests run tasks in-process; the `live_worker` fixture (and the worker it starts, with
# CELERY_LIVE=1) sends them through Redis to a real worker instead.
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL and env.bool("CELERY_LIVE", default=False))
CELERY_TASK_EAGER_PROPAGATES = True

TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "tests" / "templates"]  # noqa: F405

# Each test starts with an empty cache, so rate-limit counters never leak between tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# Tests sign in with force_login; the axes tests turn it back on.
AXES_ENABLED = False
