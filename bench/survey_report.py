"""Seed 20,000 students with paired pre/post responses (bulk_create) and time the survey report.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt_issue5 .venv/bin/python bench/survey_report.py [students]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<demo db> .venv/bin/python bench/survey_report.py --demo

Runs in a throw-away database (bench_<name>), created and dropped by Django's test machinery;
--keep leaves it in place so the next run skips the seeding. Times the report itself, then its page and
the surveys-across-years page through Django's test client (in-process, every middleware), with their
query counts. --demo times only the pages, on the database as it is (seed_demo's, as the coordinator):
the programme with the most answers.
"""

import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402


def seed(students):
    from placements.models import Activity, Force, Placement, Programme, Session, Syndicate
    from schools.models import Institution, Nomination
    from surveys.models import Answer, Invitation, Question, Response
    from surveys.services import survey_setup_programme

    rng = random.Random(5)
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
    from django.utils import timezone

    for index, slug in enumerate(["dogs", "drones", "forensics"]):
        activity = Activity.objects.create(force=force, title=slug.title(), slug=slug)
        start = timezone.now() + timezone.timedelta(days=index)
        session = Session.objects.create(
            programme=programme, activity=activity, starts_at=start, ends_at=start + timezone.timedelta(hours=2)
        )
        session.syndicates.add(syndicate)
    school = Institution.objects.create(force=force, name="Bench School", code="B1")
    nominations = Nomination.objects.bulk_create(
        Nomination(
            programme=programme,
            institution=school,
            first_name="Student",
            last_name=f"N{i}",
            date_of_birth=date(2011, 1, 1),
            year_group="Year 10",
            emergency_contact_name="P",
            emergency_contact_phone="0",
            police_first_choice=rng.random() < 0.66,
            status="accepted",
        )
        for i in range(students)
    )
    placements = Placement.objects.bulk_create(
        Placement(programme=programme, nomination=n, syndicate=syndicate) for n in nominations
    )
    surveys = survey_setup_programme(programme=programme)  # bulk-creates the invitations too
    questions = {
        phase: {q.code: q for q in Question.objects.filter(survey=survey)} for phase, survey in surveys.items()
    }
    invitations = {(i.survey_id, i.placement_id): i for i in Invitation.objects.filter(survey__programme=programme)}
    for phase, survey in surveys.items():
        responses = Response.objects.bulk_create(
            Response(invitation=invitations[(survey.pk, p.pk)]) for p in placements
        )
        answers = []
        for response in responses:
            for question in questions[phase].values():
                if question.kind == "likert":
                    value = rng.randint(2, 4) if phase == "pre" else rng.randint(3, 5)
                    answers.append(Answer(response=response, question=question, value_int=value))
                elif question.kind == "yes_no":
                    answers.append(Answer(response=response, question=question, value_int=int(rng.random() < 0.9)))
                elif question.kind == "choice":
                    answers.append(
                        Answer(response=response, question=question, value_text=rng.choice(["better", "same"]))
                    )
            if len(answers) > 50000:
                Answer.objects.bulk_create(answers, batch_size=5000)
                answers = []
        Answer.objects.bulk_create(answers, batch_size=5000)
    Invitation.objects.filter(survey__programme=programme).update(answered_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE") if connection.vendor == "postgresql" else None
    return programme, Answer.objects.count()


class QueryTimer:
    def __init__(self):
        self.rows = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append(((time.perf_counter() - started) * 1000, " ".join(sql.split())[:110]))


def time_pages(programme, username, runs=5):
    """Median ms and queries of the report page and the surveys-across-years page, signed in as `username`."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from placements.models import ForcePerson

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username, f"{username}@police.invalid")
        ForcePerson.objects.create(force=programme.force, user=user, name="Bench coordinator", is_coordinator=True)
    client = Client()
    client.force_login(user)
    for name, url in (
        ("report page", reverse("surveys:programme_report", kwargs={"pk": programme.pk})),
        ("surveys across years", reverse("surveys:force_comparison")),
    ):
        assert client.get(url).status_code == 200, url
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        count = len(captured)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{name} {url}: median {statistics.median(timings):.0f} ms, best {min(timings):.0f} ms, {count} queries")


def demo():
    """The pages on the database as it is: the coordinator's programme with the most answers."""
    from django.db.models import Count

    from placements.models import Programme

    setup_test_environment()
    programme = (
        Programme.objects.annotate(answers=Count("surveys__invitations__response__answers"))
        .order_by("-answers", "pk")
        .first()
    )
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); programme: {programme.title}")
    time_pages(programme, "coordinator", runs=10)


def main():
    if "--demo" in sys.argv:
        return demo()
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    keep = "--keep" in sys.argv  # reuse the seeded test database on the next run
    students = int(args[0]) if args else 20000
    setup_test_environment()
    # A database of its own (bench_<name>), so a kept bench never collides with the test suite's test_<name>.
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keep)
    try:
        from placements.models import Programme
        from surveys.models import Answer

        programme = Programme.objects.filter(title="Bench week").first()
        if programme is None:
            started = time.perf_counter()
            programme, answers = seed(students)
            print(
                f"database: {connection.vendor}; seeded {students} paired students ({2 * students} responses, "
                f"{answers} answers) in {time.perf_counter() - started:.1f} s"
            )
        else:
            print(f"database: {connection.vendor}; reusing {Answer.objects.count()} answers")
        from django.core.cache import cache

        from surveys.report import programme_report

        timings, stored = [], []
        timer = QueryTimer()
        for _ in range(5):
            cache.clear()  # worked out from the answers, as on the first reading after a change
            timer.rows = []
            started = time.perf_counter()
            with connection.execute_wrapper(timer):
                report = programme_report(programme)
            timings.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            programme_report(programme)  # read back from the cache, as every later reading
            stored.append((time.perf_counter() - started) * 1000)
        print(f"respondents: {report['respondents']}")
        for q in report["questions"]:
            print(
                f"  {q['code']:<16} {q['pre_mean']} -> {q['post_mean']} ({q['change_pct']}%), "
                f"n={q['paired_n']}, p={q['p_value']}"
            )
        print(f"report timings (ms): {', '.join(f'{t:.0f}' for t in timings)}")
        print(f"report median: {statistics.median(timings):.0f} ms, best: {min(timings):.0f} ms (target < 500 ms)")
        print(f"stored report, read again until the answers change (ms): {', '.join(f'{t:.1f}' for t in stored)}")
        print("queries of the last run (ms):")
        for ms, sql in timer.rows:
            print(f"  {ms:7.1f}  {sql}")
        time_pages(programme, "bench-coordinator")
    finally:
        if not keep:
            connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
