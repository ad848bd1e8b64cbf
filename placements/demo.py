"""Fictional demo data that tells a live story around today's date: one force, eight schools and a
university; a school week that finished 20 weeks ago (attendance, surveys, certificates, mentoring),
one running this week (today's register waits for the leads), one taking nominations now and a
university placement later in the year. Weeks are built like Hertfordshire's: 16 students, four
syndicates, the seed's activities and £2,700 budget.

Idempotent: every row is found by a natural key before it is made, and the dates are fixed by the
first run (`story_for` finds them again), so running it on a later day adds nothing.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from schools.models import Allocation, Consent, Institution, InstitutionContact, Nomination

from .models import (
    Activity,
    Attendance,
    BudgetLine,
    Department,
    DepartmentUnavailability,
    Force,
    ForcePerson,
    LearningOutcome,
    Placement,
    PlanningHours,
    Programme,
    SpendEntry,
    Syndicate,
)

DEMO_PASSWORD = "police-demo-2026"
WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Dates:
    """One programme of the story: its title, its days and its nomination window."""

    title: str
    start: date
    end: date
    opens: date
    closes: date


def _school_week(start, *, opens_weeks_before, closes_weeks_before):
    return Dates(
        title=f"Work-experience week, {start:%B %Y}",
        start=start,
        end=start + timedelta(days=4),
        opens=start - opens_weeks_before * WEEK,
        closes=start - closes_weeks_before * WEEK + timedelta(days=4),
    )


@dataclass(frozen=True)
class Story:
    """The demo's dates, all from one Monday: the first day of the week that is running.

    On a weekday that is this week's Monday. A register needs a weekday, so on a Saturday or Sunday
    the running week is the coming Monday to Friday (its places confirmed, starting in a day or two).
    """

    monday: date

    @classmethod
    def around(cls, today):
        if today.weekday() >= 5:
            return cls(today + timedelta(days=7 - today.weekday()))
        return cls(today - timedelta(days=today.weekday()))

    @property
    def running(self):
        return _school_week(self.monday, opens_weeks_before=22, closes_weeks_before=10)

    @property
    def completed(self):
        return _school_week(self.monday - 20 * WEEK, opens_weeks_before=22, closes_weeks_before=10)

    @property
    def intake(self):
        """Taking nominations now: the window opened four weeks ago and closes in twelve."""
        return _school_week(self.monday + 26 * WEEK, opens_weeks_before=30, closes_weeks_before=14)

    @property
    def university(self):
        start = self.monday + 23 * WEEK
        return Dates(
            title=f"Criminology work-based learning placement {start.year}",
            start=start,
            end=start + timedelta(days=8),
            opens=self.monday - 2 * WEEK,
            closes=self.monday + 10 * WEEK + timedelta(days=4),
        )

    def status(self, dates, today):
        """The programme's stage on `today`, following from its dates."""
        if today > dates.end:
            return Programme.Status.COMPLETED
        if today >= dates.start:
            return Programme.Status.RUNNING
        if today > dates.closes:
            return Programme.Status.CONFIRMED
        if today >= dates.opens:
            return Programme.Status.NOMINATIONS_OPEN
        return Programme.Status.DRAFT


def story_for(force, today=None):
    """The story already seeded for `force` (its dates were fixed by the first run), else one around today."""
    today = today or timezone.localdate()
    if force is not None:
        titles = dict(
            Programme.objects.filter(force=force, kind=Programme.Kind.SCHOOL_WEEK).values_list("title", "start_date")
        )
        for start in sorted(set(titles.values()), reverse=True):
            story = Story(start)
            if titles.get(story.running.title) == start and story.completed.title in titles:
                return story
    return Story.around(today)


