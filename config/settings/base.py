"""Settings shared by every environment; values come from the environment (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-change-me-in-production")
# Old keys, while rotating: sessions and the stored OpenID Connect client secrets (sso) still read.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

DJANGO_APPS = [
    "accounts.admin_config.PlatformAdminConfig",  # django.contrib.admin, for platform administrators only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_tables2",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "csp",
    "django_ratelimit",
]
LOCAL_APPS = [
    "accounts",
    "core",
    "placements",
    "schools",
    "surveys",
    "certificates",
    "mentoring",
    "communications",
    "partners",
    "events",
    "privacy",
    "reports",
    "sso",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    # First: every later step (axes, ratelimit, the audit trail) sees the client's own address.
    "core.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions: the language is the person's choice (cookie), else their link's (session), else the browser's.
    "core.middleware.PersonLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    # After the session limits: a sign-in by force account is checked with the provider again there.
    "sso.middleware.ForceAccountRecheckMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.AuditlogMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.scope",
            ],
        },
    },
]

# No DATABASE_URL: a SQLite file beside the code, for a quick local start.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool("DJANGO_DB_PREPARED", default=True):
    # Parameters sent apart from the SQL, and a query run five times on one connection kept prepared by
    # PostgreSQL (psycopg's automatic preparation, its default threshold): it is parsed and planned once per
    # connection, not on every page, which takes a fifth to a half off what a page's queries cost (issue 17).
    # Behind a PgBouncer in transaction mode, which cannot keep prepared statements, set DJANGO_DB_PREPARED=0.
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:signed_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

# Brute-force protection: lock the (username, address) pair, not the username alone, so an
# attacker elsewhere cannot lock a real user out; the lock lifts by itself after 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Reverse proxies in front of the app that append to X-Forwarded-For (0: clients connect directly
# and the header is ignored). core/clientip.py is the one place that reads it.
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.clientip.client_ip"
RATELIMIT_IP_META_KEY = "core.clientip.client_ip"

# Two-factor (TOTP) for coordinators and admins. Off in the embedded demo and in tests unless
# a test turns it on; on in production.
REQUIRE_TWO_FACTOR = env.bool("DJANGO_REQUIRE_TWO_FACTOR", default=False)
OTP_TOTP_ISSUER = "Police work experience"

# Sign-in with force accounts (sso): how often a session started by a force account is checked with
# the force's identity provider again (default: the idle limit below), and its HTTP time limit.
SSO_RECHECK_SECONDS = env.int("SSO_RECHECK_SECONDS", default=env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60))
SSO_HTTP_TIMEOUT = env.int("SSO_HTTP_TIMEOUT", default=10)

# Sessions end after 30 minutes without activity and, whatever happens, 10 hours after sign-in.
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("DJANGO_SESSION_ABSOLUTE_SECONDS", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT

LANGUAGE_CODE = "en-gb"
# Welsh forces serve the public in Welsh as well as English (Welsh Language Standards). Coordinators'
# own pages stay English; what the public and schools see is translated in locale/cy/LC_MESSAGES.
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Bootstrap ships inside a PyPI package (xstatic), so the app never needs a CDN.
STATICFILES_DIRS = [BASE_DIR / "static", ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
# Files browsers ask for at the site's root (/favicon.ico, /apple-touch-icon.png), served by WhiteNoise.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Partners' documents (risk assessments, insurance, venue agreements): outside the web root and never
# under MEDIA_URL; read only through the document view, which checks the reader's scope.
PRIVATE_MEDIA_ROOT = Path(env("DJANGO_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media")))
# The largest document a coordinator can upload.
PARTNER_DOCUMENT_MAX_BYTES = env.int("PARTNER_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

SESSION_COOKIE_HTTPONLY = True
# Sessions are read from the cache and written through to the database (so a cache restart signs
# nobody out). accounts.middleware.SessionLimitsMiddleware saves a session at most once a minute,
# which slides its expiry; saving on every request would write the database on every page.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_SAVE_EVERY_REQUEST = False
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Uploads: refuse anything large before it reaches a form (CSV imports are small).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Content-Security-Policy: scripts only from our own static files (no inline script anywhere).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Audit trail (django-auditlog): every change to personal data, who and from where. Personal
# values are masked, so the trail itself never holds a child's notes, name or date of birth. The
# models recorded and their masked fields are declared next to the models, in each app's
# privacy.py (core/personal_data.py registers them with auditlog).
AUDITLOG_MASK_CALLABLE = "core.audit.mask"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Work experience <no-reply@placements.invalid>")
# Emailed links start with it. Locally it follows the port `make run` serves on (PORT, default 8000).
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

# Celery. No REDIS_URL: tasks run eagerly in-process and email goes to the console.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
else:
    # With a host named, kombu does not warn "No hostname was supplied" at the first task sent
    # (eager tasks still take a producer from the in-memory broker).
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
    EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10

# Text messages (SMS), an optional channel for reminders to families who agreed to them: every one is
# recorded in the outbox (core.models.OutboundSms) and sent once by Celery through this backend. The
# default prints them; `core.sms.NotifySmsBackend` sends through GOV.UK Notify (one SMS template whose
# whole text is the placeholder ((body)); a base URL for Notify's other environments).
SMS_BACKEND = env("SMS_BACKEND", default="core.sms.ConsoleSmsBackend")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")

CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# WeasyPrint's fonts (fontconfig, Pango) hold native memory that grows with every document rendered
# (about 10 MB per 50 single certificates here, bench/certificates.py); recycling worker processes
# now and then gives it back.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
CELERY_RESULT_EXPIRES = timedelta(days=1)
# A Redis that hangs must make an enqueue fail within seconds, not hang the web request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 0,
    "retry_on_timeout": False,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "retry_policy": {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
}
# Task state lives in PostgreSQL rows, not in Celery results; only tasks that are awaited (the
# /health/ round trip) keep a result. This also keeps a hung Redis from blocking an enqueue.
CELERY_TASK_IGNORE_RESULT = True
CELERY_REDIS_SOCKET_TIMEOUT = 2
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic jobs. django-celery-beat's DatabaseScheduler copies these into its tables when beat starts,
# so a deployment gets them with no hand setup (and admins can see and pause them in the admin).
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {"task": "core.tasks.send_pending_emails", "schedule": 60.0},
    "send-pending-sms": {"task": "core.tasks.send_pending_sms", "schedule": 60.0},
    "schools-consent-reminders": {"task": "schools.tasks.send_consent_reminders", "schedule": 24 * 60 * 60.0},
    "schools-expire-offers": {"task": "schools.tasks.expire_offers", "schedule": 24 * 60 * 60.0},
    "attendance-check-missing": {"task": "placements.tasks.attendance_check_missing", "schedule": 600.0},
    "lead-vetting-warnings": {"task": "placements.tasks.lead_vetting_warnings", "schedule": 86400.0},
    # Programme status follows the dates (nominations open, running, completed …): moved on each night.
    "programme-statuses-refresh": {
        "task": "placements.tasks.programme_statuses_refresh",
        "schedule": crontab(hour=0, minute=5),
    },
    "mentoring-daily": {"task": "mentoring.tasks.mentoring_daily", "schedule": crontab(hour=7, minute=15)},
    # Certificates: issue those due at the end of each programme (hourly; idempotent).
    "issue-certificates-for-ended-programmes": {
        "task": "certificates.tasks.issue_certificates_for_ended_programmes",
        "schedule": 3600.0,
    },
    # Joining instructions to late-confirmed students, and the reminder the working day before the week.
    "communications-joining-daily": {
        "task": "communications.tasks.joining_daily",
        "schedule": crontab(hour=8, minute=0),
    },
    # Partners' action log: one reminder to the owner of each action on the day it falls due.
    "partners-action-reminders": {
        "task": "partners.tasks.action_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    # Events: one reminder to those who have not replied, a few days before the reply-by date.
    "events-reminders-daily": {"task": "events.tasks.event_reminders_daily", "schedule": crontab(hour=8, minute=30)},
    # Messages to an audience whose chain of batches died with a worker: picked up again (idempotent).
    "communications-audience-messages-resume": {
        "task": "communications.tasks.audience_messages_resume",
        "schedule": 300.0,
    },
    "survey-reminders": {"task": "surveys.tasks.send_survey_reminders", "schedule": 6 * 60 * 60.0},
    # Retention: erase students' personal data whose period is over (privacy/services.py). The entry
    # keeps its name so django-celery-beat updates its stored schedule instead of keeping a stale one.
    "core-retention-daily": {"task": "privacy.tasks.retention_daily", "schedule": crontab(hour=2, minute=30)},
}

# Messages to an audience (communications/messages.py): at most this many people in one message, this
# many emails per coordinator per hour, and this many queued per Celery batch.
AUDIENCE_MESSAGE_MAX_RECIPIENTS = env.int("AUDIENCE_MESSAGE_MAX_RECIPIENTS", default=1000)
AUDIENCE_MESSAGE_HOURLY_LIMIT = env.int("AUDIENCE_MESSAGE_HOURLY_LIMIT", default=2000)
AUDIENCE_MESSAGE_BATCH_SIZE = env.int("AUDIENCE_MESSAGE_BATCH_SIZE", default=50)

# Cache: Redis when there is one (shared by every web process, so rate limits hold across them).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process in the embedded default, so a local-memory cache is shared enough.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
RATELIMIT_VIEW = "core.views.rate_limited"

# Every handler carries the token filter: Django logs "Not Found: /s/<token>/" and the like.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "core.log_filters.RedactTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give these handlers of their own (mail_admins, runserver's console)
        # that would bypass the filter; send them to the root handler instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint logs every rendering step at INFO; keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # redis-py adds an unfiltered stdout handler to this logger unless it already exists (it
        # does on the first pub/sub reply, e.g. /health/'s worker ping); declaring it here keeps
        # every record on the filtered root handler.
        "push_response": {"level": "WARNING"},
    },
}

# Week planning: students not marked present by this local time alert the coordinator (safeguarding).
ATTENDANCE_ALERT_AT = env("ATTENDANCE_ALERT_AT", default="10:00")
