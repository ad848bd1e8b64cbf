"""Emailed invitations to sign in, one flow for every kind (an institution contact, a force person).

The link carries a token (only its hash is stored); opening it keeps the invitation's number in the
session, never the token, and redirects to an accept page without it. That page checks the invitation
again on every request and then either
- creates a new account, when nobody has one for the invited email;
- asks an existing account holder to sign in with their own password (and second factor), never
  signing anyone in on the link's word; once signed in with the invited email they confirm.

Each app describes its kind with an `InvitationKind` (how to find, accept and link its invitations,
and the words of the pages) and mounts `invitation_open_view(kind)` and `invitation_accept_view(kind)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, login, password_validation
from django.db.models import Model, QuerySet
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_action
from .errors import DomainError
from .forms import PlainForm
from .links import token_hash
from .tokens import token_guard, token_rejected


@dataclass(frozen=True)
class Invited:
    """How the pages name what the invitation is for: "You are invited as {role} {place}"."""

    role: str
    place: str
    force: Model | None
    link_label: str  # the button that adds it to an existing account
    welcome: str  # the message after accepting
    home: str  # URL name to go to afterwards
    note: str = ""  # e.g. that a coordinator sets up a second sign-in step


@dataclass(frozen=True)
class InvitationKind:
    name: str  # for the security log ("invitation", "person-invitation")
    session_key: str
    accept_url: str  # URL name of the accept page
    open: Callable[[str], Model]  # the invitation of a token, used or not; DomainError(404) if none
    find: Callable[[Any], Model]  # the pending invitation of a session pk; DomainError 404/410 otherwise
    has_account: Callable[[Model], bool]
    accept: Callable[..., Any]  # (invitation=, username=, password=) -> the new user
    link: Callable[..., Any]  # (invitation=, user=) for the signed-in invited person
    describe: Callable[[Model], Invited]


INVALID_LINK = "This invitation link is not valid. Check you copied the whole link."
ALREADY_USED = "This invitation has already been used. Sign in with your password."


def invitation_by_token(invitations: QuerySet, token: str, *, error: type[DomainError]) -> Any:
    """The invitation a link token belongs to, used or not (the accept page explains which); `error` 404 if none."""
    invitation = invitations.filter(token_hash=token_hash(token)).first() if token else None
    if invitation is None:
        raise error(INVALID_LINK, status=404)
    return invitation


def invitation_by_pk(invitations: QuerySet, pk: Any) -> Any:
    """The invitation with the number kept in the session, or None (also for a value that is not a number)."""
    return invitations.filter(pk=pk).first() if str(pk).isdigit() else None


def invitation_pending(invitation: Any, *, error: type[DomainError], expired: str, withdrawn: str | None = None) -> Any:
    """`invitation` if it can still be accepted, else `error`: 404 for none, 410 used, expired or withdrawn.

    `withdrawn`, for kinds whose invited person can be made inactive, is the message when they are.
    """
    if invitation is None:
        raise error(INVALID_LINK, status=404)
    if invitation.accepted_at is not None:
        raise error(ALREADY_USED, status=410)
    if invitation.expires_at <= timezone.now():
        raise error(expired, status=410)
    if withdrawn is not None and not invitation.person.is_active:
        raise error(withdrawn, status=410)
    return invitation


def invitation_locked(invitations: QuerySet, invitation: Any, *, pending: Callable[[Any], Any]) -> Any:
    """`invitation` read again under a lock, with its invited person locked too (always in this order, so two
    tabs accepting at once wait for each other), and still `pending` (which raises if not)."""
    invitation = pending(invitations.select_for_update(of=("self",)).filter(pk=invitation.pk).first())
    type(invitation.person).objects.select_for_update().filter(pk=invitation.person_id).get()
    invitation.person.refresh_from_db()
    return invitation


def invitation_complete(invitation: Any, user: Any, *, action: str, instance: Model) -> Any:
    """Link `user` to the invited person, mark the invitation used and record `action` on `instance`."""
    person = invitation.person
    person.user = user
    person.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_action(actor=user, action=action, instance=instance)
    return person


def invitation_email_matches(*, invitation: Any, user: Any) -> bool:
    """Whether `user` is the person invited: their own account's email is the invited one (any case)."""
    return bool(user.email) and user.email.strip().casefold() == invitation.email.strip().casefold()


