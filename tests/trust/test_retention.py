"""Retention and erasure: after the retention job on the demo data every survey report and budget figure is
the same, and no erased student's name or date of birth remains in any text column of any table."""

import io
import json
import re
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from core.personal_data import SENTINEL_DOB
from placements.models import Programme
from placements.selectors import budget_summary
from privacy.models import Erasure, RetentionPolicy
from privacy.selectors import add_months, retention_due
from privacy.services import retention_run, student_erase
from schools.models import Nomination

FAR_FUTURE = date(2040, 1, 1)


def _seed(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())


def _survey_reports():
    reports = {}
    for programme in Programme.objects.order_by("pk"):
        out = io.StringIO()
        call_command("survey_report", str(programme.pk), "--json", stdout=out)
        reports[programme.pk] = json.loads(out.getvalue())
    return reports


def _budget_figures():
    figures = {}
    for programme in Programme.objects.order_by("pk"):
        summary = budget_summary(programme=programme)
        figures[programme.pk] = {
            "lines": [(line.category, line.planned, line.actual) for line in summary["lines"]],
            "entries": [(entry.date, entry.amount) for entry in summary["entries"]],
            **{key: summary[key] for key in ("planned", "actual", "students", "cost_per_student", "hours")},
        }
    return figures


def _identities(nominations):
    """For each student: the strings that would identify them (names as whole words, dates of birth)."""
    result = {}
    for n in nominations:
        dob = n.date_of_birth
        result[n.pk] = {
            "names": {n.first_name, n.last_name, f"{n.first_name} {n.last_name}"},
            "dob": {dob.isoformat(), dob.strftime("%d/%m/%Y")},
        }
    return result


def _text_columns():
    """Every text, char and JSON column of every model, third-party tables included."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if fields:
            yield model, fields


def _all_text():
    """(table.column#pk, text) for every non-empty text value in the database."""
    for model, fields in _text_columns():
        for row in model._base_manager.values_list("pk", *fields).iterator():
            pk, *values = row
            for field, value in zip(fields, values, strict=True):
                if value in (None, "", {}, []):
                    continue
                text = value if isinstance(value, str) else json.dumps(value, default=str)
                yield f"{model._meta.db_table}.{field}#{pk}", text


# Rows that never hold a student's personal data: the words in them are the product's own vocabulary
# (staff names, activity titles, survey questions), which a one-word student name may coincide with.
VOCABULARY_SOURCES = {
    "placements.ForcePerson": ["name"],
    "placements.Department": ["name"],
    "placements.Activity": ["title", "description"],
    "placements.Programme": ["title"],
    "schools.Institution": ["name"],
    "schools.InstitutionContact": ["name"],
    "surveys.Question": ["text", "easy_read_text"],
    "surveys.TemplateQuestion": ["text", "easy_read_text"],
}


def _product_vocabulary():
    words = set()
    for label, fields in VOCABULARY_SOURCES.items():
        for row in apps.get_model(label).objects.values_list(*fields):
            for value in row:
                words.update(re.findall(r"\w+", value.lower()))
    return frozenset(words)


def _leaks(identities, *, keep_names=frozenset()):
    """Every place a removed identity still appears. `keep_names`: words that also name someone kept."""
    patterns = []
    for pk, identity in identities.items():
        # Full names always count; a one-word name only when it is not also a word the product uses.
        words = [re.escape(name) for name in identity["names"] if " " in name or name.lower() not in keep_names]
        words += [re.escape(d) for d in identity["dob"]]
        patterns.append((pk, re.compile(r"(?<![\w])(" + "|".join(words) + r")(?![\w])", re.IGNORECASE)))
    found = []
    for where, text in _all_text():
        for pk, pattern in patterns:
            match = pattern.search(text)
            if match:
                found.append((pk, where, match.group(0)))
    dobs = {date.fromisoformat(next(d for d in i["dob"] if "-" in d)) for i in identities.values()}
    found += [
        (pk, "schools_nomination.date_of_birth", str(dob))
        for pk, dob in Nomination.objects.filter(pk__in=identities, date_of_birth__in=dobs).values_list(
            "pk", "date_of_birth"
        )
    ]
    return found


@pytest.mark.django_db
def test_everyone_erased_leaves_reports_and_budget_unchanged_and_no_name_or_birthday(settings, tmp_path):
    _seed(settings, tmp_path)
    reports, budget = _survey_reports(), _budget_figures()
    assert any(r["respondents"]["paired"] for r in reports.values()), "the demo must have survey answers"
    identities = _identities(Nomination.objects.all())
    assert _leaks(identities), "the scan must find the students before erasure"
    keep = _product_vocabulary()
    assert "young" in keep  # the demo has a student called Young and an activity for "young people"

    result = retention_run(today=FAR_FUTURE)

    assert result["students_erased"] == len(identities)
    assert _survey_reports() == reports
    assert _budget_figures() == budget
    leaks = _leaks(identities, keep_names=keep)
    assert leaks == [], "\n".join(map(str, leaks))


@pytest.mark.django_db
def test_retention_today_on_demo_erases_only_students_whose_period_is_over(settings, tmp_path):
    _seed(settings, tmp_path)
    week = Programme.objects.get(start_date=date(2026, 7, 13))
    today = add_months(week.end_date, 3)
    not_placed = set(week.nominations.filter(placement__isnull=True).values_list("pk", flat=True))
    placed = set(week.nominations.filter(placement__isnull=False).values_list("pk", flat=True))
    assert not_placed and placed
    reports, budget = _survey_reports(), _budget_figures()
    kept_identities = _identities(Nomination.objects.exclude(pk__in=not_placed))
    erased_identities = _identities(Nomination.objects.filter(pk__in=not_placed))

    assert not set(retention_due(today=today - timedelta(days=1))) & not_placed
    result = retention_run(today=today)

    assert result["students_erased"] == len(not_placed)
    assert set(Erasure.objects.values_list("nomination_id", flat=True)) == not_placed
    assert _survey_reports() == reports
    assert _budget_figures() == budget
    kept_words = _product_vocabulary() | {
        name.lower() for i in kept_identities.values() for name in i["names"] if " " not in name
    }
    assert _leaks(erased_identities, keep_names=kept_words) == []
    # Placed students are kept until their period (12 months after mentoring or the programme) is over.
    assert Nomination.objects.filter(pk__in=placed, date_of_birth=SENTINEL_DOB).count() == 0
    # The job is idempotent: a second run erases nothing and changes nothing.
    assert retention_run(today=today) == {"students_erased": 0, "survey_text_answers_erased": 0}


@pytest.mark.django_db
def test_policy_periods_decide_who_is_due(force_a):
    from tests import factories as f

    programme = f.ProgrammeFactory(force=force_a)  # ends 2027-07-16
    placement = f.PlacementFactory(programme=programme)
    unmentored = f.PlacementFactory(programme=programme)
    left_out = f.NominationFactory(programme=programme, status=Nomination.Status.NOT_SELECTED)
    f.MentorAssignmentFactory(placement=placement, ends_on=date(2028, 7, 19))
    RetentionPolicy.objects.create(force=force_a, not_placed_months=2, placed_months=6, survey_text_months=1)

    assert retention_due(today=date(2027, 9, 15)) == []
    assert retention_due(today=date(2027, 9, 16)) == [left_out.pk]
    assert retention_due(today=date(2028, 1, 16)) == [unmentored.nomination_id, left_out.pk]
    # Mentored: six months after mentoring ends, not after the programme.
    assert placement.nomination_id not in retention_due(today=date(2029, 1, 18))
    assert placement.nomination_id in retention_due(today=date(2029, 1, 19))


@pytest.mark.django_db
def test_mentoring_ended_early_counts_from_the_day_it_ended(force_a):
    from datetime import datetime

    from django.utils import timezone

    from tests import factories as f

    placement = f.PlacementFactory(programme=f.ProgrammeFactory(force=force_a))  # programme ends 2027-07-16
    f.MentorAssignmentFactory(
        placement=placement,
        ends_on=date(2028, 7, 19),
        status="ended",
        ended_at=timezone.make_aware(datetime(2027, 10, 1, 12, 0)),
    )
    RetentionPolicy.objects.create(force=force_a, placed_months=6)
    assert retention_due(today=date(2028, 3, 31)) == []
    assert retention_due(today=date(2028, 4, 1)) == [placement.nomination_id]


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 7, 17), 12) == date(2027, 7, 17)


