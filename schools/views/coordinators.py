"""Screens for force coordinators: schools and quotas, invitations, reviewing nominations, the selection assistant."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.access import coordinator_required, get_for_coordinator
from placements.models import Programme

from .. import forms, selectors, services
from ..filters import NominationFilter
from ..models import Institution
from ..services import SchoolsError
from ._common import (
    _apply_error,
)


@coordinator_required
def allocations(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    institutions = Institution.objects.filter(force=programme.force, is_active=True).order_by("name")
    form = forms.AllocationForm(request.POST or None, institutions=institutions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.allocation_set(
                    programme=programme,
                    institution=form.cleaned_data["institution"],
                    quota=form.cleaned_data["quota"],
                    actor=request.user,
                )
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Allocation saved.")
                return redirect("schools:allocations", pk=programme.pk)
        else:
            status = 400
    rows = selectors.allocation_summary(programme=programme)
    return render(
        request, "schools/allocations.html", {"programme": programme, "form": form, "allocations": rows}, status=status
    )


@coordinator_required
def contact_invite(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    institutions = Institution.objects.filter(force=programme.force, allocations__programme=programme).order_by("name")
    form = forms.InvitationForm(request.POST or None, institutions=institutions)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contact_invitation_create(
                    institution=form.cleaned_data["institution"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data["email"],
                    job_title=form.cleaned_data["job_title"],
                    actor=request.user,
                )
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
                return redirect("schools:allocations", pk=programme.pk)
        else:
            status = 400
    return render(
        request,
        "schools/invite.html",
        {"form": form, "programme": programme, "title": "Invite an institution contact"},
        status=status,
    )


@coordinator_required
def review(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    filterset = NominationFilter(
        request.GET or None, queryset=selectors.programme_nominations(programme=programme), programme=programme
    )
    return render(
        request,
        "schools/review.html",
        {"programme": programme, "filter": filterset, "nominations": filterset.qs},
    )


@coordinator_required
def selection(request, pk):
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    proposal, free = services.selection_propose(programme=programme)
    today = timezone.localdate()
    initial = {
        "deadline": today + timezone.timedelta(days=services.OFFER_DAYS),
        "selected": [str(n.pk) for n, pick in proposal if pick.selected],
    }
    form = forms.SelectionForm(request.POST or None, initial=initial, candidates=[n for n, _ in proposal])
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                count = services.selection_confirm(
                    programme=programme,
                    selected_ids=form.cleaned_data["selected"],
                    deadline=form.cleaned_data["deadline"],
                    actor=request.user,
                )
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{count} offers sent. Institutions have been emailed.")
                return redirect(reverse("schools:review", args=[programme.pk]) + "?status=offered")
        else:
            status = 400
    chosen = set(form["selected"].value() or [])
    rows = [{"nomination": n, "pick": p, "checked": str(n.pk) in chosen} for n, p in proposal]
    return render(
        request,
        "schools/selection.html",
        {
            "programme": programme,
            "form": form,
            "rows": rows,
            "free": free,
            "proposed": sum(p.selected for _, p in proposal),
        },
        status=status,
    )
