"""Writes for the email outbox: queue an email with its change, send it once."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .attachments import attachments_make
from .links import links_resolve
from .models import OutboundEmail, OutboundSms
from .sms import sms_backend

if TYPE_CHECKING:
    from django.db.models import Model

logger = logging.getLogger(__name__)


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """Plain-text parts are not HTML: render them without HTML escaping."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def email_render(*, kind: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and plain-text body of `emails/<kind>_*`, as queued: for a page that shows an email first."""
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(_render_text(f"emails/{kind}_subject.txt", context).split())
    return subject, _render_text(f"emails/{kind}_body.txt", context)


def email_queue(
    *,
    kind: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    force: Model | None = None,
    about: Iterable[Model] = (),
    to_student: bool = False,
    attachments: Iterable[tuple[str, int]] = (),
) -> OutboundEmail:
    """Render `emails/<kind>_*` and record the email; it is sent by Celery after the transaction commits.

    `about`: the nominations of the students the email is about (erasure and the subject access
    export find it by them); `to_student`: it goes to the student or their guardian. Links with a
    token must be given as `core.links.link_marker(...)`, never as the link itself.
    `attachments`: `(kind, pk)` of each file to attach, made at send time (core.attachments).
    Calling it again with the same `dedupe_key` does nothing, so a retried action never emails twice.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject, body_text = email_render(kind=kind, context=context)
    try:
        body_html = render_to_string(f"emails/{kind}_body.html", context)
    except TemplateDoesNotExist:
        # One layout for every email: the force, the programme and its dates, then the text itself.
        layout = {**context, "subject": subject, "body_text": body_text, "email_force": force}
        body_html = render_to_string("emails/_layout.html", layout)
    email, created = OutboundEmail.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "kind": kind,
            "to": to,
            "subject": subject[:300],
            "body_text": body_text,
            "body_html": body_html,
            "force": force,
            "to_student": to_student,
            "attachments": [[kind, pk] for kind, pk in attachments],
        },
    )
    if created:
        if about:
            email.students.add(*about)
        from .tasks import enqueue, send_email

        transaction.on_commit(lambda: enqueue(send_email, email.pk))
    return email


def outbound_email_send(*, email_id: int) -> bool:
    """Send one outbox email if it has not been sent; safe to call twice or concurrently."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().pending().filter(pk=email_id).first()
        if email is None:
            return False
        # The working links exist only in the message handed to the mail server, never in the row.
        made = {}
        body_text = links_resolve(email.body_text, made)
        message = EmailMultiAlternatives(email.subject, body_text, settings.DEFAULT_FROM_EMAIL, [email.to])
        if email.body_html:
            message.attach_alternative(links_resolve(email.body_html, made), "text/html")
        for attachment in attachments_make(email.attachments):
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        try:
            message.send()
        except Exception as exc:  # noqa: BLE001 - any mail failure is retried by the sweeper
            email.failed_attempts += 1
            email.last_error = str(exc)[:300]
            email.save(update_fields=["failed_attempts", "last_error"])
            logger.warning("Email %s failed: %s", email.pk, exc)
            return False
        email.sent_at = timezone.now()
        email.save(update_fields=["sent_at"])
        return True


# --- text messages -------------------------------------------------------------------------------------

# A text longer than three parts costs more and reads badly on a phone: the templates stay short.
SMS_MAX_LENGTH = 459


def sms_render(*, kind: str, context: dict[str, Any]) -> str:
    """The text of `sms/<kind>.txt` as queued (links still markers), on one paragraph per blank line."""
    context = {"site_url": settings.SITE_URL, **context}
    text = _render_text(f"sms/{kind}.txt", context)
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def sms_queue(
    *,
    kind: str,
    to: str,
    context: dict[str, Any],
    dedupe_key: str,
    force: Model | None = None,
    about: Iterable[Model] = (),
    to_student: bool = True,
) -> OutboundSms:
    """Render `sms/<kind>.txt` and record the text for `to` (international form); Celery sends it after commit.

    Only for a number its owner agreed to be texted at (the caller checks). Same `dedupe_key`: nothing new.
    """
    body = sms_render(kind=kind, context=context)
    sms, created = OutboundSms.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"kind": kind, "to": to, "body": body, "force": force, "to_student": to_student},
    )
    if created:
        if about:
            sms.students.add(*about)
        from .tasks import enqueue, send_sms

        transaction.on_commit(lambda: enqueue(send_sms, sms.pk))
    return sms


def outbound_sms_send(*, sms_id: int) -> bool:
    """Send one outbox text if it has not been sent; safe to call twice or concurrently."""
    with transaction.atomic():
        sms = OutboundSms.objects.select_for_update().pending().filter(pk=sms_id).first()
        if sms is None:
            return False
        try:
            reference = sms_backend().send(to=sms.to, body=links_resolve(sms.body), reference=f"sms-{sms.pk}")
        except Exception as exc:  # noqa: BLE001 - any provider failure is retried by the sweeper
            sms.failed_attempts += 1
            sms.last_error = str(exc)[:300]
            sms.save(update_fields=["failed_attempts", "last_error"])
            logger.warning("Text %s failed: %s", sms.pk, exc)
            return False
        sms.sent_at = timezone.now()
        sms.provider_reference = (reference or "")[:100]
        sms.save(update_fields=["sent_at", "provider_reference"])
        return True