SCHOOLS = [
    # name, code, area, is_send, fsm_pct, idaci_decile
    ("Oakfield Academy", "137001", "NS1", False, "31.5", 2),
    ("Riverside Special School", "137002", "NS4", True, "44.0", 1),
    ("St Anne's Catholic High School", "137003", "NS2", False, "12.0", 7),
    ("Northgate Community College", "137004", "NS7", False, "27.3", 3),
    ("Meadowbank School", "137005", "NS9", False, "8.5", 9),
    ("Castle Hill Learning Centre", "137006", "NS3", True, "38.2", 2),
    ("Kingsway Academy", "137007", "NS5", False, "22.9", 4),
    ("Hollybrook High School", "137008", "NS8", False, "16.4", 6),
]

FIRST_NAMES = [
    "Amelia",
    "Oliver",
    "Zara",
    "Kai",
    "Maya",
    "Leo",
    "Aisha",
    "Jacob",
    "Freya",
    "Tyler",
    "Imani",
    "Noah",
    "Sofia",
    "Ethan",
    "Priya",
    "Callum",
    "Ruby",
    "Yusuf",
    "Ellie",
    "Mason",
    "Hana",
    "Logan",
    "Chloe",
    "Dylan",
    "Leah",
    "Reuben",
    "Nadia",
    "Harvey",
    "Grace",
    "Tomasz",
]
LAST_NAMES = [
    "Adeyemi",
    "Barker",
    "Chowdhury",
    "Dunn",
    "Evans",
    "Fletcher",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Kowalski",
    "Lewis",
    "Mahmood",
    "Nolan",
    "Okafor",
    "Patel",
    "Quinn",
    "Reid",
    "Singh",
    "Taylor",
    "Usman",
    "Vaughan",
    "Walsh",
    "Xu",
    "Young",
    "Zielinski",
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
]

DEPARTMENTS = [
    # name, is_specialist
    ("Prevention First", False),
    ("Workforce Development", False),
    ("Dog Unit", True),
    ("Crime Scene Investigation", True),
    ("Force Control Room", True),
    ("Operational Support Team", True),
    ("Personal Safety Training", False),
    ("Drone Unit", True),
    ("Armed and Roads Policing", True),
    ("Major Crime Unit", True),
    ("National Police Air Service", True),
    ("Neighbourhood Policing", False),
]

ACTIVITIES = [
    # kind, title, slug, department, syndicate capacity, staff, venue, contingency, partner
    (
        "scenario",
        "Premises search with police dogs and search advisers",
        "premises-search",
        "Dog Unit",
        1,
        3,
        "University training flats, block A",
        False,
        "",
    ),
    (
        "scenario",
        "Forensic examination of a vehicle",
        "vehicle-forensics",
        "Crime Scene Investigation",
        1,
        2,
        "Headquarters vehicle bay",
        False,
        "",
    ),
    (
        "scenario",
        "Mock burglary investigation",
        "mock-burglary",
        "Crime Scene Investigation",
        1,
        2,
        "University training flats, block B",
        False,
        "",
    ),
    (
        "scenario",
        "Call taking: a missing person",
        "missing-person-call",
        "Force Control Room",
        1,
        2,
        "Control room training suite",
        False,
        "",
    ),
    (
        "scenario",
        "Personal safety and protective equipment",
        "personal-safety-ppe",
        "Personal Safety Training",
        1,
        2,
        "Training centre gym",
        False,
        "",
    ),
    (
        "demonstration",
        "National Police Air Service: helicopter take-off",
        "air-service",
        "National Police Air Service",
        None,
        2,
        "Airfield",
        False,
        "",
    ),
    ("demonstration", "Drones", "drones", "Drone Unit", None, 2, "Headquarters field", False, ""),
    (
        "demonstration",
        "Method of entry",
        "method-of-entry",
        "Operational Support Team",
        None,
        3,
        "Training rig",
        False,
        "",
    ),
    (
        "demonstration",
        "Armed and roads policing",
        "armed-roads-policing",
        "Armed and Roads Policing",
        None,
        3,
        "Headquarters car park",
        False,
        "",
    ),
    (
        "demonstration",
        "Major crime: how a murder inquiry works",
        "major-crime",
        "Major Crime Unit",
        None,
        2,
        "Lecture theatre",
        False,
        "",
    ),
    (
        "scenario",
        "Neighbourhood beat: problem-solving walk",
        "neighbourhood-beat",
        "Neighbourhood Policing",
        2,
        2,
        "Town centre",
        True,
        "",
    ),
    (
        "scenario",
        "Stop and search: rights and respect role-play",
        "stop-search-roleplay",
        "Prevention First",
        2,
        2,
        "Training centre",
        True,
        "",
    ),
    (
        "demonstration",
        "Community voices: young people and the police",
        "community-voices",
        None,
        None,
        1,
        "Lecture theatre",
        True,
        "Northshire Youth Forum",
    ),
    # Inputs that fill free time: no specialist department, each once per syndicate.
    (
        "scenario",
        "Careers in policing: ways in and questions",
        "careers-talk",
        "Workforce Development",
        None,
        1,
        "Seminar room 2",
        True,
        "",
    ),
    (
        "scenario",
        "Supporting victims: a charity's view",
        "victim-support",
        None,
        2,
        1,
        "Seminar room 1",
        True,
        "Northshire Victim Support",
    ),
    (
        "scenario",
        "Reflection: what we saw, and what we think now",
        "reflection-block",
        None,
        None,
        1,
        "",
        True,
        "Northshire Volunteer Police Cadets",
    ),
    # Two more than free time needs, so a cancelled session still has a stand-in once the week is full.
    (
        "scenario",
        "Online safety: scams and staying safe",
        "online-safety",
        None,
        2,
        1,
        "Seminar room 4",
        True,
        "Northshire Digital Inclusion Network",
    ),
    (
        "scenario",
        "Road safety: what a crash scene teaches",
        "road-safety",
        None,
        2,
        2,
        "Seminar room 3",
        True,
        "Northshire Fire and Rescue",
    ),
]

