"""Benchmark: queries and in-process time of each main page of each role, on whatever database is configured.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/page_queries.py [--runs 20]

Signs in through the test client (no second factor asked: REQUIRE_TWO_FACTOR is off outside
production settings), reads each page `--runs` times and prints the number of queries and the
median time in milliseconds. Read-only: it never writes to the database, apart from the sessions
of the users it signs in (and the audit middleware, which records nothing for a GET).
With --rollback everything runs in one transaction rolled back at the end, so a database that must
not change (a shared benchmark database) is left exactly as it was, sessions and last sign-in included.
Users default to the demo's (seed_demo); on other data name them with --coordinator, --contact,
--lead, --mentor and --admin. The programme measured is the coordinator's programme with the most
students (or --programme).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django

django.setup()

from django.contrib import admin  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.scoping import scope_for  # noqa: E402
from placements.models import Placement, Programme, Syndicate  # noqa: E402

ADMIN_MODELS = [
    "schools.nomination",
    "core.outboundemail",
    "placements.placement",
    "placements.programme",
    "placements.forceperson",
    "placements.syndicate",
    "certificates.certificate",
    "mentoring.mentorassignment",
    "mentoring.mentorcontact",
    "schools.consent",
    "auditlog.logentry",
]


def _programme(user, pk):
    if pk:
        return Programme.objects.get(pk=pk)
    forces = scope_for(user).force_ids
    return (
        Programme.objects.filter(force__in=forces)
        .annotate(n=Count("placements", filter=Q(placements__status=Placement.Status.CONFIRMED)))
        .order_by("-n", "-start_date")
        .first()
    )


def pages(args):
    users = {role: User.objects.filter(username=getattr(args, role)).first() for role in ROLES}
    found = []
    coordinator = users["coordinator"]
    if coordinator:
        programme = _programme(coordinator, args.programme)
        pk = [programme.pk]
        for label, name, pargs in [
            ("programme list", "placements:programme_list", []),
            ("programme page", "placements:programme_detail", pk),
            ("nominations review", "schools:review", pk),
            ("schools & quotas", "schools:allocations", pk),
            ("people", "placements:people", []),
            ("certificates", "certificates:programme_certificates", pk),
            ("programme mentoring", "mentoring:programme", pk),
            ("mentoring dashboard", "mentoring:dashboard", []),
            ("timetable", "placements:timetable", pk),
            ("attendance", "placements:attendance", pk),
            ("budget", "placements:budget", pk),
            ("audit trail", "audit_trail", []),
        ]:
            found.append(("coordinator", label, coordinator, reverse(name, args=pargs)))
    if users["contact"]:
        found.append(("contact", "start page", users["contact"], reverse("schools:contact_home")))
        found.append(("contact", "nominations", users["contact"], reverse("schools:nomination_list")))
    if users["lead"]:
        found.append(("lead", "start page", users["lead"], reverse("placements:lead_home")))
        syndicate = (
            Syndicate.objects.filter(lead__user=users["lead"])
            .select_related("programme")
            .order_by("-programme__start_date")
            .first()
        )
        if syndicate:
            day = syndicate.programme.start_date.isoformat()
            url = reverse("placements:register", args=[syndicate.pk]) + f"?day={day}"
            found.append(("lead", "register", users["lead"], url))
    if users["mentor"]:
        found.append(("mentor", "start page", users["mentor"], reverse("mentoring:mentor_home")))
    if users["admin"]:
        registered = {f"{m._meta.app_label}.{m._meta.model_name}": m for m in admin.site._registry}
        for label in ADMIN_MODELS:
            if label in registered:
                url = reverse(f"admin:{label.replace('.', '_')}_changelist")
                found.append(("admin", label, users["admin"], url))
    return found


ROLES = ["coordinator", "contact", "lead", "mentor", "admin"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--programme", type=int)
    parser.add_argument("--only", help="measure only pages whose label contains this")
    parser.add_argument("--rollback", action="store_true", help="leave the database unchanged (one transaction)")
    for role, default in zip(ROLES, ["coordinator", "contact.oakfield", "lead1", "mentor", "admin"], strict=True):
        parser.add_argument(f"--{role}", default=default)
    args = parser.parse_args()
    if args.rollback:
        try:
            with transaction.atomic():
                measure(args)
                raise _RollBack
        except _RollBack:
            pass
    else:
        measure(args)


class _RollBack(Exception):
    pass


def measure(args):
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; median of {args.runs} runs")
    print(f"{'role':<12} {'page':<28} {'status':>6} {'queries':>7} {'ms':>8}")
    clients = {}
    for role, label, user, url in pages(args):
        if args.only and args.only not in label:
            continue
        client = clients.get(user.pk)
        if client is None:
            client = clients[user.pk] = Client()
            client.force_login(user)
        response = client.get(url)  # warm: caches, template loader
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        count = len(queries)  # now: the next request empties the log the context slices
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        print(
            f"{role:<12} {label:<28} {response.status_code:>6} {count:>7} {statistics.median(times):>8.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
