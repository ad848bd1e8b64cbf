import base64

import segno
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from . import services
from .forms import TokenForm
from .middleware import AFTER_SIGN_OUT_URL
from .scoping import scope_for


@login_required
def home(request):
    """Send each user to the start page of their main role."""
    scope = scope_for(request.user)
    if scope.is_admin or scope.is_coordinator:
        return redirect("placements:programme_list")
    if scope.is_contact:
        return redirect("schools:contact_home")
    if scope.is_lead:
        return redirect("placements:lead_home")
    if scope.is_mentor:
        return redirect("mentoring:mentor_home")
    if scope.is_partner:
        return redirect("partners:partner_home")
    if scope.is_national:
        return redirect("reports:national")
    return render(request, "accounts/no_role.html")


class SignOutView(auth_views.LogoutView):
    """Django's sign-out; after a sign-in by force account, the force's provider ends its session too."""

    def post(self, request, *args, **kwargs):
        provider_url = request.session.get(AFTER_SIGN_OUT_URL)
        response = super().post(request, *args, **kwargs)
        return redirect(provider_url) if provider_url else response


def signed_out(request):
    """Where signing out lands: says it worked. Someone still signed in goes to their start page."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    return render(request, "registration/signed_out.html")


@transaction.non_atomic_requests  # a wrong code's failure count must be committed, whatever else happens
@login_required
def two_factor(request):
    """Set up (first time) or enter the second factor, then carry on to where the user was going."""
    # Per user, not per address: someone holding the password can try codes from many addresses.
    rate = getattr(settings, "TWO_FACTOR_RATE", "5/5m")
    if is_ratelimited(request, group="accounts:two_factor", key="user", rate=rate, method="POST", increment=True):
        response = render(request, "accounts/two_factor_rate_limited.html", status=429)
        response["Retry-After"] = "300"
        return response
    next_url = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_verify(request=request, token=form.cleaned_data["token"])
        except services.TwoFactorError as exc:
            form.add_error("token", str(exc))
        else:
            return redirect(next_url)
    context = {"form": form, "next": next_url, "has_device": has_device}
    if not has_device:
        device = services.totp_device_for_setup(user=request.user)
        qr = segno.make(device.config_url, error="m")
        context["qr_svg"] = qr.svg_data_uri(scale=5)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/two_factor.html", context, status=status)
