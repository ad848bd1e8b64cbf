"""Writes for partners: organisations and their people, roles on programmes, the action log, meetings,
documents (upload, approve), the risk-assessment rule and its recorded exceptions, partner sign-ins,
and the reminders of due actions.

Every service takes keyword-only arguments and an `actor`, runs in one transaction and raises
PartnerError with a message fit to show the coordinator.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import filetype
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_action
from core.errors import DomainError
from core.invitations import (
    account_create,
    email_has_account,
    invitation_by_pk,
    invitation_by_token,
    invitation_complete,
    invitation_email_matches,
    invitation_locked,
    invitation_pending,
)
from core.links import link_marker, link_token, new_token_salt, token_hash
from core.services import email_queue

from .models import (
    ALLOWED_TYPES,
    Action,
    Document,
    DocumentRules,
    Meeting,
    Organisation,
    PartnerInvitation,
    PartnerPerson,
    ProgrammePartner,
    RiskAssessmentOverride,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from django.contrib.auth.models import AbstractBaseUser
    from django.core.files.uploadedfile import UploadedFile

    from placements.models import Activity, Force, ForcePerson, Programme


class PartnerError(DomainError):
    """A partners' rule refused the action; the message says which, in plain words."""


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


# --- organisations and people -----------------------------------------------------------------

ORGANISATION_FIELDS = ("name", "kind", "is_active")
PERSON_FIELDS = ("name", "role", "email", "phone", "is_active")


def _save(instance, message: str):
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise PartnerError(message, field="name") from None
    return instance


@transaction.atomic
def organisation_create(*, force: Force, details: Mapping[str, Any], actor: AbstractBaseUser | None) -> Organisation:
    """Add a partner organisation to the force."""
    organisation = Organisation(force=force, **{k: details[k] for k in ORGANISATION_FIELDS if k in details})
    _save(organisation, f"{organisation.name} is already one of your partners.")
    audit_action(actor=actor, action="Partner organisation added", instance=organisation)
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, details: Mapping[str, Any], actor: AbstractBaseUser | None
) -> Organisation:
    """Change a partner organisation's name, kind or whether it is still a partner."""
    for key in ORGANISATION_FIELDS:
        if key in details:
            setattr(organisation, key, details[key])
    _save(organisation, f"{organisation.name} is already one of your partners.")
    audit_action(actor=actor, action="Partner organisation changed", instance=organisation)
    return organisation


@transaction.atomic
def partner_person_create(
    *, organisation: Organisation, details: Mapping[str, Any], actor: AbstractBaseUser | None
) -> PartnerPerson:
    """Add someone at a partner organisation (name, job, work email and phone)."""
    person = PartnerPerson.objects.create(
        organisation=organisation, **{k: details[k] for k in PERSON_FIELDS if k in details}
    )
    audit_action(actor=actor, action="Partner contact added", instance=organisation)
    return person


@transaction.atomic
def partner_person_update(
    *, person: PartnerPerson, details: Mapping[str, Any], actor: AbstractBaseUser | None
) -> PartnerPerson:
    """Change a partner contact's details; made inactive, their sign-in stops opening anything."""
    for key in PERSON_FIELDS:
        if key in details:
            setattr(person, key, details[key])
    person.save()
    if not person.is_active:
        PartnerInvitation.objects.filter(person=person, accepted_at__isnull=True).update(expires_at=timezone.now())
    audit_action(actor=actor, action="Partner contact changed", instance=person.organisation)
    return person


# --- roles on a programme -----------------------------------------------------------------------


@transaction.atomic
def programme_partner_add(
    *,
    programme: Programme,
    organisation: Organisation,
    role: str,
    contact: PartnerPerson | None = None,
    note: str = "",
    actor: AbstractBaseUser | None,
) -> ProgrammePartner:
    """Give an organisation a role on a programme (venue provider, sponsor …)."""
    if organisation.force_id != programme.force_id:
        raise PartnerError("Choose one of your own partner organisations.", field="organisation", status=404)
    if contact is not None and contact.organisation_id != organisation.pk:
        raise PartnerError(f"{contact.name} does not work for {organisation.name}.", field="contact")
    if role not in ProgrammePartner.Role.values:
        raise PartnerError("Choose the partner's role.", field="role")
    if ProgrammePartner.objects.filter(programme=programme, organisation=organisation, role=role).exists():
        label = ProgrammePartner.Role(role).label.lower()
        raise PartnerError(f"{organisation.name} is already the {label} of this programme.", field="role", status=409)
    link = ProgrammePartner.objects.create(
        programme=programme, organisation=organisation, role=role, contact=contact, note=note
    )
    audit_action(actor=actor, action="Partner given a role", instance=programme, role=link.get_role_display())
    return link


