"""Every main page of every role, measured with wrk against a bare Django view in the same run (issue 17).

    .venv/bin/python bench/pages.py [--db bench_national] [--seconds 10] [--only programme-page] [--single]

Needs a database made by bench/national.py (any number of forces; the national one is bench_national)
and wrk (`apt-get install -y wrk`). Collects static files, starts gunicorn (2 sync workers) with
bench/pages_settings.py (production settings, HTTPS relaxed as in bench/load_settings.py) on PostgreSQL,
and beside it a second gunicorn (2 sync workers) serving a bare Django project (bench/bare_settings.py:
no apps, no middleware, one view rendering a 20-item template). The project also serves that view
through all of its middleware at /bench/bare/ (bench/pages_urls.py), shown as a row of its own.

Sessions: 16 per role, each a different force's user where there are 16 forces (coordinator, school
contact, syndicate lead, mentor; the platform admin's 16 sessions are one user), signed in with Django's
test client against the same session store as gunicorn (no password hashing in the way), and 16 student
sessions opened from survey links of the post survey open in each force (made from the invitations'
salts with the app's own `invitation_token`). wrk (-t2 -c16) rotates through the 16 (cookie, path)
pairs of a page: each session asks for its own force's programme. Prints req/s, p50/p99 and the
share of the bare Django view's req/s per page; non-2xx answers and timeouts (over --timeout, default
2 s: such a page shows 0 req/s, as in issue 17) are counted.

--single measures in-process instead (Django's test client, the same settings, no gunicorn or wrk):
per page, one request to warm up, then up to 30 sequential requests (fewer once 20 s are spent, at
least 3) as the first session of the role, printing p50/p95, the queries of one request and "CPU ms": the
least processor time one request took in this process (Python only: PostgreSQL's and Redis's work is not
in it). Other work on a shared machine stretches wall-clock times by tens of percent from run to run, and
the least CPU time by less (5–20 % when the machine is busy): bench/README.md says how to compare.
Redis: REDIS_URL (default db 5), flushed at the start. Every process it starts is stopped before it exits.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PYTHON = sys.executable
SESSIONS = 16
STATEMENT_TIMEOUT = 120  # seconds, --single only

# (key, role, label, path template): {programme}, {running_syndicate} are the session's own.
PAGES = [
    ("survey-start", "student", "student survey start /s/", "/s/"),
    ("survey-question", "student", "student question /s/q/1/", "/s/q/1/"),
    ("login", "anonymous", "login page", "/login/"),
    ("programme-list", "coordinator", "coordinator programme list", "/programmes/"),
    ("programme-page", "coordinator", "programme page", "/programmes/{programme}/"),
    ("nominations", "coordinator", "nominations review", "/schools/programmes/{programme}/nominations/"),
    ("certificates", "coordinator", "programme certificates", "/certificates/programmes/{programme}/"),
    ("programme-mentoring", "coordinator", "programme mentoring", "/mentoring/programme/{programme}/"),
    ("survey-report", "coordinator", "survey report page", "/surveys/programme/{programme}/report/"),
    ("surveys-force", "coordinator", "surveys across years", "/surveys/force/"),
    ("mentoring-dashboard", "coordinator", "mentoring dashboard", "/mentoring/dashboard/"),
    ("audit", "coordinator", "audit trail", "/audit/"),
    ("people", "coordinator", "people list", "/people/"),
    ("admin-programme-list", "admin", "programme list as platform admin", "/programmes/"),
    ("contact-home", "contact", "school contact start page", "/institution/"),
    ("lead-home", "lead", "lead's start page /syndicate/", "/syndicate/"),
    ("register", "lead", "lead's register", "/programmes/register/{running_syndicate}/"),
    ("mentor-home", "mentor", "mentor's start page", "/mentoring/"),
    ("admin-nominations", "admin", "admin: nominations", "/admin/schools/nomination/"),
    ("admin-outbox", "admin", "admin: outbox", "/admin/core/outboundemail/"),
    ("admin-audit", "admin", "admin: audit entries", "/admin/auditlog/logentry/"),
]
BARE_PROJECT = ("bare-project", "anonymous", "bare view through the project's middleware", "/bench/bare/")

LUA = """
local entries = %s
local i = 0
request = function()
  i = i %% #entries + 1
  local e = entries[i]
  if e[2] == "" then return wrk.format("GET", e[1]) end
  return wrk.format("GET", e[1], {["Cookie"] = e[2]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, ' ..
    '"non2xx": %%d, "timeouts": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.timeout, e.connect + e.read + e.write))
end
"""


def setup_django(db):
    os.environ["DATABASE_URL"] = _db_url(db)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pages_settings")
    os.environ.setdefault("BENCH_STATIC_ROOT", str(Path(tempfile.gettempdir()) / "bench-pages-static"))
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import django

    django.setup()


def _db_url(db):
    from urllib.parse import urlsplit, urlunsplit

    base = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(base._replace(path=f"/{db}"))


def _client():
    from django.test import Client

    return Client(HTTP_HOST="127.0.0.1")


def sessions():
    """16 sessions per role: {role: [(cookie header, {placeholder: value})]}, made in the shared session store."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.utils import timezone

    from placements.models import Force, Programme, Syndicate
    from surveys.models import Invitation
    from surveys.services import invitation_token

    User = get_user_model()
    forces = list(Force.objects.filter(slug__startswith="bench-f").order_by("slug")[:SESSIONS])
    if not forces:
        sys.exit("No generated forces in this database: run bench/national.py --forces N on it first.")
    today, now = timezone.localdate(), timezone.now()
    cookie_name = settings.SESSION_COOKIE_NAME
    made = {role: [] for role in ("coordinator", "contact", "lead", "mentor", "admin", "student", "anonymous")}
    for n in range(SESSIONS):
        force = forces[n % len(forces)]
        tag = force.slug.removeprefix("bench-")
        # The force's newest finished programme that has mentoring: surveys, certificates and mentoring all there.
        programme = (
            Programme.objects.filter(force=force, end_date__lt=today)
            .annotate(mentored=Count("placements__mentor_assignments"))
            .filter(mentored__gt=0)
            .order_by("-end_date")
            .first()
        )
        running = Syndicate.objects.filter(
            programme__force=force,
            programme__start_date__lte=today,
            programme__end_date__gte=today,
            lead__user__isnull=False,
        ).first()
        values = {"programme": programme.pk, "running_syndicate": running.pk if running else 0}
        for role, username in (
            ("coordinator", f"coord.{tag}"),
            ("contact", f"contact.{tag}"),
            ("lead", f"lead.{tag}"),
            ("mentor", f"mentor.{tag}"),
            ("admin", "bench.admin"),
        ):
            client = _client()
            client.force_login(User.objects.get(username=username), backend="django.contrib.auth.backends.ModelBackend")
            made[role].append((f"{cookie_name}={client.cookies[cookie_name].value}", values))
        invitation = (
            Invitation.objects.filter(
                survey__programme__force=force,
                survey__phase="post",
                answered_at__isnull=True,
                survey__opens_at__lte=now,
                survey__closes_at__gt=now,
            )
            .order_by("pk")[n // len(forces) : n // len(forces) + 1]
            .first()
        )
        if invitation is None:
            sys.exit(f"No open, unanswered survey invitation in {force.name}: regenerate with bench/national.py.")
        client = _client()
        response = client.get(f"/s/{invitation_token(invitation)}/")
        if response.status_code != 302:
            sys.exit(f"The survey link of {force.name} answered {response.status_code}, not a redirect")
        made["student"].append((f"{cookie_name}={client.cookies[cookie_name].value}", values))
        made["anonymous"].append(("", values))
    return made


def _paths(page, made):
    _key, role, _label, template = page
    return [(template.format(**values), cookie) for cookie, values in made[role]]


def check_pages(made=None):
    """GET every page once per role in-process (first session); print and count any answer but 200."""
    made = made or sessions()
    failures = 0
    for page in PAGES:
        path, cookie = _paths(page, made)[0]
        client = _client()
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        status = client.get(path).status_code
        print(f"  GET {path:<48} as {page[1]:<11} {status}")
        failures += status != 200
    return failures


def single(made, only, budget=20.0, most=30, least=3):
    """In-process: p50/p95 over sequential requests and the query count of one request, per page.

    A request that takes longer than `budget` on its own is timed once; a query is stopped after
    STATEMENT_TIMEOUT (the page then counts as an error), so one runaway query cannot hold the run.
    """
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT * 1000}")
    rows = []
    for page in PAGES:
        if only and page[0] not in only:
            continue
        path, cookie = _paths(page, made)[0]
        client = _client()
        if cookie:
            name, value = cookie.split("=", 1)
            client.cookies[name] = value
        started = time.perf_counter()
        reset_queries()
        try:
            with CaptureQueriesContext(connection) as queries:
                status = client.get(path).status_code  # warm-up, and the query count
            query_count = len(queries)  # now: the next request empties the log the count is read from
        except Exception as exc:  # noqa: BLE001 (a page that fails is a figure, not the end of the run)
            print(f"  {page[2]:<44} failed after {time.perf_counter() - started:.0f} s: {type(exc).__name__}: {exc}")
            rows.append((page, "error", None, None, None, None, 0))
            continue
        first = (time.perf_counter() - started) * 1000
        timings, cpu, spent = [], [], 0.0
        while first < budget * 1000 and len(timings) < most and (spent < budget or len(timings) < least):
            started, processor = time.perf_counter(), time.process_time()
            client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - processor) * 1000)
            spent += timings[-1] / 1000
        timings = sorted(timings or [first])
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        least_cpu = min(cpu) if cpu else None
        rows.append((page, status, statistics.median(timings), p95, least_cpu, query_count, len(timings)))
        print(f"  {page[2]:<44} {status} p95 {p95:8.0f} ms  {query_count:4d} queries", flush=True)
    return rows


