"""Allocations (who may nominate, with quotas) and contact invitations."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from core.invitations import (
    account_create,
    email_has_account,
    invitation_by_pk,
    invitation_by_token,
    invitation_email_matches,
    invitation_pending,
)
from core.languages import language_for
from core.links import link_marker
from core.services import email_queue

from ..models import (
    Allocation,
    ContactInvitation,
    InstitutionContact,
)
from ._common import (
    INVITATION_DAYS,
    INVITATION_LINK_PURPOSE,
    SchoolsError,
    _new_token,
)

logger = logging.getLogger(__name__)


@transaction.atomic
def allocation_set(*, programme, institution, quota, actor):
    """Allow an institution to nominate to a programme with this quota (0 removes the allocation)."""
    if institution.force_id != programme.force_id:
        raise SchoolsError("That institution belongs to another force.", field="institution")
    if programme.week_group_id and programme.week_group.home_id != programme.pk:
        raise SchoolsError(
            f"{programme.title} is linked with other weeks: schools and quotas for the whole round are set on "
            f"{programme.week_group.home.title}.",
            status=409,
        )
    if quota == 0:
        allocation = Allocation.objects.filter(programme=programme, institution=institution).first()
        if allocation and programme.nominations.filter(institution=institution).exists():
            raise SchoolsError("This institution has nominations already; lower its quota instead.", field="quota")
        Allocation.objects.filter(programme=programme, institution=institution).delete()
        return None
    allocation, _ = Allocation.objects.update_or_create(
        programme=programme, institution=institution, defaults={"quota": quota}
    )
    logger.info("Allocation %s set to %s by %s", allocation.pk, quota, actor)
    return allocation


@transaction.atomic
def contact_invitation_create(*, institution, name, email, job_title="", actor, programme=None):
    """Invite someone to become a contact of `institution`; emails a single-use link valid 7 days.

    With `programme` (the coordinator invites from a programme's page) the email names it, its dates,
    how many students the school may nominate and by when.
    """
    email = email.strip()
    if InstitutionContact.objects.filter(institution=institution, email__iexact=email, user__isnull=False).exists():
        raise SchoolsError("This person already has an account for this institution.", field="email")
    salt, token, digest = _new_token(INVITATION_LINK_PURPOSE)
    invitation = ContactInvitation.objects.create(
        institution=institution,
        name=name,
        email=email,
        job_title=job_title,
        token_hash=digest,
        token_salt=salt,
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    inviter = actor.get_full_name() or actor.username if actor else gettext_lazy("The force coordinator")
    with translation.override(language_for(force=institution.force)):  # a school reads the force's language
        email_queue(
            kind="contact_invitation",
            to=email,
            context={
                "invitation": invitation,
                "institution": institution,
                "inviter": inviter,
                "link": link_marker("invitation", invitation.pk),
                "days": INVITATION_DAYS,
                "expires_on": invitation.expires_at,
                "programme": programme,
                "quota": _quota(programme, institution),
            },
            dedupe_key=f"contact-invitation-{invitation.pk}",
            force=institution.force,
        )
    return invitation, token


def _quota(programme, institution):
    if programme is None:
        return None
    return programme.allocations.filter(institution=institution).values_list("quota", flat=True).first()


def _pending(invitation):
    return invitation_pending(
        invitation,
        error=SchoolsError,
        expired="This invitation has expired. Ask the coordinator or a colleague to invite you again.",
    )


def contact_invitation_find(*, token="", pk=None):
    """The pending invitation for a link token, or (once opened) for the pk kept in the session.

    SchoolsError (404 unknown, 410 used/expired) otherwise.
    """
    invitations = ContactInvitation.objects.select_related("institution")
    if pk is not None:
        return _pending(invitation_by_pk(invitations, pk))
    return _pending(invitation_by_token(invitations, token, error=SchoolsError))


def contact_invitation_open(*, token):
    """The invitation a link token belongs to, used or not (the accept page explains which); 404 if none."""
    return invitation_by_token(ContactInvitation.objects.all(), token, error=SchoolsError)


def contact_invitation_has_account(*, invitation):
    """Whether the invited person already has an account, so the invitation may only link it after sign-in.

    True when a user has the invited email (any case), or the institution's contact row for that
    email is already linked to a user (whatever that user's own email is).
    """
    if email_has_account(invitation.email):
        return True
    return InstitutionContact.objects.filter(
        institution=invitation.institution_id, email__iexact=invitation.email, user__isnull=False
    ).exists()


def _locked_pending(invitation):
    return _pending(ContactInvitation.objects.select_for_update().filter(pk=invitation.pk).first())


@transaction.atomic
def contact_invitation_accept(*, invitation, username, password):
    """Create a new account and contact for an invitation and mark it used; returns the new user.

    Never returns an existing account: an invitation for an email that already has one (or whose
    contact row is already linked) is refused here, and that person links it with
    `contact_invitation_link` after signing in with their own password and second factor.
    """
    invitation = _locked_pending(invitation)
    if contact_invitation_has_account(invitation=invitation):
        raise SchoolsError(
            "You already have an account. Sign in with your own password to accept this invitation.", status=409
        )
    user = account_create(
        username=username, email=invitation.email, name=invitation.name, password=password, error=SchoolsError
    )
    contact = InstitutionContact.objects.filter(
        institution=invitation.institution, email__iexact=invitation.email
    ).first()
    _invitation_complete(invitation, contact, user)
    return user


def _invitation_complete(invitation, contact, user):
    """Link (or create) the invited contact for `user` and mark the invitation used; returns the contact."""
    if contact is None:
        contact = InstitutionContact.objects.create(
            institution=invitation.institution,
            name=invitation.name,
            email=invitation.email,
            job_title=invitation.job_title,
            user=user,
        )
    else:
        contact.user = user
        contact.is_active = True
        contact.save(update_fields=["user", "is_active"])
    invitation.accepted_at = timezone.now()
    invitation.contact = contact
    invitation.save(update_fields=["accepted_at", "contact"])
    return contact


@transaction.atomic
def contact_invitation_link(*, invitation, user):
    """Make the signed-in `user`, whose email is the invited one, a contact of the invitation's institution."""
    invitation = _locked_pending(invitation)
    if not user.is_active or not invitation_email_matches(invitation=invitation, user=user):
        raise SchoolsError(
            "This invitation was sent to a different email address from the one on your account.", status=403
        )
    contact = (
        InstitutionContact.objects.select_for_update()
        .filter(institution=invitation.institution, email__iexact=invitation.email)
        .first()
    )
    if contact is not None and contact.user_id not in (None, user.pk):
        raise SchoolsError(
            "This contact is already linked to a different account. Ask the force coordinator to check it.",
            status=409,
        )
    elsewhere = InstitutionContact.objects.filter(user=user).exclude(pk=getattr(contact, "pk", None)).first()
    if elsewhere is not None:
        raise SchoolsError(
            f"Your account is already the contact for {elsewhere.institution}. "
            "Ask the force coordinator to move it, or to invite another email address.",
            status=409,
        )
    return _invitation_complete(invitation, contact, user)
