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


@pytest.mark.live_services
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


def test_lead_vetting_warnings_at_60_30_and_7_days_once_each(week, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from placements.tasks import lead_vetting_warnings

    syndicate = week.syndicates.order_by("name").first()
    lead = syndicate.lead
    lead.vetting_expires_on = week.end_date + timedelta(days=3)  # still in date for the whole week
    lead.save()
    expiry = lead.vetting_expires_on
    sent = []
    for days_before in (90, 60, 59, 30, 29, 7, 6):
        with time_machine.travel(_at(expiry - timedelta(days=days_before), 8), tick=False):
            lead_vetting_warnings()
        sent.append(OutboundEmail.objects.filter(kind="lead_vetting_expiring").count())
    assert sent == [0, 1, 1, 2, 2, 3, 3]  # one email as each band starts, none in between
    email = OutboundEmail.objects.filter(kind="lead_vetting_expiring").order_by("created_at").last()
    assert lead.name in email.subject and "within 7 days" in email.body_text
    # The other leads' vetting runs to 2030: no warnings for them.
    assert {e.subject.split("'s")[0] for e in OutboundEmail.objects.filter(kind="lead_vetting_expiring")} == {lead.name}


def test_vetting_that_lapses_mid_programme_says_so(week):
    from datetime import timedelta

    syndicate = week.syndicates.order_by("name").first()
    syndicate.lead.vetting_expires_on = week.start_date + timedelta(days=1)
    syndicate.lead.save()
    with time_machine.travel(_at(week.start_date - timedelta(days=10), 8), tick=False):
        assert services.lead_vetting_warn(today=week.start_date - timedelta(days=10)) == 1
    assert "cannot lead the syndicate" in OutboundEmail.objects.get().body_text
