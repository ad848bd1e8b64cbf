"""Retention and erasure of students' personal data, and the subject access export.

Erasure overwrites personal fields in place instead of deleting rows: the nomination, placement,
attendance, survey scores, certificates (revoked) and mentoring rows stay, so every survey report and
budget figure is the same afterwards, and nothing left names the student.
"""

import calendar
import hashlib
import io
import json
import logging
import re
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Case, DateField, F, Max, Q, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Erasure, OutboundEmail, RetentionPolicy

logger = logging.getLogger(__name__)

ERASED = "Erased"
SENTINEL_DOB = date(1900, 1, 1)


class RetentionError(Exception):
    """An erasure or export that cannot be done, with a message for the coordinator."""


def add_months(day, months):
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def policy_for(force_id):
    """The force's policy, or the defaults (not saved) when it has not set one."""
    return RetentionPolicy.objects.filter(force_id=force_id).first() or RetentionPolicy(force_id=force_id)


def placeholder_name(nomination_pk):
    return ERASED, f"#{nomination_pk}"


def _random_hash():
    return hashlib.sha256(secrets.token_bytes(32)).hexdigest()


# ------------------------------------------------------------------------------------------ needles


@dataclass(frozen=True)
class Needles:
    """What identifies the student in free text: names (whole words), addresses, dates of birth."""

    names: tuple
    emails: tuple
    dob: tuple

    @classmethod
    def of(cls, nomination, earlier_names=()):
        """`earlier_names`: full names the student had before (e.g. from the admin's history)."""
        first, last = nomination.first_name.strip(), nomination.last_name.strip()
        full = f"{first} {last}".strip()
        others = (nomination.guardian_name, nomination.emergency_contact_name, *earlier_names)
        consent = getattr(nomination, "consent", None)
        if consent is not None:
            others += (consent.respondent_name,)
        names = [full, *others, last, first]
        dob = nomination.date_of_birth
        return cls(
            names=tuple(dict.fromkeys(n.strip() for n in names if n and n.strip() and len(n.strip()) > 1)),
            emails=tuple(e.lower() for e in (nomination.student_email, nomination.guardian_email) if e),
            dob=(dob.isoformat(), dob.strftime("%d/%m/%Y"), f"{dob:%-d %B %Y}"),
        )

    def pattern(self):
        parts = [re.escape(e) for e in self.emails]
        parts += [r"\b" + re.escape(n) + r"\b" for n in self.names]
        parts += [re.escape(d) for d in self.dob]
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def scrub(self, text, replacement):
        pattern = self.pattern()
        if not text or pattern is None:
            return text
        return pattern.sub(replacement, text)

    def text_filter(self, *fields):
        """A Q matching rows whose `fields` mention the student's full name or addresses."""
        q = Q()
        full = self.names[0] if self.names else None
        for name in fields:
            for value in (full, *self.emails):
                if value:
                    q |= Q(**{f"{name}__icontains": value})
        return q


# ------------------------------------------------------------------------------------------ reads


def emails_about(nomination):
    """Outbox emails about the student, found by their link to the nomination (whatever name they used)."""
    return OutboundEmail.objects.filter(students=nomination)


def emails_about_only(nomination):
    """Outbox emails about this student and no other (not, e.g., a school's list of survey links)."""
    others = OutboundEmail.students.through.objects.exclude(nomination=nomination).values("outboundemail_id")
    return emails_about(nomination).exclude(pk__in=others)


def _unlinked_emails_naming(needles):
    """Emails queued before the outbox named its students: found by address or the current name (best effort)."""
    q = needles.text_filter("subject", "body_text", "body_html")
    if needles.emails:
        q |= Q(to__in=needles.emails)
    return OutboundEmail.objects.filter(q, students__isnull=True) if q else OutboundEmail.objects.none()


