"""Writes for sign-in with force accounts: linking a verified work email to a person, and the checks."""

import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_action
from core.errors import DomainError
from placements.models import ForcePerson

from .models import ForceSignOn, SignOnIdentity

# RFC 8176 authentication method references, by kind of factor. The provider asserts multi-factor
# when `amr` says so outright ("mfa"; Microsoft's "ngcmfa" for Windows Hello) or names methods of two
# different kinds (e.g. ["pwd", "otp"]). A single method ("otp" alone, "hwk" alone) is one factor.
MFA_MARKERS = frozenset({"mfa", "ngcmfa"})
FACTOR_KINDS = {
    "knowledge": frozenset({"pwd", "pin", "kba"}),
    "possession": frozenset({"otp", "hwk", "swk", "sms", "tel", "sc", "fido", "rsa"}),
    "inherence": frozenset({"bio", "face", "fpt", "iris", "retina", "vbm", "user"}),
}

NOT_VERIFIED = (
    "Your force account's email address is not marked as verified, so it cannot be used to sign in here. "
    "Ask your force's IT service desk, or sign in with your username and password."
)
WRONG_DOMAIN = (
    "This service accepts force accounts with a work email address of {force} only. "
    "Sign in with your {force} account, or with your username and password."
)
NO_PERSON = (
    "No one in {force}'s list of people has this work email address, so there is no account to sign you in to. "
    "Ask your programme coordinator to add you (with this address) under People."
)
SEVERAL_PEOPLE = (
    "More than one person in {force}'s list of people has this work email address. "
    "Ask your programme coordinator to correct it under People."
)
LINKED_ELSEWHERE = (
    "This force account is linked to someone who is no longer in {force}'s list of people. "
    "Ask your programme coordinator."
)
LINKED_TO_ANOTHER = (
    "This person already signs in with another {force} account. "
    "Ask a platform administrator to remove the old link (under Linked force accounts)."
)
PLATFORM_ADMIN = "Platform administrators sign in with their username, password and second factor, not a force account."


class SignOnRefused(DomainError):
    """The provider's answer cannot sign anyone in here (unverified email, wrong domain, no such person)."""

    status = 403


def provider_asserts_mfa(amr: Any) -> bool:
    """Whether the ID token's `amr` claim says the person used more than one factor at the provider."""
    if isinstance(amr, str):
        amr = [amr]
    if not isinstance(amr, Iterable):
        return False
    methods = {str(m).strip().lower() for m in amr}
    if methods & MFA_MARKERS:
        return True
    return sum(1 for kind in FACTOR_KINDS.values() if methods & kind) >= 2


def email_is_verified(claims: Mapping[str, Any]) -> bool:
    # Some providers send the boolean as a string.
    return claims.get("email_verified") in (True, "true", "True")


def check_claims(*, sign_on: ForceSignOn, claims: Mapping[str, Any]) -> str:
    """The verified, allowed email of these claims; refuses an unverified or outside-domain address."""
    email = (claims.get("email") or "").strip()
    if not email or not email_is_verified(claims):
        raise SignOnRefused(NOT_VERIFIED)
    if not sign_on.allows_email(email):
        raise SignOnRefused(WRONG_DOMAIN.format(force=sign_on.force.name))
    return email


def _person_with_email(*, sign_on: ForceSignOn, email: str) -> ForcePerson:
    people = list(
        ForcePerson.objects.filter(force=sign_on.force_id, is_active=True)
        .filter(Q(email__iexact=email) | Q(email="", user__email__iexact=email))
        .select_related("user")[:2]
    )
    if not people:
        raise SignOnRefused(NO_PERSON.format(force=sign_on.force.name))
    if len(people) > 1:
        raise SignOnRefused(SEVERAL_PEOPLE.format(force=sign_on.force.name))
    return people[0]


