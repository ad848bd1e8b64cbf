"""Acceptance: a message to 500 people is queued in one request and sent by real Celery workers in batches,
each person exactly once, even though the worker sending it is killed (SIGKILL) in the middle of a batch."""

import os
import signal
import subprocess
import sys
import uuid
from datetime import date

import pytest
from django.db import connection
from django.db.models import Count
from django.urls import reverse

from communications.models import AudienceMessage, MessageRecipient
from communications.tasks import audience_messages_resume
from core.models import OutboundEmail
from core.tasks import send_email
from placements.models import Placement
from schools.models import Nomination
from tests import factories as f
from tests.conftest import ROOT, wait_for

pytestmark = pytest.mark.live_services

STUDENTS = 500


def _start_worker(queue, **env):
    """A second real worker, alone on its own queue, in its own process group so it can be killed outright."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
            ),
            *("--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=warning"),
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "CELERY_LIVE": "1",
            **env,
        },
        start_new_session=True,
    )


def _students(programme, n):
    institution = f.InstitutionFactory(force=programme.force, name="Big School")
    nominations = Nomination.objects.bulk_create(
        Nomination(
            programme=programme,
            institution=institution,
            first_name=f"Pupil{i}",
            last_name=f"Student{i}",
            date_of_birth=date(2011, 9, 1),
            year_group="Year 10",
            emergency_contact_name="A Parent",
            emergency_contact_phone="07700 900000",
            guardian_name=f"Parent {i}",
            guardian_email=f"parent{i}@family.invalid",
            status=Nomination.Status.ACCEPTED,
        )
        for i in range(n)
    )
    Placement.objects.bulk_create(Placement(programme=programme, nomination=nomination) for nomination in nominations)


def _queued(message):
    return OutboundEmail.objects.filter(dedupe_key__startswith=f"audience:{message.pk}:").count()


def test_500_recipients_queued_in_one_request_and_sent_once_each_though_a_worker_dies_mid_batch(
    live_worker, programme_a, coordinator, client_for
):
    from config.celery import app

    _students(programme_a, STUDENTS)
    doomed_queue = f"test-doomed-{uuid.uuid4().hex[:10]}"
    # The doomed worker takes all 500 as one batch, so wherever it is killed, it is killed mid-batch.
    doomed = _start_worker(doomed_queue, AUDIENCE_MESSAGE_BATCH_SIZE=str(STUDENTS))
    live_queue = app.conf.task_default_queue
    try:
        assert wait_for(lambda: any(doomed_queue in n for r in app.control.ping(timeout=0.5) or [] for n in r), 60)
        app.conf.task_default_queue = doomed_queue
        response = client_for(coordinator).post(
            reverse("audience:new"),
            {
                "audience": "families",
                "programme": programme_a.pk,
                "subject": "A change to {programme_title}",
                "body": "Dear {recipient_name},\n\n{student_first_name}'s week starts at 10:00 on Monday.",
                "confirm": "on",
                "action": "send",
            },
        )
        assert response.status_code == 302
        message = AudienceMessage.objects.get()
        # One request wrote the message and everyone it goes to; the emails are Celery's to queue.
        assert message.recipient_count == STUDENTS == MessageRecipient.objects.filter(message=message).count()

        assert wait_for(lambda: _queued(message) >= 40, timeout=120, interval=0.01)
        os.killpg(doomed.pid, signal.SIGKILL)
        doomed.wait(timeout=30)
    finally:
        app.conf.task_default_queue = live_queue
        if doomed.poll() is None:
            os.killpg(doomed.pid, signal.SIGKILL)
            doomed.wait(timeout=30)

    died_at = _queued(message)
    print(f"the worker was killed after queueing {died_at} of {STUDENTS}")
    assert 0 < died_at < STUDENTS, died_at
    message.refresh_from_db()
    assert message.status == AudienceMessage.Status.SENDING
    # Every email the dead worker queued is recorded on its recipient (same transaction), none half-written.
    assert MessageRecipient.objects.filter(message=message, email__isnull=False).count() == died_at

    # The real worker resumes through the beat sweep's own task (here without waiting the five minutes)…
    audience_messages_resume.delay(after_seconds=0)
    # …and, as core's outbox sweep does after 30 seconds, sends the emails whose send task died with the worker.
    for pk in OutboundEmail.objects.filter(kind="audience_message", sent_at__isnull=True).values_list("pk", flat=True):
        send_email.delay(pk)

    assert wait_for(
        lambda: OutboundEmail.objects.filter(kind="audience_message", sent_at__isnull=False).count() == STUDENTS,
        timeout=240,
        interval=0.5,
    ), OutboundEmail.objects.filter(kind="audience_message").count()
    message.refresh_from_db()
    assert message.status == AudienceMessage.Status.DONE
    emails = OutboundEmail.objects.filter(kind="audience_message")
    assert emails.count() == STUDENTS
    per_address = emails.values("to").annotate(n=Count("pk"))
    assert {row["n"] for row in per_address} == {1} and len(per_address) == STUDENTS
    recipients = MessageRecipient.objects.filter(message=message)
    assert {r.dedupe_key for r in recipients} == set(emails.values_list("dedupe_key", flat=True))
    assert not recipients.filter(email__isnull=True).exists()
    assert emails.get(to="parent7@family.invalid").subject == f"A change to {programme_a.title}"