def _export_emails(nomination):
    """The emails of a subject access export: about this student alone, or (older rows) sent to them."""
    needles = Needles.of(nomination)
    legacy = OutboundEmail.objects.filter(students__isnull=True, to__in=needles.emails) if needles.emails else None
    emails = emails_about_only(nomination)
    return (emails | legacy).distinct() if legacy is not None else emails


def earlier_names(nomination):
    """Full names the student had in the admin's history (its "Recent actions" shows them)."""
    from django.contrib.admin.models import LogEntry as AdminLogEntry
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(nomination))
    reprs = AdminLogEntry.objects.filter(content_type=content_type, object_id=str(nomination.pk))
    return tuple(dict.fromkeys(r for r in reprs.values_list("object_repr", flat=True) if r))


def _student_rows(nomination):
    """Every row held about one student, grouped by what it is."""
    from certificates.models import Certificate, StudentLink
    from mentoring.models import MentorAssignment, MentorContact, MentoringReferral, MentorReminder, Outcome
    from placements.models import Attendance
    from schools.models import Consent, ConsentLink
    from surveys.models import Answer, Invitation, Response

    placement = getattr(nomination, "placement", None)
    rows = {
        "nomination": [nomination],
        "consent": list(Consent.objects.filter(nomination=nomination)),
        "consent_links": list(ConsentLink.objects.filter(consent__nomination=nomination)),
        "erasure": list(Erasure.objects.filter(nomination=nomination)),
    }
    if placement is not None:
        rows.update(
            {
                "placement": [placement],
                "attendance": list(Attendance.objects.filter(placement=placement)),
                "survey_invitations": list(Invitation.objects.filter(placement=placement)),
                "survey_responses": list(Response.objects.filter(invitation__placement=placement)),
                "survey_answers": list(
                    Answer.objects.filter(response__invitation__placement=placement).select_related("question")
                ),
                "certificates": list(Certificate.objects.filter(placement=placement)),
                "certificate_links": list(StudentLink.objects.filter(placement=placement)),
                "mentoring_referral": list(MentoringReferral.objects.filter(placement=placement)),
                "mentor_assignments": list(MentorAssignment.objects.filter(placement=placement)),
                "mentor_contacts": list(MentorContact.objects.filter(assignment__placement=placement)),
                "mentor_reminders": list(MentorReminder.objects.filter(assignment__placement=placement)),
                "outcomes": list(Outcome.objects.filter(placement=placement)),
            }
        )
    return rows


# Fields left out of the export: secrets that would let the holder of the ZIP open links.
EXPORT_EXCLUDE = {"token_hash", "token_salt", "short_code_hash", "verification_code"}