@transaction.atomic
def programme_partner_remove(*, link: ProgrammePartner, actor: AbstractBaseUser | None) -> None:
    """Take an organisation's role on a programme away (its people stop seeing the programme)."""
    programme, role = link.programme, link.get_role_display()
    link.delete()
    audit_action(actor=actor, action="Partner's role removed", instance=programme, role=role)


# --- the action log and meetings ----------------------------------------------------------------

ACTION_FIELDS = ("kind", "title", "due_on", "meeting")


def _check_owner(programme: Programme, owner_person, owner_partner) -> None:
    if (owner_person is None) == (owner_partner is None):
        raise PartnerError("Choose one owner: someone of the force or someone at a partner.", field="owner")
    if owner_person is not None and owner_person.force_id != programme.force_id:
        raise PartnerError("Choose one of your own people as the owner.", field="owner", status=404)
    if owner_partner is not None and owner_partner.organisation.force_id != programme.force_id:
        raise PartnerError("Choose one of your own partners' people as the owner.", field="owner", status=404)


@transaction.atomic
def action_create(
    *,
    programme: Programme,
    details: Mapping[str, Any],
    owner_person: ForcePerson | None = None,
    owner_partner: PartnerPerson | None = None,
    actor: AbstractBaseUser | None,
) -> Action:
    """Add an action or a milestone to a programme's action log."""
    _check_owner(programme, owner_person, owner_partner)
    meeting = details.get("meeting")
    if meeting is not None and meeting.programme_id != programme.pk:
        raise PartnerError("That meeting is not one of this programme's.", field="meeting", status=404)
    action = Action.objects.create(
        programme=programme,
        owner_person=owner_person,
        owner_partner=owner_partner,
        **{k: details[k] for k in ACTION_FIELDS if k in details},
    )
    audit_action(actor=actor, action=f"{action.get_kind_display()} added to the action log", instance=programme)
    return action


@transaction.atomic
def action_update(
    *,
    action: Action,
    details: Mapping[str, Any],
    owner_person: ForcePerson | None = None,
    owner_partner: PartnerPerson | None = None,
    state: str | None = None,
    actor: AbstractBaseUser | None,
) -> Action:
    """Change an action's words, owner, due date or state (open, done, cancelled)."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    _check_owner(action.programme, owner_person, owner_partner)
    for key in ACTION_FIELDS:
        if key in details:
            setattr(action, key, details[key])
    action.owner_person, action.owner_partner = owner_person, owner_partner
    if state is not None:
        _set_state(action, state)
    action.save()
    audit_action(actor=actor, action="Action log changed", instance=action.programme, state=action.get_state_display())
    return action


def _set_state(action: Action, state: str) -> None:
    if state not in Action.State.values:
        raise PartnerError("Choose open, done or cancelled.", field="state")
    if state != action.state:
        action.state = state
        action.closed_on = None if state == Action.State.OPEN else timezone.localdate()


@transaction.atomic
def action_mark_done(*, action: Action, actor: AbstractBaseUser | None) -> Action:
    """The owner (or a coordinator) says an open action is done."""
    action = Action.objects.select_for_update().select_related("programme").get(pk=action.pk)
    if action.state != Action.State.OPEN:
        raise PartnerError(
            f"This {action.get_kind_display().lower()} is already {action.get_state_display().lower()}.", status=409
        )
    _set_state(action, Action.State.DONE)
    action.save(update_fields=["state", "closed_on"])
    audit_action(actor=actor, action="Action marked done", instance=action.programme)
    return action


@transaction.atomic
def meeting_record(
    *,
    programme: Programme,
    details: Mapping[str, Any],
    actions: list[Mapping[str, Any]] = (),
    actor: AbstractBaseUser | None,
) -> Meeting:
    """Record a partners' meeting (date, who came, notes) and the actions arising from it, all or nothing."""
    meeting = Meeting.objects.create(
        programme=programme,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: details[k] for k in ("held_on", "title", "attendees", "notes") if k in details},
    )
    for row in actions:
        action_create(
            programme=programme,
            details={"kind": Action.Kind.ACTION, "title": row["title"], "due_on": row["due_on"], "meeting": meeting},
            owner_person=row.get("owner_person"),
            owner_partner=row.get("owner_partner"),
            actor=actor,
        )
    audit_action(actor=actor, action="Partners' meeting recorded", instance=programme, actions=len(actions))
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, details: Mapping[str, Any], actor: AbstractBaseUser | None) -> Meeting:
    """Correct a meeting's date, title, attendees or notes."""
    for key in ("held_on", "title", "attendees", "notes"):
        if key in details:
            setattr(meeting, key, details[key])
    meeting.save()
    audit_action(actor=actor, action="Partners' meeting notes changed", instance=meeting.programme)
    return meeting


