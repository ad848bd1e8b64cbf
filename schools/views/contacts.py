"""Screens for school and university contacts: start page, nominations, offers, colleagues.

The nomination page and "send the consent email again" also serve the force's coordinators.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.access import contact_home_required, contact_required
from accounts.scoping import get_for_user, scope_for, scoped
from core.audit import record_sensitive_read

from .. import forms, selectors, services
from ..models import ConsentLink, Institution, Nomination
from ..services import SchoolsError
from ._common import (
    _apply_error,
    _error_page,
)

HOME_NOMINATIONS = 20  # the newest on the start page; the rest on the nominations list


@contact_home_required
def contact_home(request):
    """The institution contact's start page: their allocations (open ones first) and latest nominations."""
    institutions = scoped(request.user, Institution)
    allocations = selectors.contact_home_allocations(user=request.user, today=timezone.localdate())
    nominations = list(
        scoped(request.user, Nomination)
        .select_related("programme", "institution", "consent")
        .order_by("-created_at")[: HOME_NOMINATIONS + 1]
    )
    return render(
        request,
        "schools/contact_home.html",
        {
            "institutions": institutions,
            "allocations": allocations,
            "nominations": nominations[:HOME_NOMINATIONS],
            "more_nominations": len(nominations) > HOME_NOMINATIONS,
        },
    )


@contact_required
def nominate(request, allocation_pk):
    allocation = selectors.allocation_for_contact(user=request.user, pk=allocation_pk)
    weeks = services.round_weeks(allocation.programme)
    form = forms.NominationForm(request.POST or None, programme=allocation.programme, weeks=weeks)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                nomination = services.nomination_submit(
                    allocation=allocation, data=form.cleaned_data, actor=request.user
                )
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, f"{nomination.full_name} is nominated. We have emailed for consent.")
                return redirect("schools:nomination_detail", pk=nomination.pk)
        else:
            status = 400
    return render(
        request,
        "schools/nomination_form.html",
        {
            "form": form,
            "allocation": allocation,
            "programme": allocation.programme,
            "age_band": services.age_band_text(allocation.programme),
            "round_weeks": weeks,
        },
        status=status,
    )


@contact_required
def nomination_upload(request, allocation_pk):
    allocation = selectors.allocation_for_contact(user=request.user, pk=allocation_pk)
    weeks = services.round_weeks(allocation.programme)
    form = forms.CsvUploadForm(request.POST or None, request.FILES or None)
    errors, problem, status = [], None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows, errors = forms.parse_nomination_csv(form.cleaned_data["file"], weeks=weeks)
                if not errors:
                    count = services.nominations_import(allocation=allocation, rows=rows, actor=request.user)
                    messages.success(request, f"{count} nominations saved. Consent emails are on their way.")
                    return redirect("schools:contact_home")
            except forms.CsvError as error:
                problem = error.message
            except services.NominationImportError as error:
                errors = error.errors
            status = 400
        else:
            status = 400
    return render(
        request,
        "schools/nomination_upload.html",
        {
            "form": form,
            "allocation": allocation,
            "errors": errors,
            "problem": problem,
            "columns": forms.CSV_COLUMNS,
            "round_weeks": weeks,
        },
        status=status,
    )