def student_export(*, nomination):
    """The subject access export: a ZIP of JSON of everything held about one student, and certificate PDFs."""
    rows = _student_rows(nomination)
    data = {}
    for key, objects in rows.items():
        serialised = serializers.serialize("python", objects)
        for item in serialised:
            for name in EXPORT_EXCLUDE:
                item["fields"].pop(name, None)
        data[key] = serialised
    for item, answer in zip(data.get("survey_answers", []), rows.get("survey_answers", []), strict=True):
        item["fields"]["question_code"] = answer.question.code
        item["fields"]["question_text"] = answer.question.text
    # By key, never by text: an email to a school listing several students (and their links) is theirs too.
    data["emails"] = serializers.serialize("python", list(_export_emails(nomination)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        summary = {
            "nomination_id": nomination.pk,
            "exported_at": timezone.now(),
            "contents": {key: len(value) for key, value in data.items()},
        }
        archive.writestr("README.json", json.dumps(summary, cls=DjangoJSONEncoder, indent=2))
        for key, value in data.items():
            archive.writestr(f"{key}.json", json.dumps(value, cls=DjangoJSONEncoder, indent=2))
        for certificate in rows.get("certificates", []):
            if certificate.pdf:
                try:
                    with certificate.pdf.open("rb") as pdf:
                        archive.writestr(f"certificates/certificate-{certificate.serial}.pdf", pdf.read())
                except OSError:
                    logger.warning("Certificate %s PDF missing from storage", certificate.pk)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ erasure


def _student_objects(rows):
    """(content type, [pk as text]) of every row held about the student."""
    from django.contrib.contenttypes.models import ContentType

    for objects in rows.values():
        if objects:
            yield ContentType.objects.get_for_model(type(objects[0])), [str(obj.pk) for obj in objects]


def _scrub_audit_log(rows, needles, replacement):
    """Every audit entry of the student's rows, found by content type and object id (not by text).

    The entry stays (who did what, when) but is named by type and number, and any name left in its
    data (entries written before names were masked) is rewritten.
    """
    from auditlog.models import LogEntry

    count = 0
    for content_type, pks in _student_objects(rows):
        for entry in LogEntry.objects.filter(content_type=content_type, object_pk__in=pks):
            values = {f: getattr(entry, f) for f in ("changes_text", "changes", "serialized_data", "additional_data")}
            scrubbed = {
                name: needles.scrub(value, replacement)
                if isinstance(value, str)
                else (json.loads(needles.scrub(json.dumps(value), replacement)) if value is not None else None)
                for name, value in values.items()
            }
            repr_ = f"{content_type.name} #{entry.object_pk}"
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_, **scrubbed)
            count += 1
    return count


def _scrub_admin_log(rows):
    """The Django admin's history of the student's rows keeps who changed what and when, not names."""
    from django.contrib.admin.models import LogEntry as AdminLogEntry

    count = 0
    for content_type, pks in _student_objects(rows):
        count += AdminLogEntry.objects.filter(content_type=content_type, object_id__in=pks).update(
            object_repr="", change_message=""
        )
    return count


ERASED_EMAIL_SUBJECT = "Erased"
ERASED_EMAIL_BODY = "This email was about a student whose personal data has been erased."
NOT_SENT_ERASED = "Not sent: the student's personal data was erased."


def _scrub_emails(nomination, needles, replacement):
    """Emails about the student (by key) lose what they said; older unlinked ones are scrubbed by text.

    An email about this student alone keeps only that it was sent (kind, when, to a school or staff
    address); one still waiting is not sent. One about several students (a school's survey links)
    loses this student's names and still goes to the others.
    """
    erased_to = f"erased-{nomination.pk}@erased.invalid"
    only = set(emails_about_only(nomination).values_list("pk", flat=True))
    emails = list(emails_about(nomination)) + list(_unlinked_emails_naming(needles))
    for email in emails:
        if email.pk in only:
            email.subject, email.body_text, email.body_html = ERASED_EMAIL_SUBJECT, ERASED_EMAIL_BODY, ""
            if email.sent_at is None:
                email.failed_attempts, email.last_error = OutboundEmail.MAX_ATTEMPTS, NOT_SENT_ERASED
        else:
            for field in ("subject", "body_text", "body_html"):
                setattr(email, field, needles.scrub(getattr(email, field), replacement))
        if email.to_student or email.to.lower() in needles.emails:
            email.dedupe_key = email.dedupe_key.replace(email.to, erased_to)
            email.to = erased_to
        email.dedupe_key = needles.scrub(email.dedupe_key, replacement)
        email.save(
            update_fields=["to", "subject", "body_text", "body_html", "dedupe_key", "failed_attempts", "last_error"]
        )
    return len(emails)


def _erase_placement(placement, needles, replacement, now):
    from certificates.models import Certificate, StudentLink
    from mentoring.models import MentorAssignment, MentorContact, Outcome
    from surveys.models import Answer, Invitation, Question

    counts = {}
    counts["survey_text_answers"] = (
        Answer.objects.filter(response__invitation__placement=placement, question__kind=Question.Kind.TEXT)
        .exclude(value_text="")
        .update(value_text="")
    )
    invitations = list(Invitation.objects.filter(placement=placement))
    for invitation in invitations:
        invitation.draft = {}
        invitation.token_salt = secrets.token_hex(16)
        invitation.token_hash = _random_hash()
        invitation.short_code_hash = _random_hash()  # the short code dies with the link
        invitation.save(update_fields=["draft", "token_salt", "token_hash", "short_code_hash"])
    counts["survey_invitations"] = len(invitations)

    certificates = list(Certificate.objects.filter(placement=placement))
    for certificate in certificates:
        if certificate.pdf:
            certificate.pdf.delete(save=False)
        certificate.printed_name = ERASED
        if certificate.status == Certificate.Status.VALID:
            certificate.status = Certificate.Status.REVOKED
            certificate.revoked_at = now
        certificate.revoked_reason = "Personal data erased"
        certificate.save(update_fields=["pdf", "printed_name", "status", "revoked_at", "revoked_reason"])
    counts["certificates"] = len(certificates)
    for link in StudentLink.objects.filter(placement=placement):
        StudentLink.objects.filter(pk=link.pk).update(token_hash=_random_hash())

    assignments = list(MentorAssignment.objects.filter(placement=placement, status=MentorAssignment.Status.ACTIVE))
    for assignment in assignments:
        # Ended quietly: the "mentoring ended" email would name the student.
        assignment.status = MentorAssignment.Status.ENDED
        assignment.ended_at = now
        assignment.ended_reason = MentorAssignment.EndReason.COORDINATOR
        assignment.next_due_on = None
        assignment.save(update_fields=["status", "ended_at", "ended_reason", "next_due_on"])
    contacts = list(MentorContact.objects.filter(assignment__placement=placement))
    for contact in contacts:
        contact.summary = ERASED
        contact.next_step = ""
        contact.sensitive_notes = ""
        contact.save(update_fields=["summary", "next_step", "sensitive_notes"])
    counts["mentor_contacts"] = len(contacts)
    outcomes = list(Outcome.objects.filter(placement=placement).exclude(note=""))
    for outcome in outcomes:
        outcome.note = ""
        outcome.save(update_fields=["note"])
    counts["outcome_notes"] = len(outcomes)
    return counts


@transaction.atomic
def student_erase(*, nomination, actor, reason, note=""):
    """Erase one student's personal data, keeping anonymised records; erasing twice changes nothing."""
    from schools.models import NOMINATION_PERSONAL_FIELDS, Consent, ConsentLink, Nomination

    if reason not in Erasure.Reason.values:
        raise RetentionError("Choose why the student's data is erased.")
    nomination = Nomination.objects.select_for_update().select_related("programme").get(pk=nomination.pk)
    existing = Erasure.objects.filter(nomination=nomination).first()
    if existing is not None:
        return existing
    now = timezone.now()
    needles = Needles.of(nomination, earlier_names(nomination))
    first, last = placeholder_name(nomination.pk)
    replacement = f"{first} {last}"

    consent = Consent.objects.filter(nomination=nomination).first()
    if consent is not None:
        consent.respondent_name = ""
        consent.wording = needles.scrub(consent.wording, replacement)
        consent.save(update_fields=["respondent_name", "wording"])
    links = ConsentLink.objects.filter(consent__nomination=nomination)
    for link in links:
        link.sent_to = ""
        link.token_hash = _random_hash()
        link.save(update_fields=["sent_to", "token_hash"])

    nomination.first_name, nomination.last_name = first, last
    nomination.date_of_birth = SENTINEL_DOB
    for field in [*NOMINATION_PERSONAL_FIELDS, "selection_reason"]:
        if field not in ("first_name", "last_name", "date_of_birth"):  # set just above
            setattr(nomination, field, "")
    nomination.save()

    counts = {"consent_links": len(links)}
    placement = getattr(nomination, "placement", None)
    if placement is not None:
        counts.update(_erase_placement(placement, needles, replacement, now))

    counts["emails"] = _scrub_emails(nomination, needles, replacement)
    rows = _student_rows(nomination)
    counts["audit_entries"] = _scrub_audit_log(rows, needles, replacement)
    counts["admin_log_entries"] = _scrub_admin_log(rows)

    erasure = Erasure.objects.create(
        nomination=nomination,
        erased_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        note=needles.scrub(note, replacement)[:300],
        summary=counts,
    )
    logger.info("Nomination %s erased (%s) by %s", nomination.pk, reason, getattr(actor, "pk", None))
    return erasure


# ------------------------------------------------------------------------------------------ the daily job


def retention_due(*, today):
    """Nominations whose retention period is over on `today`, oldest programme first."""
    from schools.models import Nomination

    candidates = (
        Nomination.objects.filter(erasure__isnull=True, programme__end_date__lt=today)
        .annotate(
            # Mentoring ends on its planned day, or earlier when it was ended (e.g. consent withdrawn).
            mentoring_ends=Max(
                Case(
                    When(
                        placement__mentor_assignments__status="ended",
                        then=TruncDate("placement__mentor_assignments__ended_at"),
                    ),
                    default=F("placement__mentor_assignments__ends_on"),
                    output_field=DateField(),
                )
            )
        )
        .values("pk", "programme__force_id", "programme__end_date", "placement__pk", "mentoring_ends")
        .order_by("programme__end_date", "pk")
    )
    policies = {}
    due = []
    for row in candidates.iterator(chunk_size=2000):
        force_id = row["programme__force_id"]
        policy = policies.get(force_id) or policies.setdefault(force_id, policy_for(force_id))
        ended = row["programme__end_date"]
        if row["placement__pk"] is None:
            until = add_months(ended, policy.not_placed_months)
        else:
            until = add_months(max(ended, row["mentoring_ends"] or ended), policy.placed_months)
        if until <= today:
            due.append(row["pk"])
    return due


def survey_text_due(*, today):
    """Free-text survey answers of programmes whose survey-text period is over (scores are kept)."""
    from placements.models import Programme
    from surveys.models import Answer, Invitation, Question

    policies, programme_ids = {}, []
    for programme in Programme.objects.filter(end_date__lt=today).only("pk", "force_id", "end_date"):
        force_id = programme.force_id
        policy = policies.get(force_id) or policies.setdefault(force_id, policy_for(force_id))
        if add_months(programme.end_date, policy.survey_text_months) <= today:
            programme_ids.append(programme.pk)
    answers = Answer.objects.filter(
        question__survey__programme_id__in=programme_ids, question__kind=Question.Kind.TEXT
    ).exclude(value_text="")
    drafts = Invitation.objects.filter(survey__programme_id__in=programme_ids).exclude(draft={})
    return answers, drafts


def retention_run(*, today):
    """Erase every student whose retention period is over, one transaction each; safe to run twice."""
    from schools.models import Nomination

    erased = 0
    for pk in retention_due(today=today):
        with transaction.atomic():
            nomination = Nomination.objects.filter(pk=pk, erasure__isnull=True).first()
            if nomination is not None:
                student_erase(nomination=nomination, actor=None, reason=Erasure.Reason.RETENTION)
                erased += 1
    with transaction.atomic():
        answers, drafts = survey_text_due(today=today)
        survey_text = answers.update(value_text="")
        drafts.update(draft={})
    return {"students_erased": erased, "survey_text_answers_erased": survey_text}


@transaction.atomic
def retention_policy_save(*, force, actor, not_placed_months, placed_months, survey_text_months):
    """Set a force's retention periods (in months)."""
    if min(not_placed_months, placed_months, survey_text_months) < 1:
        raise RetentionError("Every period must be at least one month.")
    policy, _ = RetentionPolicy.objects.update_or_create(
        force=force,
        defaults={
            "not_placed_months": not_placed_months,
            "placed_months": placed_months,
            "survey_text_months": survey_text_months,
        },
    )
    logger.info("Retention policy of force %s set by %s", force.pk, getattr(actor, "pk", None))
    return policy
