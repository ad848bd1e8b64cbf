"""How long the daily mentoring job takes, and how many queries it makes, for many assignments.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/some_scratch_db .venv/bin/python bench/mentoring_daily.py 2000

Without DATABASE_URL it uses a throwaway SQLite file. It creates its own force and data, runs the
job twice on the same day (the second run must send nothing) and prints the figures.
"""

import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from config.celery import app  # noqa: E402
from core.models import OutboundEmail  # noqa: E402
from mentoring import services  # noqa: E402
from mentoring.models import MentorAssignment  # noqa: E402
from placements.models import Force, ForcePerson, Placement, Programme  # noqa: E402
from schools.models import Consent, Institution, Nomination  # noqa: E402


def build(count, today):
    force = Force.objects.create(name=f"Bench force {time.time()}", slug=f"bench-{int(time.time() * 1000)}")
    ForcePerson.objects.create(force=force, name="Coordinator", email="c@police.invalid", is_coordinator=True)
    mentors = [
        ForcePerson.objects.create(
            force=force,
            name=f"Mentor {i}",
            email=f"m{i}@police.invalid",
            is_mentor=True,
            vetting_expires_on=today + timedelta(days=999),
        )
        for i in range(max(count // 5, 1))
    ]
    school = Institution.objects.create(force=force, name="Bench school")
    programme = Programme.objects.create(
        force=force,
        title="Bench week",
        start_date=today - timedelta(days=120),
        end_date=today - timedelta(days=116),
        capacity=count,
        nomination_opens=today - timedelta(days=200),
        nomination_closes=today - timedelta(days=130),
    )
    nominations = Nomination.objects.bulk_create(
        Nomination(
            programme=programme,
            institution=school,
            first_name="S",
            last_name=f"Student {i}",
            date_of_birth=date(2011, 1, 1),
            year_group="Year 10",
            emergency_contact_name="P",
            emergency_contact_phone="0",
            guardian_email=f"g{i}@family.invalid",
        )
        for i in range(count)
    )
    Consent.objects.bulk_create(
        Consent(
            nomination=n, status="given", participation=True, mentoring_contact=True, responded_at=programme.created_at
        )
        for n in nominations
    )
    placements = Placement.objects.bulk_create(Placement(programme=programme, nomination=n) for n in nominations)
    MentorAssignment.objects.bulk_create(
        MentorAssignment(
            placement=p,
            mentor=mentors[i % len(mentors)],
            starts_on=today - timedelta(days=100),
            ends_on=today + timedelta(days=265),
            next_due_on=today - timedelta(days=i % 30),
        )
        for i, p in enumerate(placements)
    )


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    call_command("migrate", verbosity=0)
    today = date.today()
    build(count, today)
    before = OutboundEmail.objects.count()
    # Measure the job itself: queued emails go to an in-memory broker, not sent in-process.
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    queries = []

    def record(execute, sql, *args):
        queries.append(sql)
        return execute(sql, *args)

    for run in (1, 2):
        queries.clear()
        with connection.execute_wrapper(record):
            started = time.perf_counter()
            result = services.mentoring_daily(today=today)
            elapsed = time.perf_counter() - started
        print(
            f"run {run}: {count} assignments, {elapsed:.2f} s, {len(queries)} queries, "
            f"{result['emails_queued']} emails queued"
        )
    print(f"outbox rows added: {OutboundEmail.objects.count() - before}")


if __name__ == "__main__":
    main()
