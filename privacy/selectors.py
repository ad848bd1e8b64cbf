"""Reads of the privacy app: retention policies, what is due, and the subject access export.

It asks the personal-data registry (core/personal_data.py) what each app holds about a student;
it never names another app's tables.
"""

from __future__ import annotations

import calendar
import io
import json
import zipfile
from datetime import date

from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from core.personal_data import registry
from placements.models import Programme
from schools.models import Nomination

from .models import RetentionPolicy


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def policy_for(force_id: int) -> RetentionPolicy:
    """The force's policy, or the defaults (not saved) when it has not set one."""
    return RetentionPolicy.objects.filter(force_id=force_id).first() or RetentionPolicy(force_id=force_id)


def earlier_names(nomination: Nomination) -> tuple[str, ...]:
    """Full names the student had in the admin's history (its "Recent actions" shows them)."""
    content_type = ContentType.objects.get_for_model(type(nomination))
    reprs = AdminLogEntry.objects.filter(content_type=content_type, object_id=str(nomination.pk))
    return tuple(dict.fromkeys(r for r in reprs.values_list("object_repr", flat=True) if r))


def student_rows(nomination: Nomination) -> dict[str, list]:
    """Every row held about one student, grouped by what it is (as every app declares it)."""
    rows: dict[str, list] = {}
    for declaration in registry:
        rows.update(declaration.rows(nomination))
    return rows


# Fields left out of the export: secrets that would let the holder of the ZIP open links.
EXPORT_EXCLUDE = {"token_hash", "token_salt", "short_code_hash", "verification_code"}


def student_export(*, nomination: Nomination) -> bytes:
    """The subject access export: a ZIP of JSON of everything held about one student, and certificate PDFs."""
    data, files = {}, []
    for declaration in registry:
        rows = declaration.export_rows(nomination)
        for key, objects in rows.items():
            serialised = serializers.serialize("python", objects)
            for obj, item in zip(objects, serialised, strict=True):
                for name in EXPORT_EXCLUDE:
                    item["fields"].pop(name, None)
                declaration.export_item(key, obj, item)
            data[key] = serialised
        files += list(declaration.export_files(rows))
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
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def retention_due(*, today: date) -> list[int]:
    """Nominations whose retention period is over on `today`, oldest programme first."""
    dates = {name: expr for declaration in registry for name, expr in declaration.retention_dates().items()}
    candidates = (
        Nomination.objects.filter(erasure__isnull=True, programme__end_date__lt=today)
        .annotate(**dates)
        .values("pk", "programme__force_id", "programme__end_date", "placement__pk", *dates)
        .order_by("programme__end_date", "pk")
    )
    policies: dict[int, RetentionPolicy] = {}
    due = []
    for row in candidates.iterator(chunk_size=2000):
        force_id = row["programme__force_id"]
        policy = policies.get(force_id) or policies.setdefault(force_id, policy_for(force_id))
        ended = row["programme__end_date"]
        if row["placement__pk"] is None:
            until = add_months(ended, policy.not_placed_months)
        else:
            until = add_months(max(ended, *(row[name] or ended for name in dates)), policy.placed_months)
        if until <= today:
            due.append(row["pk"])
    return due


def survey_text_programmes(*, today: date) -> list[int]:
    """Programmes whose free-text survey answers are past their (shorter) retention period."""
    policies: dict[int, RetentionPolicy] = {}
    programme_ids = []
    for programme in Programme.objects.filter(end_date__lt=today).only("pk", "force_id", "end_date"):
        force_id = programme.force_id
        policy = policies.get(force_id) or policies.setdefault(force_id, policy_for(force_id))
        if add_months(programme.end_date, policy.survey_text_months) <= today:
            programme_ids.append(programme.pk)
    return programme_ids
