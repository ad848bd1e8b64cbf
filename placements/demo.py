"""Fictional demo data for a quick look at the product: one force, eight schools, one school week
(built like Hertfordshire's: 16 students, four syndicates, the seed's activities and £2,700 budget)
and one university placement. Idempotent: every row is found by a natural key before it is made.
"""

from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
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
    Placement,
    PlanningHours,
    Programme,
    SpendEntry,
    Syndicate,
)

DEMO_PASSWORD = "police-demo-2026"

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
        "University training flats",
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
        "University training flats",
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
]

BUDGET = [("transport", "550"), ("catering", "1000"), ("overtime", "500"), ("misc", "700")]


def _user(username, *, first_name, last_name, email, is_staff=False, is_superuser=False):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "is_staff": is_staff,
            "is_superuser": is_superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def seed(*, stdout=None):
    """Create (or find) the whole demo; returns the force."""
    force, _ = Force.objects.get_or_create(slug="northshire", defaults={"name": "Northshire Constabulary"})
    departments = {
        name: Department.objects.get_or_create(force=force, name=name, defaults={"is_specialist": specialist})[0]
        for name, specialist in DEPARTMENTS
    }

    _user("admin", first_name="Ada", last_name="Admin", email="admin@example.org", is_staff=True, is_superuser=True)
    people = _seed_people(force, departments)
    institutions = _seed_institutions(force)
    activities = _seed_activities(force, departments, people)
    week = _seed_school_week(force, institutions, people, activities)
    _seed_university_programme(force)

    if stdout is not None:
        stdout.write(f"Demo force: {force.name}; school week: {week.title}.")
    return force


def _seed_people(force, departments):
    vetting = date(2028, 3, 31)
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
        # Not staff: coordinators use the app; the Django admin is for the platform admin (`admin`).
        user = _user(username, first_name=first, last_name=last, email=f"{username}@northshire.police.invalid")
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


def _seed_institutions(force):
    institutions = []
    for name, code, area, is_send, fsm, idaci in SCHOOLS:
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
    for username, institution in (("contact.oakfield", institutions[0]), ("contact.riverside", institutions[1])):
        first, last = ("Helen", "Brook") if institution is institutions[0] else ("Imran", "Shah")
        user = _user(username, first_name=first, last_name=last, email=f"{username}@school.invalid")
        InstitutionContact.objects.get_or_create(
            institution=institution,
            email=user.email,
            defaults={"user": user, "name": f"{first} {last}", "job_title": "Careers lead"},
        )
    return institutions


def _seed_activities(force, departments, people):
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
                "risk_assessed_on": date(2026, 5, 1),
            },
        )
        activities[slug] = activity
    return activities


def _seed_school_week(force, institutions, people, activities):
    week, _ = Programme.objects.get_or_create(
        force=force,
        title="Summer work-experience week 2026",
        defaults={
            "kind": Programme.Kind.SCHOOL_WEEK,
            "start_date": date(2026, 7, 13),
            "end_date": date(2026, 7, 17),
            "capacity": 16,
            "nomination_opens": date(2026, 3, 2),
            "nomination_closes": date(2026, 4, 24),
            "reserved_send_places": 4,
            "max_per_institution": 3,
            "status": Programme.Status.COMPLETED,
        },
    )
    quotas = [5, 4, 4, 4, 3, 4, 3, 3]  # 30 nominations across the eight schools
    for institution, quota in zip(institutions, quotas, strict=True):
        Allocation.objects.get_or_create(programme=week, institution=institution, defaults={"quota": quota})
    for category, planned in BUDGET:
        BudgetLine.objects.get_or_create(
            programme=week, category=category, defaults={"planned": Decimal(planned), "actual": Decimal(planned)}
        )

    nominations = _seed_nominations(week, institutions, quotas)
    syndicates = []
    for number, lead_key in enumerate(["lead1", "lead2", "lead3", "lead4"], start=1):
        syndicate, _ = Syndicate.objects.get_or_create(
            programme=week, name=f"Syndicate {number}", defaults={"lead": people[lead_key], "is_locked": True}
        )
        syndicates.append(syndicate)

    accepted = [n for n in nominations if n.status == Nomination.Status.ACCEPTED]
    for index, nomination in enumerate(accepted):
        placement, _ = Placement.objects.get_or_create(
            programme=week, nomination=nomination, defaults={"syndicate": syndicates[index % len(syndicates)]}
        )
        for day_index, day in enumerate(week.days):
            # One student missed the Friday: still 80% attendance.
            status = Attendance.Status.ABSENT if (index == 5 and day_index == 4) else Attendance.Status.PRESENT
            Attendance.objects.get_or_create(placement=placement, date=day, defaults={"status": status})
    _seed_timetable(week, syndicates, activities)
    return week


