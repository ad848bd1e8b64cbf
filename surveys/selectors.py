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
from schools.models import NOMINATION_PERSONAL_FIELDS

from . import explain, paper, standard
from .models import Answer, Invitation, Question, Response, Survey
from .report import programme_reports
from .services import normalise_short_code, short_code_hash, survey_is_open, token_hash

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from placements.models import Force


def invitation_by_token(token: str | None) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return _one_invitation(token_hash=token_hash(token))


def invitation_by_short_code(code: str | None) -> Invitation | None:
    code = normalise_short_code(code)
    if not code:
        return None
    return _one_invitation(short_code_hash=short_code_hash(code))


def invitation_by_pk(pk: int | None) -> Invitation | None:
    return _one_invitation(pk=pk) if pk else None


def _one_invitation(**unique) -> Invitation | None:
    """The invitation with this unique value, or None. Sliced rather than `.first()`: the value is unique, so
    ordering is no use, and leaving it out saves the ORM building an ORDER BY on every student's page."""
    return next(iter(_invitation_queryset().filter(**unique)[:1]), None)


# What a student's survey pages never need of their nomination: left in the database, so a survey session
# does not even read a child's health, support or family details (and the row it reads is smaller). The
# personal fields are the project's own list, so a personal field added later is left out here too.
_NOT_FOR_THE_SURVEY = (
    *(name for name in NOMINATION_PERSONAL_FIELDS if name not in ("first_name", "last_name", "preferred_language")),
    "selection_reason",
    "week_choices",
)


def _invitation_queryset() -> QuerySet[Invitation]:
    return Invitation.objects.select_related("survey__programme__force", "placement__nomination__erasure").defer(
        *(f"placement__nomination__{name}" for name in _NOT_FOR_THE_SURVEY)
    )


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


def question_display(question: Question) -> dict[str, Any]:
    """A question as the surveys page lists it: its words, and how students answer, in words."""
    if question.kind == Question.Kind.LIKERT:
        answers = ", ".join(
            f"{n} {label.lower()}" for n, label in enumerate(standard.scale_labels(question.code, easy_read=False), 1)
        )
        answer = f"A scale of 1 to 5: {answers}"
    elif question.kind == Question.Kind.CHOICE:
        answer = "One of: " + "; ".join(str(label) for _code, label in question.choices)
    elif question.kind == Question.Kind.YES_NO:
        answer = "Yes or no"
    else:
        answer = "In their own words"
    return {
        "text": question.text,
        "easy_read_text": question.easy_read_text if question.easy_read_text != question.text else "",
        "text_cy": question.text_cy,
        "easy_read_text_cy": question.easy_read_text_cy if question.easy_read_text_cy != question.text_cy else "",
        "answer": answer,
        "required": question.required,
        "per_activity": standard.is_per_activity(question.code),
        "is_outcome": question.code.startswith(standard.OUTCOME_PREFIX),
    }


def surveys_with_questions(programme: Programme) -> list[Survey]:
    """The programme's surveys with counts (as the summary) and each one's questions in words (two queries)."""
    surveys = programme_surveys_summary(programme)["surveys"]
    by_survey = {survey.pk: [] for survey in surveys}
    for question in Question.objects.filter(survey__in=list(by_survey)):
        by_survey[question.survey_id].append(question_display(question))
    for survey in surveys:
        survey.question_list = by_survey[survey.pk]
    return surveys


def paper_sheet(survey: Survey) -> tuple[list[str], list[list[str]]]:
    """The paper answer sheet of a survey: its headings, and a row per confirmed student yet to answer.

    A cell is "not asked" for an activity the student's syndicate did not attend.
    """
    questions = list(survey.questions.all())
    attended = paper.attended_by_syndicate(survey.programme)
    invitations = (
        Invitation.objects.filter(
            survey=survey,
            answered_at__isnull=True,
            placement__status=Placement.Status.CONFIRMED,
            placement__nomination__erasure__isnull=True,
        )
        .select_related("placement__nomination__institution")
        .order_by(
            "placement__nomination__institution__name",
            "placement__nomination__last_name",
            "placement__nomination__first_name",
            "pk",
        )
    )
    header = [
        paper.REFERENCE_HEADER,
        paper.STUDENT_HEADER,
        paper.SCHOOL_HEADER,
        *(paper.question_header(question, number) for number, question in enumerate(questions, 1)),
    ]
    rows = [
        [
            paper.sheet_reference(invitation),
            invitation.placement.nomination.full_name,
            invitation.placement.nomination.institution.name,
            *(
                "" if paper.is_asked(question, invitation.placement.syndicate_id, attended) else paper.NOT_ASKED
                for question in questions
            ),
        ]
        for invitation in invitations
    ]
    return header, rows


