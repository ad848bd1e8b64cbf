import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse

from .models import ForceSignOn
from .services import SignOnRefused, sign_on_audit, sign_on_recheck

# The session's record of a sign-in by force account (see services.session_record).
SESSION_KEY = "sso"


class ForceAccountRecheckMiddleware:
    """Ask the force's provider again, at each session-limit boundary, whether the account still stands.

    Goes after accounts.middleware.SessionLimitsMiddleware: the session has already ended if it was
    idle too long. Otherwise a sign-in by force account is checked again once SSO_RECHECK_SECONDS
    (the idle limit, by default) have passed since the last check: someone removed at the provider
    loses access at their next request after that.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        record = request.session.get(SESSION_KEY) if request.user.is_authenticated else None
        interval = getattr(settings, "SSO_RECHECK_SECONDS", settings.SESSION_IDLE_TIMEOUT)
        due = record and int(time.time()) - record.get("checked_at", 0) >= interval
        # One check at a time per session: pages open in two tabs would otherwise both spend the same
        # refresh token, and a provider that rotates them would refuse the second.
        if due and cache.add(f"sso:recheck:{request.session.session_key}", 1, timeout=60):
            user = request.user
            try:
                request.session[SESSION_KEY] = sign_on_recheck(record=record, user=user)
                cache.delete(f"sso:recheck:{request.session.session_key}")
            except SignOnRefused as refused:
                sign_on = ForceSignOn.objects.filter(pk=record.get("sign_on")).select_related("force").first()
                if sign_on is not None:
                    sign_on_audit(sign_on=sign_on, user=user, action="Signed out: force account not confirmed")
                logout(request)
                messages.info(request, refused.message)
                return redirect(f"{reverse('accounts:login')}?next={request.path}")
        response = self.get_response(request)
        origin = (record or {}).get("end_session_origin")
        if origin:
            # The sign-out button posts here and is sent on to the provider's end-session page: the
            # Content-Security-Policy's form-action must allow that one origin (browsers check redirects).
            response._csp_update = {"form-action": [origin]}
        return response
