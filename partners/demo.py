"""The demo's partners, after seed 001: the county council (school selection), the university (a venue),
community partners and a sponsor; the launch meeting's action log with one action overdue; an approved
risk assessment for every demo activity (so the demo timetable builds again with the rule switched on),
an insurance certificate expiring soon and a venue agreement waiting for approval. The council's work
experience coordinator can sign in as `partner.council`.

Idempotent: every row is found by a natural key before it is made.
"""

from __future__ import annotations

import io
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfWriter

from placements.demo import DEMO_PASSWORD, WEEK, _user
from placements.models import Activity, ForcePerson, Programme

from .models import Action, Document, DocumentRules, Meeting, Organisation, PartnerPerson, ProgrammePartner

ORGANISATIONS = [
    # name, kind, people: (name, role, email, phone)
    (
        "Northshire County Council",
        Organisation.Kind.COUNCIL,
        [
            (
                "Marian Thistlewood",
                "Work experience coordinator",
                "marian.thistlewood@northshire-council.invalid",
                "01632 960100",
            )
        ],
    ),
    (
        "Northshire University",
        Organisation.Kind.UNIVERSITY,
        [
            (
                "Gareth Penhaligon",
                "Estates and venues manager",
                "gareth.penhaligon@northshire-uni.invalid",
                "01632 960200",
            )
        ],
    ),
    (
        "Northshire Youth Forum",
        Organisation.Kind.COMMUNITY,
        [("Kerry Doyle", "Youth participation lead", "kerry.doyle@youthforum.invalid", "")],
    ),
    (
        "Northshire Victim Support",
        Organisation.Kind.COMMUNITY,
        [("Folake Durojaiye", "Volunteer coordinator", "folake.durojaiye@victimsupport.invalid", "")],
    ),
    (
        "Northshire Community Foundation",
        Organisation.Kind.SPONSOR,
        [("Linda Marsh", "Grants officer", "linda.marsh@communityfoundation.invalid", "01632 960300")],
    ),
]

ROLES = [
    # organisation, role, contact
    ("Northshire County Council", ProgrammePartner.Role.SCHOOL_SELECTION, "Marian Thistlewood"),
    ("Northshire University", ProgrammePartner.Role.VENUE, "Gareth Penhaligon"),
    ("Northshire Youth Forum", ProgrammePartner.Role.COMMUNITY, "Kerry Doyle"),
    ("Northshire Victim Support", ProgrammePartner.Role.COMMUNITY, "Folake Durojaiye"),
    ("Northshire Community Foundation", ProgrammePartner.Role.SPONSOR, "Linda Marsh"),
]