# --- reminders of due actions ---------------------------------------------------------------------


def _owner_email(action: Action) -> str:
    if action.owner_person_id:
        return action.owner_person.contact_email
    return action.owner_partner.email


@transaction.atomic
def action_remind(*, action_id: int, today: date) -> bool:
    """Email the owner of one open action due by `today`, once per due date; False if nothing to send."""
    action = (
        Action.objects.select_for_update(of=("self",))
        .select_related("programme__force", "owner_person__user", "owner_partner__organisation")
        .filter(pk=action_id)
        .first()
    )
    if action is None or action.state != Action.State.OPEN or action.due_on > today:
        return False
    if action.reminded_for == action.due_on:
        return False
    to = _owner_email(action)
    action.reminded_for = action.due_on
    action.save(update_fields=["reminded_for"])
    if not to:
        return False
    owner_is_partner = action.owner_partner_id is not None
    email_queue(
        kind="partner_action_due",
        to=to,
        context={
            "owner_name": action.owner_name,
            "action": action,
            "programme": action.programme,
            "due": _day(action.due_on),
            "overdue": action.due_on < today,
            "page": reverse("partners:partner_home")
            if owner_is_partner
            else reverse("partners:programme", args=[action.programme_id]),
        },
        dedupe_key=f"partner-action-due:{action.pk}:{action.due_on.isoformat()}",
        force=action.programme.force,
    )
    return True


def action_reminders(*, today: date) -> int:
    """Remind the owners of open actions due by today who have not been reminded of that due date."""
    due = Action.objects.due_by(today).exclude(reminded_for=F("due_on")).values_list("pk", flat=True)
    return sum(action_remind(action_id=pk, today=today) for pk in list(due))


# --- documents ------------------------------------------------------------------------------------

DOCUMENT_FIELDS = ("kind", "title", "activity", "programme", "organisation", "owner", "expires_on")


