"""National-sized data: add N generated police forces of realistic, valid records to a PostgreSQL database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_national .venv/bin/python bench/national.py --forces 43
    … national.py --reset --forces 43   # drop and re-create the database first
    … national.py --check               # full_clean a sample of every model, and GET each role's main pages

Creates the database (and migrates it) if it does not exist; each run adds `--forces` more forces
after those already there. Per force (43 forces ≈ the figures of issue 17): a coordinator, 8 syndicate
leads, 12 mentors (the first lead and mentor, and one school contact, can sign in), 6 departments,
10 activities, 24 schools and a university with contacts, and about 32 programmes over six years
(one a year a university placement): allocations, ~23 nominations each, consents, ~16 placements in
4 syndicates, 12 timetabled sessions, budget lines, attendance, pre and post surveys with invitations
(link and short-code hashes made by the app's own functions), responses and answers, certificates,
mentoring assignments with contact logs, reminders and outcomes, the emails of the outbox and the
audit trail's entries. The newest programme runs this week, one finished last week (its post survey
is open, half unanswered: the student links of bench/pages.py), one takes nominations, one is a draft.
Statuses come from the app's own `programme_statuses_refresh`.

Every generated user's password is PASSWORD below; the platform admin is `bench.admin`. Users are
named `coord.f001`, `lead.f001`, `mentor.f001`, `contact.f001` (force 1 …). Runs with
bench/pages_settings.py (production settings as in bench/load_settings.py, a fixed public SECRET_KEY,
so the survey links can be made again by bench/pages.py). Redis: REDIS_URL (default db 5).
Rows go in with bulk inserts, one transaction per force; prints what it made and how long it took.
"""

import argparse
import os
import random
import sys
import time
from collections import Counter, deque
from datetime import datetime, time as dtime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.utils import timezone
from psycopg.types.json import Jsonb

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pages_settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_national")

PASSWORD = "bench-national-2026"  # noqa: S105 (generated bench users only)
ADMIN_USERNAME = "bench.admin"
SLUG_PREFIX = "bench-f"
ID_BLOCK = 20000
ANSWER_COLUMNS = ("response_id", "question_id", "value_int", "value_text")
ATTENDANCE_COLUMNS = ("id", "placement_id", "date", "status", "arrived_at", "marked_by_id", "marked_at")
CONTACT_COLUMNS = (
    "id",
    "assignment_id",
    "contacted_on",
    "method",
    "summary",
    "next_step",
    "sensitive_notes",
    "logged_by_id",
    "logged_at",
)
LOG_COLUMNS = (
    "id",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "action",
    "changes",
    "changes_text",
    "actor_id",
    "actor_email",
    "remote_addr",
    "timestamp",
    "additional_data",
)

FIRST = [
    "Amelia",
    "Olivia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Freya",
    "Willow",
    "Evie",
    "Poppy",
    "Ella",
    "Aisha",
    "Zara",
    "Noah",
    "Muhammad",
    "Oliver",
    "George",
    "Leo",
    "Arthur",
    "Oscar",
    "Harry",
    "Jack",
    "Charlie",
    "Jacob",
    "Alfie",
    "Ethan",
    "Theo",
    "Finley",
    "Kai",
    "Ravi",
    "Tomasz",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Wright",
    "Robinson",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Khan",
    "Lewis",
    "Harris",
    "Martin",
    "Cooper",
    "King",
    "Lee",
    "Baker",
    "Hill",
    "Ahmed",
    "Nowak",
    "Okafor",
]
TOWNS = [
    "Ashford",
    "Bramley",
    "Carrow",
    "Dunmore",
    "Elmbridge",
    "Fairholt",
    "Glenside",
    "Harwick",
    "Ivybridge",
    "Kingsmead",
    "Longford",
    "Marston",
    "Northgate",
    "Oakfield",
    "Pinehurst",
    "Queensway",
    "Riverside",
    "Stanton",
    "Thornbury",
    "Upton",
    "Westfield",
    "Yardley",
    "Ashby",
    "Brookfield",
]
SCHOOL_WORDS = ["Academy", "High School", "School", "College"]
DEPARTMENTS = [
    ("Dog Unit", True),
    ("Roads Policing", True),
    ("Forensics", True),
    ("Contact Centre", False),
    ("Neighbourhood Policing", False),
    ("Major Crime", True),
]
ACTIVITIES = [  # (title, kind, department index)
    ("Premises search with dogs", "scenario", 0),
    ("Vehicle forensics", "scenario", 2),
    ("Mock burglary", "scenario", 2),
    ("Missing person call taking", "scenario", 3),
    ("PPE training", "scenario", 4),
    ("Neighbourhood patrol", "scenario", 4),
    ("Air service", "demonstration", 1),
    ("Drones", "demonstration", 1),
    ("Method of entry", "demonstration", 5),
    ("Armed and roads policing", "demonstration", 1),
]
# The timetable: two syndicate pairs, each doing a different activity in every slot, so that every
# syndicate meets each of the programme's eight activities once (a slot's pair partner is 4 slots on).
SLOTS = [(day, hour, minute) for day in range(4) for hour, minute in ((9, 30), (13, 0))]  # (day, hour, minute)
PER_PROGRAMME_ACTIVITIES = len(SLOTS)