BUDGET = [("transport", "550"), ("catering", "1000"), ("overtime", "500"), ("misc", "700")]


SCHOOL_CONTACTS = [
    # username (a sign-in), name, job title: one contact per school, in SCHOOLS order
    ("contact.oakfield", "Helen Brook", "Careers lead"),
    ("contact.riverside", "Imran Shah", "Careers lead"),
    ("", "Bernadette Lowe", "Head of Year 10"),
    ("", "Gareth Pryce", "Careers adviser"),
    ("", "Anita Desai", "Careers lead"),
    ("", "Lorraine Okoye", "SENCo"),
    ("", "Peter Hollis", "Assistant head, pastoral"),
    ("", "Fiona McKay", "Careers lead"),
]


@dataclass(frozen=True)
class Link:
    """Something to open without signing in, for the summary that seed_demo prints."""

    label: str
    path: str


def _user(username, *, first_name, last_name, email, password, is_staff=False, is_superuser=False):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=is_staff,
            is_superuser=is_superuser,
            password=str(password),
        )
    return user


class _Password:
    """The demo password, hashed once: every demo user has it (it is printed for all to see), and
    hashing it again for each of a dozen users took most of the seed's time."""

    def __init__(self):
        self._hash = ""

    def __str__(self):
        self._hash = self._hash or make_password(DEMO_PASSWORD)
        return self._hash


