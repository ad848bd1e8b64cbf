"""Guardian consent: the emailed link, the answer, withdrawal and reminders."""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.languages import language_for_student
from core.links import link_marker, token_hash
from core.services import email_queue
from placements.models import Placement

from ..models import (
    Consent,
    ConsentLink,
    Nomination,
)
from ..signals import consent_withdrawn
from ._common import (
    CONSENT_ITEMS,
    CONSENT_LINK_DAYS,
    CONSENT_LINK_PURPOSE,
    HOLDING_PLACE,
    MAX_REMINDERS,
    POOL_STATUSES,
    REMINDER_AFTER_DAYS,
    SchoolsError,
    _new_token,
    _set_status,
)
from .offers import _place_released

logger = logging.getLogger(__name__)


def consent_wording(nomination):
    programme = nomination.programme
    values = {
        "student": nomination.full_name,
        "programme": programme.title,
        "dates": gettext("{start} to {end}").format(
            start=date_format(programme.start_date, "j F"), end=date_format(programme.end_date, "j F Y")
        ),
        "force": programme.force.name,
    }
    return {name: str(text).format(**values) for name, text in CONSENT_ITEMS.items()}


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
    with translation.override(language_for_student(nomination)):
        _consent_email_queue(kind, nomination, consent, link)
    return link, token


def _consent_email_queue(kind, nomination, consent, link):
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
        "consent__nomination__programme__force", "consent__nomination__institution", "consent__nomination__erasure"
    )
    link = links.filter(token_hash=token_hash(token)).first() if pk is None else links.filter(pk=pk).first()
    # A session opened before the student was erased holds the link's pk: it opens nothing now.
    if link is None or hasattr(link.consent.nomination, "erasure"):
        raise SchoolsError(
            gettext("This consent link is not valid. Check you used the whole link from the email."), status=404
        )
    if link.consent.status == Consent.Status.REQUESTED and link.expires_at <= timezone.now():
        raise SchoolsError(
            gettext("This consent link has expired. Please contact the school, who can send you a new one."), status=410
        )
    return link


@transaction.atomic
def consent_respond(*, consent, respondent_name, participation, photos_media, data_processing, mentoring_contact):
    """Record the answer to a consent request, with the exact wording shown; a link answers once."""
    consent = Consent.objects.select_for_update().select_related("nomination__programme__force").get(pk=consent.pk)
    if consent.status != Consent.Status.REQUESTED:
        raise SchoolsError(gettext("This consent request has already been answered."), status=409)
    if consent.nomination.status == Nomination.Status.WITHDRAWN:
        raise SchoolsError(gettext("The school has withdrawn this nomination, so no answer is needed."), status=410)
    if participation and not data_processing:
        raise SchoolsError(gettext("Please confirm you have read the privacy notice."), field="data_processing")
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
        raise SchoolsError(gettext("There is no given consent to withdraw."), status=409)
    items = set(items)
    if not items:
        raise SchoolsError(gettext("Choose what you want to withdraw."), field="items")
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
            _place_released(nomination, why="consent_withdrawn", actor=None, today=today)
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
