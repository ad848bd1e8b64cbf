"""Retention and erasure of students' personal data.

Erasure overwrites personal fields in place instead of deleting rows: the nomination, placement,
attendance, survey scores, certificates (revoked) and mentoring rows stay, so every survey report and
budget figure is the same afterwards, and nothing left names the student. What each app holds, and
how to erase it, is declared next to its models (`<app>/privacy.py`, core/personal_data.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING

from auditlog.models import LogEntry
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.audit import audit_action
from core.errors import DomainError
from core.personal_data import ERASED, Erasing, Needles, anonymous_name, registry
from placements.services import force_language_set
from schools.models import Nomination

from .models import Erasure, ForceNotice, RetentionPolicy
from .notices import HTML_TAG
from .selectors import earlier_names, retention_due, student_rows, survey_text_programmes

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from placements.models import Force

logger = logging.getLogger(__name__)


class RetentionError(DomainError):
    """An erasure or export that cannot be done, with a message for the coordinator."""


def _student_objects(rows: dict[str, list]) -> Iterator[tuple[ContentType, list[str]]]:
    """(content type, [pk as text]) of every row held about the student."""
    for objects in rows.values():
        if objects:
            yield ContentType.objects.get_for_model(type(objects[0])), [str(obj.pk) for obj in objects]


def _scrub_audit_log(rows: dict[str, list], needles: Needles, replacement: str) -> int:
    """Every audit entry of the student's rows, found by content type and object id (not by text).

    The entry stays (who did what, when) but is named in words that hold no name (the row's kind and
    programme, as the app declares them), and any name left in its data (entries written before names
    were masked) is rewritten.
    """
    count = 0
    names = {
        (type(obj)._meta.label_lower, str(obj.pk)): registry.trail_name(obj) or anonymous_name(obj._meta.verbose_name)
        for objects in rows.values()
        for obj in objects
    }
    for content_type, pks in _student_objects(rows):
        for entry in LogEntry.objects.filter(content_type=content_type, object_pk__in=pks):
            values = {f: getattr(entry, f) for f in ("changes_text", "changes", "serialized_data", "additional_data")}
            scrubbed = {
                name: needles.scrub(value, replacement)
                if isinstance(value, str)
                else (json.loads(needles.scrub(json.dumps(value), replacement)) if value is not None else None)
                for name, value in values.items()
            }
            repr_ = names[f"{content_type.app_label}.{content_type.model}", entry.object_pk]
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_, **scrubbed)
            count += 1
    return count


def _scrub_admin_log(rows: dict[str, list]) -> int:
    """The Django admin's history of the student's rows keeps who changed what and when, not names."""
    count = 0
    for content_type, pks in _student_objects(rows):
        count += AdminLogEntry.objects.filter(content_type=content_type, object_id__in=pks).update(
            object_repr="", change_message=""
        )
    return count


@transaction.atomic
def student_erase(*, nomination: Nomination, actor: AbstractBaseUser | None, reason: str, note: str = "") -> Erasure:
    """Erase one student's personal data, keeping anonymised records; erasing twice changes nothing."""
    if reason not in Erasure.Reason.values:
        raise RetentionError("Choose why the student's data is erased.")
    nomination = Nomination.objects.select_for_update().select_related("programme").get(pk=nomination.pk)
    existing = Erasure.objects.filter(nomination=nomination).first()
    if existing is not None:
        return existing
    needles = registry.identify(nomination, earlier_names(nomination))
    erasing = Erasing(
        nomination=nomination, needles=needles, replacement=f"{ERASED} #{nomination.pk}", now=timezone.now()
    )

    counts: dict[str, int] = {}
    for declaration in registry:
        counts.update(declaration.erase(erasing))
    rows = student_rows(nomination)
    counts["audit_entries"] = _scrub_audit_log(rows, needles, erasing.replacement)
    counts["admin_log_entries"] = _scrub_admin_log(rows)

    erasure = Erasure.objects.create(
        nomination=nomination,
        erased_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        note=needles.scrub(note, erasing.replacement)[:300],
        summary=counts,
    )
    logger.info("Nomination %s erased (%s) by %s", nomination.pk, reason, getattr(actor, "pk", None))
    return erasure


def retention_run(*, today: date) -> dict[str, int]:
    """Erase every student whose retention period is over, one transaction each; safe to run twice."""
    erased = 0
    for pk in retention_due(today=today):
        with transaction.atomic():
            nomination = Nomination.objects.filter(pk=pk, erasure__isnull=True).first()
            if nomination is not None:
                student_erase(nomination=nomination, actor=None, reason=Erasure.Reason.RETENTION)
                erased += 1
    with transaction.atomic():
        programme_ids = survey_text_programmes(today=today)
        survey_text = sum(declaration.erase_free_text(programme_ids=programme_ids) for declaration in registry)
    return {"students_erased": erased, "survey_text_answers_erased": survey_text}


@transaction.atomic
def retention_policy_save(
    *,
    force: Force,
    actor: AbstractBaseUser | None,
    not_placed_months: int,
    placed_months: int,
    survey_text_months: int,
) -> RetentionPolicy:
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
    audit_action(
        actor=actor,
        action="Retention periods changed",
        instance=policy,
        students_without_a_place=f"{not_placed_months} months",
        students_who_took_part=f"{placed_months} months",
        free_text_survey_answers=f"{survey_text_months} months",
    )
    return policy


class NoticeError(DomainError):
    """A privacy notice or accessibility statement that cannot be saved, with a message for the coordinator."""


# What a coordinator can change on the notices page, and how the audit trail names it.
NOTICE_PARTS = {
    "contact_email": "Public contact email",
    "data_protection_officer": "Data protection officer contact",
    "privacy_notice": "Privacy notice",
    "accessibility_statement": "Accessibility statement",
}


@transaction.atomic
def force_notice_save(
    *,
    force: Force,
    actor: AbstractBaseUser | None,
    contact_email: str,
    data_protection_officer: str,
    privacy_notice: str,
    accessibility_statement: str,
    default_language: str | None = None,
) -> ForceNotice:
    """Set a force's public contact, privacy notice and accessibility statement (an empty text: the standard one)."""
    values = {
        "contact_email": contact_email.strip(),
        "data_protection_officer": data_protection_officer.strip(),
        "privacy_notice": privacy_notice.strip(),
        "accessibility_statement": accessibility_statement.strip(),
    }
    if any(HTML_TAG.search(values[name]) for name in ("privacy_notice", "accessibility_statement")):
        raise NoticeError("The privacy notice and accessibility statement are plain text: remove the HTML tags.")
    if default_language is not None:
        force_language_set(force=force, language=default_language, actor=actor)
    notice = ForceNotice.objects.select_for_update().filter(force=force).first() or ForceNotice(force=force)
    changed = [label for name, label in NOTICE_PARTS.items() if getattr(notice, name) != values[name]]
    if not changed:
        return notice
    for name, value in values.items():
        setattr(notice, name, value)
    notice.save()
    audit_action(actor=actor, action="Privacy notice updated", instance=notice, changed=changed)
    return notice
