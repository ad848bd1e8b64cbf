"""Intake screens: contacts nominate, guardians consent, coordinators select and offer."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.access import contact_home_required, contact_required, coordinator_required, get_for_coordinator
from accounts.scoping import get_for_user, scope_for, scoped
from core.audit import record_sensitive_read
from core.tokens import token_guard, token_rejected
from placements.models import Programme

from . import forms, selectors, services
from .filters import NominationFilter
from .models import Consent, ConsentLink, Institution, Nomination
from .services import SchoolsError

CONSENT_SESSION_KEY = "consent_link"
INVALID_LINK = 0  # in the session after an unknown token: the form then says the link is not valid
INVITATION_SESSION_KEY = "invitation_pk"


def _error_page(request, error, *, title="Something needs attention"):
    return render(request, "schools/problem.html", {"title": title, "message": error.message}, status=error.status)


def _apply_error(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


# ---------------------------------------------------------------- contacts


@contact_required
def nominate(request, allocation_pk):
    allocation = selectors.allocation_for_contact(user=request.user, pk=allocation_pk)
    form = forms.NominationForm(request.POST or None, programme=allocation.programme)
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
        },
        status=status,
    )


@contact_required
def nomination_upload(request, allocation_pk):
    allocation = selectors.allocation_for_contact(user=request.user, pk=allocation_pk)
    form = forms.CsvUploadForm(request.POST or None, request.FILES or None)
    errors, problem, status = [], None, 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows, errors = forms.parse_nomination_csv(form.cleaned_data["file"])
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
        {"form": form, "allocation": allocation, "errors": errors, "problem": problem, "columns": forms.CSV_COLUMNS},
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
    return render(
        request,
        "schools/nomination_detail.html",
        {
            "nomination": nomination,
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
        submit_label="Save changes",
        hide_medical_notes=True,
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


# ---------------------------------------------------------------- coordinators


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


# ---------------------------------------------------------------- guardians (no login)


@token_guard
def consent_open(request, token):
    """First visit: keep which link was opened (its pk, never the token) and redirect to a URL without it."""
    pk = selectors.consent_link_pk_for_token(token)
    request.session.cycle_key()
    request.session[CONSENT_SESSION_KEY] = pk or INVALID_LINK
    return redirect("consent:form")


def _consent_link(request):
    pk = request.session.get(CONSENT_SESSION_KEY)
    if pk is None:
        raise SchoolsError(
            "Open the link from your email again: this page only works straight after following it.", status=404
        )
    return services.consent_link_find(pk=pk)


@token_guard
def consent_form(request):
    try:
        link = _consent_link(request)
    except SchoolsError as error:
        token_rejected(request, kind="consent")
        return _error_page(request, error, title="This link does not work")
    consent = link.consent
    nomination = consent.nomination
    wording = services.consent_wording(nomination)
    adult = consent.relationship == Consent.Relationship.SELF
    if consent.status != Consent.Status.REQUESTED:
        return render(
            request,
            "schools/consent_answered.html",
            {"consent": consent, "nomination": nomination, "withdraw_form": forms.ConsentWithdrawForm()},
        )
    if nomination.status == Nomination.Status.WITHDRAWN:
        return _error_page(
            request,
            SchoolsError("The school has withdrawn this nomination, so no answer is needed.", status=410),
            title="No answer needed",
        )
    form = forms.ConsentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.consent_respond(consent=consent, **form.cleaned_data)
            except SchoolsError as error:
                _apply_error(form, error)
                status = error.status
            else:
                return render(request, "schools/consent_thanks.html", {"nomination": nomination, "consent": consent})
        else:
            status = 400
    return render(
        request,
        "schools/consent_form.html",
        {"form": form, "nomination": nomination, "wording": wording, "adult": adult, "programme": nomination.programme},
        status=status,
    )


@require_POST
@token_guard
def consent_withdraw(request):
    try:
        link = _consent_link(request)
    except SchoolsError as error:
        return _error_page(request, error, title="This link does not work")
    form = forms.ConsentWithdrawForm(request.POST)
    consent = link.consent
    if form.is_valid():
        try:
            services.consent_withdraw(consent=consent, items=form.cleaned_data["items"])
        except SchoolsError as error:
            return _error_page(request, error)
        messages.success(request, "Your change is recorded. The school and the force have been told.")
        return redirect("consent:form")
    return render(
        request,
        "schools/consent_answered.html",
        {"consent": consent, "nomination": consent.nomination, "withdraw_form": form},
        status=400,
    )


# ---------------------------------------------------------------- invitations (no login)


@token_guard
def invitation_open(request, token):
    # Only the invitation's number goes into the session, never the token: the accept page checks
    # the invitation again on every request, and a copied session row opens nothing elsewhere.
    request.session.pop(INVITATION_SESSION_KEY, None)
    try:
        invitation = services.contact_invitation_open(token=token)
    except SchoolsError as error:
        token_rejected(request, kind="invitation", token=token)
        return _error_page(request, error, title="This invitation does not work")
    request.session[INVITATION_SESSION_KEY] = invitation.pk
    return redirect("invitations:accept")


@token_guard
def invitation_accept(request):
    try:
        invitation = services.contact_invitation_find(pk=request.session.get(INVITATION_SESSION_KEY))
    except SchoolsError as error:
        if error.status == 404:
            token_rejected(request, kind="invitation")
        return _error_page(request, error, title="This invitation does not work")
    if request.user.is_authenticated:
        return _invitation_link(request, invitation)
    if services.contact_invitation_has_account(invitation=invitation):
        # Never create or sign in as an account that already exists: that person signs in with
        # their own password (and second factor), then comes back here to link the contact.
        sign_in = f"{reverse('accounts:login')}?next={reverse('invitations:accept')}"
        context = {"invitation": invitation, "sign_in_url": sign_in}
        status = 409 if request.method == "POST" else 200
        return render(request, "schools/invitation_sign_in.html", context, status=status)
    form = forms.AcceptInvitationForm(
        request.POST or None, invitation=invitation, initial={"username": invitation.email.split("@")[0]}
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = services.contact_invitation_accept(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
            except SchoolsError as error:
                if error.field is None:
                    return _error_page(request, error, title="This invitation does not work")
                _apply_error(form, error)
                status = error.status
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome. You can now nominate students for {invitation.institution}.")
                return redirect("schools:contact_home")
        else:
            status = 400
    return render(request, "schools/invitation_accept.html", {"form": form, "invitation": invitation}, status=status)


def _invitation_link(request, invitation):
    """A signed-in user accepts: only if the invitation was sent to their own account's email."""
    if not services.invitation_email_matches(invitation=invitation, user=request.user):
        error = SchoolsError(
            f"This invitation was sent to {invitation.email}, which is not the email address of the account "
            "you are signed in with. Sign out, then open the link in the invitation email again.",
            status=403,
        )
        return _error_page(request, error, title="This invitation is for someone else")
    if request.method == "POST":
        try:
            services.contact_invitation_link(invitation=invitation, user=request.user)
        except SchoolsError as error:
            return _error_page(request, error, title="This invitation does not work")
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, f"You can now nominate students for {invitation.institution}.")
        return redirect("schools:contact_home")
    return render(request, "schools/invitation_link.html", {"invitation": invitation})


@contact_home_required
def contact_home(request):
    """The institution contact's start page: their allocations (open ones first) and latest nominations."""
    institutions = scoped(request.user, Institution)
    today = timezone.localdate()
    allocations = list(selectors.allocations_for_contact(user=request.user))
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
        "schools/contact_home.html",
        {"institutions": institutions, "allocations": allocations, "nominations": nominations},
    )