def seed(*, story=None, today=None):
    """Create (or find) the force, its people and institutions, and the three school weeks and the
    university placement of `story` (by default, the one already seeded or one around today)."""
    today = today or timezone.localdate()
    force, _ = Force.objects.get_or_create(slug="northshire", defaults={"name": "Northshire Constabulary"})
    story = story or story_for(force, today)
    password = _Password()
    departments = {
        name: Department.objects.get_or_create(force=force, name=name, defaults={"is_specialist": specialist})[0]
        for name, specialist in DEPARTMENTS
    }
    _user(
        "admin",
        first_name="Ada",
        last_name="Admin",
        email="admin@example.org",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    people = _seed_people(force, departments, story, password)
    institutions = _seed_institutions(force, password)
    activities = _seed_activities(force, departments, story)
    _seed_school_week(force, institutions, people, activities, story, today, story.completed, names_shift=0)
    _seed_school_week(force, institutions, people, activities, story, today, story.running, names_shift=11)
    _seed_university_programme(force, story, today, password)
    return force


def _seed_people(force, departments, story, password):
    # Vetting lasts well beyond every demo programme, so no lead shows a vetting warning.
    vetting = story.monday + 80 * WEEK
    spec = [
        # username, name, rank, kind, department, coordinator, mentor
        ("coordinator", "Sam Okoro", "Sergeant", "officer", "Prevention First", True, False),
        ("coordinator2", "Jess Harper", "PC", "officer", "Prevention First", True, False),
        ("lead1", "Priya Nair", "PC", "officer", "Neighbourhood Policing", False, False),
        ("lead2", "Tom Fairweather", "PCSO", "pcso", "Neighbourhood Policing", False, False),
        ("lead3", "Grace Mensah", "", "staff", "Force Control Room", False, False),
        ("lead4", "Dan Whitlock", "Special Constable", "volunteer", "Neighbourhood Policing", False, False),
        ("mentor", "Rachel Ibe", "", "staff", "Workforce Development", False, True),
        ("mentor2", "Marcus Lee", "PC", "officer", "Workforce Development", False, True),
    ]
    people = {}
    for username, name, rank, kind, department, coordinator, mentor in spec:
        first, last = name.split(" ", 1)
        # Coordinators work in the product's own pages; the Django admin is for the platform's admins.
        user = _user(
            username,
            first_name=first,
            last_name=last,
            email=f"{username}@northshire.police.invalid",
            password=password,
        )
        person, _ = ForcePerson.objects.get_or_create(
            force=force,
            user=user,
            defaults={
                "name": name,
                "email": user.email,
                "rank": rank,
                "kind": kind,
                "department": departments[department],
                "vetting_expires_on": vetting,
                "is_coordinator": coordinator,
                "is_mentor": mentor,
            },
        )
        people[username] = person
    return people


def _seed_institutions(force, password):
    institutions = []
    for (name, code, area, is_send, fsm, idaci), (username, contact, job) in zip(SCHOOLS, SCHOOL_CONTACTS, strict=True):
        institution, _ = Institution.objects.get_or_create(
            force=force,
            code=code,
            defaults={
                "name": name,
                "kind": Institution.Kind.SCHOOL,
                "local_authority": "Northshire County Council",
                "area": area,
                "is_send": is_send,
                "fsm_pct": Decimal(fsm),
                "idaci_decile": idaci,
            },
        )
        institutions.append(institution)
        first, last = contact.split(" ", 1)
        email = f"{username or first.lower() + '.' + last.lower()}@school.invalid"
        # Two contacts can sign in; the others are on record for emails, as most schools' are.
        user = _user(username, first_name=first, last_name=last, email=email, password=password) if username else None
        InstitutionContact.objects.get_or_create(
            institution=institution, email=email, defaults={"user": user, "name": contact, "job_title": job}
        )
    return institutions


def _seed_activities(force, departments, story):
    activities = {}
    for kind, title, slug, department, capacity, staff, venue, contingency, partner in ACTIVITIES:
        activity, _ = Activity.objects.get_or_create(
            force=force,
            slug=slug,
            defaults={
                "kind": kind,
                "title": title,
                "department": departments.get(department),
                "community_partner": partner,
                "syndicate_capacity": capacity,
                "staff_needed": staff,
                "venue": venue,
                "is_contingency": contingency,
                "risk_assessment_status": Activity.RiskAssessment.APPROVED,
                # Reviewed a month ago: in date (within a year) for every programme of the story.
                "risk_assessed_on": story.monday - 4 * WEEK,
            },
        )
        activities[slug] = activity
        if slug in OUTCOMES and not activity.outcomes.exists():
            LearningOutcome.objects.bulk_create(
                LearningOutcome(activity=activity, position=position, text=text, easy_read_text=easy, text_cy=welsh)
                for position, (text, easy, welsh) in enumerate(OUTCOMES[slug], 1)
            )
    return activities


# Learning outcomes, their easy-read words and their words in Welsh (drafted, awaiting review by a Welsh
# speaker). The community input's are seed 004's five-hour community policing element, cut to what a school
# student can take from an afternoon.
OUTCOMES = {
    "community-voices": [
        (
            "Explore why some sections of society have a historical mistrust of the police",
            "Say why some people do not trust the police",
            "Archwilio pam mae rhai rhannau o gymdeithas wedi drwgdybio'r heddlu ers tro",
        ),
        (
            "Examine the impact of community engagement on police legitimacy and community confidence",
            "Say how talking with people helps them trust the police",
            "Archwilio effaith ymgysylltu â'r gymuned ar gyfreithlondeb yr heddlu a hyder y gymuned",
        ),
        ("Identify key stakeholders", "Name people and groups the police work with", "Nodi'r prif randdeiliaid"),
        (
            "Explain the role of community policing in fostering and maintaining community cohesion",
            "Say how local police help people get on together",
            "Esbonio rôl plismona yn y gymuned wrth feithrin a chynnal cydlyniant cymunedol",
        ),
    ],
    "mock-burglary": [
        (
            "Describe how a crime scene is protected and recorded",
            "Say how police keep a crime scene safe",
            "Disgrifio sut mae safle trosedd yn cael ei ddiogelu a'i gofnodi",
        ),
        (
            "Explain why evidence must be collected in order",
            "Say why evidence is collected step by step",
            "Esbonio pam mae'n rhaid casglu tystiolaeth mewn trefn",
        ),
    ],
    "missing-person-call": [
        (
            "Identify the questions a call taker asks to judge risk",
            "Say what a call taker asks first",
            "Nodi'r cwestiynau y mae derbynnydd galwadau yn eu gofyn i asesu risg",
        ),
        (
            "Describe what happens after a missing person is reported",
            "Say what police do after the call",
            "Disgrifio beth sy'n digwydd ar ôl i rywun gael ei adrodd ar goll",
        ),
    ],
    "careers-talk": [
        (
            "Name three ways into a policing career",
            "Name three ways to start working for the police",
            "Enwi tair ffordd o ddechrau gyrfa ym maes plismona",
        ),
    ],
}


def _seed_school_week(force, institutions, people, activities, story, today, dates, *, names_shift):
    """A school week with its intake done: 30 nominations, 16 places, four syndicates, a timetable, a
    budget, and attendance for every day before today."""
    week, _ = Programme.objects.get_or_create(
        force=force,
        title=dates.title,
        defaults={
            "kind": Programme.Kind.SCHOOL_WEEK,
            "start_date": dates.start,
            "end_date": dates.end,
            "capacity": 16,
            "nomination_opens": dates.opens,
            "nomination_closes": dates.closes,
            "reserved_send_places": 4,
            "max_per_institution": 3,
            "status": story.status(dates, today),
            # Seed 001: the week ran on a £2,700 budget from the sponsor's department.
            "sponsor": "Workforce Development",
            "funding_source": "Positive Action and outreach budget",
            "budget_allocated": Decimal("2700"),
        },
    )
    quotas = [5, 4, 4, 4, 3, 4, 3, 3]  # 30 nominations across the eight schools
    for institution, quota in zip(institutions, quotas, strict=True):
        Allocation.objects.get_or_create(programme=week, institution=institution, defaults={"quota": quota})
    past_days = [day for day in week.days if day < today]
    for category, planned in BUDGET:
        spent = sum(Decimal(amount) for cat, index, amount, _ in SPEND if cat == category and index < len(past_days))
        BudgetLine.objects.get_or_create(
            programme=week, category=category, defaults={"planned": Decimal(planned), "actual": spent}
        )

    nominations = _seed_nominations(week, institutions, quotas, names_shift)
    syndicates = []
    for number, lead_key in enumerate(["lead1", "lead2", "lead3", "lead4"], start=1):
        syndicate, _ = Syndicate.objects.get_or_create(
            programme=week, name=f"Syndicate {number}", defaults={"lead": people[lead_key], "is_locked": True}
        )
        syndicates.append(syndicate)

    accepted = [n for n in nominations if n.status == Nomination.Status.ACCEPTED]
    for index, nomination in enumerate(accepted):
        placement, created = Placement.objects.get_or_create(
            programme=week, nomination=nomination, defaults={"syndicate": syndicates[index % len(syndicates)]}
        )
        # Registers of the days before the first run; a later run leaves later days to the leads.
        for day_index, day in enumerate(past_days if created else []):
            # One student missed the Friday (still 80% attendance); another was late on the Monday.
            status = Attendance.Status.PRESENT
            arrived = None
            if index == 5 and day_index == 4:
                status = Attendance.Status.ABSENT
            elif index == 9 and day_index == 0:
                status, arrived = Attendance.Status.LATE, time(9, 40)
            Attendance.objects.get_or_create(
                placement=placement, date=day, defaults={"status": status, "arrived_at": arrived}
            )
    _seed_timetable(week, syndicates, activities, past_days)
    return week


def _seed_nominations(week, institutions, quotas, names_shift):
    nominations = []
    # 16 accepted: the two SEND schools get the four reserved places; at most three per school.
    accepted_per_school = [3, 2, 2, 2, 1, 2, 2, 2]
    waitlisted_per_school = [1, 1, 0, 1, 1, 0, 0, 0]
    tz = timezone.get_current_timezone()
    requested = datetime.combine(week.nomination_opens + 2 * WEEK, time(9, 0), tz)
    decided = datetime.combine(week.nomination_closes + 2 * WEEK, time(10, 0), tz)
    index = 0
    for school_index, (institution, quota) in enumerate(zip(institutions, quotas, strict=True)):
        for slot in range(quota):
            first, last = FIRST_NAMES[index], LAST_NAMES[(index + names_shift) % len(LAST_NAMES)]
            if slot < accepted_per_school[school_index]:
                status = Nomination.Status.ACCEPTED
            elif slot < accepted_per_school[school_index] + waitlisted_per_school[school_index]:
                status = Nomination.Status.WAITLISTED
            else:
                status = Nomination.Status.NOT_SELECTED
            # 14 to 16 years old on the first day of the week.
            born = date(week.start_date.year - 16 + index % 2, 1 + index % 6, 1 + index % 27)
            nomination, created = Nomination.objects.get_or_create(
                programme=week,
                institution=institution,
                first_name=first,
                last_name=last,
                date_of_birth=born,
                defaults={
                    "year_group": "Year 10" if index % 2 else "Year 11",
                    "gender": ["female", "male", "non_binary", ""][index % 4] if index % 7 else "",
                    "support_needs": "Needs instructions in short steps; may need a quiet space."
                    if institution.is_send
                    else "",
                    "emergency_contact_name": f"Parent of {first}",
                    "emergency_contact_phone": f"07700 900{index:03d}",
                    "guardian_name": f"Parent of {first} {last}",
                    "guardian_email": f"guardian.{first.lower()}.{last.lower()}@family.invalid",
                    "reason": "Keen to see what policing involves; would benefit from a structured week.",
                    "police_first_choice": index % 3 != 0,
                    "status": status,
                    "status_changed_at": decided,
                },
            )
            if created or not hasattr(nomination, "consent"):
                given = status in (Nomination.Status.ACCEPTED, Nomination.Status.WAITLISTED)
                # Only a refusal makes a student "not selected" once nominations close (a pending consent
                # keeps them under consideration), so the demo's not-selected students were refused.
                refused = status == Nomination.Status.NOT_SELECTED
                Consent.objects.get_or_create(
                    nomination=nomination,
                    defaults={
                        "status": Consent.Status.GIVEN
                        if given
                        else (Consent.Status.REFUSED if refused else Consent.Status.REQUESTED),
                        "respondent_name": nomination.guardian_name if given or refused else "",
                        "participation": given,
                        "photos_media": given and index % 4 != 0,
                        "data_processing": given,
                        "mentoring_contact": given and index % 5 != 0,
                        "wording": "Demo consent wording, version 1.",
                        "requested_at": requested,
                        "responded_at": requested + timedelta(days=1, hours=10) if given or refused else None,
                    },
                )
            nominations.append(nomination)
            index += 1
    return nominations


def _seed_timetable(week, syndicates, activities, past_days):
    """The week made by the timetable generator (as a coordinator would), free time filled with
    contingency and community inputs, and one contingency swap: the Dog Unit is away on the Monday
    morning, and the air service is called out on its day."""
    from . import services

    if week.sessions.exists():
        return
    tz = timezone.get_current_timezone()
    dogs = activities["premises-search"].department
    DepartmentUnavailability.objects.get_or_create(
        department=dogs,
        starts_at=datetime.combine(week.start_date, time(9, 0), tz),
        defaults={"ends_at": datetime.combine(week.start_date, time(13, 15), tz), "reason": "Planned operation"},
    )
    chosen = [a for a in activities.values() if not a.is_contingency]
    services.timetable_generate(programme=week, activities=chosen, fill_idle=True, actor=None)
    air = week.sessions.get(activity=activities["air-service"])
    services.session_replace(session=air, activity=activities["community-voices"], actor=None)
    for category, day_index, amount, note in SPEND:
        if day_index >= len(past_days):
            continue
        line = BudgetLine.objects.get(programme=week, category=category)
        if not line.spend_entries.filter(note=note).exists():
            SpendEntry.objects.create(budget_line=line, date=week.days[day_index], amount=Decimal(amount), note=note)
    for name, hours in (("Prevention First", "14"), ("Dog Unit", "3"), ("Crime Scene Investigation", "4")):
        PlanningHours.objects.get_or_create(
            programme=week, department=Department.objects.get(force=week.force, name=name), defaults={"hours": hours}
        )


SPEND = [
    # category, index of the day it was spent (entered once that day is over), amount, note
    ("transport", 0, "275", "Coach hire, Monday to Wednesday"),
    ("transport", 3, "275", "Coach hire, Thursday and Friday"),
    ("catering", 0, "1000", "Lunches and refreshments for the week"),
    ("overtime", 4, "500", "Overtime for demonstration staff"),
    ("misc", 1, "700", "PPE, printing, certificates and lanyards"),
]


def _seed_university_programme(force, story, today, password):
    dates = story.university
    university, _ = Institution.objects.get_or_create(
        force=force,
        code="UNI-NS",
        defaults={
            "name": "University of Northshire",
            "kind": Institution.Kind.UNIVERSITY,
            "local_authority": "Northshire County Council",
            "area": "NS2",
        },
    )
    user = _user(
        "contact.university",
        first_name="Celia",
        last_name="Ward",
        email="contact.university@uni.invalid",
        password=password,
    )
    InstitutionContact.objects.get_or_create(
        institution=university,
        email=user.email,
        defaults={"user": user, "name": "Dr Celia Ward", "job_title": "Module leader, Criminology"},
    )
    programme, _ = Programme.objects.get_or_create(
        force=force,
        title=dates.title,
        defaults={
            "kind": Programme.Kind.UNIVERSITY,
            "start_date": dates.start,
            "end_date": dates.end,
            "capacity": 12,
            "nomination_opens": dates.opens,
            "nomination_closes": dates.closes,
            "reserved_send_places": 0,
            "min_age": 18,
            "max_age": None,
            "status": story.status(dates, today),
        },
    )
    Allocation.objects.get_or_create(programme=programme, institution=university, defaults={"quota": 12})
    return programme
