"""The daily job, with time travel: due, 7 days overdue, 14-day escalation; once only; catch-up; consent."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import OutboundEmail
from mentoring import services
from mentoring.models import MentorAssignment, MentorReminder
from mentoring.tasks import mentoring_daily
from schools.models import Consent
from tests import factories as f

LONDON = ZoneInfo("Europe/London")
ASSIGNED = date(2027, 7, 19)
FIRST_DUE = date(2027, 8, 2)  # 14 days after assignment


def at(day, hour=7):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, 15, tzinfo=LONDON), tick=False)


def reminder_emails(assignment):
    return OutboundEmail.objects.filter(dedupe_key__startswith=f"mentoring-reminder-{assignment.pk}-")


@pytest.fixture
def assignment(eligible, mentor_person, coordinator):
    coordinator.force_person.email = "coord-a@police.invalid"
    coordinator.force_person.save()
    # A second coordinator of the same force; a coordinator of another force must not hear of it.
    f.ForcePersonFactory(force=eligible.programme.force, is_coordinator=True, email="coord-a2@police.invalid")
    f.ForcePersonFactory(is_coordinator=True, email="elsewhere@police.invalid")
    with at(ASSIGNED, hour=10):
        return services.mentor_assignment_create(placement=eligible, mentor=mentor_person, actor=coordinator)


def test_nothing_is_sent_before_the_due_date(assignment):
    with at(date(2027, 8, 1)):
        mentoring_daily()
    assert not reminder_emails(assignment).exists()


def test_reminder_on_the_due_date_goes_to_the_mentor_once(assignment):
    with at(FIRST_DUE):
        mentoring_daily()
        mentoring_daily()  # beat fires twice on the same day
    with at(FIRST_DUE, hour=18):
        mentoring_daily()
    emails = list(reminder_emails(assignment))
    assert [(e.kind, e.to) for e in emails] == [("mentoring_reminder_due", "mentor-a@police.invalid")]
    assert "is due today, 2 August 2027" in emails[0].body_text
    assert MentorReminder.objects.filter(assignment=assignment).count() == 1


def test_second_reminder_at_seven_days_then_escalation_at_fourteen(assignment):
    for day in range(2, 20):  # every day from the due date to 17 days overdue
        with at(date(2027, 8, day)):
            mentoring_daily()
    kinds = list(reminder_emails(assignment).order_by("created_at", "pk").values_list("kind", "to"))
    assert kinds[:2] == [
        ("mentoring_reminder_due", "mentor-a@police.invalid"),
        ("mentoring_reminder_overdue", "mentor-a@police.invalid"),
    ]
    assert sorted(kinds[2:]) == [
        ("mentoring_escalation", "coord-a2@police.invalid"),
        ("mentoring_escalation", "coord-a@police.invalid"),
    ]
    overdue = reminder_emails(assignment).get(kind="mentoring_reminder_overdue")
    assert overdue.created_at.date() == date(2027, 8, 9)
    escalation = reminder_emails(assignment).filter(kind="mentoring_escalation").first()
    assert escalation.created_at.date() == date(2027, 8, 16)
    assert "14 days overdue" in escalation.body_text


def test_a_job_that_missed_days_catches_up_without_flooding_the_mentor(assignment):
    with at(date(2027, 8, 20)):  # 18 days overdue, and the job has not run since (Redis was down)
        result = mentoring_daily()
    assert result["emails_queued"] == 3  # the overdue reminder and two escalations
    statuses = dict(MentorReminder.objects.filter(assignment=assignment).values_list("kind", "status"))
    assert statuses == {
        MentorReminder.Kind.DUE: MentorReminder.Status.SUPERSEDED,
        MentorReminder.Kind.OVERDUE: MentorReminder.Status.SENT,
        MentorReminder.Kind.ESCALATION: MentorReminder.Status.SENT,
    }
    assert not reminder_emails(assignment).filter(kind="mentoring_reminder_due").exists()
    with at(date(2027, 8, 21)):
        assert mentoring_daily()["emails_queued"] == 0


def test_logging_a_contact_resets_the_due_date_and_the_reminders(assignment, mentor):
    for day in (2, 9):
        with at(date(2027, 8, day)):
            mentoring_daily()  # the due and the 7-day reminders for 2 August
    with at(date(2027, 8, 10)):
        services.mentor_contact_log(
            assignment=assignment, contacted_on=date(2027, 8, 10), method="phone", summary="Caught up.", actor=mentor
        )
    assignment.refresh_from_db()
    assert assignment.next_due_on == date(2027, 9, 7)  # 28 days after the contact
    with at(date(2027, 8, 16)):
        mentoring_daily()  # would have been the 14-day escalation for 2 August
    assert not reminder_emails(assignment).filter(kind="mentoring_escalation").exists()
    with at(date(2027, 9, 7)):
        mentoring_daily()
    due = reminder_emails(assignment).filter(kind="mentoring_reminder_due").order_by("created_at")
    assert [e.dedupe_key.split("-")[-4:-1] for e in due] == [["2027", "08", "02"], ["2027", "09", "07"]]


def test_consent_withdrawal_ends_mentoring_and_cancels_pending_reminders(assignment, coordinator):
    with at(FIRST_DUE):
        mentoring_daily()
    pending = reminder_emails(assignment).get()
    assert pending.sent_at is None  # still in the outbox (its send runs after commit)
    with at(date(2027, 8, 3)):
        ended = services.mentoring_end_for_consent_withdrawal(placement=assignment.placement, actor=coordinator)
        assert services.mentoring_end_for_consent_withdrawal(placement=assignment.placement, actor=coordinator) == 0
    assert ended == 1
    assignment.refresh_from_db()
    assert assignment.status == MentorAssignment.Status.ENDED
    assert assignment.ended_reason == MentorAssignment.EndReason.CONSENT_WITHDRAWN
    assert assignment.next_due_on is None
    assert not reminder_emails(assignment).exists()
    assert assignment.reminders.get().status == MentorReminder.Status.CANCELLED
    told = OutboundEmail.objects.get(kind="mentoring_ended")
    assert told.to == "mentor-a@police.invalid"
    assert "consent" not in (told.subject + told.body_text).lower()
    assert "withdr" not in (told.subject + told.body_text).lower()
    for day in (9, 16, 20):
        with at(date(2027, 8, day)):
            mentoring_daily()
    assert not reminder_emails(assignment).exists()


def test_daily_job_ends_mentoring_when_consent_is_withdrawn_without_the_service(assignment):
    consent = assignment.placement.nomination.consent
    consent.status = Consent.Status.WITHDRAWN
    consent.withdrawn_at = consent.responded_at
    consent.save()
    with at(FIRST_DUE):
        result = mentoring_daily()
    assert result["ended_for_consent"] == 1
    assignment.refresh_from_db()
    assert assignment.status == MentorAssignment.Status.ENDED
    assert not reminder_emails(assignment).exists()
    assert OutboundEmail.objects.filter(kind="mentoring_ended").count() == 1


def test_mentoring_contact_unticked_also_ends_it(assignment):
    Consent.objects.filter(pk=assignment.placement.nomination.consent.pk).update(mentoring_contact=False)
    with at(FIRST_DUE):
        assert mentoring_daily()["ended_for_consent"] == 1


def test_mentoring_ends_when_its_time_is_up(assignment):
    MentorAssignment.objects.filter(pk=assignment.pk).update(next_due_on=None)
    with at(date(2028, 7, 19)):
        assert mentoring_daily()["ended_for_time"] == 0
    with at(date(2028, 7, 20)):
        assert mentoring_daily()["ended_for_time"] == 1
    assignment.refresh_from_db()
    assert assignment.ended_reason == MentorAssignment.EndReason.PERIOD_OVER
    assert OutboundEmail.objects.get(kind="mentoring_ended").to == "mentor-a@police.invalid"


def test_reminder_rows_are_unique_per_due_date_and_kind(assignment):
    from django.db import IntegrityError, transaction

    MentorReminder.objects.create(assignment=assignment, due_on=FIRST_DUE, kind=MentorReminder.Kind.DUE)
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorReminder.objects.create(assignment=assignment, due_on=FIRST_DUE, kind=MentorReminder.Kind.DUE)


def test_beat_schedule_has_the_daily_job(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mentoring-daily"]
    assert entry["task"] == mentoring_daily.name
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_database_scheduler_registers_the_daily_job(db):
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from config.celery import app

    # What DatabaseScheduler.setup_schedule does with the app's beat_schedule when beat starts.
    ModelEntry.from_entry("mentoring-daily", app=app, **app.conf.beat_schedule["mentoring-daily"])
    task = PeriodicTask.objects.get(name="mentoring-daily")
    assert task.task == "mentoring.tasks.mentoring_daily"
    assert task.crontab is not None and str(task.crontab.hour) == "7"