def _pdf(title: str) -> bytes:
    """A one-page PDF standing in for the real document."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def seed(*, force, story):
    today = timezone.localdate()
    coordinator = ForcePerson.objects.filter(force=force, user__username="coordinator").first()
    people = {}
    organisations = {}
    for name, kind, contacts in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(force=force, name=name, defaults={"kind": kind})
        organisations[name] = organisation
        for person_name, role, email, phone in contacts:
            person, _ = PartnerPerson.objects.get_or_create(
                organisation=organisation, name=person_name, defaults={"role": role, "email": email, "phone": phone}
            )
            people[person_name] = person
    council = people["Marian Thistlewood"]
    if council.user_id is None:
        user = _user(
            "partner.council",
            first_name="Marian",
            last_name="Thistlewood",
            email=council.email,
            password=_password(),
        )
        council.user = user
        council.save(update_fields=["user"])

    running = Programme.objects.filter(force=force, title=story.running.title).first()
    intake = Programme.objects.filter(force=force, title=story.intake.title).first()
    university = Programme.objects.filter(force=force, title=story.university.title).first()
    for programme in (running, intake):
        if programme is None:
            continue
        for organisation, role, contact in ROLES:
            ProgrammePartner.objects.get_or_create(
                programme=programme,
                organisation=organisations[organisation],
                role=role,
                defaults={"contact": people[contact]},
            )
    if university is not None:
        for role in (ProgrammePartner.Role.VENUE, ProgrammePartner.Role.RISK_ASSESSMENT):
            ProgrammePartner.objects.get_or_create(
                programme=university,
                organisation=organisations["Northshire University"],
                role=role,
                defaults={"contact": people["Gareth Penhaligon"]},
            )

    if running is not None and coordinator is not None:
        _seed_action_log(running, intake, coordinator, people, story, today)
    _seed_documents(force, organisations, university, coordinator, story, today)
    DocumentRules.objects.get_or_create(force=force, defaults={"risk_assessment_required": True})
    return []


def _password():
    from placements.demo import _Password

    return _Password()


def _seed_action_log(running, intake, coordinator, people, story, today):
    launch_day = story.running.start - 12 * WEEK
    meeting, _ = Meeting.objects.get_or_create(
        programme=running,
        title="Launch meeting",
        defaults={
            "held_on": launch_day,
            "attendees": "Sam Okoro (Prevention First), Marian Thistlewood (Northshire County Council), "
            "Gareth Penhaligon (Northshire University), Kerry Doyle (Northshire Youth Forum), "
            "Linda Marsh (Northshire Community Foundation)",
            "notes": "Agreed the week's dates and the four syndicates of four.\n"
            "The council will lead school selection, balancing location, background and the dates; places "
            "reserved for students from special schools.\n"
            "The university offers its training flats and lecture theatre; its own risk assessment covers "
            "the buildings, ours the scenarios.\n"
            "The Community Foundation's grant covers transport and lunches.",
        },
    )
    rows = [
        # title, kind, owner, due, state
        (
            "Confirm the schools taking part",
            Action.Kind.ACTION,
            people["Marian Thistlewood"],
            launch_day + 2 * WEEK,
            "done",
        ),
        ("Book the coaches for the week", Action.Kind.ACTION, coordinator, story.running.start - 3 * WEEK, "done"),
        (
            "Send the university's building risk assessment for the training flats",
            Action.Kind.ACTION,
            people["Gareth Penhaligon"],
            today - timedelta(days=5),
            "open",
        ),
        ("Places confirmed", Action.Kind.MILESTONE, coordinator, story.running.closes, "done"),
        ("The week runs", Action.Kind.MILESTONE, coordinator, story.running.start, "open"),
        ("Evaluation report to the sponsor", Action.Kind.ACTION, coordinator, story.running.end + 4 * WEEK, "open"),
    ]
    for title, kind, owner, due, state in rows:
        _action(running, meeting, title, kind, owner, due, state)
    if intake is not None:
        launch, _ = Meeting.objects.get_or_create(
            programme=intake,
            title="Planning meeting for the summer week",
            defaults={
                "held_on": today - 2 * WEEK,
                "attendees": "Sam Okoro, Marian Thistlewood, Linda Marsh",
                "notes": "Nominations are open. The council is checking the schools' dates.",
            },
        )
        _action(
            intake,
            launch,
            "Tell schools the nomination deadline again",
            Action.Kind.ACTION,
            people["Marian Thistlewood"],
            today + 2 * WEEK,
            "open",
        )
        _action(
            intake,
            launch,
            "Confirm the grant for the summer week",
            Action.Kind.ACTION,
            people["Linda Marsh"],
            today + 4 * WEEK,
            "open",
        )
        _action(
            intake, None, "Launch meeting for the summer week", Action.Kind.MILESTONE, coordinator, today + WEEK, "open"
        )


def _action(programme, meeting, title, kind, owner, due, state):
    is_partner = isinstance(owner, PartnerPerson)
    Action.objects.get_or_create(
        programme=programme,
        title=title,
        defaults={
            "meeting": meeting if kind == Action.Kind.ACTION else None,
            "kind": kind,
            "owner_person": None if is_partner else owner,
            "owner_partner": owner if is_partner else None,
            "due_on": due,
            "state": state,
            "closed_on": due if state != "open" else None,
        },
    )


def _document(force, *, kind, title, expires_on, approved_at=None, approver=None, **links):
    found = Document.objects.filter(force=force, kind=kind, title=title, **links).first()
    if found is not None:
        return found
    content = _pdf(title)
    document = Document(
        force=force,
        kind=kind,
        title=title,
        expires_on=expires_on,
        approved_at=approved_at,
        approved_by=approver,
        original_name=f"{title[:60]}.pdf".replace("/", "-"),
        content_type="application/pdf",
        size=len(content),
        **links,
    )
    document.file.save(document.original_name, ContentFile(content), save=False)
    document.save()
    return document


def _seed_documents(force, organisations, university, coordinator, story, today):
    tz = timezone.get_current_timezone()
    approved = datetime.combine(story.monday - 4 * WEEK, time(10, 0), tz)
    approver = coordinator.user if coordinator is not None else None
    # Reviewed a month ago, for a year: in date for every programme of the story.
    expires = story.monday + 48 * WEEK
    for activity in Activity.objects.filter(force=force).order_by("pk"):
        _document(
            force,
            kind=Document.Kind.RISK_ASSESSMENT,
            title=f"Risk assessment: {activity.title}",
            activity=activity,
            owner=coordinator,
            expires_on=expires,
            approved_at=approved,
            approver=approver,
        )
    _document(
        force,
        kind=Document.Kind.INSURANCE,
        title="Public liability insurance certificate",
        organisation=organisations["Northshire Youth Forum"],
        owner=coordinator,
        expires_on=today + timedelta(days=20),
        approved_at=approved,
        approver=approver,
    )
    council = organisations["Northshire County Council"]
    _document(
        force,
        kind=Document.Kind.OTHER,
        title="Data-sharing agreement for choosing schools",
        organisation=council,
        owner=coordinator,
        expires_on=story.monday + 52 * WEEK,
        approved_at=approved,
        approver=approver,
    )
    if university is not None:
        _document(
            force,
            kind=Document.Kind.VENUE_AGREEMENT,
            title="Venue agreement: lecture theatre and training flats",
            organisation=organisations["Northshire University"],
            programme=university,
            owner=coordinator,
            expires_on=university.end_date + 8 * WEEK,
        )


__all__ = ["DEMO_PASSWORD"]