@pytest.mark.django_db
def test_erasing_twice_is_a_no_op(coordinator, force_a):
    from tests import factories as f

    nomination = f.NominationFactory(programme__force=force_a, first_name="Ottoline", last_name="Quade")
    first = student_erase(nomination=nomination, actor=coordinator, reason=Erasure.Reason.REQUEST, note="Ref 12")
    nomination.refresh_from_db()
    updated = nomination.updated_at
    second = student_erase(nomination=nomination, actor=coordinator, reason=Erasure.Reason.REQUEST)
    nomination.refresh_from_db()
    assert first.pk == second.pk
    assert Erasure.objects.count() == 1
    assert nomination.updated_at == updated
    assert (nomination.first_name, nomination.last_name) == ("Erased", f"#{nomination.pk}")


@pytest.mark.django_db
def test_daily_task_is_scheduled_and_erases_what_is_due(force_a, settings):
    import time_machine

    from privacy.tasks import retention_daily
    from tests import factories as f

    assert settings.CELERY_BEAT_SCHEDULE["core-retention-daily"]["task"] == retention_daily.name
    left_out = f.NominationFactory(programme__force=force_a, status=Nomination.Status.NOT_SELECTED)
    with time_machine.travel(date(2027, 10, 16), tick=False):  # the programme ended 2027-07-16: 3 months later
        assert retention_daily.delay().get() == {"students_erased": 1, "survey_text_answers_erased": 0}
        assert retention_daily.delay().get() == {"students_erased": 0, "survey_text_answers_erased": 0}
    left_out.refresh_from_db()
    assert left_out.first_name == "Erased" and left_out.erasure.reason == Erasure.Reason.RETENTION
