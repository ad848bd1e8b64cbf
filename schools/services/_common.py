"""Shared by the intake services: periods, statuses, the error type and email helpers."""

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.languages import ENGLISH, language_for, language_for_student
from core.links import link_token, new_token_salt, token_hash
from core.services import email_queue
from placements.models import ForcePerson

from ..models import (
    ConsentLink,
    ContactInvitation,
    Nomination,
)

INVITATION_DAYS = 7
CONSENT_LINK_DAYS = 14
REMINDER_AFTER_DAYS = 3
MAX_REMINDERS = 2
OFFER_DAYS = 7

# Nominations that hold one of the institution's quota places.
QUOTA_STATUSES_EXCLUDED = [Nomination.Status.WITHDRAWN, Nomination.Status.DECLINED]
# Nominations the selection assistant may still choose from.
POOL_STATUSES = [Nomination.Status.SUBMITTED, Nomination.Status.SHORTLISTED, Nomination.Status.WAITLISTED]
HOLDING_PLACE = [Nomination.Status.OFFERED, Nomination.Status.ACCEPTED]

# The words a guardian agrees to, translated when shown (gettext_lazy) and stored as shown.
CONSENT_ITEMS = {
    "participation": _(
        "I agree that {student} may take part in {programme} ({dates}), run by {force}, including "
        "the practical scenarios and demonstrations described in the programme information."
    ),
    "photos_media": _(
        "Photographs or video of {student} taken during the programme may be used by {force} in "
        "press releases and on social media."
    ),
    "data_processing": _(
        "I have read the privacy notice: {force} holds the details given in this nomination (including "
        "support needs and medical notes) only to run the programme safely, shares them only with the "
        "staff who need them, and deletes them after the programme's retention period."
    ),
    "mentoring_contact": _(
        "After the programme, a career mentor from {force} may contact {student} (through the school or "
        "the email given) about careers in policing."
    ),
}

# Why a held place came free, as the place-released email says it (in the reader's language).
RELEASED_BECAUSE = {
    "declined": _("declined"),
    "withdrawn": _("withdrawn"),
    "consent_withdrawn": _("consent withdrawn"),
    "not_answered": _("not answered by the deadline"),
}


class SchoolsError(DomainError):
    """A rule of the intake journey was broken; `message` is for the user, `field` names the input."""

    def __init__(self, message: str, *, field: str | None = None, status: int = 400) -> None:
        super().__init__(message, field=field, status=status)


CONSENT_LINK_PURPOSE = "consent-link"
INVITATION_LINK_PURPOSE = "contact-invitation"


def _new_token(purpose):
    """(salt, token, hash) of a new link: only the salt and the hash are stored."""
    salt = new_token_salt()
    token = link_token(purpose, salt)
    return salt, token, token_hash(token)


def consent_link_path(pk):
    """The working consent link of ConsentLink `pk` (for the outbox at send time), or None."""
    link = ConsentLink.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = link and link_token(CONSENT_LINK_PURPOSE, link.token_salt)
    return reverse("consent:open", args=[token]) if token and token_hash(token) == link.token_hash else None


def contact_invitation_path(pk):
    """The working invitation link of ContactInvitation `pk` (for the outbox at send time), or None."""
    invitation = ContactInvitation.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = invitation and link_token(INVITATION_LINK_PURPOSE, invitation.token_salt)
    return reverse("invitations:open", args=[token]) if token and token_hash(token) == invitation.token_hash else None


def _send(kind, addresses, *, context, key, force, about=(), student_address="", staff=False):
    """Email each address once. A school contact reads the force's language; the family (at
    `student_address`) their own; force staff (`staff`) English, like their pages."""
    school_language = ENGLISH if staff else language_for(force=force)
    for address in sorted({a for a in addresses if a}):
        to_student = bool(student_address) and address == student_address
        language = language_for_student(about[0]) if to_student and about else school_language
        with translation.override(language):
            email_queue(
                kind=kind,
                to=address,
                context=context,
                dedupe_key=f"{key}:{address}",
                force=force,
                about=about,
                to_student=to_student,
            )


def _contact_emails(institution):
    return list(institution.contacts.filter(is_active=True).values_list("email", flat=True))


def _coordinator_emails(force):
    return [person.contact_email for person in ForcePerson.objects.for_force(force).coordinators_to_email()]


def _set_status(nomination, status, **extra):
    nomination.status = status
    nomination.status_changed_at = timezone.now()
    for name, value in extra.items():
        setattr(nomination, name, value)
    nomination.save(update_fields=["status", "status_changed_at", "updated_at", *extra])
