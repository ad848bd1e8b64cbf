"""What surveys give the programme set-up (placements.hooks): the programme's questionnaires to copy."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count

from placements.hooks import CopyContext, CopyItem, ProgrammeCopier, register_programme_copier
from placements.models import Programme

from . import question_cache
from .models import Question, Survey


def surveys_describe(source: Programme) -> list[CopyItem]:
    order = list(Survey.Phase.values)  # before, then after
    surveys = sorted(source.surveys.annotate(question_count=Count("questions")), key=lambda s: order.index(s.phase))
    if not surveys:
        return [
            CopyItem(
                "Surveys: this programme has none to copy; set them up from your force's standard questions later",
                copied=False,
            )
        ]
    questions = sum(s.question_count for s in surveys)
    phases = " and ".join(s.get_phase_display().lower() for s in surveys)
    return [
        CopyItem(
            f"{len(surveys)} survey{'s' * (len(surveys) != 1)} ({phases}) with their {questions} "
            f"question{'s' * (questions != 1)}; their opening times move with the dates"
        ),
        CopyItem("Survey invitations and students' answers: never copied", copied=False),
    ]


def surveys_copy(context: CopyContext) -> list[str]:
    shift = timedelta(days=context.shift_days)
    questions = []
    for survey in context.source.surveys.prefetch_related("questions"):
        copy = Survey.objects.create(
            programme=context.target,
            phase=survey.phase,
            title=survey.title,
            intro=survey.intro,
            title_cy=survey.title_cy,
            intro_cy=survey.intro_cy,
            opens_at=survey.opens_at + shift if survey.opens_at else None,
            closes_at=survey.closes_at + shift if survey.closes_at else None,
        )
        questions.extend(
            Question(
                survey=copy,
                code=q.code,
                kind=q.kind,
                text=q.text,
                easy_read_text=q.easy_read_text,
                text_cy=q.text_cy,
                easy_read_text_cy=q.easy_read_text_cy,
                choices=q.choices,
                choices_cy=q.choices_cy,
                order=q.order,
                required=q.required,
                learning_outcome_id=q.learning_outcome_id,
            )
            for q in survey.questions.all()
        )
    Question.objects.bulk_create(questions)
    question_cache.questions_changed()  # bulk_create sends no signal
    return []


def register() -> None:
    register_programme_copier(ProgrammeCopier(order=30, name="surveys", describe=surveys_describe, copy=surveys_copy))