def email_has_account(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


def account_create(*, username: str, email: str, name: str, password: str, error: type[DomainError] = DomainError):
    """A new sign-in for an invited person; `error` (field "username") if the username is taken."""
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise error(_("That username is taken; choose another."), field="username")
    first, _space, last = name.partition(" ")
    return User.objects.create_user(
        username=username, email=email, password=password, first_name=first[:150], last_name=last[:150]
    )


class AccountCreateForm(PlainForm):
    username = forms.CharField(label=_("Username"), max_length=150, help_text=_("You will sign in with this."))
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 12 characters. A few unrelated words make a good one."),
    )
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, invitation: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.fields["username"].error_messages["required"] = _("Choose a username")
        self.fields["password1"].error_messages["required"] = _("Choose a password")
        self.fields["password2"].error_messages["required"] = _("Type the same password again")

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = get_user_model()(username=cleaned.get("username", ""), email=getattr(self.invitation, "email", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def _problem(request, error: DomainError, *, title: str, force: Model | None = None):
    context = {"title": title, "message": error.message, "force": force}
    return render(request, "core/problem.html", context, status=error.status)


def invitation_open_view(kind: InvitationKind):
    @token_guard
    def invitation_open(request, token):
        # Only the invitation's number goes into the session, never the token: the accept page checks
        # the invitation again on every request, and a copied session row opens nothing elsewhere.
        request.session.pop(kind.session_key, None)
        try:
            invitation = kind.open(token)
        except DomainError as error:
            token_rejected(request, kind=kind.name, token=token)
            return _problem(request, error, title=_("This invitation does not work"))
        request.session[kind.session_key] = invitation.pk
        return redirect(kind.accept_url)

    return invitation_open


def invitation_accept_view(kind: InvitationKind):
    @token_guard
    def invitation_accept(request):
        try:
            invitation = kind.find(request.session.get(kind.session_key))
        except DomainError as error:
            if error.status == 404:
                token_rejected(request, kind=kind.name)
            return _problem(request, error, title=_("This invitation does not work"))
        invited = kind.describe(invitation)
        context = {"invitation": invitation, "invited": invited}
        if request.user.is_authenticated:
            return _link(request, kind, invitation, invited)
        if kind.has_account(invitation):
            # Never create or sign in as an account that already exists: that person signs in with
            # their own password (and second factor), then comes back here to confirm.
            context["sign_in_url"] = f"{reverse('accounts:login')}?next={reverse(kind.accept_url)}"
            status = 409 if request.method == "POST" else 200
            return render(request, "core/invitation_sign_in.html", context, status=status)
        form = AccountCreateForm(
            request.POST or None, invitation=invitation, initial={"username": invitation.email.split("@")[0]}
        )
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    user = kind.accept(
                        invitation=invitation,
                        username=form.cleaned_data["username"],
                        password=form.cleaned_data["password1"],
                    )
                except DomainError as error:
                    if error.field is None:
                        return _problem(request, error, title=_("This invitation does not work"), force=invited.force)
                    form.add_error(error.field if error.field in form.fields else None, error.message)
                    status = error.status
                else:
                    request.session.pop(kind.session_key, None)
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                    messages.success(request, invited.welcome)
                    return redirect(invited.home)
        context["form"] = form
        return render(request, "core/invitation_accept.html", context, status=status)

    return invitation_accept


def _link(request, kind: InvitationKind, invitation: Any, invited: Invited):
    """A signed-in user accepts: only if the invitation was sent to their own account's email."""
    if not invitation_email_matches(invitation=invitation, user=request.user):
        error = DomainError(
            f"This invitation was sent to {invitation.email}, which is not the email address of the account "
            "you are signed in with. Sign out, then open the link in the invitation email again.",
            status=403,
        )
        return _problem(request, error, title=_("This invitation is for someone else"))
    if request.method == "POST":
        try:
            kind.link(invitation=invitation, user=request.user)
        except DomainError as error:
            return _problem(request, error, title=_("This invitation does not work"))
        request.session.pop(kind.session_key, None)
        messages.success(request, invited.welcome)
        return redirect(invited.home)
    return render(request, "core/invitation_link.html", {"invitation": invitation, "invited": invited})
