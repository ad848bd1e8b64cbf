"""Who earns a certificate, why the others do not, and the hours printed."""

from datetime import datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from certificates.selectors import programme_eligibility
from placements.models import Attendance, Placement, Programme
from tests import factories as f

from .conftest import attend, student


def _rows(programme):
    return {row.placement.pk: row for row in programme_eligibility(programme=programme)}


def test_eighty_percent_of_days_is_the_default_threshold(ended_programme, school_a):
    four = student(ended_programme, school_a, days=4)
    three = student(ended_programme, school_a, days=3)
    rows = _rows(ended_programme)
    assert rows[four.pk].eligible and rows[four.pk].reason == ""
    assert not rows[three.pk].eligible
    assert rows[three.pk].reason == "Attended 3 of 5 days; needs 4 (80%)"


def test_late_counts_as_attended_and_absent_does_not(ended_programme, school_a):
    late = student(ended_programme, school_a, days=0)
    attend(late, 4, status=Attendance.Status.LATE)
    absent = student(ended_programme, school_a, days=0)
    attend(absent, 5, status=Attendance.Status.ABSENT)
    rows = _rows(ended_programme)
    assert rows[late.pk].eligible
    assert not rows[absent.pk].eligible
    assert rows[absent.pk].days_attended == 0


def test_threshold_is_the_programmes_own(ended_programme, school_a):
    three = student(ended_programme, school_a, days=3)
    ended_programme.attendance_threshold_pct = 60
    ended_programme.save()
    assert _rows(ended_programme)[three.pk].eligible


def test_no_attendance_and_withdrawn_are_listed_with_reasons(ended_programme, school_a):
    none = student(ended_programme, school_a, days=0)
    gone = student(ended_programme, school_a, days=5, status=Placement.Status.WITHDRAWN)
    rows = _rows(ended_programme)
    assert (rows[none.pk].eligible, rows[none.pk].reason) == (False, "No attendance recorded")
    assert (rows[gone.pk].eligible, rows[gone.pk].reason) == (False, "Withdrawn from the programme")


def test_hours_come_from_the_syndicates_sessions_on_days_attended(ended_programme, school_a):
    mine = f.SyndicateFactory(programme=ended_programme, name="Mine")
    other = f.SyndicateFactory(programme=ended_programme, name="Other")
    placement = student(ended_programme, school_a, days=4, syndicate=mine)  # Mon–Thu

    def session(day, start, end, syndicates):
        s = f.SessionFactory(
            programme=ended_programme,
            starts_at=timezone.make_aware(datetime.combine(day, time(*start))),
            ends_at=timezone.make_aware(datetime.combine(day, time(*end))),
        )
        s.syndicates.set(syndicates)

    monday, friday = ended_programme.days[0], ended_programme.days[4]
    session(monday, (9, 30), (11, 30), [mine])  # 2 h, counted
    session(monday, (13, 0), (14, 30), [])  # whole cohort, 1.5 h, counted
    session(monday, (15, 0), (17, 0), [other])  # another syndicate's, not counted
    session(friday, (9, 30), (11, 30), [mine])  # a day not attended, not counted
    assert _rows(ended_programme)[placement.pk].hours == Decimal("3.5")


def test_without_a_timetable_a_day_counts_six_hours(ended_programme, school_a):
    placement = student(ended_programme, school_a, days=4)
    assert _rows(ended_programme)[placement.pk].hours == Decimal("24.0")


def test_eligibility_query_count_does_not_grow_with_students(ended_programme, school_a, django_assert_max_num_queries):
    student(ended_programme, school_a, days=5)
    # Placements, attendance, certificates, and the timetable's sessions with their syndicates.
    with django_assert_max_num_queries(5):
        programme_eligibility(programme=ended_programme)
    with django_assert_max_num_queries(3):  # without hours, the timetable is not read
        programme_eligibility(programme=ended_programme, hours=False)
    for _ in range(10):
        student(ended_programme, school_a, days=4)
    with django_assert_max_num_queries(5):
        assert len(programme_eligibility(programme=ended_programme)) == 11
    with django_assert_max_num_queries(3):
        assert len(programme_eligibility(programme=ended_programme, hours=False)) == 11


def test_without_hours_the_same_students_are_eligible_for_the_same_reasons(ended_programme, school_a, school_b):
    """`hours=False` (the pages) leaves out only the hours: eligibility, reasons and certificates are the same."""
    student(ended_programme, school_a, days=5)
    student(ended_programme, school_a, days=3)
    student(ended_programme, school_b, days=4, status=Placement.Status.WITHDRAWN)
    f.PlacementFactory(programme=ended_programme, nomination__institution=school_a)  # no attendance at all
    f.SessionFactory(programme=ended_programme)

    def facts(row):
        return (row.placement.pk, row.days_attended, row.eligible, row.reason, row.certificate, row.to_issue)

    with_hours = programme_eligibility(programme=ended_programme)
    without = programme_eligibility(programme=ended_programme, hours=False)
    assert [facts(r) for r in without] == [facts(r) for r in with_hours]
    assert {r.reason for r in without} >= {"", "No attendance recorded", "Withdrawn from the programme"}
    assert all(r.hours is None for r in without) and all(r.hours is not None for r in with_hours)


@pytest.mark.parametrize("span_days", [5, 3])
def test_every_threshold_a_coordinator_can_set_draws_the_line_at_the_right_day(ended_programme, school_a, span_days):
    """0 % to 100 %: a student is eligible exactly when days attended / working days >= threshold."""
    programme = ended_programme
    programme.end_date = programme.start_date + timedelta(days=span_days - 1)
    programme.save()
    by_days = {days: student(programme, school_a, days=days) for days in range(1, span_days + 1)}
    by_days[0] = student(programme, school_a, days=0)
    attend(by_days[0], 1, status=Attendance.Status.ABSENT)  # recorded, but never there
    for threshold in range(101):
        Programme.objects.filter(pk=programme.pk).update(attendance_threshold_pct=threshold)
        programme.refresh_from_db()
        rows = _rows(programme)
        needed = min(d for d in range(span_days + 1) if Fraction(d, span_days) >= Fraction(threshold, 100))
        for days, placement in by_days.items():
            row = rows[placement.pk]
            assert row.eligible == (days >= needed), (threshold, days)
            if not row.eligible:
                assert row.reason == f"Attended {days} of {span_days} days; needs {needed} ({threshold}%)"
