"""Settings for bench/load.py: production settings, served over plain HTTP on 127.0.0.1.

Everything of production stays (DEBUG off, every middleware, CSP, axes, rate limits, manifest static
files, persistent database connections, Redis cache). Only what needs HTTPS in front is relaxed: the bench
has no TLS proxy, and a cookie marked Secure (or named __Host-) is never sent back over http.
Two-factor is off because simulated coordinators cannot read an authenticator app.
"""

import os

from config.settings.production import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = "sessionid", "csrftoken"
REQUIRE_TWO_FACTOR = False
STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
# Hashed names as in production, without pre-compressing every file (the bench requests no static files).
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
