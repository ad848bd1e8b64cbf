"""The outbox's personal data: emails about a student, found by their link to the nomination."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import OutboundEmail, OutboundSms
from .personal_data import Erasing, Needles, PersonalData, registry

ERASED_EMAIL_SUBJECT = "Erased"
ERASED_EMAIL_BODY = "This email was about a student whose personal data has been erased."
NOT_SENT_ERASED = "Not sent: the student's personal data was erased."


def emails_about(nomination: Any) -> QuerySet[OutboundEmail]:
    """Outbox emails about the student, found by their link to the nomination (whatever name they used)."""
    return OutboundEmail.objects.filter(students=nomination)


def emails_about_only(nomination: Any) -> QuerySet[OutboundEmail]:
    """Outbox emails about this student and no other (not, e.g., a school's list of survey links)."""
    others = OutboundEmail.students.through.objects.exclude(nomination=nomination).values("outboundemail_id")
    return emails_about(nomination).exclude(pk__in=others)


def _unlinked_emails_naming(needles: Needles) -> QuerySet[OutboundEmail]:
    """Emails queued before the outbox named its students: found by address or the current name (best effort)."""
    q = needles.text_filter("subject", "body_text", "body_html")
    if needles.emails:
        q |= Q(to__in=needles.emails)
    return OutboundEmail.objects.filter(q, students__isnull=True) if q else OutboundEmail.objects.none()


def _export_emails(nomination: Any) -> QuerySet[OutboundEmail]:
    """The emails of a subject access export: about this student alone, or (older rows) sent to them."""
    addresses = registry.identify(nomination).emails
    legacy = OutboundEmail.objects.filter(students__isnull=True, to__in=addresses) if addresses else None
    emails = emails_about_only(nomination)
    return (emails | legacy).distinct() if legacy is not None else emails


class OutboxPersonalData(PersonalData):
    """Emails about the student: by key, never by text (an email to a school may list several students)."""

    order = 100
    holds = ("core.outboundemail",)

    def export_rows(self, nomination: Any) -> dict[str, list]:
        return {"emails": list(_export_emails(nomination))}

    def erase(self, erasing: Erasing) -> dict[str, int]:
        """Emails about the student (by key) lose what they said; older unlinked ones are scrubbed by text.

        An email about this student alone keeps only that it was sent (kind, when, to a school or staff
        address); one still waiting is not sent. One about several students (a school's survey links)
        loses this student's names and still goes to the others.
        """
        nomination, needles, replacement = erasing.nomination, erasing.needles, erasing.replacement
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
        return {"emails": len(emails)}


class TextOutboxPersonalData(PersonalData):
    """Text messages about the student (a reminder to their family): found by key, as the emails are."""

    order = 101
    holds = ("core.outboundsms",)

    def rows(self, nomination: Any) -> dict[str, list]:
        return {"text_messages": list(OutboundSms.objects.filter(students=nomination))}

    def erase(self, erasing: Erasing) -> dict[str, int]:
        """A text about the student keeps only that it was sent (kind, when); one still waiting is not sent."""
        texts = list(OutboundSms.objects.filter(students=erasing.nomination))
        for sms in texts:
            erased_to = f"erased-{erasing.nomination.pk}"
            sms.dedupe_key = erasing.needles.scrub(sms.dedupe_key.replace(sms.to, erased_to), erasing.replacement)
            sms.to, sms.body = erased_to, ERASED_EMAIL_BODY.replace("email", "text message")
            if sms.sent_at is None:
                sms.failed_attempts, sms.last_error = OutboundSms.MAX_ATTEMPTS, NOT_SENT_ERASED
            sms.save(update_fields=["to", "body", "dedupe_key", "failed_attempts", "last_error"])
        return {"text_messages": len(texts)}


def register() -> None:
    registry.register(OutboxPersonalData())
    registry.register(TextOutboxPersonalData())
