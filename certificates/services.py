"""Writes for certificates: issue (one, in bulk), revoke, reissue, student links, templates."""

from __future__ import annotations

import base64
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation

from core.audit import audit_action
from core.errors import DomainError
from core.languages import language_for
from core.links import token_hash
from core.services import email_queue
from placements.models import Placement
from schools.models import InstitutionContact

from . import rendering, selectors
from .models import Certificate, IssueJob, SerialCounter, StudentLink

if TYPE_CHECKING:
    from decimal import Decimal

    from django.contrib.auth.models import AbstractBaseUser

    from placements.models import Force, Programme

    from .models import CertificateTemplate

logger = logging.getLogger(__name__)

# Rendering a chunk holds the force's serial counter locked, so keep chunks small enough to be quick
# yet large enough for the one-document fast path to pay off.
CHUNK_SIZE = 50


class CertificateError(DomainError):
    """A certificate action that cannot be done, with a message fit to show the user."""


def new_verification_code() -> str:
    """80 random bits as 16 base32 characters (A–Z, 2–7: no 0, 1, 8 or 9)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


# Base32 has no 0, 1 or 8, so a typed 0/1/8 can only mean the letter O/I/B.
TYPO_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})


def normalise_code(raw: str | None) -> str:
    """A typed code as stored: upper case, no spaces or dashes, digits misread for letters fixed."""
    return "".join(ch for ch in (raw or "").upper() if ch.isascii() and ch.isalnum()).translate(TYPO_FIXES)[:32]


def _lock_serial_counter(force: Force) -> SerialCounter:
    """The force's serial counter, locked until the transaction ends: issues for one force queue here."""
    SerialCounter.objects.get_or_create(force=force)
    return SerialCounter.objects.select_for_update().get(force=force)


def _allocate_serials(force: Force, count: int) -> range:
    """The next `count` serials of the force."""
    counter = _lock_serial_counter(force)
    highest = Certificate.objects.filter(force=force).aggregate(top=Max("serial"))["top"] or 0
    first = max(counter.last_serial, highest) + 1
    counter.last_serial = first + count - 1
    counter.save(update_fields=["last_serial"])
    return range(first, first + count)


def _content(
    programme: Programme, *, name: str, hours: Decimal, serial: int, code: str
) -> rendering.CertificateContent:
    return rendering.CertificateContent(
        student_name=name,
        programme_title=programme.title,
        start_date=programme.start_date,
        end_date=programme.end_date,
        hours_attended=hours,
        force_name=programme.force.name,
        serial=serial,
        verification_code=code,
    )


def _store_pdf(force: Force, serial: int, pdf: bytes) -> str:
    name = f"certificates/{force.slug}/{serial:06d}-{secrets.token_hex(8)}.pdf"
    return default_storage.save(name, ContentFile(pdf))


def _require_template(programme: Programme) -> CertificateTemplate:
    template = selectors.template_for_programme(programme)
    if template is None:
        raise CertificateError(
            f"{programme.force} has no certificate template for {programme.get_kind_display().lower()}s yet."
        )
    return template


@transaction.atomic
def certificate_issue_batch(
    *,
    programme: Programme,
    rows: list[selectors.EligibilityRow],
    actor: AbstractBaseUser | None = None,
    template: CertificateTemplate | None = None,
) -> list[Certificate]:
    """Issue certificates for these eligibility rows, rendered as one document and split (the fast path).

    Placements that gained a certificate meanwhile are skipped, and the one-valid-per-placement
    constraint stops a concurrent run: a re-run never makes a second certificate.
    """
    template = template or _require_template(programme)
    ids = [row.placement.pk for row in rows]
    _lock_serial_counter(programme.force)
    taken = set(
        Certificate.objects.filter(placement_id__in=ids, status=Certificate.Status.VALID).values_list(
            "placement_id", flat=True
        )
    )
    rows = [row for row in rows if row.placement.pk not in taken]
    if not rows:
        return []
    # A student whose certificate was revoked and not reissued gets a corrected one that replaces it.
    revoked = {
        c.placement_id: c
        for c in Certificate.objects.filter(
            placement_id__in=ids, status=Certificate.Status.REVOKED, replaced_by__isnull=True
        ).order_by("issued_at", "pk")
    }
    serials = iter(_allocate_serials(programme.force, len(rows)))
    certificates = [
        Certificate(
            force=programme.force,
            placement=row.placement,
            template=template,
            serial=next(serials),
            verification_code=new_verification_code(),
            printed_name=row.name,
            hours_attended=row.hours,
            issued_by=actor,
            replaces=revoked.get(row.placement.pk),
        )
        for row in rows
    ]
    contents = [
        _content(programme, name=c.printed_name, hours=c.hours_attended, serial=c.serial, code=c.verification_code)
        for c in certificates
    ]
    pdfs = rendering.render_cohort(rendering.TemplateDesign.from_template(template), contents)
    stored = []
    try:
        for certificate, pdf in zip(certificates, pdfs, strict=True):
            certificate.pdf.name = _store_pdf(programme.force, certificate.serial, pdf)
            stored.append(certificate.pdf.name)
            certificate.save()  # one by one, not bulk_create: the audit trail hears of each
            if certificate.replaces is not None:
                _audit_reissue(certificate, actor)
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    return certificates


