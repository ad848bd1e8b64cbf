"""Reads for surveys: invitations by token, the programme section, comparisons across years, the export."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from placements.models import Placement, Programme

from .models import Answer, Invitation, Survey
from .report import programme_report
from .services import normalise_short_code, short_code_hash, survey_is_open, token_hash

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from placements.models import Force


def invitation_by_token(token: str | None) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return _invitation_queryset().filter(token_hash=token_hash(token)).first()


def invitation_by_short_code(code: str | None) -> Invitation | None:
    code = normalise_short_code(code)
    if not code:
        return None
    return _invitation_queryset().filter(short_code_hash=short_code_hash(code)).first()


def invitation_by_pk(pk: int | None) -> Invitation | None:
    return _invitation_queryset().filter(pk=pk).first() if pk else None


def _invitation_queryset() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("survey__programme__force", "placement__nomination__erasure")


def invitation_state(invitation: Invitation, now: datetime | None = None) -> str:
    """'open', 'answered', 'closed', 'not_open' or 'withdrawn'."""
    now = now or timezone.now()
    if invitation.answered_at is not None:
        return "answered"
    # Erased students keep their placement for the figures, but a survey still open in a session stops.
    if invitation.placement.status != Placement.Status.CONFIRMED or hasattr(invitation.placement.nomination, "erasure"):
        return "withdrawn"
    survey = invitation.survey
    if survey.closes_at is not None and now >= survey.closes_at:
        return "closed"
    if not survey_is_open(survey, now):
        return "not_open"
    return "open"


def programme_surveys_summary(programme: Programme) -> dict[str, list[Survey]]:
    """For the programme page's section: each survey with its invitation and response counts."""
    surveys = Survey.objects.filter(programme=programme).annotate(
        invited=Count("invitations", distinct=True),
        answered=Count("invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True),
        questions_n=Count("questions", distinct=True),
    )
    return {"surveys": list(surveys)}


def student_pseudonym(placement_id: int) -> str:
    """A stable id for one student across pre and post, that cannot be turned back into the placement."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"survey-export:{placement_id}".encode(), hashlib.sha256)
    return "S" + digest.hexdigest()[:12]


EXPORT_HEADER = [
    "student",
    "programme",
    "programme_start",
    "phase",
    "source",
    "police_first_choice",
    "question",
    "kind",
    "answer",
]


def export_rows(programmes: Iterable[Programme]) -> Iterator[list[Any]]:
    """Anonymised answers: no names, no dates of birth, a pseudonym linking one student's pre and post."""
    answers = (
        Answer.objects.filter(response__invitation__survey__programme__in=programmes)
        .select_related(None)
        .values_list(
            "response__invitation__placement_id",
            "response__invitation__survey__programme__title",
            "response__invitation__survey__programme__start_date",
            "response__invitation__survey__phase",
            "response__source",
            "response__invitation__placement__nomination__police_first_choice",
            "question__code",
            "question__kind",
            "value_int",
            "value_text",
        )
        .order_by("response__invitation__survey__programme__start_date", "response__invitation__placement_id", "pk")
    )
    for placement_id, title, start, phase, source, first_choice, code, kind, value_int, value_text in answers.iterator(
        chunk_size=2000
    ):
        if kind == "yes_no" and value_int is not None:
            answer = "yes" if value_int == 1 else "no"
        elif value_int is not None:
            answer = value_int
        else:
            answer = value_text
        row = [
            student_pseudonym(placement_id),
            title,
            start.isoformat(),
            phase,
            source,
            "yes" if first_choice else "no",
            code,
            kind,
            answer,
        ]
        yield row  # cells are made spreadsheet-safe by core.spreadsheets


def force_programmes_with_surveys(force: Force) -> list[Programme]:
    return list(Programme.objects.filter(force=force, surveys__isnull=False).distinct().order_by("start_date", "title"))


def force_comparison(force: Force) -> dict[str, list[Any]]:
    """Programmes side by side: each programme's report, and the codes they share, oldest first."""
    programmes = force_programmes_with_surveys(force)
    reports = [programme_report(programme) for programme in programmes]
    codes = []
    for report in reports:
        for item in report["questions"]:
            if item["code"] not in codes:
                codes.append(item["code"])
    rows = []
    for code in codes:
        cells = []
        for report in reports:
            match = next((q for q in report["questions"] if q["code"] == code), None)
            cells.append(match)
        rows.append({"code": code, "cells": cells})
    return {"programmes": programmes, "reports": reports, "rows": rows}
