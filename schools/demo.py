"""Demo intake for the school week taking nominations now: some consent given, some still awaited,
ready for selection once the window closes.

Runs through the real services (so consent links, emails and quota rules are exercised). Safe to run
twice: nominations are made once; the guardian link it hands back is made again from the stored
link (core.links), so a second run prints the same working link and sends no new email.
"""

from datetime import date

from django.utils import timezone

from core.links import link_marker, links_resolve
from placements.demo import Link
from placements.models import Programme
from schools import services
from schools.models import Allocation, ConsentLink, Institution, Nomination

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
# A family who asked for Welsh: their consent email and form are in Welsh (README, "Welsh and English").
WELSH_FAMILY = ("Jack", "Wilson")


def seed(*, force, story):
    """Create (or find) the intake week and its nominations; returns a guardian's consent link to try."""
    dates = story.intake
    week, _ = Programme.objects.get_or_create(
        force=force,
        title=dates.title,
        defaults={
            "kind": Programme.Kind.SCHOOL_WEEK,
            "start_date": dates.start,
            "end_date": dates.end,
            "capacity": 8,
            "nomination_opens": dates.opens,
            "nomination_closes": dates.closes,
            "reserved_send_places": 2,
            "max_per_institution": 2,
            "status": story.status(dates, timezone.localdate()),
        },
    )
    schools = {i.code: i for i in Institution.objects.filter(force=force, kind=Institution.Kind.SCHOOL)}
    allocations = {}
    for code, institution in schools.items():
        allocations[code], _ = Allocation.objects.get_or_create(
            programme=week, institution=institution, defaults={"quota": 4}
        )
    if not week.nominations.exists():
        _nominate(week, schools, allocations)
    return [_guardian_link(week), _guardian_link(week, welsh=True)]


def _nominate(week, schools, allocations):
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
            "preferred_language": "cy" if (first, last) == WELSH_FAMILY else "",
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


def _guardian_link(week, welsh=False):
    """The consent link of the first guardian who has not answered yet (or who reads Welsh), as emailed to them.

    A link is made again from its stored salt (as the outbox does when it sends), so nothing new is
    stored; only when the guardian's links have all expired is a fresh one sent.
    """
    pending = (
        Nomination.objects.filter(programme=week, consent__status="requested")
        .exclude(status=Nomination.Status.WITHDRAWN)
        .filter(**({"preferred_language": "cy"} if welsh else {}))
        .select_related("consent", "institution")
        .order_by("pk")
        .first()
    )
    if pending is None:
        return None
    link = pending.consent.links.filter(expires_at__gt=timezone.now()).order_by("-created_at").first()
    if link is None:
        link, _ = services.consent_link_send(consent=pending.consent, purpose=ConsentLink.Purpose.REMINDER)
    return Link(
        f"Guardian's consent form{' in Welsh' if welsh else ''} ({pending.full_name}, {pending.institution.name})",
        links_resolve(link_marker("consent", link.pk)),
    )