def _audit_reissue(certificate: Certificate, actor: AbstractBaseUser | None) -> None:
    audit_action(
        actor=actor,
        action="Certificate reissued",
        instance=certificate,
        serial=certificate.serial,
        replaces_serial=certificate.replaces.serial,
    )


def certificate_issue_job_start(
    *, programme: Programme, actor: AbstractBaseUser | None = None, include_revoked: bool = True
) -> IssueJob:
    """Queue a bulk issue for the programme, or return the one already under way.

    `include_revoked=False` (the hourly beat) leaves out students whose certificate was revoked and
    not reissued: after "Revoke only", a corrected certificate waits for the coordinator.
    """
    from .tasks import issue_programme_certificates

    _require_template(programme)
    if programme.end_date > timezone.localdate():
        raise CertificateError("Certificates can be issued from the programme's last day.")
    with transaction.atomic():
        running = (
            IssueJob.objects.select_for_update()
            .filter(programme=programme, status__in=[IssueJob.Status.QUEUED, IssueJob.Status.RUNNING])
            .first()
        )
        if running and running.updated_at > timezone.now() - selectors.STALE_JOB_AFTER:
            return running
        if running:
            running.status = IssueJob.Status.FAILED
            running.error = "The worker stopped; a new run took over."
            running.finished_at = timezone.now()
            running.save(update_fields=["status", "error", "finished_at", "updated_at"])
        job = IssueJob.objects.create(
            programme=programme,
            started_by=actor,
            total=len(selectors.placements_to_issue(programme=programme, include_revoked=include_revoked, hours=False)),
        )
        transaction.on_commit(lambda: _enqueue(issue_programme_certificates, job.pk, include_revoked))
    return job


def _enqueue(task: Any, *args: Any) -> None:
    from core.tasks import enqueue

    enqueue(task, *args)


def certificate_issue_job_run(*, job_id: int, include_revoked: bool = True) -> IssueJob:
    """Issue every certificate a job still has to issue, chunk by chunk, then tell the schools.

    Safe to run again (a redelivered task after a killed worker): it only issues what is missing.
    """
    job = IssueJob.objects.select_related("programme__force").get(pk=job_id)
    if job.status in (IssueJob.Status.DONE, IssueJob.Status.FAILED):
        return job
    programme = job.programme
    template = _require_template(programme)
    pending = selectors.placements_to_issue(programme=programme, include_revoked=include_revoked)
    IssueJob.objects.filter(pk=job.pk).update(
        status=IssueJob.Status.RUNNING, total=job.issued + len(pending), updated_at=timezone.now()
    )
    job.refresh_from_db()
    for start in range(0, len(pending), CHUNK_SIZE):
        chunk = pending[start : start + CHUNK_SIZE]
        try:
            issued = certificate_issue_batch(programme=programme, rows=chunk, actor=job.started_by, template=template)
        except IntegrityError:
            # Another run issued some of these at the same moment; the next run picks up any left.
            logger.warning("Issue job %s: a concurrent run issued part of a chunk", job.pk)
            issued = []
        job.issued = min(job.total, job.issued + len(issued))
        job.save(update_fields=["issued", "updated_at"])
    certificate_notify_contacts(programme=programme)
    job.status = IssueJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
    return job


def issue_job_fail(*, job_id: int, error: str) -> None:
    IssueJob.objects.filter(pk=job_id).exclude(status=IssueJob.Status.DONE).update(
        status=IssueJob.Status.FAILED, error=error[:300], finished_at=timezone.now(), updated_at=timezone.now()
    )


