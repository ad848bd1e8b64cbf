"""Pages reached from emailed links without an account: guardian consent and contact invitations."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.tokens import token_guard, token_rejected

from .. import forms, selectors, services
from ..models import Consent, Nomination
from ..services import SchoolsError
from ._common import (
    CONSENT_SESSION_KEY,
    INVALID_LINK,
    INVITATION_SESSION_KEY,
    _apply_error,
    _error_page,
)


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


# Contact invitations (no login until the person has an account)


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
