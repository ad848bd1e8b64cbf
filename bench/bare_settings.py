"""A bare Django project: one view rendering a 20-item template, no apps, no middleware, no database.

bench/pages.py serves it beside the project (same gunicorn settings) as the yardstick for req/s.
"""

from pathlib import Path

DEBUG = False
SECRET_KEY = "bench-bare-not-a-secret"  # noqa: S105
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "pages_urls_bare"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).resolve().parent / "templates"],
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])]
        },
    }
]
