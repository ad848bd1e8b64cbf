"""Writes for the intake journey: invitations, nominations, consent, selection and offers."""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.services import email_queue
from placements.models import ForcePerson, Placement, Programme

from . import selection
from .models import (
    NOMINATION_FIELDS,
    Allocation,
    Consent,
    ConsentLink,
    ContactInvitation,
    InstitutionContact,
    Nomination,
)
from .signals import consent_withdrawn

logger = logging.getLogger(__name__)

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

CONSENT_ITEMS = {
    "participation": (
        "I agree that {student} may take part in {programme} ({dates}), run by {force}, including "
        "the practical scenarios and demonstrations described in the programme information."
    ),
    "photos_media": (
        "Photographs or video of {student} taken during the programme may be used by {force} in "
        "press releases and on social media."
    ),
    "data_processing": (
        "I have read the privacy notice: {force} holds the details given in this nomination (including "
        "support needs and medical notes) only to run the programme safely, shares them only with the "
        "staff who need them, and deletes them after the programme's retention period."
    ),
    "mentoring_contact": (
        "After the programme, a career mentor from {force} may contact {student} (through the school or "
        "the email given) about careers in policing."
    ),
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


def _send(kind, addresses, *, context, key, force, about=(), student_address=""):
    for address in sorted({a for a in addresses if a}):
        email_queue(
            kind=kind,
            to=address,
            context=context,
            dedupe_key=f"{key}:{address}",
            force=force,
            about=about,
            to_student=bool(student_address) and address == student_address,
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


# ---------------------------------------------------------------- allocations and invitations


@transaction.atomic
def allocation_set(*, programme, institution, quota, actor):
    """Allow an institution to nominate to a programme with this quota (0 removes the allocation)."""
    if institution.force_id != programme.force_id:
        raise SchoolsError("That institution belongs to another force.", field="institution")
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
def contact_invitation_create(*, institution, name, email, job_title="", actor):
    """Invite someone to become a contact of `institution`; emails a single-use link valid 7 days."""
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
    inviter = actor.get_full_name() or actor.username if actor else "The force coordinator"
    email_queue(
        kind="contact_invitation",
        to=email,
        context={
            "invitation": invitation,
            "institution": institution,
            "inviter": inviter,
            "link": link_marker("invitation", invitation.pk),
            "days": INVITATION_DAYS,
        },
        dedupe_key=f"contact-invitation-{invitation.pk}",
        force=institution.force,
    )
    return invitation, token


def _pending(invitation):
    if invitation is None:
        raise SchoolsError("This invitation link is not valid. Check you copied the whole link.", status=404)
    if invitation.accepted_at is not None:
        raise SchoolsError("This invitation has already been used. Sign in with your password.", status=410)
    if invitation.expires_at <= timezone.now():
        raise SchoolsError(
            "This invitation has expired. Ask the coordinator or a colleague to invite you again.", status=410
        )
    return invitation


def contact_invitation_find(*, token="", pk=None):
    """The pending invitation for a link token, or (once opened) for the pk kept in the session.

    SchoolsError (404 unknown, 410 used/expired) otherwise.
    """
    invitations = ContactInvitation.objects.select_related("institution")
    if pk is not None:
        invitation = invitations.filter(pk=pk).first() if str(pk).isdigit() else None
    else:
        invitation = invitations.filter(token_hash=token_hash(token)).first() if token else None
    return _pending(invitation)


def contact_invitation_open(*, token):
    """The invitation a link token belongs to, used or not (the accept page explains which); 404 if none."""
    invitation = ContactInvitation.objects.filter(token_hash=token_hash(token)).first() if token else None
    if invitation is None:
        raise SchoolsError("This invitation link is not valid. Check you copied the whole link.", status=404)
    return invitation


def contact_invitation_has_account(*, invitation):
    """Whether the invited person already has an account, so the invitation may only link it after sign-in.

    True when a user has the invited email (any case), or the institution's contact row for that
    email is already linked to a user (whatever that user's own email is).
    """
    if get_user_model().objects.filter(email__iexact=invitation.email).exists():
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
    User = get_user_model()
    invitation = _locked_pending(invitation)
    if contact_invitation_has_account(invitation=invitation):
        raise SchoolsError(
            "You already have an account. Sign in with your own password to accept this invitation.", status=409
        )
    if User.objects.filter(username__iexact=username).exists():
        raise SchoolsError("That username is taken; choose another.", field="username")
    first, _, last = invitation.name.partition(" ")
    user = User.objects.create_user(
        username=username, email=invitation.email, password=password, first_name=first, last_name=last
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


def invitation_email_matches(*, invitation, user):
    """Whether `user` is the person invited: their own account's email is the invited one (any case)."""
    return bool(user.email) and user.email.strip().casefold() == invitation.email.strip().casefold()


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


# ---------------------------------------------------------------- nominations


def age_band_text(programme):
    if programme.max_age is None:
        return f"{programme.min_age} or over"
    return f"{programme.min_age} to {programme.max_age}"


def _check_student(programme, data):
    dob = data["date_of_birth"]
    start = programme.start_date
    age = start.year - dob.year - ((start.month, start.day) < (dob.month, dob.day))
    if age < programme.min_age or (programme.max_age is not None and age > programme.max_age):
        raise SchoolsError(
            f"On {start:%-d %B %Y} this student will be {age}; this programme is for ages {age_band_text(programme)}.",
            field="date_of_birth",
        )
    if age >= 18 and not data.get("student_email"):
        raise SchoolsError(
            "Adult students confirm consent themselves: give the student's email.", field="student_email"
        )
    if age < 18 and not data.get("guardian_email"):
        raise SchoolsError("A parent or guardian's email is needed for consent.", field="guardian_email")
    if age < 18 and not data.get("guardian_name"):
        raise SchoolsError("Give the parent or guardian's name.", field="guardian_name")


def _check_window(programme, today):
    if programme.status in (Programme.Status.CANCELLED, Programme.Status.COMPLETED):
        raise SchoolsError(f"{programme.title} is {programme.get_status_display().lower()}.", status=409)
    if not programme.nominations_open_on(today):
        if today < programme.nomination_opens:
            when = f"opens on {programme.nomination_opens:%-d %B %Y}"
        else:
            when = f"closed on {programme.nomination_closes:%-d %B %Y}"
        raise SchoolsError(f"Nominations for {programme.title} {when}.", status=409)


def _duplicate_error():
    return SchoolsError(
        "This student (same name and date of birth) has already been nominated to this programme.", field="last_name"
    )


@transaction.atomic
def nomination_submit(*, allocation, data, actor, today=None):
    """Nominate one student under an institution's allocation; checks window, quota, age band, duplicates."""
    today = today or timezone.localdate()
    # Lock the allocation row so two contacts cannot both take the last quota place.
    allocation = (
        Allocation.objects.select_for_update().select_related("programme__force", "institution").get(pk=allocation.pk)
    )
    programme, institution = allocation.programme, allocation.institution
    _check_window(programme, today)
    used = programme.nominations.filter(institution=institution).exclude(status__in=QUOTA_STATUSES_EXCLUDED).count()
    if used >= allocation.quota:
        raise SchoolsError(
            f"{institution.name} has used all {allocation.quota} of its places for {programme.title}.", status=409
        )
    _check_student(programme, data)
    values = {name: data.get(name) for name in NOMINATION_FIELDS if name in data}
    for name in ("pronouns", "gender", "student_email", "support_needs", "medical_notes", "guardian_name"):
        values[name] = values.get(name) or ""
    values["guardian_email"] = values.get("guardian_email") or ""
    values["reason"] = values.get("reason") or ""
    try:
        with transaction.atomic():
            nomination = Nomination.objects.create(
                programme=programme,
                institution=institution,
                submitted_by=actor,
                status_changed_at=timezone.now(),
                **values,
            )
    except IntegrityError:
        raise _duplicate_error() from None
    nomination.programme = programme
    consent = Consent.objects.create(
        nomination=nomination,
        relationship=Consent.Relationship.SELF if nomination.is_adult else Consent.Relationship.GUARDIAN,
        requested_at=timezone.now(),
    )
    consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    _send(
        "nomination_received",
        [actor.email] if actor and actor.email else _contact_emails(institution),
        context={"nomination": nomination, "programme": programme},
        key=f"nomination-received-{nomination.pk}",
        force=programme.force,
        about=[nomination],
    )
    return nomination


class NominationImportError(SchoolsError):
    """Rows of an upload broke a rule; nothing was saved. `errors` is [(row, column, message)]."""

    def __init__(self, errors):
        super().__init__(f"{len(errors)} problems; nothing was saved.")
        self.errors = errors


@transaction.atomic
def nominations_import(*, allocation, rows, actor, today=None):
    """Nominate every row of an upload, or none: one broken rule rolls the whole file back."""
    errors = []
    for number, data in rows:
        try:
            nomination_submit(allocation=allocation, data=data, actor=actor, today=today)
        except SchoolsError as error:
            errors.append((number, error.field or "—", error.message))
    if errors:
        raise NominationImportError(errors)
    return len(rows)


@transaction.atomic
def nomination_update(*, nomination, data, actor, today=None):
    """Change a nomination's details while the window is open; a new guardian email gets a new link."""
    today = today or timezone.localdate()
    nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=nomination.pk)
    if nomination.status != Nomination.Status.SUBMITTED:
        raise SchoolsError("This nomination can no longer be changed: selection has started.", status=409)
    _check_window(nomination.programme, today)
    _check_student(nomination.programme, data)
    old_email = nomination.consent_email
    for name in NOMINATION_FIELDS:
        if name in data:
            setattr(nomination, name, data[name] if data[name] is not None else "")
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise _duplicate_error() from None
    consent = getattr(nomination, "consent", None)
    if consent and consent.status == Consent.Status.REQUESTED and nomination.consent_email != old_email:
        consent.links.all().delete()
        consent.relationship = Consent.Relationship.SELF if nomination.is_adult else Consent.Relationship.GUARDIAN
        consent.save(update_fields=["relationship"])
        consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    logger.info("Nomination %s changed by %s", nomination.pk, actor)
    return nomination


@transaction.atomic
def nomination_withdraw(*, nomination, actor, today=None):
    """Withdraw a nomination (the institution's choice); frees the quota place and any offered place."""
    nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=nomination.pk)
    if nomination.status == Nomination.Status.WITHDRAWN:
        return nomination
    held_place = nomination.status in HOLDING_PLACE
    _set_status(nomination, Nomination.Status.WITHDRAWN, waitlist_rank=None)
    Placement.objects.filter(nomination=nomination).update(status=Placement.Status.WITHDRAWN)
    if held_place:
        _place_released(nomination, why="withdrawn", actor=actor, today=today)
    return nomination


# ---------------------------------------------------------------- consent


def consent_wording(nomination):
    programme = nomination.programme
    values = {
        "student": nomination.full_name,
        "programme": programme.title,
        "dates": f"{programme.start_date:%-d %B} to {programme.end_date:%-d %B %Y}",
        "force": programme.force.name,
    }
    return {name: text.format(**values) for name, text in CONSENT_ITEMS.items()}


def consent_link_send(*, consent, purpose):
    """Email a fresh consent link (request or reminder) to the guardian or the adult student."""
    nomination = consent.nomination
    salt, token, digest = _new_token(CONSENT_LINK_PURPOSE)
    link = ConsentLink.objects.create(
        consent=consent,
        token_hash=digest,
        token_salt=salt,
        purpose=purpose,
        sent_to=nomination.consent_email,
        expires_at=timezone.now() + timedelta(days=CONSENT_LINK_DAYS),
    )
    kind = "consent_request" if purpose == ConsentLink.Purpose.REQUEST else "consent_reminder"
    email_queue(
        kind=kind,
        to=nomination.consent_email,
        context={
            "nomination": nomination,
            "programme": nomination.programme,
            "adult": consent.relationship == Consent.Relationship.SELF,
            "link": link_marker("consent", link.pk),
            "days": CONSENT_LINK_DAYS,
        },
        dedupe_key=f"{kind}-{link.pk}",
        force=nomination.programme.force,
        about=[nomination],
        to_student=True,
    )
    return link, token


# A school or coordinator can send a lost or expired consent link again, but not flood a guardian's inbox.
RESEND_AFTER = timedelta(hours=1)


def consent_resendable(nomination, today=None):
    """Whether the consent email may be sent again: the student is still in the running, before the week ends."""
    today = today or timezone.localdate()
    return nomination.status in POOL_STATUSES + HOLDING_PLACE and nomination.programme.end_date >= today


@transaction.atomic
def consent_link_resend(*, nomination, actor, now=None):
    """Email a fresh consent link for an unanswered request (the old links keep working until they expire).

    For a guardian who lost the email, let a link expire, or whose address the school has just corrected.
    """
    now = now or timezone.now()
    consent = Consent.objects.select_for_update().filter(nomination=nomination).first()
    if consent is None or consent.status != Consent.Status.REQUESTED:
        raise SchoolsError("Consent has already been answered, so there is no link to send again.", status=409)
    if not consent_resendable(nomination, timezone.localdate(now)):
        raise SchoolsError("This nomination is no longer going ahead, so no consent is needed.", status=409)
    last = consent.links.order_by("-created_at").first()
    if last is not None and last.created_at > now - RESEND_AFTER:
        minutes = max(1, int((last.created_at + RESEND_AFTER - now).total_seconds() // 60))
        raise SchoolsError(
            f"A consent email went to {last.sent_to} at {timezone.localtime(last.created_at):%H:%M}. "
            f"You can send another in {minutes} minute{'s' if minutes != 1 else ''}.",
            status=409,
        )
    link, _token = consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    logger.info("Consent link for nomination %s sent again by user %s", nomination.pk, getattr(actor, "pk", None))
    return link


def consent_link_find(*, token=None, pk=None):
    """The consent link for a token (or, once opened, its pk); SchoolsError 404 if unknown, 410 if expired.

    The guardian's session keeps only the link's pk, never the token (a session row is stored data).
    """
    links = ConsentLink.objects.select_related(
        "consent__nomination__programme__force", "consent__nomination__institution"
    )
    link = links.filter(token_hash=token_hash(token)).first() if pk is None else links.filter(pk=pk).first()
    if link is None:
        raise SchoolsError("This consent link is not valid. Check you used the whole link from the email.", status=404)
    if link.consent.status == Consent.Status.REQUESTED and link.expires_at <= timezone.now():
        raise SchoolsError(
            "This consent link has expired. Please contact the school, who can send you a new one.", status=410
        )
    return link


@transaction.atomic
def consent_respond(*, consent, respondent_name, participation, photos_media, data_processing, mentoring_contact):
    """Record the answer to a consent request, with the exact wording shown; a link answers once."""
    consent = Consent.objects.select_for_update().select_related("nomination__programme__force").get(pk=consent.pk)
    if consent.status != Consent.Status.REQUESTED:
        raise SchoolsError("This consent request has already been answered.", status=409)
    if consent.nomination.status == Nomination.Status.WITHDRAWN:
        raise SchoolsError("The school has withdrawn this nomination, so no answer is needed.", status=410)
    if participation and not data_processing:
        raise SchoolsError("Please confirm you have read the privacy notice.", field="data_processing")
    wording = consent_wording(consent.nomination)
    consent.respondent_name = respondent_name
    consent.participation = participation
    consent.photos_media = participation and photos_media
    consent.data_processing = data_processing
    consent.mentoring_contact = participation and mentoring_contact
    consent.wording = "\n\n".join(f"[{name}] {text}" for name, text in wording.items())
    consent.responded_at = timezone.now()
    consent.status = Consent.Status.GIVEN if participation else Consent.Status.REFUSED
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent, items, today=None):
    """Withdraw some or all consent; withdrawing participation removes the student and frees the place."""
    consent = Consent.objects.select_for_update().select_related("nomination__programme__force").get(pk=consent.pk)
    if consent.status != Consent.Status.GIVEN:
        raise SchoolsError("There is no given consent to withdraw.", status=409)
    items = set(items)
    if not items:
        raise SchoolsError("Choose what you want to withdraw.", field="items")
    for name in ("photos_media", "mentoring_contact"):
        if name in items:
            setattr(consent, name, False)
    if "participation" in items:
        consent.status = Consent.Status.WITHDRAWN
        consent.withdrawn_at = timezone.now()
        consent.save()
        nomination = Nomination.objects.select_for_update().get(pk=consent.nomination_id)
        held_place = nomination.status in HOLDING_PLACE
        _set_status(nomination, Nomination.Status.WITHDRAWN, waitlist_rank=None)
        Placement.objects.filter(nomination=nomination).update(status=Placement.Status.WITHDRAWN)
        if held_place:
            _place_released(nomination, why="consent withdrawn", actor=None, today=today)
    else:
        consent.save()
    consent_withdrawn.send(sender=Consent, consent=consent, items=frozenset(items))
    return consent


@transaction.atomic
def consent_reminders_send(*, now=None):
    """Remind every unanswered consent request 3 days after the last email, at most twice; idempotent."""
    now = now or timezone.now()
    due_before = now - timedelta(days=REMINDER_AFTER_DAYS)
    candidates = (
        Consent.objects.filter(status=Consent.Status.REQUESTED, nomination__status__in=POOL_STATUSES)
        .annotate(sent=Count("links"))
        .filter(sent__gte=1, sent__lte=MAX_REMINDERS)
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(candidates):
        consent = Consent.objects.select_for_update().select_related("nomination__programme__force").get(pk=pk)
        links = list(consent.links.order_by("created_at"))
        if consent.status != Consent.Status.REQUESTED or not links or len(links) > MAX_REMINDERS:
            continue
        if links[-1].created_at > due_before:
            continue
        consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REMINDER)
        sent += 1
    return sent


# ---------------------------------------------------------------- selection and offers


def _candidate(nomination):
    consent = getattr(nomination, "consent", None)
    institution = nomination.institution
    return selection.Candidate(
        id=nomination.pk,
        institution_id=institution.pk,
        institution_name=institution.name,
        area=institution.area,
        is_send=institution.is_send,
        idaci_decile=institution.idaci_decile,
        fsm_pct=institution.fsm_pct,
        police_first_choice=nomination.police_first_choice,
        has_consent=bool(consent and consent.status == Consent.Status.GIVEN and consent.participation),
    )


def selection_propose(*, programme):
    """The assistant's proposal for the places still free, with the pool it chose from."""
    pool = list(
        programme.nominations.filter(status__in=POOL_STATUSES).select_related("institution", "consent").order_by("pk")
    )
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = max(programme.capacity - holders.count(), 0)
    send_holding = holders.filter(institution__is_send=True).count()
    picks = selection.propose_cohort(
        [_candidate(n) for n in pool],
        capacity=free,
        reserved_send=max(programme.reserved_send_places - send_holding, 0),
        cap_per_institution=programme.max_per_institution,
    )
    by_id = {n.pk: n for n in pool}
    return [(by_id[p.candidate.id], p) for p in picks], free


@transaction.atomic
def selection_confirm(*, programme, selected_ids, actor, deadline=None, today=None):
    """Offer places to the chosen nominations; the rest with consent join the waiting list, others are not selected."""
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    deadline = deadline or today + timedelta(days=OFFER_DAYS)
    if deadline < today:
        raise SchoolsError("The answer deadline cannot be in the past.", field="deadline")
    proposal, free = selection_propose(programme=programme)
    by_id = {n.pk: (n, p) for n, p in proposal}
    selected_ids = [int(i) for i in selected_ids]
    unknown = [i for i in selected_ids if i not in by_id]
    if unknown:
        raise SchoolsError("Some chosen nominations are no longer in the pool; reload the page.", status=409)
    if len(selected_ids) > free:
        raise SchoolsError(f"You chose {len(selected_ids)} students but only {free} places are free.")
    no_consent = [by_id[i][0].full_name for i in selected_ids if not by_id[i][1].candidate.has_consent]
    if no_consent:
        raise SchoolsError(f"No participation consent yet, so no offer can be made: {', '.join(no_consent)}.")
    for pk in selected_ids:
        nomination = by_id[pk][0]
        reason = by_id[pk][1].reason if by_id[pk][1].selected else "Chosen by the coordinator"
        _offer(nomination, deadline=deadline, reason=reason)
    rank = 0
    for nomination, pick in proposal:
        if nomination.pk in selected_ids:
            continue
        if pick.candidate.has_consent:
            rank += 1
            was_waiting = nomination.status == Nomination.Status.WAITLISTED
            _set_status(
                nomination, Nomination.Status.WAITLISTED, waitlist_rank=rank, selection_reason=pick.reason[:300]
            )
            if not was_waiting:
                _notify_institution(nomination, "waitlisted")
        else:
            _set_status(
                nomination, Nomination.Status.NOT_SELECTED, waitlist_rank=None, selection_reason=pick.reason[:300]
            )
            _notify_institution(nomination, "not_selected")
    if programme.status in (Programme.Status.DRAFT, Programme.Status.NOMINATIONS_OPEN):
        programme.status = Programme.Status.SELECTION
        programme.save(update_fields=["status", "updated_at"])
    logger.info("Selection for programme %s confirmed by %s: %s offers", programme.pk, actor, len(selected_ids))
    return len(selected_ids)


def _offer(nomination, *, deadline, reason):
    _set_status(
        nomination,
        Nomination.Status.OFFERED,
        offer_deadline=deadline,
        waitlist_rank=None,
        selection_reason=reason[:300],
    )
    _notify_institution(nomination, "offer")


def _notify_institution(nomination, kind):
    stamp = nomination.status_changed_at.strftime("%Y%m%d%H%M%S%f")
    _send(
        kind,
        _contact_emails(nomination.institution),
        context={"nomination": nomination, "programme": nomination.programme},
        key=f"{kind}-{nomination.pk}-{stamp}",
        force=nomination.programme.force,
        about=[nomination],
    )


@transaction.atomic
def offer_respond(*, nomination, accept, actor, today=None):
    """The institution accepts or declines an offered place on the student's behalf, before the deadline."""
    today = today or timezone.localdate()
    nomination = (
        Nomination.objects.select_for_update().select_related("programme__force", "institution").get(pk=nomination.pk)
    )
    if nomination.status != Nomination.Status.OFFERED:
        raise SchoolsError("There is no open offer for this student.", status=409)
    if accept:
        if nomination.offer_deadline and nomination.offer_deadline < today:
            raise SchoolsError("The deadline to accept this offer has passed.", status=409)
        _set_status(nomination, Nomination.Status.ACCEPTED)
        placement, created = Placement.objects.get_or_create(
            nomination=nomination, defaults={"programme": nomination.programme}
        )
        if not created and placement.status != Placement.Status.CONFIRMED:
            placement.status = Placement.Status.CONFIRMED
            placement.save(update_fields=["status"])
        _send(
            "place_confirmed",
            [*_contact_emails(nomination.institution), nomination.consent_email],
            context={"nomination": nomination, "programme": nomination.programme},
            key=f"place-confirmed-{nomination.pk}",
            force=nomination.programme.force,
            about=[nomination],
            student_address=nomination.consent_email,
        )
    else:
        _set_status(nomination, Nomination.Status.DECLINED)
        _place_released(nomination, why="declined", actor=actor, today=today)
    return nomination


def _place_released(nomination, *, why, actor, today):
    """A held place came free: offer it to the next on the waiting list and tell the coordinators."""
    promoted = waitlist_promote(programme=nomination.programme, actor=actor, today=today)
    _send(
        "place_released",
        [*_coordinator_emails(nomination.programme.force), *_contact_emails(nomination.institution)],
        context={"nomination": nomination, "programme": nomination.programme, "why": why, "promoted": promoted},
        key=f"place-released-{nomination.pk}-{nomination.status_changed_at:%Y%m%d%H%M%S%f}",
        force=nomination.programme.force,
        about=[nomination, *promoted],
    )


@transaction.atomic
def waitlist_promote(*, programme, actor, today=None):
    """Offer free places to the waiting list in rank order (consent given, institution under its cap)."""
    today = today or timezone.localdate()
    programme = Programme.objects.select_for_update().select_related("force").get(pk=programme.pk)
    holders = programme.nominations.filter(status__in=HOLDING_PLACE)
    free = programme.capacity - holders.count()
    per_institution = dict(holders.values_list("institution").annotate(n=Count("pk")).values_list("institution", "n"))
    promoted = []
    waiting = (
        programme.nominations.filter(
            status=Nomination.Status.WAITLISTED,
            consent__status=Consent.Status.GIVEN,
            consent__participation=True,
        )
        .select_related("institution", "programme__force")
        .order_by(F("waitlist_rank").asc(nulls_last=True), "pk")
    )
    for nomination in waiting:
        if free <= 0:
            break
        cap = programme.max_per_institution
        if cap is not None and per_institution.get(nomination.institution_id, 0) >= cap:
            continue
        _offer(nomination, deadline=today + timedelta(days=OFFER_DAYS), reason="Promoted from the waiting list")
        per_institution[nomination.institution_id] = per_institution.get(nomination.institution_id, 0) + 1
        promoted.append(nomination)
        free -= 1
    return promoted


def offers_expire(*, today=None):
    """Beat job: offers not answered by their deadline lapse (as declined) and the place moves on."""
    today = today or timezone.localdate()
    lapsed = Nomination.objects.filter(status=Nomination.Status.OFFERED, offer_deadline__lt=today).values_list(
        "pk", flat=True
    )
    count = 0
    for pk in list(lapsed):
        with transaction.atomic():
            nomination = Nomination.objects.select_for_update().select_related("programme__force").get(pk=pk)
            if nomination.status != Nomination.Status.OFFERED:
                continue
            _set_status(nomination, Nomination.Status.DECLINED)
            _place_released(nomination, why="not answered by the deadline", actor=None, today=today)
            count += 1
    return count
