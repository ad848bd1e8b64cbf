"""Safeguarding: students not marked present by the cut-off alert the coordinators, once a day."""

from datetime import datetime, time

import pytest
import time_machine
from django.utils import timezone

from core.models import OutboundEmail
from placements import services
from placements.models import Attendance, Placement
from placements.tasks import attendance_check_missing


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def running(week):
    week.status = "running"
    week.save()
    return week


def test_alert_after_the_cutoff_names_the_missing_students_once(running, django_capture_on_commit_callbacks):
    day = running.start_date
    placements = list(Placement.objects.filter(programme=running).select_related("nomination").order_by("pk"))
    for placement in placements[:-2]:
        Attendance.objects.create(placement=placement, date=day, status="present")
    Attendance.objects.create(placement=placements[-2], date=day, status="absent")
    with time_machine.travel(_at(day, 9, 55), tick=False):
        assert attendance_check_missing() == 0  # before the cut-off: nothing
    with time_machine.travel(_at(day, 10, 5), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert attendance_check_missing() == 1  # one coordinator
    email = OutboundEmail.objects.get(kind="attendance_missing")
    assert email.to == running.force.people.get(is_coordinator=True).email
    assert placements[-1].nomination.full_name in email.body_text
    assert "not marked" in email.body_text and "marked absent" in email.body_text
    assert placements[0].nomination.full_name not in email.body_text
    assert email.sent_at is not None
    with time_machine.travel(_at(day, 10, 15), tick=False):
        attendance_check_missing()  # the next beat run sends nothing new
    assert OutboundEmail.objects.filter(kind="attendance_missing").count() == 1


def test_no_alert_when_everyone_is_present_or_late(running):
    day = running.start_date
    for index, placement in enumerate(Placement.objects.filter(programme=running)):
        status = "late" if index == 0 else "present"
        Attendance.objects.create(placement=placement, date=day, status=status, arrived_at=time(9, 30))
    with time_machine.travel(_at(day, 10, 30), tick=False):
        assert attendance_check_missing() == 0
    assert not OutboundEmail.objects.exists()


def test_no_alert_on_a_weekend_or_for_a_finished_programme(running, week):
    saturday = running.end_date.replace(day=running.end_date.day + 1)
    with time_machine.travel(_at(saturday, 11), tick=False):
        assert attendance_check_missing() == 0
    running.status = "completed"
    running.save()
    with time_machine.travel(_at(running.start_date, 11), tick=False):
        assert attendance_check_missing() == 0
    assert not OutboundEmail.objects.exists()


def test_cutoff_is_a_setting(running, settings):
    settings.ATTENDANCE_ALERT_AT = "09:30"
    with time_machine.travel(_at(running.start_date, 9, 45), tick=False):
        assert attendance_check_missing() == 1


def test_attendance_mark_is_an_upsert(week, coordinator):
    placement = Placement.objects.filter(programme=week).first()
    services.attendance_mark(placement=placement, day=week.start_date, status="absent", actor=coordinator)
    row = services.attendance_mark(
        placement=placement, day=week.start_date, status="late", arrived_at=time(9, 50), actor=coordinator
    )
    assert Attendance.objects.filter(placement=placement).count() == 1
    assert row.status == "late" and row.arrived_at == time(9, 50)
    row = services.attendance_mark(placement=placement, day=week.start_date, status="absent", actor=coordinator)
    assert row.arrived_at is None  # an absence has no arrival time
    with pytest.raises(services.PlanningError):
        services.attendance_mark(placement=placement, day=week.end_date.replace(day=20), status="present", actor=None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_marks_for_one_student_make_one_row(postgres, week, coordinator):
    """Two phones tap at once (PostgreSQL): the unique constraint and the retry leave exactly one row."""
    import threading

    from django.db import connection

    placement = Placement.objects.filter(programme=week).first()
    barrier = threading.Barrier(4)
    errors = []

    def tap(status):
        try:
            barrier.wait()
            services.attendance_mark(placement=placement, day=week.start_date, status=status, actor=None)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(s,)) for s in ("present", "late", "present", "absent")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Attendance.objects.filter(placement=placement, date=week.start_date).count() == 1
