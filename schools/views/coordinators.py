"""Screens for force coordinators: schools and quotas, invitations, reviewing nominations, the selection assistant."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import coordinator_required, get_for_coordinator
from placements.models import Programme

from .. import forms, selectors, services
from ..filters import NominationFilter
from ..models import Institution, Nomination
from ..services import SchoolsError
from ._common import (
    _apply_error,
    _error_page,
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
    chosen = request.GET.get("institution", "")  # from "Invite" on the quotas or confirm page
    initial = {"institution": int(chosen)} if chosen.isdigit() and len(chosen) < 12 else {}
    form = forms.InvitationForm(request.POST or None, institutions=institutions, initial=initial)
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
                    programme=programme,
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


def _selection_page(request, programme, proposal, free, form, status=200):
    chosen = set(form["selected"].value() or [])
    round_fill = services.selection_round(programme=programme, proposal=proposal)
    rows = [
        {
            "nomination": n,
            "pick": p,
            "checked": str(n.pk) in chosen,
            # The week has its own column for linked weeks: the reason need not repeat it.
            "why": p.basis if round_fill else p.reason,
        }
        for n, p in proposal
    ]
    return render(
        request,
        "schools/selection.html",
        {
            "programme": programme,
            "form": form,
            "rows": rows,
            "free": free,
            "proposed": sum(p.selected for _, p in proposal),
            "window_open": programme.nominations_open_on(timezone.localdate()),
            "deadline_max": programme.start_date - timezone.timedelta(days=1),
            "round_fill": round_fill,
            **selectors.selection_round_totals(programme=programme, round_fill=round_fill),
        },
        status=status,
    )


@coordinator_required
def weeks(request, pk):
    """Linked weeks: the round this week belongs to, and linking another week of the force to it."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force", "week_group"), pk=pk)
    home = services.round_home(programme)
    form = forms.WeekLinkForm(request.POST or None, weeks=services.linkable_weeks(home))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.week_link(
                    programme=home, week=form.cleaned_data["week"], name=form.cleaned_data["name"], actor=request.user
                )
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(
                    request,
                    f"{form.cleaned_data['week'].title} is linked. Schools nominate through {home.title} "
                    "and choose the weeks each student can do.",
                )
                return redirect("schools:weeks", pk=programme.pk)
        else:
            status = 400
    round_weeks = services.round_weeks(programme)
    return render(
        request,
        "schools/weeks.html",
        {
            "programme": programme,
            "home": home,
            "round_weeks": round_weeks,
            "form": form,
            "can_link": services.week_link_open(home, len(round_weeks)),
        },
        status=status,
    )


@require_POST
@coordinator_required
def week_unlink(request, pk, week_pk):
    """Take a week out of the round."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    week = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=week_pk)
    if not programme.week_group_id or week.week_group_id != programme.week_group_id:
        raise Http404
    try:
        services.week_unlink(week=week, actor=request.user)
    except SchoolsError as error:
        return _error_page(request, error, title="The week stays linked")
    messages.success(request, f"{week.title} is no longer linked with the other weeks.")
    return redirect("schools:weeks", pk=programme.pk)


@coordinator_required
def selection(request, pk):
    """The assistant's proposal to tick or untick; "Check and confirm" shows the plan before anything is sent."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    home = services.round_home(programme)
    if home.pk != programme.pk:  # linked weeks are selected together, from the week schools nominate to
        return redirect("schools:selection", pk=home.pk)
    proposal, free = services.selection_propose(programme=programme)
    back = "deadline" in request.GET  # back from the confirm page: keep the choice made there
    initial = {
        "deadline": request.GET.get("deadline")
        if back
        else services.offer_deadline_default(programme, timezone.localdate()),
        "selected": request.GET.getlist("selected") if back else [str(n.pk) for n, pick in proposal if pick.selected],
    }
    form = forms.SelectionForm(initial=initial, candidates=[n for n, _ in proposal])
    return _selection_page(request, programme, proposal, free, form)


