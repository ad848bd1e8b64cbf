from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from placements.models import Programme
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
    from placements.selectors import lead_syndicates

    items = lead_syndicates(user=request.user, person_id=scope_for(request.user).person_id)
    return render(request, "accounts/lead_home.html", {"items": items})


@login_required
def mentor_home(request):
    from mentoring.models import MentorAssignment

    assignments = (
        scoped(request.user, MentorAssignment)
        .filter(mentor_id=scope_for(request.user).person_id)
        .select_related("placement__nomination", "placement__programme")
    )
    return render(request, "accounts/mentor_home.html", {"assignments": assignments})