def document_check_file(upload: UploadedFile) -> str:
    """The file's type, read from its content (not its name): PDF, Word (.docx), JPEG or PNG, and not too large."""
    limit = settings.PARTNER_DOCUMENT_MAX_BYTES
    if upload.size == 0:
        raise PartnerError("That file is empty. Choose the document itself.", field="file")
    if upload.size > limit:
        raise PartnerError(
            f"That file is {upload.size / 1048576:.1f} MB; the largest allowed is {limit / 1048576:.0f} MB.",
            field="file",
            status=413,
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind is not None else ""
    if mime == "application/zip" or (mime == "" and head[:4] == b"PK\x03\x04"):
        # A .docx is a zip: filetype needs more than the first few bytes to see inside it.
        kind = filetype.guess(upload.read())
        upload.seek(0)
        mime = kind.mime if kind is not None else ""
    if mime not in ALLOWED_TYPES:
        raise PartnerError(
            "That file is not a PDF, a Word document (.docx) or a photo (JPEG or PNG). Save it as a PDF and try again.",
            field="file",
            status=415,
        )
    return mime


def _check_document(force: Force, details: Mapping[str, Any]) -> None:
    kind = details.get("kind")
    activity = details.get("activity")
    if kind == Document.Kind.RISK_ASSESSMENT and activity is None:
        raise PartnerError("Choose the activity this risk assessment covers.", field="activity")
    for key in ("activity", "programme", "organisation"):
        value = details.get(key)
        if value is not None and value.force_id != force.pk:
            raise PartnerError("Choose one of your own force's.", field=key, status=404)
    owner = details.get("owner")
    if owner is not None and owner.force_id != force.pk:
        raise PartnerError("Choose one of your own people.", field="owner", status=404)


@transaction.atomic
def document_upload(
    *, force: Force, details: Mapping[str, Any], upload: UploadedFile, actor: AbstractBaseUser | None
) -> Document:
    """Keep an uploaded document in private storage, waiting for approval."""
    _check_document(force, details)
    mime = document_check_file(upload)
    name = (upload.name or "document").rsplit("/", 1)[-1][:200]
    document = Document(
        force=force,
        original_name=name,
        content_type=mime,
        size=upload.size,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{k: details.get(k) for k in DOCUMENT_FIELDS},
    )
    document.file.save(name, upload, save=False)
    # The file is written first: if the row cannot be saved, the file goes too (no file without a row).
    try:
        with transaction.atomic():
            document.save()
            audit_action(actor=actor, action="Document uploaded", instance=document, kind=document.get_kind_display())
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def document_update(*, document: Document, details: Mapping[str, Any], actor: AbstractBaseUser | None) -> Document:
    """Change a document's details; a new expiry date keeps the approval, other changes do too."""
    _check_document(document.force, {**{k: getattr(document, k) for k in DOCUMENT_FIELDS}, **details})
    for key in DOCUMENT_FIELDS:
        if key in details:
            setattr(document, key, details[key])
    document.save()
    audit_action(actor=actor, action="Document details changed", instance=document)
    return document


@transaction.atomic
def document_approve(*, document: Document, actor: AbstractBaseUser | None) -> Document:
    """Record who approved a document and when; refused once it has expired."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    today = timezone.localdate()
    if document.expires_on < today:
        raise PartnerError(
            f"This document expired on {_day(document.expires_on)}. Upload the current one instead.", status=409
        )
    if document.approved_at is not None:
        raise PartnerError("This document is already approved.", status=409)
    document.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    document.approved_at = timezone.now()
    document.save(update_fields=["approved_by", "approved_at"])
    audit_action(actor=actor, action="Document approved", instance=document, kind=document.get_kind_display())
    return document


@transaction.atomic
def document_rules_set(*, force: Force, risk_assessment_required: bool, actor: AbstractBaseUser | None):
    """Switch the force's rule on or off: activities need an approved risk assessment to be timetabled."""
    rules, _ = DocumentRules.objects.select_for_update().get_or_create(force=force)
    rules.risk_assessment_required = risk_assessment_required
    rules.save(update_fields=["risk_assessment_required"])
    audit_action(
        actor=actor,
        action="Risk assessments required before timetabling"
        if risk_assessment_required
        else "Risk assessments no longer required before timetabling",
        instance=rules,
    )
    return rules


@transaction.atomic
def risk_override_give(
    *, programme: Programme, activity: Activity, reason: str, actor: AbstractBaseUser | None
) -> RiskAssessmentOverride:
    """Let an activity be timetabled on one programme without an approved risk assessment, for a recorded reason."""
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise PartnerError("Say why it can go ahead without one (at least a few words).", field="reason")
    if activity.force_id != programme.force_id:
        raise PartnerError("That activity is not one of your force's.", status=404)
    override, created = RiskAssessmentOverride.objects.get_or_create(
        programme=programme,
        activity=activity,
        defaults={"reason": reason, "given_by": actor if getattr(actor, "is_authenticated", False) else None},
    )
    if not created:
        raise PartnerError("A reason is already recorded for this activity on this programme.", status=409)
    audit_action(
        actor=actor,
        action="Activity allowed on the timetable without a risk assessment",
        instance=override,
        activity=activity.pk,
        reason=reason,
    )
    return override


# --- a sign-in for a partner person (the flow is core.invitations) -------------------------------

INVITATION_PURPOSE = "partner-invitation"
INVITATION_DAYS = 7


def partner_invitation_path(pk: int) -> str | None:
    """The working link of PartnerInvitation `pk` (for the outbox at send time), or None."""
    invitation = PartnerInvitation.objects.filter(pk=pk).only("token_salt", "token_hash").first()
    token = invitation and link_token(INVITATION_PURPOSE, invitation.token_salt)
    if not token or token_hash(token) != invitation.token_hash:
        return None
    return reverse("partners:invitation_open", args=[token])


@transaction.atomic
def partner_invitation_create(*, person: PartnerPerson, actor: AbstractBaseUser | None):
    """Email a partner person a single-use link (7 days) to make a sign-in; returns (invitation, token)."""
    person = (
        PartnerPerson.objects.select_for_update(of=("self",)).select_related("organisation__force").get(pk=person.pk)
    )
    if not person.is_active or not person.organisation.is_active:
        raise PartnerError(f"{person.name} is not an active partner contact.", status=409)
    if person.user_id is not None:
        raise PartnerError(f"{person.name} can sign in already.", status=409)
    if not person.email:
        raise PartnerError(f"Add {person.name}'s email address first: the invitation goes there.", status=409)
    PartnerInvitation.objects.filter(person=person, accepted_at__isnull=True).update(expires_at=timezone.now())
    salt = new_token_salt()
    token = link_token(INVITATION_PURPOSE, salt)
    invitation = PartnerInvitation.objects.create(
        person=person,
        email=person.email,
        token_salt=salt,
        token_hash=token_hash(token),
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    inviter = (actor.get_full_name() or actor.username) if getattr(actor, "is_authenticated", False) else ""
    email_queue(
        kind="partner_invitation",
        to=person.email,
        context={
            "person": person,
            "force": person.organisation.force,
            "organisation": person.organisation,
            "inviter": inviter or "The programme coordinator",
            "link": link_marker(INVITATION_PURPOSE, invitation.pk),
            "days": INVITATION_DAYS,
        },
        dedupe_key=f"partner-invitation-{invitation.pk}",
        force=person.organisation.force,
    )
    audit_action(actor=actor, action="Partner invited to sign in", instance=person.organisation)
    return invitation, token


def _invitations():
    return PartnerInvitation.objects.select_related("person__organisation__force")


_EXPIRED = "This invitation has expired or was withdrawn. Ask the programme coordinator to invite you again."


def _pending(invitation):
    return invitation_pending(invitation, error=PartnerError, expired=_EXPIRED, withdrawn=_EXPIRED)


def partner_invitation_open(*, token: str):
    """The invitation a link token belongs to, used or not; 404 if none."""
    return invitation_by_token(_invitations(), token, error=PartnerError)


def partner_invitation_find(*, pk):
    """The pending invitation kept in the session after its link was opened; 404 unknown, 410 used or expired."""
    return _pending(invitation_by_pk(_invitations(), pk))


def partner_invitation_has_account(*, invitation) -> bool:
    return email_has_account(invitation.email) or invitation.person.user_id is not None


def _locked(invitation):
    return invitation_locked(_invitations(), invitation, pending=_pending)


def _complete(invitation, user) -> PartnerPerson:
    return invitation_complete(
        invitation,
        user,
        action="Partner's sign-in made from an invitation",
        instance=invitation.person.organisation,
    )


@transaction.atomic
def partner_invitation_accept(*, invitation, username: str, password: str):
    """Create a new account for the invited partner person and link it; returns the new user."""
    invitation = _locked(invitation)
    if partner_invitation_has_account(invitation=invitation):
        raise PartnerError(
            "You already have an account. Sign in with your own password to accept this invitation.", status=409
        )
    user = account_create(
        username=username, email=invitation.email, name=invitation.person.name, password=password, error=PartnerError
    )
    _complete(invitation, user)
    return user


@transaction.atomic
def partner_invitation_link(*, invitation, user) -> PartnerPerson:
    """Link the signed-in `user`, whose own email is the invited one, to the invited partner person.

    Refused for an account that holds another role: a partner's sign-in sees only partner pages.
    """
    from django.apps import apps

    invitation = _locked(invitation)
    if not user.is_active or not invitation_email_matches(invitation=invitation, user=user):
        raise PartnerError(
            "This invitation was sent to a different email address from the one on your account.", status=403
        )
    person = invitation.person
    if person.user_id not in (None, user.pk):
        raise PartnerError(f"{person.name} is already linked to a different account.", status=409)
    other_roles = (
        user.is_staff
        or user.is_superuser
        or PartnerPerson.objects.filter(user=user).exclude(pk=person.pk).exists()
        or apps.get_model("placements", "ForcePerson").objects.filter(user=user).exists()
        or apps.get_model("schools", "InstitutionContact").objects.filter(user=user).exists()
    )
    if other_roles:
        raise PartnerError(
            "Your account already has another role here. Ask the programme coordinator to invite another email "
            "address for your partner sign-in.",
            status=409,
        )
    return _complete(invitation, user)
