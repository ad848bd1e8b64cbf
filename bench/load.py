"""Load: 50 students submit the post-programme survey and 5 coordinators browse, for 60 s.

    .venv/bin/python bench/load.py [--seconds 60] [--workers 3] [--port 8012] [--keep]

Creates (and afterwards drops) the PostgreSQL database `bench_load` on the server of DATABASE_URL
(default postgres://postgres@127.0.0.1:5432), migrates and seeds it (a programme of 50 students with
survey invitations, the pre survey already answered, 5 coordinators), collects static files, starts
gunicorn with production settings (bench/load_settings.py: only the HTTPS-only cookie flags relaxed)
on 127.0.0.1, warms it up, and runs locust headless (bench/load_users.py; users arrive over 11 s).
Prints requests/s, p95 and errors; target 0 errors and p95 < 300 ms. Redis: REDIS_URL (default
redis://127.0.0.1:6379/12), flushed at start so no rate-limit count from an earlier run remains.
Every process it starts is stopped before it exits.
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "bench_load"
PASSWORD = "bench-load-password-2026"  # noqa: S105 (a throw-away database)
STUDENTS, COORDINATORS = 50, 5


def seed(out):
    """Run inside the bench environment (a child process): fill bench_load and write the links to `out`."""
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from placements.models import Activity, Force, ForcePerson, Placement, Programme, Session, Syndicate
    from schools.models import Institution, Nomination
    from surveys.models import Answer, Invitation, Response, Survey
    from surveys.services import invitation_token, survey_setup_programme

    today = timezone.localdate()
    force = Force.objects.create(name="Bench Constabulary", slug="bench")
    coordinators = []
    for n in range(1, COORDINATORS + 1):
        user = get_user_model().objects.create_user(f"coord{n}", f"coord{n}@police.invalid", PASSWORD)
        ForcePerson.objects.create(force=force, user=user, name=f"Coordinator {n}", is_coordinator=True)
        coordinators.append(user.username)
    programme = Programme.objects.create(
        force=force,
        title="Bench week",
        start_date=today - timedelta(days=7),
        end_date=today - timedelta(days=3),
        capacity=STUDENTS,
        nomination_opens=today - timedelta(days=120),
        nomination_closes=today - timedelta(days=60),
    )
    syndicates = [Syndicate.objects.create(programme=programme, name=f"Syndicate {n}") for n in range(1, 6)]
    for index, slug in enumerate(["dogs", "drones", "forensics"]):
        activity = Activity.objects.create(force=force, title=slug.title(), slug=slug)
        start = timezone.now() - timedelta(days=7 - index)
        session = Session.objects.create(
            programme=programme, activity=activity, starts_at=start, ends_at=start + timedelta(hours=2)
        )
        session.syndicates.add(*syndicates)
    schools = [Institution.objects.create(force=force, name=f"Bench School {n}", code=f"B{n}") for n in range(5)]
    placements = []
    for n in range(STUDENTS):
        nomination = Nomination.objects.create(
            programme=programme,
            institution=schools[n % 5],
            first_name="Student",
            last_name=f"N{n}",
            date_of_birth=today.replace(year=today.year - 15),
            year_group="Year 10",
            emergency_contact_name="Parent",
            emergency_contact_phone="07700 900000",
            guardian_name="Parent",
            guardian_email=f"parent{n}@family.invalid",
            status=Nomination.Status.ACCEPTED,
        )
        placements.append(
            Placement.objects.create(programme=programme, nomination=nomination, syndicate=syndicates[n % 5])
        )
    surveys = survey_setup_programme(programme=programme)
    now = timezone.now()
    Survey.objects.filter(programme=programme).update(
        opens_at=now - timedelta(days=10), closes_at=now + timedelta(days=7)
    )
    pre = surveys[Survey.Phase.PRE]
    for invitation in Invitation.objects.filter(survey=pre).prefetch_related("survey__questions"):
        response = Response.objects.create(invitation=invitation)
        Answer.objects.bulk_create(
            Answer(response=response, question=q, value_int=3)
            for q in invitation.survey.questions.all()
            if q.kind in ("likert", "yes_no")
        )
    Invitation.objects.filter(survey=pre).update(answered_at=now)
    links = [f"/s/{invitation_token(i)}/" for i in Invitation.objects.filter(survey=surveys[Survey.Phase.POST])]
    Path(out).write_text(
        json.dumps({"students": links, "coordinators": coordinators, "password": PASSWORD, "programme": programme.pk})
    )


def _database_urls():
    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    if base.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/load.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(base._replace(path="/postgres")), urlunsplit(base._replace(path=f"/{DB_NAME}"))


def _admin(sql, maintenance_url):
    import psycopg

    with psycopg.connect(maintenance_url, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


def _run(args, env, what):
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, timeout=600, stdout=subprocess.DEVNULL)
    print(f"{what}: {time.perf_counter() - started:.1f} s")


def _wait_for(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (127.0.0.1 only)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url}")


def _stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8012)
    parser.add_argument("--keep", action="store_true", help="leave the bench_load database in place")
    parser.add_argument("--seed", help=argparse.SUPPRESS)  # internal: the seeding child process
    args = parser.parse_args()
    if args.seed:
        return seed(args.seed)

    maintenance_url, bench_url = _database_urls()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    host = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "bench")]),
        "DATABASE_URL": bench_url,
        "REDIS_URL": redis_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "BENCH_LOAD_DATA": str(work / "data.json"),
    }
    gunicorn = None
    try:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", maintenance_url)
        _admin(f"CREATE DATABASE {DB_NAME}", maintenance_url)
        _run([PYTHON, "manage.py", "migrate", "--noinput"], env, "migrate")
        _run([PYTHON, "manage.py", "collectstatic", "--noinput"], env, "collectstatic")
        _run([PYTHON, __file__, "--seed", env["BENCH_LOAD_DATA"]], env, f"seed ({STUDENTS} students)")
        gunicorn = subprocess.Popen(
            [
                *(PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{args.port}"),
                *("--workers", str(args.workers), "--log-level", "warning"),
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        _wait_for(f"{host}/login/", gunicorn)
        for _ in range(4 * args.workers):  # warm-up: every worker has loaded its templates and connected
            _wait_for(f"{host}/login/", gunicorn)
        print(f"gunicorn: {args.workers} workers on {host}; locust: {STUDENTS} students + {COORDINATORS} coordinators")
        load_before = os.getloadavg()[0]
        subprocess.run(
            [
                *(PYTHON, "-m", "locust", "-f", str(ROOT / "bench" / "load_users.py"), "--headless"),
                *("--users", str(STUDENTS + COORDINATORS), "--spawn-rate", "5", "--run-time", f"{args.seconds}s"),
                *("--host", host, "--csv", str(work / "locust"), "--only-summary", "--stop-timeout", "10"),
                *("--exit-code-on-error", "0", "--loglevel", "WARNING"),
            ],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=args.seconds + 120,
        )
        rows = {row["Name"]: row for row in csv.DictReader((work / "locust_stats.csv").open())}
        total = rows.pop("Aggregated")
        submitted = _admin(
            "SELECT count(*) FROM surveys_response r JOIN surveys_invitation i ON i.id = r.invitation_id "
            "JOIN surveys_survey s ON s.id = i.survey_id WHERE s.phase = 'post'",
            bench_url,
        )[0][0]
        print()
        print(f"{'request':<42} {'count':>6} {'errors':>6} {'median':>7} {'p95':>6} (ms)")
        for name, row in sorted(rows.items()):
            print(
                f"{row['Type'] + ' ' + name:<42} {row['Request Count']:>6} {row['Failure Count']:>6} "
                f"{row['50%']:>7} {row['95%']:>6}"
            )
        print()
        print(f"requests: {total['Request Count']} in {args.seconds} s = {float(total['Requests/s']):.1f} requests/s")
        print(f"p95: {total['95%']} ms, median: {total['50%']} ms, max: {float(total['Max Response Time']):.0f} ms")
        print(f"errors: {total['Failure Count']}")
        cores = os.cpu_count()
        print(f"machine: {cores} cores, load average {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after")
        print(f"post surveys submitted: {submitted} of {STUDENTS}")
        ok = int(total["Failure Count"]) == 0 and float(total["95%"]) < 300
        print("target (0 errors, p95 < 300 ms):", "met" if ok else "NOT met")
    finally:
        _stop(gunicorn)
        shutil.rmtree(work, ignore_errors=True)
        if not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", maintenance_url)


if __name__ == "__main__":
    main()