def question_wordings(programmes: Iterable[Programme]) -> dict[str, str]:
    """Each question's words by its code, as the newest of these programmes asked it (else standard.py's).

    Pages show these words wherever a figure is about a question; the code stays a key only.
    """
    wordings = {
        code: text
        for code, _kind, text, _easy, _choices, _required, per_activity in (*standard.PRE, *standard.POST)
        if not per_activity
    }
    rows = (
        Question.objects.filter(survey__programme__in=programmes)
        .order_by("survey__programme__start_date", "survey__programme_id", "-survey__phase", "order")
        .values_list("code", "text")
    )
    wordings.update(rows)
    return wordings


def student_pseudonym(placement_id: int) -> str:
    """A stable id for one student across pre and post, that cannot be turned back into the placement."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"survey-export:{placement_id}".encode(), hashlib.sha256)
    return "S" + digest.hexdigest()[:12]


# Words, not field names: the file is read by people in a spreadsheet and is never imported again.
EXPORT_HEADER = [
    "Student (a pseudonym: the same for one student before and after)",
    "Programme",
    "Programme start",
    "Survey",
    "Paper or online",
    "Police was their first choice",
    "Question",
    "Answer type",
    "Answer",
]
PHASE_WORDS = {"pre": "Before the week", "post": "After the week"}


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
            "question__text",
            "question__kind",
            "question__choices",
            "value_int",
            "value_text",
        )
        .order_by("response__invitation__survey__programme__start_date", "response__invitation__placement_id", "pk")
    )
    kinds = dict(Question.Kind.choices)
    sources = dict(Response.Source.choices)
    for (
        placement_id,
        title,
        start,
        phase,
        source,
        first_choice,
        text,
        kind,
        choices,
        value_int,
        value_text,
    ) in answers.iterator(chunk_size=2000):
        if kind == Question.Kind.YES_NO and value_int is not None:
            answer = "yes" if value_int == 1 else "no"
        elif value_int is not None:
            answer = value_int
        elif kind == Question.Kind.CHOICE:
            answer = {str(code): str(label) for code, label in choices or []}.get(value_text, value_text)
        else:
            answer = value_text
        row = [
            student_pseudonym(placement_id),
            title,
            start.isoformat(),
            PHASE_WORDS.get(phase, phase),
            sources.get(source, source),
            "yes" if first_choice else "no",
            text,
            kinds.get(kind, kind),
            answer,
        ]
        yield row  # cells are made spreadsheet-safe by core.spreadsheets


def force_programmes_with_surveys(force: Force) -> list[Programme]:
    return list(Programme.objects.filter(force=force, surveys__isnull=False).distinct().order_by("start_date", "title"))


def force_comparison(force: Force) -> dict[str, list[Any]]:
    """Programmes side by side: each programme's report, and the codes they share, oldest first."""
    programmes = force_programmes_with_surveys(force)
    by_programme = programme_reports(programmes)
    reports = [by_programme[programme.pk] for programme in programmes]
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


# The shares of students the page of surveys across years shows under the questions: words, then the
# report's percentage and (where there is one) the number of students it is of.
_YEARS_SHARES = (
    ("Said their view of the police changed for the better", "perception_better_pct", "perception_change_n"),
    ("Would recommend the week to a friend", "would_recommend_pct", "would_recommend_n"),
    ("Had chosen the police as their first choice", "police_first_choice_pct", None),
)


def years_table(comparison: dict[str, list[Any]], wordings: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The table of surveys across years: a row per question (in its words, each programme's result and
    what the change means) and a row per share of students, a cell per programme."""
    programmes, reports = comparison["programmes"], comparison["reports"]
    rows = [
        {
            "text": wordings.get(row["code"], ""),
            "cells": [
                {"programme": programme, "result": cell, "verdict": cell and explain.change_verdict(cell)}
                for programme, cell in zip(programmes, row["cells"], strict=True)
            ],
        }
        for row in comparison["rows"]
    ]
    share_rows = [
        {
            "text": text,
            "cells": [
                {"programme": programme, "pct": report[pct], "n": report[n] if n else None}
                for programme, report in zip(programmes, reports, strict=True)
            ],
        }
        for text, pct, n in _YEARS_SHARES
    ]
    return {"rows": rows, "share_rows": share_rows}