def _username_for(email: str) -> str:
    User = get_user_model()
    base = email.lower()[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _refuse_platform_admins(user) -> None:
    # A force's identity provider must not be a way into the whole platform.
    if user.is_superuser or user.is_staff:
        raise SignOnRefused(PLATFORM_ADMIN)


@transaction.atomic
def sign_on_link(*, sign_on: ForceSignOn, claims: Mapping[str, Any]):
    """The user these ID token claims sign in as, linking the force account on first sign-in.

    First sign-in links by verified email only (never by name), within the allowed domains, and only
    to an active person already in the force's list: a sign-in is made for that person if they have
    none. Later sign-ins follow the provider's stable subject, and the email rules still apply.
    """
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignOnRefused(NOT_VERIFIED)
    email = check_claims(sign_on=sign_on, claims=claims)
    identity = SignOnIdentity.objects.select_related("user").filter(sign_on=sign_on, subject=subject).first()
    if identity is not None:
        user = identity.user
        if not ForcePerson.objects.filter(force=sign_on.force_id, user=user, is_active=True).exists():
            raise SignOnRefused(LINKED_ELSEWHERE.format(force=sign_on.force.name))
    else:
        person = _person_with_email(sign_on=sign_on, email=email)
        user = person.user
        if user is None:
            User = get_user_model()
            user = User(
                username=_username_for(email),
                email=email.lower(),
                first_name=(claims.get("given_name") or "")[:150],
                last_name=(claims.get("family_name") or "")[:150],
            )
            user.set_unusable_password()
            user.save()
            person.user = user
            person.save(update_fields=["user"])
        elif SignOnIdentity.objects.filter(sign_on=sign_on, user=user).exists():
            # Another force account already signs in as this person: a second one is not linked quietly.
            raise SignOnRefused(LINKED_TO_ANOTHER.format(force=sign_on.force.name))
        identity = SignOnIdentity.objects.create(sign_on=sign_on, subject=subject, user=user)
    if not user.is_active:
        raise SignOnRefused(NO_PERSON.format(force=sign_on.force.name))
    _refuse_platform_admins(user)
    identity.last_signed_in_at = timezone.now()
    identity.save(update_fields=["last_signed_in_at"])
    return user


def sign_on_audit(*, sign_on: ForceSignOn, user=None, action: str, **details: Any) -> None:
    """Record a sign-in (or a refusal) by force account in the force's audit trail."""
    person = ForcePerson.objects.filter(user=user, force=sign_on.force_id).first() if user else None
    audit_action(actor=user, action=action, instance=person or sign_on, **details)


def session_record(*, sign_on: ForceSignOn, token: Mapping[str, Any]) -> dict:
    """What the session keeps to check the force account again later (server-side session only)."""
    return {
        "sign_on": sign_on.pk,
        "subject": str(token["userinfo"]["sub"]),
        "refresh_token": token.get("refresh_token") or "",
        "checked_at": int(time.time()),
    }


PROVIDER_UNREACHABLE = "Your force's sign-in service could not confirm your account just now, so you were signed out."
ACCOUNT_ENDED = "Your force account is no longer accepted here, so you were signed out."
SIGN_IN_AGAIN = "To keep children's data safe, sign in again with your force account."


def sign_on_recheck(*, record: Mapping[str, Any], user) -> dict:
    """Ask the provider again whether this force account may still sign in (at the session limit).

    Uses the refresh token: a person removed or disabled at the provider gets no new token, and the
    user info that comes with a new one must still carry a verified, allowed email for the same
    account. Returns the record to keep; raises SignOnRefused when the session must end.
    """
    from authlib.integrations.base_client import OAuthError
    from requests import RequestException

    from .client import ProviderConfigurationError, client_for

    sign_on = ForceSignOn.objects.enabled().select_related("force").filter(pk=record.get("sign_on")).first()
    if sign_on is None:
        raise SignOnRefused(ACCOUNT_ENDED)
    if not record.get("refresh_token"):  # the provider gave none: asking it again means signing in again
        raise SignOnRefused(SIGN_IN_AGAIN)
    if not SignOnIdentity.objects.filter(sign_on=sign_on, subject=record.get("subject"), user=user).exists():
        raise SignOnRefused(ACCOUNT_ENDED)
    try:
        app = client_for(sign_on)
        token = app.fetch_access_token(grant_type="refresh_token", refresh_token=record["refresh_token"])
        claims = app.userinfo(token=token)
    except OAuthError as exc:
        raise SignOnRefused(ACCOUNT_ENDED) from exc
    except (ProviderConfigurationError, RequestException, ValueError) as exc:
        raise SignOnRefused(PROVIDER_UNREACHABLE) from exc
    if str(claims.get("sub")) != record.get("subject"):
        raise SignOnRefused(ACCOUNT_ENDED)
    check_claims(sign_on=sign_on, claims=claims)
    return {
        **record,
        "refresh_token": token.get("refresh_token") or record["refresh_token"],
        "checked_at": int(time.time()),
    }
