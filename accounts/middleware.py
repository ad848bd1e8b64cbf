import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from .scoping import scope_for

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN_AT = "last_seen_at"
# The last-seen time is written at most once a minute, so most requests write nothing to the session
# store. A session therefore ends between 29 and 30 minutes after the last request, not to the second.
LAST_SEEN_RESOLUTION = 60
# Set by a sign-in whose identity provider asserted multi-factor (the sso app decides, from the ID
# token's `amr` claim); the product's own second factor is then not asked for in this session.
SECOND_FACTOR_BY_PROVIDER = "second_factor_by_provider"
# Where signing out sends the browser next, when the sign-in came from an identity provider with an
# end-session endpoint (set by the server at sign-in, never from a request parameter).
AFTER_SIGN_OUT_URL = "after_sign_out_url"


def stamp_session(sender, request, user, **kwargs) -> None:
    """On sign-in, note when (connected to user_logged_in): the sign-in itself saves the session, so the
    first page after it writes nothing."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionLimitsMiddleware:
    """End a session after a spell of inactivity and, in any case, some hours after sign-in.

    Saving the session (and so sliding its cookie's expiry) happens only when the last-seen time moves,
    which is why SESSION_SAVE_EVERY_REQUEST is off.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            signed_in = request.session.setdefault(SIGNED_IN_AT, now)
            last_seen = request.session.get(LAST_SEEN_AT, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
            too_old = now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_old:
                logout(request)
                messages.info(request, "You were signed out to keep children's data safe. Please sign in again.")
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
            if LAST_SEEN_AT not in request.session or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


def needs_two_factor(user: Any) -> bool:
    """Coordinators and admins must use a second factor (when the deployment requires it).

    Staff covers every platform admin, and anyone made staff without the permission as well.
    """
    if not settings.REQUIRE_TWO_FACTOR or not user.is_authenticated:
        return False
    scope = scope_for(user)
    return scope.is_admin or scope.is_coordinator or scope.is_national or user.is_staff


class TwoFactorRequiredMiddleware:
    """Send a coordinator or admin who has not passed the second factor to set it up or enter a code."""

    EXEMPT_PREFIXES = ("/two-factor/", "/logout/", "/static/", "/health/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            needs_two_factor(user)
            and not user.is_verified()
            and not request.session.get(SECOND_FACTOR_BY_PROVIDER)
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect(f"{reverse('accounts:two_factor')}?next={request.path}")
        return self.get_response(request)