def _seed_nominations(week, institutions, quotas):
    nominations = []
    # 16 accepted: the two SEND schools get the four reserved places; at most three per school.
    accepted_per_school = [3, 2, 2, 2, 1, 2, 2, 2]
    waitlisted_per_school = [1, 1, 0, 1, 1, 0, 0, 0]
    index = 0
    for school_index, (institution, quota) in enumerate(zip(institutions, quotas, strict=True)):
        for slot in range(quota):
            first, last = FIRST_NAMES[index], LAST_NAMES[index]
            if slot < accepted_per_school[school_index]:
                status = Nomination.Status.ACCEPTED
            elif slot < accepted_per_school[school_index] + waitlisted_per_school[school_index]:
                status = Nomination.Status.WAITLISTED
            else:
                status = Nomination.Status.NOT_SELECTED
            nomination, created = Nomination.objects.get_or_create(
                programme=week,
                institution=institution,
                first_name=first,
                last_name=last,
                date_of_birth=date(2010 + index % 2, 1 + index % 12, 1 + index % 27),
                defaults={
                    "year_group": "Year 10" if index % 2 else "Year 11",
                    "gender": ["female", "male", "non_binary", ""][index % 4] if index % 7 else "",
                    "support_needs": "Needs instructions in short steps; may need a quiet space."
                    if institution.is_send
                    else "",
                    "emergency_contact_name": f"Parent of {first}",
                    "emergency_contact_phone": f"07700 900{index:03d}",
                    "guardian_name": f"Parent of {first} {last}",
                    "guardian_email": f"guardian{index}@family.invalid",
                    "reason": "Keen to see what policing involves; would benefit from a structured week.",
                    "police_first_choice": index % 3 != 0,
                    "status": status,
                    "status_changed_at": timezone.make_aware(datetime(2026, 5, 15, 10, 0)),
                },
            )
            if created or not hasattr(nomination, "consent"):
                given = status in (Nomination.Status.ACCEPTED, Nomination.Status.WAITLISTED)
                responded = timezone.make_aware(datetime(2026, 5, 2, 19, 30)) if given else None
                Consent.objects.get_or_create(
                    nomination=nomination,
                    defaults={
                        "status": Consent.Status.GIVEN if given else Consent.Status.REQUESTED,
                        "respondent_name": nomination.guardian_name if given else "",
                        "participation": given,
                        "photos_media": given and index % 4 != 0,
                        "data_processing": given,
                        "mentoring_contact": given and index % 5 != 0,
                        "wording": "Demo consent wording, version 1.",
                        "requested_at": timezone.make_aware(datetime(2026, 4, 28, 9, 0)),
                        "responded_at": responded,
                    },
                )
            nominations.append(nomination)
            index += 1
    return nominations


def _seed_timetable(week, syndicates, activities):
    """The week made by the timetable generator (as a coordinator would), with one contingency swap:
    the Dog Unit is away on the Monday morning, and the air service is called out on its day."""
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
    services.timetable_generate(programme=week, activities=chosen, actor=None)
    air = week.sessions.get(activity=activities["air-service"])
    services.session_replace(session=air, activity=activities["community-voices"], actor=None)
    for category, day_index, amount, note in SPEND:
        line = BudgetLine.objects.get(programme=week, category=category)
        if not line.spend_entries.filter(note=note).exists():
            SpendEntry.objects.create(budget_line=line, date=week.days[day_index], amount=Decimal(amount), note=note)
    for name, hours in (("Prevention First", "14"), ("Dog Unit", "3"), ("Crime Scene Investigation", "4")):
        PlanningHours.objects.get_or_create(
            programme=week, department=Department.objects.get(force=week.force, name=name), defaults={"hours": hours}
        )


SPEND = [
    ("transport", 0, "275", "Coach hire, Monday to Wednesday"),
    ("transport", 3, "275", "Coach hire, Thursday and Friday"),
    ("catering", 0, "1000", "Lunches and refreshments for the week"),
    ("overtime", 4, "500", "Overtime for demonstration staff"),
    ("misc", 1, "700", "PPE, printing, certificates and lanyards"),
]


def _seed_university_programme(force):
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
    user = _user("contact.university", first_name="Celia", last_name="Ward", email="contact.university@uni.invalid")
    InstitutionContact.objects.get_or_create(
        institution=university,
        email=user.email,
        defaults={"user": user, "name": "Dr Celia Ward", "job_title": "Module leader, Criminology"},
    )
    programme, _ = Programme.objects.get_or_create(
        force=force,
        title="Criminology work-based learning placement 2027",
        defaults={
            "kind": Programme.Kind.UNIVERSITY,
            "start_date": date(2027, 5, 10),
            "end_date": date(2027, 5, 18),
            "capacity": 12,
            "nomination_opens": date(2026, 11, 2),
            "nomination_closes": date(2027, 2, 26),
            "reserved_send_places": 0,
            "min_age": 18,
            "max_age": None,
            "status": Programme.Status.NOMINATIONS_OPEN,
        },
    )
    Allocation.objects.get_or_create(programme=programme, institution=university, defaults={"quota": 12})
    return programme
