"""Pages reached from emailed links without an account: guardian consent and contact invitations."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.invitations import InvitationKind, Invited, invitation_accept_view, invitation_open_view
from core.languages import language_remember
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
    if pk:
        language_remember(request, selectors.consent_link_language(pk))
    return redirect("consent:form")


def _consent_link(request):
    pk = request.session.get(CONSENT_SESSION_KEY)
    if pk is None:
        raise SchoolsError(
            gettext("Open the link from your email again: this page only works straight after following it."),
            status=404,
        )
    return services.consent_link_find(pk=pk)


@token_guard
def consent_form(request):
    try:
        link = _consent_link(request)
    except SchoolsError as error:
        token_rejected(request, kind="consent")
        return _error_page(request, error, title=gettext("This link does not work"))
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
            SchoolsError(gettext("The school has withdrawn this nomination, so no answer is needed."), status=410),
            title=gettext("No answer needed"),
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
        return _error_page(request, error, title=gettext("This link does not work"))
    form = forms.ConsentWithdrawForm(request.POST)
    consent = link.consent
    if form.is_valid():
        try:
            services.consent_withdraw(consent=consent, items=form.cleaned_data["items"])
        except SchoolsError as error:
            return _error_page(request, error)
        messages.success(request, gettext("Your change is recorded. The school and the force have been told."))
        return redirect("consent:form")
    return render(
        request,
        "schools/consent_answered.html",
        {"consent": consent, "nomination": consent.nomination, "withdraw_form": form},
        status=400,
    )


# Contact invitations (no login until the person has an account): the flow of core.invitations.


def _contact_invited(invitation):
    institution = invitation.institution
    return Invited(
        role=gettext("a contact for"),
        place=institution.name,
        force=institution.force,
        link_label=gettext("Add %(school)s to my account") % {"school": institution.name},
        welcome=gettext("You can now nominate students for %(school)s.") % {"school": institution},
        home="schools:contact_home",
    )


CONTACT_INVITATION = InvitationKind(
    name="invitation",
    session_key=INVITATION_SESSION_KEY,
    accept_url="invitations:accept",
    open=lambda token: services.contact_invitation_open(token=token),
    find=lambda pk: services.contact_invitation_find(pk=pk),
    has_account=lambda invitation: services.contact_invitation_has_account(invitation=invitation),
    accept=services.contact_invitation_accept,
    link=services.contact_invitation_link,
    describe=_contact_invited,
)

invitation_open = invitation_open_view(CONTACT_INVITATION)
invitation_accept = invitation_accept_view(CONTACT_INVITATION)
