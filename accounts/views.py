from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from placements.models import Placement, Programme, Syndicate
from schools.models import Institution, Nomination

from .scoping import scope_for, scoped


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
    institutions = scoped(request.user, Institution)
    programmes = scoped(request.user, Programme).select_related("force").order_by("start_date")
    nominations = (
        scoped(request.user, Nomination).select_related("programme", "institution").order_by("-created_at")[:50]
    )
    return render(
        request,
        "accounts/contact_home.html",
        {"institutions": institutions, "programmes": programmes, "nominations": nominations},
    )


@login_required
def lead_home(request):
    syndicates = scoped(request.user, Syndicate).filter(lead_id=scope_for(request.user).person_id)
    syndicates = syndicates.select_related("programme").order_by("-programme__start_date")
    placements = (
        scoped(request.user, Placement)
        .filter(syndicate__in=syndicates)
        .select_related("nomination__institution", "syndicate")
        .order_by("syndicate__name", "nomination__last_name")
    )
    return render(request, "accounts/lead_home.html", {"syndicates": syndicates, "placements": placements})


@login_required
def mentor_home(request):
    """The mentor's due list: their own active mentees, soonest due first."""
    from mentoring.selectors import mentor_due_list

    active, ended = mentor_due_list(user=request.user)
    overdue_count = sum(1 for a in active if a.days_overdue is not None and a.days_overdue > 0)
    return render(
        request, "accounts/mentor_home.html", {"active": active, "ended": ended, "overdue_count": overdue_count}
    )