@transaction.atomic
def certificate_notify_contacts(*, programme: Programme) -> None:
    """Email each active contact of an institution with certificates a link to its own students'."""
    counts = {}
    for institution_id in Certificate.objects.filter(
        placement__programme=programme, status=Certificate.Status.VALID
    ).values_list("placement__nomination__institution_id", flat=True):
        counts[institution_id] = counts.get(institution_id, 0) + 1
    url = settings.SITE_URL.rstrip("/") + reverse("certificates:programme_certificates", args=[programme.pk])
    contacts = InstitutionContact.objects.filter(institution_id__in=counts, is_active=True).select_related(
        "institution"
    )
    language = language_for(force=programme.force)  # a school reads the force's language
    for contact in contacts:
        count = counts[contact.institution_id]
        with translation.override(language):
            email_queue(
                kind="certificates_ready",
                to=contact.email,
                context={
                    "contact_name": contact.name,
                    "institution_name": contact.institution.name,
                    "programme_title": programme.title,
                    "count": count,
                    "url": url,
                },
                # A re-run that adds nothing sends nothing; one that adds certificates tells them again.
                dedupe_key=f"certificates-ready:{programme.pk}:{contact.pk}:{count}",
                force=programme.force,
            )


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: AbstractBaseUser | None, reason: str | None) -> Certificate:
    """Revoke a valid certificate; it stays on record and verification shows it as revoked.

    The student then counts as still to issue (if eligible) until a corrected certificate replaces it.
    """
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("Give a reason for revoking the certificate.")
    if certificate.status != Certificate.Status.VALID:
        raise CertificateError("This certificate is already revoked.")
    certificate.status = Certificate.Status.REVOKED
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason[:300]
    certificate.save(update_fields=["status", "revoked_at", "revoked_reason"])
    audit_action(actor=actor, action="Certificate revoked", instance=certificate, serial=certificate.serial)
    return certificate


@transaction.atomic
def certificate_reissue(
    *,
    certificate: Certificate,
    actor: AbstractBaseUser | None,
    printed_name: str | None,
    reason: str | None = None,
) -> Certificate:
    """Issue a corrected certificate (new serial and code, the name as given) in place of this one.

    A valid certificate is revoked first (with `reason`, or "Reissued as <name>"); a revoked one that
    was not reissued is replaced as it stands, if its student is still due a certificate.
    """
    printed_name = " ".join((printed_name or "").split())
    if not printed_name:
        raise CertificateError("Give the name to print.")
    # The serial counter first, as a bulk issue takes it: the two then queue instead of deadlocking.
    _lock_serial_counter(certificate.force)
    old = Certificate.objects.select_for_update().select_related("placement__programme__force").get(pk=certificate.pk)
    refusal = selectors.reissue_refusal(certificate=old)
    if refusal:
        raise CertificateError(refusal)
    programme = old.placement.programme
    template = _require_template(programme)
    if old.status == Certificate.Status.VALID:
        certificate_revoke(certificate=old, actor=actor, reason=(reason or "").strip() or f"Reissued as {printed_name}")
    serial = _allocate_serials(programme.force, 1)[0]
    new = Certificate(
        force=programme.force,
        placement=old.placement,
        template=template,
        serial=serial,
        verification_code=new_verification_code(),
        printed_name=printed_name,
        hours_attended=old.hours_attended,
        issued_by=actor,
        replaces=old,
    )
    pdf = rendering.render_certificate(
        rendering.TemplateDesign.from_template(template),
        _content(programme, name=printed_name, hours=old.hours_attended, serial=serial, code=new.verification_code),
    )
    new.pdf.name = _store_pdf(programme.force, serial, pdf)
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        default_storage.delete(new.pdf.name)
        raise CertificateError(
            "Another certificate was issued to this student at the same moment. Open the list again to see it."
        ) from None
    _audit_reissue(new, actor)
    return new


@transaction.atomic
def student_link_create(*, placement: Placement, actor: AbstractBaseUser | None) -> tuple[StudentLink, str]:
    """A fresh link for a student to their certificate; earlier links for them stop working.

    Returns (link, token): the token is shown once to pass on and only its hash is kept.
    """
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    StudentLink.objects.filter(placement=placement).delete()
    token = secrets.token_urlsafe(32)
    link = StudentLink.objects.create(placement=placement, token_hash=token_hash(token), created_by=actor)
    return link, token


def student_link_open(*, token: str | None) -> StudentLink | None:
    """The link a token belongs to (and note its use), or None."""
    link = StudentLink.objects.filter(token_hash=token_hash(token or "")).first()
    if link is not None:
        StudentLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())
    return link


@transaction.atomic
def certificate_template_save(*, template: CertificateTemplate, actor: AbstractBaseUser | None) -> CertificateTemplate:
    """Save a certificate template after checking it as a whole (one per force and programme kind)."""
    template.full_clean()
    template.save()
    logger.info("Certificate template %s saved by %s", template.pk, getattr(actor, "pk", None))
    return template


def certificate_issue_due_programmes() -> list[IssueJob]:
    """Beat: start a bulk issue for programmes that ended in the last 30 days and still have first certificates due
    (a revoked certificate's correction is the coordinator's to issue)."""
    from placements.models import Programme

    today = timezone.localdate()
    started = []
    programmes = Programme.objects.filter(end_date__lte=today, end_date__gte=today - timedelta(days=30)).exclude(
        status=Programme.Status.CANCELLED
    )
    for programme in programmes.select_related("force"):
        if selectors.template_for_programme(programme) is None:
            continue
        if not selectors.placements_to_issue(programme=programme, include_revoked=False, hours=False):
            continue
        started.append(certificate_issue_job_start(programme=programme, actor=None, include_revoked=False))
    return started