def _sent_message(plan, programme):
    word = "school" if programme.kind == Programme.Kind.SCHOOL_WEEK else "institution"
    emailed = [group for group in plan.mail if group.offers and group.recipients]
    sent = sum(group.offers for group in emailed)
    parts = []
    if sent:
        parts.append(f"{sent} offer{pluralize(sent)} sent to {len(emailed)} {word}{pluralize(len(emailed))}.")
    lost = [group for group in plan.without_contact if group.offers]
    if lost:
        count = plan.offers_without_contact
        names = ", ".join(group.institution for group in lost)
        parts.append(
            f"{count} offer{pluralize(count)} could not be emailed because {names} "
            f"{'has' if len(lost) == 1 else 'have'} no contact: invite one from Schools and quotas."
        )
    if not plan.offers:
        parts.append("No offers made.")
    others = [
        (len(plan.waiting), "on the waiting list"),
        (len(plan.not_selected), "told they were not selected"),
        (len(plan.under_consideration), "still under consideration"),
    ]
    told = [f"{count} {what}" for count, what in others if count]
    if told:
        parts.append(", ".join(told).capitalize() + ".")
    return " ".join(parts)


@coordinator_required
def selection_confirm(request, pk):
    """The confirm step: exactly what will happen and who gets which email; POST sends it."""
    programme = get_for_coordinator(request.user, Programme.objects.select_related("force"), pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    if not data:
        return redirect("schools:selection", pk=programme.pk)
    proposal, free = services.selection_propose(programme=programme)
    form = forms.SelectionForm(data, candidates=[n for n, _ in proposal])
    if not form.is_valid():
        stale = form.has_error("selected", code="invalid_choice")  # someone else decided on them meanwhile
        return _selection_page(request, programme, proposal, free, form, status=409 if stale else 400)
    choice = {"selected_ids": form.cleaned_data["selected"], "deadline": form.cleaned_data["deadline"]}
    try:
        plan = services.selection_plan(programme=programme, **choice)
    except SchoolsError as error:
        _apply_error(form, error)
        return _selection_page(request, programme, proposal, free, form, status=error.status)
    send_form = forms.SelectionSendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if send_form.is_valid():
            try:
                done = services.selection_confirm(
                    programme=programme,
                    **choice,
                    digest=send_form.cleaned_data["digest"],
                    send_anyway=send_form.cleaned_data["send_anyway"],
                    actor=request.user,
                )
            except SchoolsError as error:
                _apply_error(send_form, error)
                status = error.status
            else:
                tell = messages.warning if done.offers_without_contact else messages.success
                tell(request, _sent_message(done, programme))
                return redirect(reverse("schools:review", args=[programme.pk]) + "?status=offered")
        else:
            if "digest" in send_form.errors:
                send_form.errors.pop("digest")
                send_form.add_error(None, "This page was out of date. Nothing was sent: check the list again.")
            status = 400
    return render(
        request,
        "schools/selection_confirm.html",
        {
            "programme": programme,
            "plan": plan,
            "send_form": send_form,
            "selected": choice["selected_ids"],
            "deadline": choice["deadline"],
            "back": reverse("schools:selection", args=[programme.pk])
            + "?"
            + urlencode({"selected": choice["selected_ids"], "deadline": choice["deadline"].isoformat()}, doseq=True),
            "invite_url": reverse("schools:contact_invite", args=[programme.pk]),
        },
        status=status,
    )


@coordinator_required
def offer_withdraw(request, pk):
    """Take back an offer sent by mistake (until it is answered), after seeing the apology email."""
    nomination = get_for_coordinator(
        request.user, Nomination.objects.select_related("programme__force", "institution"), pk=pk
    )
    form = forms.OfferWithdrawForm(request.POST or None)
    try:
        recipients, subject, body = services.offer_withdrawal_preview(
            nomination=nomination, reason=form["reason"].value() or "[Your words from the box below go here.]"
        )
    except SchoolsError as error:
        return _error_page(request, error, title="There is no offer to withdraw")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.offer_withdraw(nomination=nomination, actor=request.user, reason=form.cleaned_data["reason"])
            except SchoolsError as error:
                return _error_page(request, error, title="The offer was not withdrawn")
            told = (
                f"an apology went to {', '.join(recipients)}"
                if recipients
                else f"no apology could be emailed: {nomination.institution.name} has no contact, so tell the school"
            )
            messages.success(
                request,
                f"The offer to {nomination.full_name} is withdrawn and {told}. The place is free again: "
                "offer it from the selection assistant when you are ready.",
            )
            return redirect("schools:nomination_detail", pk=nomination.pk)
        status = 400
    return render(
        request,
        "schools/offer_withdraw.html",
        {
            "nomination": nomination,
            "programme": nomination.programme,
            "form": form,
            "recipients": recipients,
            "subject": subject,
            "body": body,
        },
        status=status,
    )
