"""Sign-in with a force account: start (by work email or by force), the provider's answer, refusals."""

from urllib.parse import urlsplit

from authlib.integrations.base_client import OAuthError
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit
from joserfc.errors import JoseError
from requests import RequestException

from accounts.middleware import AFTER_SIGN_OUT_URL, SECOND_FACTOR_BY_PROVIDER

from . import services
from .client import ProviderConfigurationError, client_for, remember_keys, scope_for
from .forms import WorkEmailForm
from .middleware import SESSION_KEY
from .models import ForceSignOn
from .selectors import sign_on_choices, sign_ons_for_email

PENDING = "sso_pending"
SOMEONE = "Someone signing in with a force account"
BACKEND = "django.contrib.auth.backends.ModelBackend"
UNAVAILABLE = (
    "Your force's sign-in service did not answer as expected, so you could not be signed in. "
    "Try again in a few minutes, or sign in with your username and password."
)
EXPIRED = "This sign-in was started too long ago or in another window. Start again from the sign-in page."


def _safe_next(request, value: str | None) -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}):
        return value
    return reverse("accounts:home")


def _refused(request, message: str, status: int = 403):
    return render(request, "sso/refused.html", {"message": message}, status=status)


def _start(request, sign_on: ForceSignOn, *, next_url: str, login_hint: str = ""):
    try:
        app = client_for(sign_on)
    except ProviderConfigurationError:
        return _refused(request, UNAVAILABLE, status=502)
    request.session[PENDING] = {"sign_on": sign_on.pk, "next": next_url}
    extra = {"login_hint": login_hint} if login_hint else {}
    callback_url = request.build_absolute_uri(reverse("sso:callback"))
    return app.authorize_redirect(request, callback_url, scope=scope_for(app), **extra)


def start(request, slug):
    """Send the person to their force's sign-in page (chosen from the list on the sign-in page)."""
    sign_on = get_object_or_404(ForceSignOn.objects.enabled().select_related("force"), force__slug=slug)
    return _start(request, sign_on, next_url=_safe_next(request, request.GET.get("next")))


@require_POST
@ratelimit(key="ip", rate="30/m", method="POST", block=True)
def start_by_email(request):
    """Find the force from the work email's domain and send the person to its sign-in page."""
    form = WorkEmailForm(request.POST)
    next_url = _safe_next(request, request.POST.get("next"))
    if form.is_valid():
        email = form.cleaned_data["email"]
        matches = sign_ons_for_email(email)
        if len(matches) > 1:
            form.add_error("email", "More than one force uses this email domain. Choose your force from the list.")
        elif matches:
            sign_on = matches[0]
            response = _start(request, sign_on, next_url=next_url, login_hint=email)
            if response.status_code != 302:
                return response
            # A page that moves on by itself, not a redirect: the sign-in page's Content-Security-Policy lets its
            # forms post only to this site, and browsers hold a form's redirects to that rule too.
            return render(request, "sso/continue.html", {"url": response["Location"], "force": sign_on.force})
        else:
            form.add_error(
                "email",
                "No force has set up sign-in with force accounts for this email address. "
                "Check the address, or sign in with your username and password.",
            )
    context = {"form": form, "next": next_url, "sign_ons": sign_on_choices()}
    return render(request, "sso/choose.html", context, status=400)


@require_GET
def callback(request):
    """The provider's answer: check it, link the force account on first sign-in, and sign the person in."""
    pending = request.session.pop(PENDING, None)
    sign_on = None
    if pending:
        sign_on = ForceSignOn.objects.enabled().select_related("force").filter(pk=pending.get("sign_on")).first()
    if sign_on is None:
        return _refused(request, EXPIRED, status=400)
    try:
        app = client_for(sign_on)
        token = app.authorize_access_token(request)
    except OAuthError as exc:
        if exc.error == "access_denied":
            return _refused(request, "Sign-in was cancelled at your force's sign-in page.", status=400)
        if exc.error == "mismatching_state":
            return _refused(request, EXPIRED, status=400)
        services.sign_on_audit(sign_on=sign_on, action="Force account sign-in failed", reason=exc.error, who=SOMEONE)
        return _refused(request, UNAVAILABLE, status=502)
    except (ProviderConfigurationError, RequestException, JoseError, ValueError):
        services.sign_on_audit(
            sign_on=sign_on, action="Force account sign-in failed", reason="the provider's answer", who=SOMEONE
        )
        return _refused(request, UNAVAILABLE, status=502)
    claims = token.get("userinfo")
    if not claims:  # no ID token checked against the nonce: nothing trustworthy to sign in with
        return _refused(request, UNAVAILABLE, status=502)
    if "email" not in claims:
        # Some providers keep the email for the user info endpoint; it must speak of the same account.
        try:
            extra = app.userinfo(token=token)
        except (OAuthError, RequestException, ValueError):
            return _refused(request, UNAVAILABLE, status=502)
        if str(extra.get("sub")) == str(claims.get("sub")):
            claims = {**extra, **claims}
    remember_keys(sign_on, app)
    try:
        user = services.sign_on_link(sign_on=sign_on, claims=claims)
    except services.SignOnRefused as refused:
        services.sign_on_audit(
            sign_on=sign_on, action="Force account sign-in refused", reason=refused.message, who=SOMEONE
        )
        return _refused(request, refused.message, status=refused.status)
    by_provider = services.provider_asserts_mfa(claims.get("amr"))
    login(request, user, backend=BACKEND)
    request.session[SESSION_KEY] = services.session_record(sign_on=sign_on, token=token)
    if by_provider:
        request.session[SECOND_FACTOR_BY_PROVIDER] = True
    end_session = app.load_server_metadata().get("end_session_endpoint")
    if end_session and token.get("id_token"):
        parts = urlsplit(end_session)
        request.session[SESSION_KEY]["end_session_origin"] = f"{parts.scheme}://{parts.netloc}"
        request.session[AFTER_SIGN_OUT_URL] = app.create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:signed_out")),
            id_token_hint=token["id_token"],
            client_id=sign_on.client_id,
        )["url"]
    services.sign_on_audit(
        sign_on=sign_on, user=user, action="Signed in with force account", second_factor_by_provider=by_provider
    )
    return redirect(pending.get("next") or "accounts:home")
