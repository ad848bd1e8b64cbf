import base64

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_ratelimit.core import is_ratelimited

from schools.models import Institution, Nomination

from . import services
from .forms import TokenForm
from .scoping import scope_for, scoped


def _require_role(request, role):
    """A role's start page is for that role (and admins); other signed-in users get 403."""
    scope = scope_for(request.user)
    if not (scope.is_admin or getattr(scope, role)):
        raise PermissionDenied("This start page is for another role.")


@login_required
def home(request):
    """Send each user to the start page of their main role."""
    scope = scope_for(request.user)
    if scope.is_admin or scope.is_coordinator:
        return redirect("placements:programme_list")
    if scope.is_contact:
        return redirect("accounts:contact_home")
    if scope.is_lead:
        return redirect("accounts:lead_home")
    if scope.is_mentor:
        return redirect("accounts:mentor_home")
    return render(request, "accounts/no_role.html")


@login_required
def contact_home(request):
    from django.utils import timezone

    _require_role(request, "is_contact")
    from schools.selectors import allocations_for_contact

    institutions = scoped(request.user, Institution)
    today = timezone.localdate()
    allocations = list(allocations_for_contact(user=request.user))
    for allocation in allocations:
        allocation.remaining = max(allocation.quota - allocation.used, 0)
        allocation.is_open = allocation.programme.nominations_open_on(today)
        allocation.not_yet = today < allocation.programme.nomination_opens
    allocations.sort(key=lambda a: (not a.is_open, not a.not_yet, -a.programme.start_date.toordinal()))
    nominations = (
        scoped(request.user, Nomination)
        .select_related("programme", "institution", "consent")
        .order_by("-created_at")[:50]
    )
    return render(
        request,
        "accounts/contact_home.html",
        {"institutions": institutions, "allocations": allocations, "nominations": nominations},
    )


@login_required
def lead_home(request):
    from placements.selectors import lead_syndicates

    _require_role(request, "is_lead")
    items = lead_syndicates(user=request.user, person_id=scope_for(request.user).person_id)
    return render(request, "accounts/lead_home.html", {"items": items})


@login_required
def mentor_home(request):
    """The mentor's due list: their own active mentees, soonest due first."""
    from mentoring.selectors import mentor_due_list

    _require_role(request, "is_mentor")
    active, ended = mentor_due_list(user=request.user)
    overdue_count = sum(1 for a in active if a.days_overdue is not None and a.days_overdue > 0)
    return render(
        request, "accounts/mentor_home.html", {"active": active, "ended": ended, "overdue_count": overdue_count}
    )


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