@contact_required
def csv_template(request):
    response = HttpResponse(forms.csv_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="nominations-template.csv"'
    return response


@contact_required
def nomination_list(request):
    nominations = selectors.nominations_for_user(user=request.user).order_by("-created_at")
    return render(request, "schools/nomination_list.html", {"nominations": nominations})


def _nomination_for_school_or_coordinator(request, pk):
    """A nomination of the user's own institution, or of their force as coordinator; else 404."""
    nomination = get_for_user(request.user, selectors.nominations_for_user(user=request.user), pk=pk)
    scope = scope_for(request.user)
    if not (scope.coordinates(nomination.programme.force_id) or nomination.institution_id in scope.institution_ids):
        raise Http404
    return nomination


@login_required
def nomination_detail(request, pk):
    nomination = _nomination_for_school_or_coordinator(request, pk)
    scope = scope_for(request.user)
    is_coordinator = scope.coordinates(nomination.programme.force_id)
    if is_coordinator and nomination.medical_notes:
        record_sensitive_read(nomination)
    today = timezone.localdate()
    weeks = services.round_weeks(nomination.programme)
    labels = {week.pk: week.label for week in weeks}
    placed_in = nomination.programme_id != nomination.programme.week_group.home_id if weeks else False
    return render(
        request,
        "schools/nomination_detail.html",
        {
            "nomination": nomination,
            "week_choices": [labels[pk] for pk in nomination.week_choices if pk in labels] if weeks else None,
            "week_offered": labels[nomination.programme_id]
            if placed_in or (weeks and nomination.status in services.HOLDING_PLACE)
            else "",
            "consent": getattr(nomination, "consent", None),
            "consent_resendable": services.consent_resendable(nomination, today),
            "last_consent_link": ConsentLink.objects.filter(consent__nomination=nomination)
            .order_by("-created_at")
            .first(),
            "is_coordinator": is_coordinator,
            "is_contact": nomination.institution_id in scope.institution_ids,
            "can_edit": nomination.status == Nomination.Status.SUBMITTED
            and nomination.programme.nominations_open_on(today),
            "offer_open": nomination.status == Nomination.Status.OFFERED,
        },
    )


def _contact_nomination(request, pk):
    nomination = get_for_user(request.user, Nomination.objects.select_related("programme__force", "institution"), pk=pk)
    if nomination.institution_id not in scope_for(request.user).institution_ids:
        raise Http404
    return nomination


@contact_required
def nomination_edit(request, pk):
    nomination = _contact_nomination(request, pk)
    form = forms.NominationForm(
        request.POST or None,
        instance=nomination,
        programme=nomination.programme,
        submit_label=gettext("Save changes"),
        hide_medical_notes=True,
        weeks=services.round_weeks(nomination.programme),
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.nomination_update(nomination=nomination, data=form.cleaned_data, actor=request.user)
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                messages.success(request, "Changes saved.")
                return redirect("schools:nomination_detail", pk=nomination.pk)
        else:
            status = 400
    return render(
        request,
        "schools/nomination_form.html",
        {
            "form": form,
            "programme": nomination.programme,
            "nomination": nomination,
            "age_band": services.age_band_text(nomination.programme),
        },
        status=status,
    )


@require_POST
@contact_required
def nomination_withdraw(request, pk):
    nomination = _contact_nomination(request, pk)
    services.nomination_withdraw(nomination=nomination, actor=request.user)
    messages.success(request, f"{nomination.full_name}'s nomination is withdrawn.")
    return redirect("schools:nomination_detail", pk=nomination.pk)


@require_POST
@login_required
def consent_resend(request, pk):
    """Send the consent email again: the nomination's own school contacts and the force's coordinators."""
    scope = scope_for(request.user)
    if not (scope.is_contact or scope.is_coordinator or scope.is_admin):
        raise PermissionDenied("Only the school and the coordinators can send consent emails.")
    nomination = _nomination_for_school_or_coordinator(request, pk)
    try:
        link = services.consent_link_resend(nomination=nomination, actor=request.user)
    except SchoolsError as error:
        return _error_page(request, error, title="The consent email was not sent")
    messages.success(request, f"A new consent link is on its way to {link.sent_to}.")
    return redirect("schools:nomination_detail", pk=nomination.pk)


@require_POST
@contact_required
def offer_respond(request, pk):
    nomination = _contact_nomination(request, pk)
    form = forms.OfferResponseForm(request.POST)
    if not form.is_valid():
        return _error_page(request, SchoolsError("Choose accept or decline."))
    try:
        services.offer_respond(
            nomination=nomination, accept=form.cleaned_data["answer"] == "accept", actor=request.user
        )
    except SchoolsError as error:
        return _error_page(request, error)
    if form.cleaned_data["answer"] == "accept":
        messages.success(request, f"Place confirmed for {nomination.full_name}.")
    else:
        messages.info(request, f"Place declined for {nomination.full_name}; it goes to the next student waiting.")
    return redirect("schools:nomination_detail", pk=nomination.pk)


@contact_required
def colleague_invite(request):
    institutions = scoped(request.user, Institution).filter(pk__in=scope_for(request.user).institution_ids)
    many = institutions.count() > 1
    form = forms.InvitationForm(request.POST or None, institutions=institutions if many else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            institution = form.cleaned_data.get("institution") or institutions.get()
            try:
                services.contact_invitation_create(
                    institution=institution,
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
                return redirect("schools:contact_home")
        else:
            status = 400
    return render(request, "schools/invite.html", {"form": form, "title": "Invite a colleague"}, status=status)
