"""Keep the secret part of no-account links out of every log line.

Django itself logs "Not Found: /s/<token>/", "Forbidden: …" and "Too Many Requests: …" for any
4xx answer, and the development server logs each request line; a token in a log is a working key
to a child's survey, consent or certificate. `RedactTokens` sits on every handler in LOGGING.
"""

import logging
import re

REDACTED = "[redacted]"

# Paths whose last part is a credential (see */urls.py and */public_urls.py), matched where a
# path begins: at the start, after a space or quote, or after scheme and host in a full link.
# Their fixed siblings (/s/code/, /consent/form/, …) are not tokens and stay readable.
_TOKEN_PATH = re.compile(
    r"""(?P<lead>^|[\s"'(<=,]|https?://[^/\s"'<>]+)"""
    r"(?P<prefix>/(?:certificates/s|s|consent|invitations|verify|shared)/)"
    r"(?!(?:code|q|all|check|done|mode|form|withdraw|accept)(?:/|$))"
    r"""[^/?#\s"'<>]+"""
)
# The verification form sends its code in the query string (/verify/?code=…).
_TOKEN_QUERY = re.compile(r"(?P<key>[?&](?:code|token)=)[^&#\s\"'<>]+")


def redact(text):
    """The text with every link token and code replaced by [redacted]."""
    text = _TOKEN_PATH.sub(lambda m: f"{m['lead']}{m['prefix']}{REDACTED}", text)
    return _TOKEN_QUERY.sub(lambda m: f"{m['key']}{REDACTED}", text)


class RedactTokens(logging.Filter):
    """Logging filter: rewrite a record's message (and traceback) without link tokens."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's own problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