def _database_urls():
    url = urlsplit(os.environ["DATABASE_URL"])
    if url.scheme not in ("postgres", "postgresql"):
        sys.exit("bench/national.py needs PostgreSQL: set DATABASE_URL=postgres://…/bench_national")
    return urlunsplit(url._replace(path="/postgres")), url.path.lstrip("/")


def ensure_database(reset):
    """Create (or with reset, drop and create) the database of DATABASE_URL, then migrate it."""
    import psycopg

    maintenance, name = _database_urls()
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if reset:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrate: {time.perf_counter() - started:.1f} s")
    return name


class Maker:
    """Generates one force's rows in memory, bulk-inserts them, and counts what it made."""

    def __init__(self, today, password_hash, admin, made):
        from django.contrib.contenttypes.models import ContentType

        self.today = today
        self.password_hash = password_hash
        self.admin = admin
        self.made = made
        self.id_blocks = {}
        self.ct = {}
        for label in (
            "schools.nomination",
            "schools.consent",
            "schools.institutioncontact",
            "placements.placement",
            "placements.attendance",
            "placements.programme",
            "certificates.certificate",
            "mentoring.mentorassignment",
            "mentoring.mentorcontact",
            "mentoring.outcome",
        ):
            from django.apps import apps

            self.ct[label] = ContentType.objects.get_for_model(apps.get_model(label))

    # --- helpers ----------------------------------------------------------------------------------

    def bulk(self, model, rows, batch_size=2000):
        rows = list(rows)
        if rows:
            model.objects.bulk_create(rows, batch_size=batch_size)
            self.made[model._meta.label] += len(rows)
        return rows

    def copy(self, model, rows):
        """Like bulk() for the big tables, with PostgreSQL's COPY: ids are drawn from the table's sequence first."""
        from django.db import connection

        rows = list(rows)
        if not rows:
            return rows
        table = model._meta.db_table
        fields = model._meta.concrete_fields
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
            )
            for row, (pk,) in zip(rows, cursor.fetchall(), strict=True):
                row.pk = pk
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    row._prepare_related_fields_for_save(operation_name="copy")  # parents saved since: take their ids
                    copy.write_row([f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields])
        self.made[model._meta.label] += len(rows)
        return rows

    def new_id(self, table):
        """The next id of `table`, taken from its sequence in blocks (rows written with COPY name their ids)."""
        from django.db import connection

        block = self.id_blocks.get(table)
        if not block:
            with connection.cursor() as cursor:  # one nextval per id: safe beside the other job's process
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, ID_BLOCK]
                )
                block = self.id_blocks[table] = deque(pk for (pk,) in cursor.fetchall())
        return block.popleft()

    def copy_rows(self, table, columns, rows, label):
        """Write plain tuples to `table` with PostgreSQL's COPY (the big tables: no model instances at all)."""
        from django.db import connection

        if not rows:
            return
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.made[label] += len(rows)

    def at(self, day, hour=9, minute=0):
        return timezone.make_aware(datetime.combine(day, dtime(hour, minute)))

    def log(self, instance, action, when, actor, changes, named=None):
        """An audit entry as django-auditlog and core.audit would write it (anonymous repr, filed under the force)."""
        label = instance._meta.label_lower
        repr_ = str(instance) if label == "placements.programme" else None
        self.log_row(label, instance.pk, action, when, actor, changes, named=named, repr_=repr_)

    def log_row(self, label, pk, action, when, actor, changes, named=None, repr_=None):
        data = {"force": self.force.pk}
        if named:
            data["action"] = named
        content_type = self.ct[label]
        self.entries.append(
            (
                self.new_id("auditlog_logentry"),
                content_type.pk,
                str(pk),
                pk,
                repr_ or f"{content_type.model_class()._meta.verbose_name} #{pk}",
                action,
                Jsonb(changes),
                "",
                actor.pk if actor else None,
                actor.email if actor else None,
                "10.0.0.1" if actor else None,
                when,
                Jsonb(data),
            )
        )

    def email(self, kind, key, to, subject, when, students=(), to_student=False):
        from core.models import OutboundEmail

        self.emails.append(
            (
                OutboundEmail(
                    kind=kind,
                    dedupe_key=f"{kind}:{key}",
                    to=to,
                    subject=subject,
                    body_text=f"{subject}\n\nThis is an email of the generated bench data.",
                    force=self.force,
                    sent_at=when,
                    to_student=to_student,
                ),
                [s.pk for s in students],
            )
        )

    def user(self, username, first, last, **extra):
        from django.contrib.auth import get_user_model

        return get_user_model()(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@bench.invalid",
            password=self.password_hash,
            **extra,
        )

    # --- one force ----------------------------------------------------------------------------------

    def force_make(self, number):
        from django.contrib.auth import get_user_model

        from certificates.models import CertificateTemplate, SerialCounter
        from mentoring.models import MentoringSettings
        from placements.models import Activity, Department, Force, ForcePerson
        from privacy.models import ForceNotice, RetentionPolicy
        from schools.models import Institution, InstitutionContact
        from surveys.services import survey_template_ensure_standard

        rng = self.rng = random.Random(number)
        self.entries, self.emails, self.answers, self.attendance, self.contacts = [], [], [], [], []
        User = get_user_model()
        tag = f"f{number:03d}"
        town = TOWNS[number % len(TOWNS)]
        force = self.force = Force.objects.create(
            name=f"{town} Bench Constabulary {number:03d}", slug=f"{SLUG_PREFIX}{number:03d}"
        )
        self.made["placements.Force"] += 1

        users = self.bulk(
            User,
            [
                self.user(f"coord.{tag}", "Casey", f"Coordinator {number}"),
                self.user(f"lead.{tag}", "Lee", f"Lead {number}"),
                self.user(f"mentor.{tag}", "Morgan", f"Mentor {number}"),
                self.user(f"contact.{tag}", "Sam", f"Teacher {number}"),
            ],
        )
        self.coordinator_user, lead_user, mentor_user, contact_user = users
        departments = self.bulk(Department, [Department(force=force, name=n, is_specialist=s) for n, s in DEPARTMENTS])
        vetting = self.today + timedelta(days=400)

        def person(name, **kw):
            return ForcePerson(
                force=force,
                name=name,
                email=f"{name.lower().replace(' ', '.')}.{tag}@police.invalid",
                kind=kw.pop("kind", "officer"),
                rank=kw.pop("rank", "PC"),
                vetting_expires_on=kw.pop("vetting", vetting),
                **kw,
            )

        coordinator = person(
            "Casey Coordinator", user=self.coordinator_user, kind="staff", rank="", is_coordinator=True
        )
        leads = [
            person(
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                user=lead_user if i == 0 else None,
                kind=["officer", "pcso", "staff", "volunteer"][i % 4],
                department=departments[i % 6],
                vetting=self.today + timedelta(days=30 if i == 7 else 200 + 40 * i),
            )
            for i in range(8)
        ]
        self.mentors = [
            person(
                f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                user=mentor_user if i == 0 else None,
                is_mentor=True,
                department=departments[i % 6],
            )
            for i in range(12)
        ]
        self.bulk(ForcePerson, [coordinator, *leads, *self.mentors])
        self.leads = leads
        activities = self.bulk(
            Activity,
            [
                Activity(
                    force=force,
                    kind=kind,
                    title=title,
                    slug=title.lower().replace(" ", "-"),
                    department=departments[dep],
                    staff_needed=2,
                    syndicate_capacity=2 if kind == "scenario" else None,
                    venue="Headquarters",
                    risk_assessment_status="approved",
                    risk_assessed_on=self.today - timedelta(days=100),
                    is_contingency=dep in (3, 4),
                )
                for title, kind, dep in ACTIVITIES
            ],
        )
        Activity.delivering_staff.through.objects.bulk_create(
            Activity.delivering_staff.through(activity_id=a.pk, forceperson_id=leads[i % 8].pk)
            for i, a in enumerate(activities)
        )
        self.activities = activities

        schools = [
            Institution(
                force=force,
                name=f"{TOWNS[(number + i) % len(TOWNS)]} {SCHOOL_WORDS[i % 4]} {i + 1}",
                kind="college" if i % 4 == 3 else "school",
                code=f"{number:03d}{i:03d}",
                local_authority=f"{town} County Council",
                area=f"{town[:2].upper()}{i % 9 + 1}",
                is_send=i % 6 == 5,
                fsm_pct=Decimal(rng.randint(50, 450)) / 10,
                idaci_decile=rng.randint(1, 10),
            )
            for i in range(24)
        ]
        university = Institution(
            force=force, name=f"University of {town} {number}", kind="university", code=f"U{number:03d}"
        )
        self.bulk(Institution, [*schools, university])
        contacts = self.bulk(
            InstitutionContact,
            [
                InstitutionContact(
                    institution=inst,
                    user=contact_user if i == 0 else None,
                    name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    email=f"careers{i}.{tag}@school.invalid",
                    job_title="Careers lead" if inst.kind != "university" else "Module leader",
                )
                for i, inst in enumerate([*schools, university])
            ],
        )
        self.contact_by_school = {c.institution_id: c for c in contacts}
        self.contact_user = contact_user
        for c in contacts:
            self.log(
                c,
                0,
                self.at(self.today - timedelta(days=6 * 365)),
                self.coordinator_user,
                {"name": ["None", "[hidden]"]},
            )

        survey_template_ensure_standard(force=force)
        self.templates = {
            kind: CertificateTemplate.objects.create(
                force=force,
                programme_kind=kind,
                name=f"{kind.replace('_', ' ').title()} certificate",
                wording="This is to certify that {student_name} completed {programme_title}.",
                signatory_name="Chief Constable",
            )
            for kind in ("school_week", "university")
        }
        MentoringSettings.objects.create(force=force)
        # Six years of named records stay only under a long retention period (the app's default would erase them).
        RetentionPolicy.objects.create(force=force, not_placed_months=84, placed_months=84, survey_text_months=84)
        ForceNotice.objects.create(force=force, contact_email=f"placements.{tag}@police.invalid")
        self.made["other force settings"] += 5
        self.serial = 0
        self.mentor_load = Counter()

        # The programmes: six years back, roughly every 10–12 weeks, then this week, and two to come.
        monday = self.today - timedelta(days=self.today.weekday())
        if self.today.weekday() >= 5:
            monday += timedelta(days=7)
        gap = 9 + number % 3
        starts = [monday, monday - timedelta(days=7)]
        starts += [monday - timedelta(days=7 + 7 * gap * k) for k in range(1, 31) if 7 + 7 * gap * k <= 6 * 365]
        programmes = []
        for index, start in enumerate(sorted(starts)):
            university_run = index % 6 == 3
            programmes.append(self.programme_make(start, university_run, schools, university, len(programmes) + 1))
        self.programme_future(monday + timedelta(weeks=10), schools, "open")
        self.programme_future(monday + timedelta(weeks=26), schools, "draft")
        SerialCounter.objects.create(force=force, last_serial=self.serial)

        from core.models import OutboundEmail

        self.copy_rows("auditlog_logentry", LOG_COLUMNS, self.entries, "auditlog.LogEntry")
        self.copy_rows("surveys_answer", ANSWER_COLUMNS, self.answers, "surveys.Answer")
        self.copy_rows("placements_attendance", ATTENDANCE_COLUMNS, self.attendance, "placements.Attendance")
        self.copy_rows("mentoring_mentorcontact", CONTACT_COLUMNS, self.contacts, "mentoring.MentorContact")
        mails = self.copy(OutboundEmail, [e for e, _ in self.emails])
        through = OutboundEmail.students.through
        self.copy(
            through,
            [
                through(outboundemail_id=m.pk, nomination_id=s)
                for m, (_, ids) in zip(mails, self.emails, strict=True)
                for s in ids
            ],
        )

    def programme_future(self, start, schools, stage):
        from placements.models import Programme
        from schools.models import Allocation, Nomination

        opens = self.today - timedelta(days=30) if stage == "open" else self.today + timedelta(days=60)
        programme = Programme.objects.create(
            force=self.force,
            title=f"School week {start:%B %Y}",
            start_date=start,
            end_date=start + timedelta(days=4),
            capacity=16,
            reserved_send_places=3,
            max_per_institution=4,
            nomination_opens=opens,
            nomination_closes=min(start - timedelta(days=14), opens + timedelta(days=60)),
        )
        self.made["placements.Programme"] += 1
        if stage != "open":
            return
        chosen = [*self.rng.sample(schools[1:], 5), schools[0]]
        self.bulk(Allocation, [Allocation(programme=programme, institution=s, quota=4) for s in chosen])
        nominations = self.bulk(
            Nomination,
            [self.nomination(programme, chosen[i % 6], i, "submitted", school_week=True) for i in range(12)],
        )
        for n in nominations:
            self.log(n, 0, self.at(self.today - timedelta(days=10)), self.contact_user, self.nomination_changes())

    def nomination(self, programme, institution, i, status, *, school_week):
        from schools.models import Nomination

        rng = self.rng
        age = rng.randint(14, 16) if school_week else rng.randint(19, 23)
        dob = programme.start_date - timedelta(days=365 * age + rng.randint(10, 300))
        first, last = rng.choice(FIRST), rng.choice(LAST)
        return Nomination(
            programme=programme,
            institution=institution,
            submitted_by=self.contact_user if self.contact_by_school[institution.pk].user_id else None,
            first_name=first,
            last_name=f"{last}-{i}",
            date_of_birth=dob,
            year_group="Year 10" if school_week else "Level 5",
            gender=rng.choice(["female", "male", "non_binary", ""]),
            student_email="" if school_week else f"{first.lower()}.{i}.{programme.pk}@student.invalid",
            support_needs="Extra time to read instructions." if institution.is_send else "",
            medical_notes="Carries an inhaler." if i % 9 == 0 else "",
            emergency_contact_name=f"{rng.choice(FIRST)} {last}",
            emergency_contact_phone="07700 900" + f"{i:03d}",
            guardian_name=f"{rng.choice(FIRST)} {last}" if school_week else "",
            guardian_email=f"parent.{i}.{programme.pk}@family.invalid" if school_week else "",
            reason="Keen to learn how the police work with young people.",
            police_first_choice=rng.random() < 0.66,
            status=status,
            status_changed_at=self.at(programme.nomination_closes + timedelta(days=3)),
            offer_deadline=programme.nomination_closes + timedelta(days=10) if status != "submitted" else None,
            waitlist_rank=1 if status == "waitlisted" else None,
            selection_reason="Balance of schools and backgrounds" if status in ("accepted", "not_selected") else "",
        )

    @staticmethod
    def nomination_changes():
        return {field: ["None", "[hidden]"] for field in ("first_name", "last_name", "date_of_birth")} | {
            "status": ["None", "submitted"]
        }

    def programme_make(self, start, university_run, schools, university, index):
        from placements.models import BudgetLine, Placement, Programme, Session, Syndicate
        from schools.models import Allocation, Consent, Nomination

        rng, today = self.rng, self.today
        end = start + timedelta(days=8 if university_run else 4)
        capacity = 10 if university_run else 16
        programme = Programme.objects.create(
            force=self.force,
            kind="university" if university_run else "school_week",
            title=f"{'University placement' if university_run else 'School week'} {start:%B %Y}",
            start_date=start,
            end_date=end,
            capacity=capacity,
            reserved_send_places=0 if university_run else 3,
            max_per_institution=None if university_run else 4,
            min_age=18 if university_run else 14,
            max_age=None if university_run else 17,
            nomination_opens=start - timedelta(days=120),
            nomination_closes=start - timedelta(days=40),
        )
        self.made["placements.Programme"] += 1
        closes = programme.nomination_closes
        chosen = [university] if university_run else [schools[0], *rng.sample(schools[1:], 5)]
        self.bulk(
            Allocation,
            [Allocation(programme=programme, institution=s, quota=14 if university_run else 5) for s in chosen],
        )
        statuses = (
            ["accepted"] * capacity
            + ["not_selected"] * 4
            + ["declined", "withdrawn", "waitlisted"][: 3 - university_run]
        )
        nominations = self.bulk(
            Nomination,
            [
                self.nomination(programme, chosen[i % len(chosen)], i, status, school_week=not university_run)
                for i, status in enumerate(statuses)
            ],
        )
        accepted = [n for n in nominations if n.status == "accepted"]
        coordinator = self.coordinator_user
        for n in nominations:
            self.log(
                n, 0, self.at(closes - timedelta(days=rng.randint(1, 60))), self.contact_user, self.nomination_changes()
            )
            self.log(n, 1, self.at(closes + timedelta(days=3)), coordinator, {"status": ["submitted", n.status]})
            if n.status == "accepted":
                school = self.contact_by_school[n.institution_id]
                self.email("offer_made", n.pk, school.email, "A place is offered", self.at(closes + timedelta(days=3)))
                self.email(
                    "consent_request",
                    n.pk,
                    n.guardian_email or n.student_email,
                    "Please give consent for the work-experience week",
                    self.at(closes + timedelta(days=6)),
                    students=[n],
                    to_student=True,
                )
        consents = self.bulk(
            Consent,
            [
                Consent(
                    nomination=n,
                    relationship="self" if university_run else "guardian",
                    status="given",
                    respondent_name=n.guardian_name or n.full_name,
                    participation=True,
                    photos_media=rng.random() < 0.8,
                    data_processing=True,
                    mentoring_contact=rng.random() < 0.85,
                    wording="I agree to my child taking part in the work-experience week.",
                    requested_at=self.at(closes + timedelta(days=6)),
                    responded_at=self.at(closes + timedelta(days=8)),
                )
                for n in accepted
            ],
        )
        for c in consents:
            self.log(c, 0, c.requested_at, coordinator, {"status": ["None", "requested"]})
            self.log(
                c, 1, c.responded_at, None, {"status": ["requested", "given"], "respondent_name": ["", "[hidden]"]}
            )
        consent_of = {c.nomination_id: c for c in consents}

        syndicates = self.bulk(
            Syndicate,
            [
                Syndicate(
                    programme=programme,
                    name=f"Syndicate {s + 1}",
                    lead=self.leads[(index + s) % 8] if s else self.leads[0],
                )
                for s in range(3 if university_run else 4)
            ],
        )
        placements = self.bulk(
            Placement,
            [
                Placement(programme=programme, nomination=n, syndicate=syndicates[i % len(syndicates)])
                for i, n in enumerate(accepted)
            ],
        )
        for p in placements:
            self.log(p, 0, self.at(start - timedelta(days=20)), coordinator, {"status": ["None", "confirmed"]})
        self.log(programme, 1, self.at(start - timedelta(days=10)), coordinator, {}, named="Syndicates built")

        used = rng.sample(self.activities, PER_PROGRAMME_ACTIVITIES)
        sessions, pairs = [], []
        for slot, (day, hour, minute) in enumerate(SLOTS):
            starts_at = self.at(start + timedelta(days=day), hour, minute)
            for half, activity in ((0, used[slot]), (1, used[(slot + 4) % PER_PROGRAMME_ACTIVITIES])):
                sessions.append(
                    Session(
                        programme=programme,
                        activity=activity,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(hours=2),
                    )
                )
                pairs.append(syndicates[2 * half : 2 * half + 2] if not university_run else syndicates[half::2])
        self.bulk(Session, sessions)
        Session.syndicates.through.objects.bulk_create(
            Session.syndicates.through(session_id=s.pk, syndicate_id=syn.pk)
            for s, group in zip(sessions, pairs, strict=True)
            for syn in group
        )
        self.bulk(
            BudgetLine,
            [
                BudgetLine(
                    programme=programme,
                    category=c,
                    planned=Decimal(p),
                    actual=Decimal(p) * Decimal("0.9") if end < today else 0,
                )
                for c, p in (("transport", 550), ("catering", 1000), ("overtime", 500), ("misc", 700))
            ],
        )

        # Attendance for each day that has happened.
        days = [d for d in programme.days if d <= today]
        lead_of = {s.pk: s.lead for s in syndicates}
        attended = Counter()
        for p in placements:
            marked_by = lead_of[p.syndicate_id].user or coordinator
            for d in days:
                roll = rng.random()
                status = "present" if roll < 0.9 else "late" if roll < 0.95 else "absent"
                attended[p.pk] += status != "absent"
                pk, marked_at = self.new_id("placements_attendance"), self.at(d, 9, 15)
                late = dtime(9, 40) if status == "late" else None
                self.attendance.append((pk, p.pk, d, status, late, marked_by.pk, marked_at))
                self.log_row("placements.attendance", pk, 0, marked_at, marked_by, {"status": ["None", status]})

        answers_of = self.surveys_make(programme, placements, syndicates, used, start, end)
        if end < today:
            self.certificates_make(programme, placements, attended, len(days), end)
            self.mentoring_make(programme, placements, consent_of, answers_of, end)
        return programme

    def surveys_make(self, programme, placements, syndicates, used, start, end):
        """Pre and post surveys as survey_setup_programme makes them, with invitations, responses and answers."""
        from core.links import link_marker, token_hash
        from surveys import standard
        from surveys.models import Invitation, Question, Response, Survey
        from surveys.services import invitation_short_code, invitation_token, short_code_hash

        rng, today = self.rng, self.today
        finished_last_week = end < today and today - end <= timedelta(days=10)
        windows = {
            "pre": (self.at(start - timedelta(days=14)), self.at(start, 9)),
            "post": (self.at(end, 15), self.at(end + timedelta(days=21), 17)),
        }
        surveys = self.bulk(
            Survey,
            [
                Survey(
                    programme=programme,
                    phase=phase,
                    title=standard.TITLES[phase][0],
                    intro=standard.TITLES[phase][1],
                    opens_at=o,
                    closes_at=c,
                )
                for phase, (o, c) in windows.items()
            ],
        )
        questions = {}
        for survey, spec in zip(surveys, (standard.PRE, standard.POST), strict=True):
            rows = []
            for order, (code, kind, text, easy, choices, required, per_activity) in enumerate(spec, 1):
                if per_activity:
                    for n, activity in enumerate(used, 1):
                        rows.append(
                            Question(
                                survey=survey,
                                code=f"{standard.ACTIVITY_PREFIX}{activity.slug}",
                                kind=kind,
                                text=text.replace("{activity}", activity.title),
                                easy_read_text=easy.replace("{activity}", activity.title),
                                choices=choices,
                                order=order * 100 + n,
                                required=required,
                            )
                        )
                else:
                    rows.append(
                        Question(
                            survey=survey,
                            code=code,
                            kind=kind,
                            text=text,
                            easy_read_text=easy,
                            choices=choices,
                            order=order * 100,
                            required=required,
                        )
                    )
            questions[survey.phase] = self.bulk(Question, rows)

        invitations = []
        for survey in surveys:
            for p in placements:
                inv = Invitation(survey=survey, placement=p)
                inv.short_code_hash = short_code_hash(invitation_short_code(inv))
                inv.token_hash = token_hash(invitation_token(inv))
                invitations.append(inv)
        answered_invitations, answers, answers_of = [], self.answers, {}
        for inv in invitations:
            phase = inv.survey.phase
            opened = windows[phase][0]
            if opened > self.at(today, 12):
                continue
            share = 0.5 if (phase == "post" and finished_last_week) else 0.97 if phase == "pre" else 0.93
            if rng.random() >= share:
                continue
            inv.answered_at = opened + timedelta(hours=rng.randint(1, 60))
            answered_invitations.append(inv)
        self.bulk(Invitation, invitations, batch_size=5000)
        for inv in invitations:
            if windows[inv.survey.phase][0] > self.at(today, 12):
                continue  # not sent yet
            link = link_marker("survey", inv.pk)
            if inv.survey.phase == "post" and inv.placement.nomination.guardian_email:
                n = inv.placement.nomination
                self.email(
                    "survey_link", inv.pk, n.guardian_email, f"Your survey: {link}", windows["post"][0], [n], True
                )
            elif inv.survey.phase == "pre":
                n = inv.placement.nomination
                to = n.guardian_email or n.student_email
                self.email("survey_link", inv.pk, to, "Your survey before the week", windows["pre"][0], [n], True)
        responses = self.bulk(Response, [Response(invitation=inv) for inv in answered_invitations], batch_size=5000)
        for response in responses:
            inv = response.invitation
            phase = inv.survey.phase
            values = {}
            for q in questions[phase]:
                if q.kind == "likert":
                    value = rng.randint(2, 4) if phase == "pre" else rng.randint(3, 5)
                    answers.append((response.pk, q.pk, value, ""))
                elif q.kind == "yes_no":
                    value = int(rng.random() < (0.6 if q.code == "wants_mentor" else 0.95))
                    values[q.code] = value
                    answers.append((response.pk, q.pk, value, ""))
                elif q.kind == "choice":
                    answers.append((response.pk, q.pk, None, rng.choice(["better", "better", "same"])))
                elif rng.random() < 0.85:
                    answers.append((response.pk, q.pk, None, "It was interesting to see the dogs work."))
            if phase == "post":
                answers_of[inv.placement_id] = values
        self.answered += [(r.pk, r.invitation.answered_at) for r in responses]
        return answers_of

    def certificates_make(self, programme, placements, attended, days, end):
        from certificates.models import Certificate, IssueJob
        from certificates.services import new_verification_code

        earned = [p for p in placements if days and 100 * attended[p.pk] / days >= programme.attendance_threshold_pct]
        certificates = []
        for p in earned:
            self.serial += 1
            certificates.append(
                Certificate(
                    force=self.force,
                    placement=p,
                    template=self.templates[programme.kind],
                    serial=self.serial,
                    verification_code=new_verification_code(),
                    printed_name=p.nomination.full_name,
                    hours_attended=Decimal(7 * attended[p.pk]),
                    issued_by=self.coordinator_user,
                )
            )
        for c in self.bulk(Certificate, certificates):
            self.log(
                c, 0, self.at(end + timedelta(days=7)), self.coordinator_user, {"printed_name": ["None", "[hidden]"]}
            )
        job = IssueJob.objects.create(
            programme=programme,
            status="done",
            total=len(certificates),
            issued=len(certificates),
            started_by=self.coordinator_user,
            finished_at=self.at(end + timedelta(days=7)),
        )
        self.made["certificates.IssueJob"] += 1
        self.log(programme, 1, job.finished_at, self.coordinator_user, {}, named="Certificates issued")

    def mentoring_make(self, programme, placements, consent_of, answers_of, end):
        from mentoring.models import MentorAssignment, MentorReminder, Outcome

        rng, today = self.rng, self.today
        assignments = []
        for p in placements:
            if not answers_of.get(p.pk, {}).get("wants_mentor") or not consent_of[p.nomination_id].mentoring_contact:
                continue
            starts = end + timedelta(days=14)
            ends = starts + timedelta(days=365)
            active = ends >= today
            if active:
                mentor = min(self.mentors, key=lambda m: self.mentor_load[m.pk])
                if self.mentor_load[mentor.pk] >= 6:
                    continue
                self.mentor_load[mentor.pk] += 1
            else:
                mentor = self.mentors[rng.randrange(12)]
            assignments.append(
                MentorAssignment(
                    placement=p,
                    mentor=mentor,
                    assigned_by=self.coordinator_user,
                    starts_on=starts,
                    ends_on=ends,
                    status="active" if active else "ended",
                    ended_at=None if active else self.at(ends, 2),
                    ended_reason="" if active else "period_over",
                )
            )
        contacts, reminders, outcomes = [], [], []
        for a in assignments:
            day, last = a.starts_on + timedelta(days=rng.randint(3, 14)), None
            while day <= min(a.ends_on, today - timedelta(days=1)):
                last = day
                contacts.append((a, day, rng.choice(["phone", "email", "video", "in_person"])))
                day += timedelta(days=rng.randint(25, 50))
            if a.status == "active":
                a.next_due_on = (last or a.starts_on) + timedelta(days=programme.mentor_contact_every_days)
            elif rng.random() < 0.3:
                milestone = rng.choice(["joined_cadets", "applied_officer", "other_career", "lost_contact"])
                outcomes.append(
                    Outcome(
                        placement=a.placement,
                        milestone=milestone,
                        occurred_on=a.ends_on - timedelta(days=30),
                        recorded_by=self.coordinator_user,
                    )
                )
        self.bulk(MentorAssignment, assignments)
        for a in assignments:
            if a.next_due_on and a.next_due_on < today:
                reminders.append(MentorReminder(assignment=a, due_on=a.next_due_on, kind="due"))
                if a.mentor.email:
                    self.email(
                        "mentor_reminder",
                        f"{a.pk}:{a.next_due_on}",
                        a.mentor.email,
                        "A mentee's contact is due",
                        self.at(a.next_due_on, 8),
                    )
            self.log(a, 0, self.at(a.starts_on), self.coordinator_user, {"status": ["None", "active"]})
            n = a.placement.nomination
            if n.guardian_email or n.student_email:
                to = n.guardian_email or n.student_email
                self.email("mentor_assigned", a.pk, to, "Meet your career mentor", self.at(a.starts_on, 10), [n], True)
            if a.status == "ended":
                self.log(a, 1, a.ended_at, None, {"status": ["active", "ended"]})
        for a, day, method in contacts:
            pk, logged_at, by = self.new_id("mentoring_mentorcontact"), self.at(day, 18), a.mentor.user
            summary = "Talked about applying to the volunteer police cadets."
            step = "Send the cadets' open evening dates."
            self.contacts.append((pk, a.pk, day, method, summary, step, "", by.pk if by else None, logged_at))
            self.log_row("mentoring.mentorcontact", pk, 0, logged_at, by, {"summary": ["None", "[hidden]"]})
        self.bulk(MentorReminder, reminders)
        for o in self.bulk(Outcome, outcomes):
            self.log(o, 0, self.at(o.occurred_on), self.coordinator_user, {"milestone": ["None", o.milestone]})


