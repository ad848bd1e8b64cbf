"""Settings for bench/national.py and bench/pages.py: bench/load_settings.py plus a bare view beside the project.

The survey links of a national database are made from SECRET_KEY, so both scripts use one fixed,
public key (this is a throw-away bench database, never a real one) unless DJANGO_SECRET_KEY is set.
"""

import os
from pathlib import Path

NATIONAL_SECRET_KEY = "bench-national-not-a-secret-" + "k" * 40
os.environ.setdefault("DJANGO_SECRET_KEY", NATIONAL_SECRET_KEY)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,testserver,localhost")
os.environ.setdefault("BENCH_STATIC_ROOT", "/tmp/bench-pages-static")  # noqa: S108 (collected by the scripts)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")

from load_settings import *  # noqa: E402, F403

ROOT_URLCONF = "pages_urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]  # noqa: F405
