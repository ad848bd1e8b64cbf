"""Time the daily retention job: on the demo data, then on a generated force of N students.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_8a .venv/bin/python bench/retention.py [students]

The generated force has, per student: a nomination (half without a place), consent, placement and
attendance for the others, pre/post survey answers with a free-text comment, two outbox emails naming
them and five audit-trail entries. Runs in a throw-away database (bench_<name>).
"""

import io
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def seed(students):
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from core.models import OutboundEmail
    from placements.models import Attendance, Force, Placement, Programme, Syndicate
    from schools.models import Consent, Institution, Nomination
    from surveys.models import Answer, Invitation, Question, Response
    from surveys.services import survey_setup_programme

    rng = random.Random(8)
    force = Force.objects.create(name="Bench Constabulary", slug="bench")
    programme = Programme.objects.create(
        force=force,
        title="Bench week",
        start_date=date(2027, 7, 12),
        end_date=date(2027, 7, 16),
        capacity=students,
        nomination_opens=date(2027, 1, 4),
        nomination_closes=date(2027, 4, 30),
    )
    syndicate = Syndicate.objects.create(programme=programme, name="All")
    school = Institution.objects.create(force=force, name="Bench School", code="B1")
    nominations = Nomination.objects.bulk_create(
        Nomination(
            programme=programme,
            institution=school,
            first_name=f"Firstname{i}",
            last_name=f"Surname{i}",
            date_of_birth=date(2010, 1, 1) + timedelta(days=i % 700),
            year_group="Year 10",
            emergency_contact_name=f"Parent of Firstname{i}",
            emergency_contact_phone="07700 900000",
            guardian_name=f"Parent of Firstname{i}",
            guardian_email=f"guardian{i}@family.invalid",
            medical_notes="Asthma",
            police_first_choice=rng.random() < 0.66,
            status="accepted" if i % 2 else "not_selected",
        )
        for i in range(students)
    )
    Consent.objects.bulk_create(
        Consent(nomination=n, respondent_name=n.guardian_name, wording=f"{n.full_name} may take part")
        for n in nominations
    )
    placed = [n for n in nominations if n.status == "accepted"]
    placements = Placement.objects.bulk_create(
        Placement(programme=programme, nomination=n, syndicate=syndicate) for n in placed
    )
    Attendance.objects.bulk_create(
        Attendance(placement=p, date=day, status="present") for p in placements for day in programme.days
    )
    surveys = survey_setup_programme(programme=programme)
    for survey in surveys.values():
        Question.objects.get_or_create(
            survey=survey, code="comments", defaults={"kind": "text", "text": "Anything else?", "required": False}
        )
    questions = {phase: list(Question.objects.filter(survey=survey)) for phase, survey in surveys.items()}
    invitations = {(i.survey_id, i.placement_id): i for i in Invitation.objects.filter(survey__programme=programme)}
    name_of = {p.pk: p.nomination.full_name for p in placements}
    for phase, survey in surveys.items():
        responses = Response.objects.bulk_create(
            Response(invitation=invitations[(survey.pk, p.pk)]) for p in placements
        )
        answers = []
        for response in responses:
            for question in questions[phase]:
                if question.kind == "likert":
                    value = rng.randint(2, 4) if phase == "pre" else rng.randint(3, 5)
                    answers.append(Answer(response=response, question=question, value_int=value))
                elif question.kind == "yes_no":
                    answers.append(Answer(response=response, question=question, value_int=1))
                elif question.kind == "choice":
                    answers.append(Answer(response=response, question=question, value_text="better"))
                else:
                    text = f"I am {name_of[response.invitation.placement_id]}"
                    answers.append(Answer(response=response, question=question, value_text=text))
        Answer.objects.bulk_create(answers, batch_size=5000)
    OutboundEmail.objects.bulk_create(
        OutboundEmail(
            kind=kind,
            dedupe_key=f"{kind}-{n.pk}",
            to=n.guardian_email if kind == "consent_request" else "teacher@school.invalid",
            subject=f"About {n.full_name}",
            body_text=f"Hello, this is about {n.full_name} ({n.first_name}).",
            force=force,
        )
        for n in nominations
        for kind in ("consent_request", "place_confirmed")
    )
    content_type = ContentType.objects.get_for_model(Nomination)
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(n.pk),
            object_id=n.pk,
            object_repr=f"nomination #{n.pk}",
            action=LogEntry.Action.UPDATE,
            changes={"status": ["submitted", "accepted"], "first_name": ["[hidden]", "[hidden]"]},
            timestamp=timezone.now(),
        )
        for n in nominations
        for _ in range(5)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return programme


def timed(label, func):
    started = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - started
    print(f"{label}: {seconds:.2f} s  {result}")
    return result, seconds


def main():
    from django.core.management import call_command

    from privacy.services import retention_run

    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    students = int(args[0]) if args else 2000
    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(f"database: {connection.vendor}")
        call_command("seed_demo", stdout=io.StringIO())
        timed("demo, today (2026-11-23)", lambda: retention_run(today=date(2026, 11, 23)))
        timed("demo, everything due (2040-01-01)", lambda: retention_run(today=date(2040, 1, 1)))
        timed("demo, second run (no-op)", lambda: retention_run(today=date(2040, 1, 1)))
        timed(f"seed {students} generated students", lambda: seed(students) and "done")
        result, seconds = timed(f"{students} students, all due", lambda: retention_run(today=date(2040, 1, 1)))
        print(f"per student: {1000 * seconds / max(result['students_erased'], 1):.1f} ms")
        timed("second run (no-op)", lambda: retention_run(today=date(2040, 1, 1)))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