def generate(forces, jobs):
    """Add `forces` forces, shared among `jobs` processes (PostgreSQL works while Python builds rows)."""
    import multiprocessing

    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection, connections, transaction

    from placements.models import Force
    from placements.services import programme_statuses_refresh

    User = get_user_model()
    today = timezone.localdate()
    password_hash = make_password(PASSWORD)  # hashed once: every generated user shares it
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = User(
            username=ADMIN_USERNAME,
            email="admin@bench.invalid",
            is_staff=True,
            is_superuser=True,
            password=password_hash,
        )
        admin.save()
    first = Force.objects.filter(slug__startswith=SLUG_PREFIX).count() + 1
    numbers = list(range(first, first + forces))
    started = time.perf_counter()
    connections.close_all()  # each process opens its own connection
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs) as pool:
        counts = pool.starmap(
            _generate_part, [(numbers[j::jobs], today, password_hash, admin.pk, started) for j in range(jobs)]
        )
    made = sum(counts, Counter())
    with transaction.atomic():
        programme_statuses_refresh(today=today)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return made, time.perf_counter() - started


def _generate_part(numbers, today, password_hash, admin_pk, started):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    made = Counter()
    maker = Maker(today, password_hash, get_user_model().objects.get(pk=admin_pk), made)
    for number in numbers:
        with transaction.atomic():
            maker.answered = []
            maker.force_make(number)
            with connection.cursor() as cursor:
                # Timestamps that auto_now_add set to now: when the rows were really made.
                cursor.execute(
                    "UPDATE surveys_response r SET submitted_at = i.answered_at FROM surveys_invitation i "
                    "WHERE i.id = r.invitation_id AND r.id = ANY(%s)",
                    [[pk for pk, _ in maker.answered]],
                )
                cursor.execute(
                    "UPDATE core_outboundemail SET created_at = sent_at - interval '1 minute' WHERE force_id = %s",
                    [maker.force.pk],
                )
        print(f"  force {number:3d} ({maker.force.name}): {time.perf_counter() - started:.1f} s so far", flush=True)
    connection.close()
    return made


