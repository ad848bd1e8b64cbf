"""Demo intake for next summer's week: nominations open, some consent given, ready for selection.

Runs through the real services (so consent links, emails and quota rules are exercised), with a
fixed "today" inside the nomination window so the demo is the same whenever it is seeded.
"""

from datetime import date

from placements.models import Programme
from schools import services
from schools.models import Allocation, ConsentLink, Institution, Nomination

TITLE = "Summer work-experience week 2027"
STUDENTS = [
    # school code, first, last, years old on start, police first choice, consent answer
    ("137001", "Maya", "Hughes", 15, True, "given"),
    ("137001", "Leo", "Bennett", 15, False, "given"),
    ("137001", "Aisha", "Rahman", 16, True, None),
    ("137002", "Owen", "Price", 15, False, "given"),
    ("137002", "Sofia", "Kowalska", 16, True, "given"),
    ("137003", "Kai", "Thompson", 15, True, "given"),
    ("137003", "Ellie", "Ward", 14, False, "given"),
    ("137004", "Noah", "Clarke", 15, True, "given"),
    ("137005", "Zara", "Ahmed", 16, False, "given"),
    ("137005", "Finn", "Murphy", 15, True, "refused"),
    ("137006", "Ruby", "Evans", 15, True, "given"),
    ("137007", "Isaac", "Green", 16, False, "given"),
    ("137008", "Lily", "Patel", 15, True, "given"),
    ("137008", "Jack", "Wilson", 15, True, None),
]


def seed(*, force, stdout=None):
    """Create (or find) the 2027 week and its nominations; safe to run twice."""
    week, _ = Programme.objects.get_or_create(
        force=force,
        title=TITLE,
        defaults={
            "kind": Programme.Kind.SCHOOL_WEEK,
            "start_date": date(2027, 7, 12),
            "end_date": date(2027, 7, 16),
            "capacity": 8,
            "nomination_opens": date(2026, 11, 2),
            "nomination_closes": date(2027, 4, 30),
            "reserved_send_places": 2,
            "max_per_institution": 2,
            "status": Programme.Status.NOMINATIONS_OPEN,
        },
    )
    schools = {i.code: i for i in Institution.objects.filter(force=force, kind=Institution.Kind.SCHOOL)}
    allocations = {}
    for code, institution in schools.items():
        allocations[code], _ = Allocation.objects.get_or_create(
            programme=week, institution=institution, defaults={"quota": 4}
        )
    if week.nominations.exists():
        return week
    today = week.nomination_opens
    for code, first, last, age, first_choice, answer in STUDENTS:
        if code not in allocations:
            continue
        institution = schools[code]
        contact = institution.contacts.filter(user__isnull=False).select_related("user").first()
        data = {
            "first_name": first,
            "last_name": last,
            "date_of_birth": date(week.start_date.year - age, 1 + len(last) % 6, 1 + len(first) * 2),
            "year_group": "Year 10" if age < 16 else "Year 11",
            "emergency_contact_name": f"Parent of {first}",
            "emergency_contact_phone": "07700 900555",
            "guardian_name": f"Parent of {first} {last}",
            "guardian_email": f"{first.lower()}.{last.lower()}.parent@family.invalid",
            "reason": "Would gain confidence from a structured week; keen to learn about public service.",
            "police_first_choice": first_choice,
            "support_needs": "Needs instructions in short steps." if institution.is_send else "",
        }
        nomination = services.nomination_submit(
            allocation=allocations[code], data=data, actor=contact.user if contact else None, today=today
        )
        if answer:
            services.consent_respond(
                consent=nomination.consent,
                respondent_name=data["guardian_name"],
                participation=answer == "given",
                photos_media=len(first) % 2 == 0,
                data_processing=True,
                mentoring_contact=True,
            )
    pending = Nomination.objects.filter(programme=week, consent__status="requested").order_by("pk").first()
    if stdout is not None and pending is not None:
        _, token = services.consent_link_send(consent=pending.consent, purpose=ConsentLink.Purpose.REQUEST)
        stdout.write(f"Intake demo: {TITLE}. Try a guardian's consent link: /consent/{token}/")
    return week
