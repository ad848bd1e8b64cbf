"""Guessing protection for the no-account links (consent, survey, certificate, invitation).

Only rejected tokens count towards the limit, so a class of thirty students opening their survey
links from one school network is never blocked, while someone trying tokens is stopped quickly.
Every rejection is logged with the address and a fingerprint of the token (never the token).
"""

import hashlib
import logging
from functools import wraps

from django.conf import settings
from django_ratelimit.core import is_ratelimited

from .clientip import client_ip
from .views import rate_limited

logger = logging.getLogger("security.tokens")

GROUP = "rejected-tokens"


def _rate():
    return getattr(settings, "REJECTED_TOKEN_RATE", "20/10m")


def _limited(request, *, increment):
    return is_ratelimited(request, group=GROUP, key="ip", rate=_rate(), increment=increment)


def _view_name(request):
    """The view, not the path: a path can carry the token itself."""
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else "?"


def token_rejected(request, *, kind, token=""):
    """Record a rejected link: count it against the address and write a security log line."""
    fingerprint = hashlib.sha256(token.encode()).hexdigest()[:12] if token else "-"
    logger.warning(
        "Rejected %s token from %s (fingerprint %s, view %s)",
        kind,
        client_ip(request) or "?",
        fingerprint,
        _view_name(request),
    )
    _limited(request, increment=True)


def token_guard(view):
    """Refuse (429) an address that has had too many rejected tokens lately."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if _limited(request, increment=False):
            address = client_ip(request) or "?"
            logger.warning("Token endpoint %s blocked for %s", _view_name(request), address)
            return rate_limited(request)
        return view(request, *args, **kwargs)

    return wrapper