def check(sample=25):
    """full_clean a sample of each model's generated rows, then GET each role's main pages (expect 200)."""
    from django.apps import apps
    from django.core.exceptions import ValidationError

    failures = 0
    skip = {"sessions.session", "contenttypes.contenttype", "auth.permission", "admin.logentry"}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in skip or model._meta.auto_created:
            continue
        rows = list(model._default_manager.order_by("?")[:sample])
        bad = 0
        for row in rows:
            try:
                # django-auditlog itself leaves serialized_data empty (null=True without blank=True).
                row.full_clean(exclude=["serialized_data"] if label == "auditlog.logentry" else None)
            except ValidationError as exc:
                bad += 1
                if bad <= 2:
                    print(f"  {label} #{row.pk}: {exc.message_dict}")
        if rows:
            print(f"  full_clean {label:<40} {len(rows) - bad}/{len(rows)} valid")
        failures += bad
    import pages
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # the pages use the manifest's file names
    failures += pages.check_pages()
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forces", type=int, default=43, help="how many forces to add (default 43)")
    parser.add_argument("--reset", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating forces side by side (default 2)")
    parser.add_argument("--check", action="store_true", help="validate a sample of rows and GET the main pages")
    args = parser.parse_args()
    if args.check and not args.reset and "--forces" not in sys.argv:
        args.forces = 0
    name = ensure_database(args.reset)
    if args.forces:
        print(f"adding {args.forces} forces to {name} in {args.jobs} processes …", flush=True)
        made, seconds = generate(args.forces, max(1, args.jobs))
        print()
        print(f"made in {seconds:.1f} s ({seconds / 60:.1f} min):")
        for label, count in sorted(made.items(), key=lambda item: -item[1]):
            print(f"  {count:>9,}  {label}")
        print(f"  {sum(made.values()):>9,}  rows in all")
        print(f"sign in as coord.f001 / lead.f001 / mentor.f001 / contact.f001 / {ADMIN_USERNAME}, password {PASSWORD}")
    if args.check:
        failures = check()
        print("check:", "every sampled row valid and every page 200" if not failures else f"{failures} problems")
        sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
