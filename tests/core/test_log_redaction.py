"""No working link token reaches a log: Django's own "Forbidden: /s/<token>/" lines included."""

import io
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.log_filters import RedactTokens, redact
from tests.surveys.conftest import make_week, token_for


def _configured_handlers():
    """Every handler on every logger, except pytest's own capture and do-nothing handlers."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not isinstance(handler, logging.NullHandler) and not type(handler).__module__.startswith("_pytest"):
                handler._found_on = getattr(logger, "name", "?")
                yield handler


@pytest.fixture
def log_output():
    """What the configured handlers really write, formatted by their own formatters."""
    buffer = io.StringIO()
    swapped = [(h, h.setStream(buffer)) for h in set(_configured_handlers()) if isinstance(h, logging.StreamHandler)]
    assert swapped, "no configured stream handler to watch"
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)


def test_every_configured_handler_redacts_tokens():
    handlers = list(_configured_handlers())
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactTokens) for f in handler.filters), (handler, handler._found_on)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not Found: /s/AbC-123_x/", "Not Found: /s/[redacted]/"),
        ("Forbidden: /consent/tok3n/", "Forbidden: /consent/[redacted]/"),
        ('"GET /invitations/tok3n/?next=/ HTTP/1.1" 404 10', '"GET /invitations/[redacted]/?next=/ HTTP/1.1" 404 10'),
        ("Not Found: /certificates/s/tok3n/", "Not Found: /certificates/s/[redacted]/"),
        ("Not Found: /verify/ABCD2345EFGH/", "Not Found: /verify/[redacted]/"),
        ('"GET /verify/?code=ABCD2345 HTTP/1.1" 302 0', '"GET /verify/?code=[redacted] HTTP/1.1" 302 0'),
        ("see https://placements.example/s/tok3n/ now", "see https://placements.example/s/[redacted]/ now"),
        # Fixed pages beside the token links, and admin paths, stay readable.
        ("Bad Request: /s/code/", "Bad Request: /s/code/"),
        ("Bad Request: /s/q/3/", "Bad Request: /s/q/3/"),
        ("Bad Request: /consent/form/", "Bad Request: /consent/form/"),
        ("Not Found: /admin/schools/consent/12/change/", "Not Found: /admin/schools/consent/12/change/"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


@pytest.fixture
def survey_not_yet_open(programme_a):
    """A student's working survey link, a week before the survey opens (the page answers 403)."""
    surveys, placements = make_week(programme_a, students=1)
    surveys["pre"].opens_at = timezone.now() + timedelta(days=7)
    surveys["pre"].save(update_fields=["opens_at"])
    return token_for(surveys["pre"], placements[0])


def test_tokens_in_refused_requests_never_reach_the_log(client, survey_not_yet_open, settings, log_output):
    settings.REJECTED_TOKEN_RATE = "1/10m"
    address = {"REMOTE_ADDR": "203.0.113.50"}
    forbidden = client.get(reverse("surveys:token_enter", args=[survey_not_yet_open]), **address)
    assert forbidden.status_code == 403
    secrets = {
        "/verify/VERIFYSECRET2345/": "VERIFYSECRET2345",  # not found: 404
        "/certificates/s/cert-secret-0123456789abcdef/": "cert-secret-0123456789abcdef",
        "/s/survey-secret-0123456789abcdef/": "survey-secret-0123456789abcdef",
        # After those rejections the address is refused (429) on every token link, real or not.
        "/consent/consent-secret-0123456789abcdef/": "consent-secret-0123456789abcdef",
        "/invitations/invite-secret-0123456789abcdef/": "invite-secret-0123456789abcdef",
        f"/s/{survey_not_yet_open}/": survey_not_yet_open,
    }
    statuses = [client.get(url, **address).status_code for url in secrets]
    assert statuses == [404, 404, 404, 429, 429, 429]
    written = log_output.getvalue()
    for line in (
        "Forbidden: /s/[redacted]/",
        "Not Found: /verify/[redacted]/",
        "Too Many Requests: /consent/[redacted]/",
        "Too Many Requests: /invitations/[redacted]/",
    ):
        assert line in written  # the lines are still there, without the secret
    for secret in secrets.values():
        assert secret not in written


def test_tracebacks_and_the_development_server_line_are_redacted(log_output):
    logging.getLogger("django.server").info('"%s" %s %s', "GET /s/runserver-secret/ HTTP/1.1", 404, 179)
    try:
        raise ValueError("bad link /consent/traceback-secret/")
    except ValueError:
        logging.getLogger("schools.views.public").exception("Failed opening %s", "/invitations/exception-secret/")
    written = log_output.getvalue()
    assert "runserver-secret" not in written
    assert "traceback-secret" not in written
    assert "exception-secret" not in written
    assert "ValueError" in written
