"""What each middleware costs: the bare view served in-process through growing prefixes of MIDDLEWARE (issue 17).

    .venv/bin/python bench/middleware.py [--db bench_national] [--requests 400] [--path /bench/bare/] [--profile]

Builds one WSGI handler per prefix of settings.MIDDLEWARE (the first k middleware, k = 0 … all, so each
one's dependencies are already there) and calls it directly, as gunicorn would, with no client or
network in the way: per prefix, the best of three rounds of --requests requests, for an anonymous
visitor (no cookie), a student in a survey (session from a survey link) and a signed-in coordinator.
A middleware's cost is the time its prefix adds to the one before; work one middleware starts
lazily (loading the session, the user) is counted where it is first needed. --profile prints the
top functions of the whole stack instead, for one --visitor (default: the coordinator).
Uses bench/pages_settings.py and a database made by bench/national.py, as bench/pages.py does.
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]

from pages import sessions, setup_django  # noqa: E402


def _environ(path, cookie):
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    if cookie:
        environ["HTTP_COOKIE"] = cookie
    return environ


def _call(handler, path, cookie):
    status = []
    result = handler(_environ(path, cookie), lambda s, h, exc_info=None: status.append(s))
    body = b"".join(result)
    result.close()
    return status[0], body


def _handler(middleware):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=middleware):
        return WSGIHandler()


def timed(handler, path, cookie, requests):
    status, _body = _call(handler, path, cookie)  # warm-up
    best = None
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(requests):
            _call(handler, path, cookie)
        spent = (time.perf_counter() - started) / requests * 1e6
        best = spent if best is None else min(best, spent)
    return status, best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="bench_national")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--path", default="/bench/bare/")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--visitor",
        default="coordinator",
        choices=["anonymous", "student", "coordinator", "contact", "lead", "mentor", "admin"],
        help="with --profile: whose session; --path may hold {programme} or {running_syndicate}",
    )
    parser.add_argument("--sort", default="cumulative", help="with --profile: pstats sort key (tottime, …)")
    parser.add_argument("--callees", help="with --profile: what the functions matching this name call, instead")
    args = parser.parse_args()
    os.environ["BENCH_STATIC_ROOT"] = tempfile.mkdtemp(prefix="bench-middleware-static-")
    setup_django(args.db)
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # pages name their static files by hash
    made = sessions()
    visitors = {
        "anonymous": "",
        "student": made["student"][0][0],
        "coordinator": made["coordinator"][0][0],
    }
    stack = list(settings.MIDDLEWARE)
    if args.profile:
        handler = _handler(stack)
        cookie, values = made[args.visitor][0]
        path = args.path.format(**values)
        status, _body = _call(handler, path, cookie)
        print(path, status)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            _call(handler, path, cookie)
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        if args.callees:
            stats.print_callees(args.callees)
        else:
            stats.print_stats(60)
        return
    print(f"{args.path}, µs per request (best of 3 × {args.requests}); 'adds': over the prefix before")
    print(f"{'middleware (prefix ends with)':<52}" + "".join(f"{name:>13} {'adds':>6}" for name in visitors))
    before = dict.fromkeys(visitors, 0.0)
    for k in range(len(stack) + 1):
        handler = _handler(stack[:k])
        cells = []
        for name, cookie in visitors.items():
            status, spent = timed(handler, args.path, cookie, args.requests)
            cells.append(f"{spent:>9.0f} {status[:3]} {spent - before[name] if k else 0:>6.0f}")
            before[name] = spent
        label = stack[k - 1].rsplit(".", 1)[-1] if k else "(none: view and context processors only)"
        print(f"{label:<52}" + "".join(cells), flush=True)


if __name__ == "__main__":
    main()