def _wait_for(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (127.0.0.1 only)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer {url}")


def _status(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0  # no answer at all


def _gunicorn(module, port, env, log, workers=2):
    """gunicorn, `workers` sync workers (2: the issue's yardstick); its log (worker timeouts and their tracebacks)
    goes to `log`."""
    with log.open("a") as out:
        return subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                module,
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=out,
        )


def _stop(process):
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wrk(base, entries, seconds, work, timeout):
    """Run wrk -t2 -c16 over the (path, cookie) entries; returns its figures."""
    script = work / "rotate.lua"
    table = "{" + ",".join(f"{{{json.dumps(path)}, {json.dumps(cookie)}}}" for path, cookie in entries) + "}"
    script.write_text(LUA % table)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{seconds}s", f"--timeout={timeout}s", "-s", str(script), base],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + timeout + 60,
    ).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_national", help="a database made by bench/national.py")
    parser.add_argument("--seconds", type=int, default=10, help="wrk's duration per page")
    parser.add_argument("--only", action="append", help=f"a page key (repeatable): {', '.join(p[0] for p in PAGES)}")
    parser.add_argument("--single", action="store_true", help="single-user, in-process p95 and query counts")
    parser.add_argument("--timeout", type=int, default=2, help="wrk's timeout per request in seconds (default 2)")
    parser.add_argument(
        "--workers", type=int, default=2, help="sync workers for each gunicorn, the bare one too (default 2)"
    )
    parser.add_argument("--port", type=int, default=8075, help="the project's port; the bare project uses the next")
    args = parser.parse_args()
    if not args.single and shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu), or see github.com/wg/wrk")

    work = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    os.environ["BENCH_STATIC_ROOT"] = str(work / "static")
    os.environ["DJANGO_MEDIA_ROOT"] = str(work / "media")
    setup_django(args.db)
    import redis
    from django.conf import settings
    from django.core.management import call_command

    redis.Redis.from_url(settings.REDIS_URL).flushdb()  # no rate-limit count or cached page of an earlier run
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    made = sessions()
    print(f"database {args.db}: {len(made['coordinator'])} sessions per role in {time.perf_counter() - started:.1f} s")
    cores = os.cpu_count()
    if args.single:
        print("single user, in-process (test client, production settings):")
        rows = single(made, args.only)
        print()
        print(f"{'page':<44} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8} {'n':>4}")
        for page, status, p50, p95, cpu, queries, n in rows:
            if p50 is None:
                print(f"{page[2]:<44} {status:>6} {'-':>8} {'-':>8} {'-':>8} {'-':>8} {n:>4}")
            else:
                shown = f"{cpu:.1f}" if cpu is not None else "-"
                print(f"{page[2]:<44} {status:>6} {p50:>8.0f} {p95:>8.0f} {shown:>8} {queries:>8} {n:>4}")
        print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f}")
        return

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)])}
    project = bare = None
    base, bare_base = f"http://127.0.0.1:{args.port}", f"http://127.0.0.1:{args.port + 1}"
    try:
        log = Path(tempfile.gettempdir()) / f"bench-pages-gunicorn-{args.port}.log"
        log.write_text("")
        project = _gunicorn("config.wsgi", args.port, env, log, args.workers)
        bare_env = {**env, "DJANGO_SETTINGS_MODULE": "bare_settings"}
        bare = _gunicorn("config.wsgi", args.port + 1, bare_env, log, args.workers)
        for _ in range(8):  # every worker has loaded its templates and connected
            _wait_for(f"{base}/login/", project)
            _wait_for(f"{bare_base}/bench/bare/", bare)
        pages = [p for p in PAGES if not args.only or p[0] in args.only]
        load_before = os.getloadavg()[0]
        print(f"wrk -t2 -c16 -d{args.seconds}s per page; gunicorn {args.workers} sync workers each; {cores} cores")
        results = []
        bare_result = wrk(bare_base, [("/bench/bare/", "")], args.seconds, work, args.timeout)
        print(f"  bare Django view: {bare_result['rps']:.0f} req/s", flush=True)
        for page in [BARE_PROJECT, *pages]:
            # Warm-up, and a check: two sessions' requests, one at a time (gunicorn's own limit is 30 s).
            started = time.perf_counter()
            statuses = [_status(base + path, cookie) for path, cookie in _paths(page, made)[:2]]
            warm = (time.perf_counter() - started) / 2
            result = wrk(base, _paths(page, made), args.seconds, work, args.timeout)
            result["statuses"], result["warm_ms"] = statuses, warm * 1000
            results.append((page, result))
            note = "" if statuses == [200, 200] else f" (answered {statuses} before the run)"
            print(f"  {page[2]}: {result['rps']:.0f} req/s, warm-up {warm * 1000:.0f} ms a request{note}", flush=True)
            slow = result["requests"] == 0 or result["p99_us"] >= args.timeout * 1e6 or statuses != [200, 200]
            if slow or result["timeouts"] or result["non2xx"] or result["socket_errors"]:
                # Requests wrk gave up on are still queued in gunicorn: start afresh so the next page is not
                # measured behind them.
                _stop(project)
                project = _gunicorn("config.wsgi", args.port, env, log, args.workers)
                for _ in range(4):
                    _wait_for(f"{base}/login/", project)
        print()
        header = (
            f"{'page':<44} {'role':<11} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'of bare':>7} {'errors':>7} "
            f"{'warm-up':>8}"
        )
        print(header)
        print("-" * len(header))
        for page, r in [((None, "none", "bare Django view (no middleware)"), bare_result), *results]:
            errors = r["non2xx"] + r["timeouts"] + r["socket_errors"]
            share = 100 * r["rps"] / bare_result["rps"]
            print(
                f"{page[2]:<44} {page[1]:<11} {r['rps']:>7.0f} {r['p50_us'] / 1000:>7.0f} "
                f"{r['p99_us'] / 1000:>7.0f} {share:>6.1f}% {errors:>7} {r.get('warm_ms', 0):>8.0f}"
            )
        print(
            f"errors: non-2xx answers, timeouts (over {args.timeout} s) and socket errors; warm-up: the mean of "
            "two requests, one at a time, just before the page's run (ms; over gunicorn's 30 s limit is a 500). "
            f"Load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after."
        )
        timeouts = log.read_text().count("WORKER TIMEOUT")
        print(f"gunicorn: {timeouts} worker timeouts (requests over 30 s); its log is {log}")
    finally:
        _stop(project)
        _stop(bare)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
