"""Reads for joining instructions: who gets them, and each student's week."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.functional import lazy

from events.calendars import event_location
from events.selectors import programme_ceremony
from placements.models import Department, Placement, Programme, Session, Syndicate
from schools.models import InstitutionContact

from .models import JoiningInstructions, StaffBriefing


@dataclass(frozen=True)
class Recipient:
    """Who one email about one student goes to, and how the email speaks to them."""

    GUARDIAN = "guardian"
    ADULT_STUDENT = "adult_student"
    SCHOOL = "school"

    placement: Placement
    kind: str
    email: str
    name: str

    @property
    def is_student(self) -> bool:
        return self.kind == self.ADULT_STUDENT

    @property
    def is_school(self) -> bool:
        return self.kind == self.SCHOOL


def confirmed_placements(programme: Programme):
    """Confirmed places whose student has not been erased, with what the emails need (three queries)."""
    contacts = InstitutionContact.objects.filter(is_active=True).order_by("name")
    return (
        Placement.objects.filter(
            programme=programme, status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True
        )
        .select_related("programme__force", "nomination__programme", "nomination__institution", "syndicate__lead")
        .prefetch_related(Prefetch("nomination__institution__contacts", queryset=contacts, to_attr="active_contacts"))
        .order_by("nomination__last_name", "nomination__first_name", "pk")
    )


def joining_recipients(*, programme: Programme, placements: list[Placement] | None = None) -> list[Recipient]:
    """For each confirmed student: their guardian (or themself, when an adult) and each of their school's contacts.

    Addressed as the consent emails are (`Nomination.consent_email`).
    """
    recipients = []
    for placement in confirmed_placements(programme) if placements is None else placements:
        nomination = placement.nomination
        if nomination.consent_email:
            if nomination.is_adult:
                recipients.append(
                    Recipient(placement, Recipient.ADULT_STUDENT, nomination.consent_email, nomination.first_name)
                )
            else:
                name = nomination.guardian_name or f"parent or guardian of {nomination.first_name}"
                recipients.append(Recipient(placement, Recipient.GUARDIAN, nomination.consent_email, name))
        for contact in nomination.institution.active_contacts:
            recipients.append(Recipient(placement, Recipient.SCHOOL, contact.email, contact.name))
    return recipients


def student_week(placement: Placement) -> list[dict[str, Any]]:
    """The student's days, each with their syndicate's planned sessions in time order."""
    programme = placement.programme
    sessions: list[Session] = []
    if placement.syndicate_id is not None:
        sessions = list(
            Session.objects.filter(
                programme=programme, syndicates=placement.syndicate_id, status=Session.Status.PLANNED
            )
            .select_related("activity")
            .order_by("starts_at")
        )
    days: dict[date, list[Session]] = {day: [] for day in programme.days}
    for session in sessions:
        day = timezone.localtime(session.starts_at).date()
        days.setdefault(day, []).append(session)
    return [
        {
            "day": day,
            "sessions": [
                {
                    # In the reader's language, chosen when the page or email is rendered.
                    "title": lazy(s.activity.shown_title, str)(),
                    "kind": s.activity.get_kind_display(),
                    "starts_at": timezone.localtime(s.starts_at),
                    "ends_at": timezone.localtime(s.ends_at),
                    "venue": s.activity.venue,
                }
                for s in found
            ],
        }
        for day, found in sorted(days.items())
    ]


def email_context(*, placement: Placement, instructions: JoiningInstructions) -> dict[str, Any]:
    """What the joining emails and the student's page show about one student."""
    syndicate = placement.syndicate
    return {
        "programme": placement.programme,
        "force": placement.programme.force,
        "email_force": placement.programme.force,
        "instructions": instructions,
        "nomination": placement.nomination,
        "syndicate": syndicate,
        "lead": syndicate.lead if syndicate is not None else None,
        "week": student_week(placement),
        **ceremony_context(placement.programme, instructions),
    }


def ceremony_context(programme: Programme, instructions: JoiningInstructions | None) -> dict[str, Any]:
    """The awards ceremony as the joining emails and page show it: from its event where it has one (the events
    app), else from the ceremony fields the joining instructions had before events existed."""
    event = programme_ceremony(programme) if programme.pk else None
    if event is not None:
        starts, ends, venue = event.starts_at, event.ends_at, event_location(event)
    elif instructions is not None and instructions.has_ceremony:
        starts, ends, venue = (
            instructions.ceremony_starts_at,
            instructions.ceremony_ends_at,
            # The venue in the reader's language, chosen when the page or email is rendered.
            lazy(lambda: instructions.shown["ceremony_venue"], str)(),
        )
    else:
        return {"ceremony_starts_at": None, "ceremony_ends_at": None, "ceremony_venue": ""}
    return {
        "ceremony_starts_at": timezone.localtime(starts),
        "ceremony_ends_at": timezone.localtime(ends),
        "ceremony_venue": venue,
    }


def joining_summary(*, programme: Programme) -> dict[str, int]:
    """How many students and emails a send reaches: for the send page."""
    placements = list(confirmed_placements(programme))
    recipients = joining_recipients(programme=programme, placements=placements)
    return {
        "students": len(placements),
        "families": sum(1 for r in recipients if not r.is_school),
        "schools": sum(1 for r in recipients if r.is_school),
        "without_family_email": sum(1 for p in placements if not p.nomination.consent_email),
        "without_school_contact": sum(1 for p in placements if not p.nomination.institution.active_contacts),
    }


# --- leads and departments -------------------------------------------------------------------------


@dataclass
class StaffBrief:
    """What one lead or department contact is told about a programme, and a hash of it (its version)."""

    audience: str
    email: str
    name: str
    syndicate: Syndicate | None = None
    department: Department | None = None
    members: list[dict[str, str]] = field(default_factory=list)
    days: list[dict[str, Any]] = field(default_factory=list)

    @property
    def version(self) -> str:
        facts = {
            "to": self.email,
            "members": self.members,
            "days": [
                {"day": d["day"].isoformat(), "sessions": [_session_facts(s) for s in d["sessions"]]} for d in self.days
            ],
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()

    @property
    def session_count(self) -> int:
        return sum(len(d["sessions"]) for d in self.days)


def _session_facts(session: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in session.items()}


def _planned_sessions(programme: Programme) -> list[Session]:
    return list(
        Session.objects.filter(programme=programme, status=Session.Status.PLANNED)
        .select_related("activity__department")
        .prefetch_related(Prefetch("syndicates", queryset=Syndicate.objects.order_by("name")))
        .order_by("starts_at", "pk")
    )


def _by_day(programme: Programme, rows: list[tuple[Session, dict[str, Any]]]) -> list[dict[str, Any]]:
    days: dict[date, list[dict[str, Any]]] = {}
    for session, row in rows:
        days.setdefault(timezone.localtime(session.starts_at).date(), []).append(row)
    return [{"day": day, "sessions": found} for day, found in sorted(days.items())]


def lead_briefs(*, programme: Programme, sessions: list[Session] | None = None) -> list[StaffBrief]:
    """For each syndicate whose lead has an address: the students (names, school and the support needs a lead
    is allowed to see; never medical notes or emergency contacts) and the syndicate's sessions."""
    sessions = _planned_sessions(programme) if sessions is None else sessions
    syndicates = (
        programme.syndicates.filter(lead__isnull=False, lead__is_active=True)
        .select_related("lead__user")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.filter(status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True)
                .select_related("nomination__institution")
                .order_by("nomination__last_name", "nomination__first_name", "pk"),
                to_attr="confirmed",
            )
        )
        .order_by("name")
    )
    briefs = []
    for syndicate in syndicates:
        lead = syndicate.lead
        if not lead.contact_email:
            continue
        members = [
            {
                "first_name": p.nomination.first_name,
                "last_name": p.nomination.last_name,
                "school": p.nomination.institution.name,
                "year_group": p.nomination.year_group,
                "support_needs": p.nomination.support_needs.strip(),
                "nomination_id": p.nomination_id,
            }
            for p in syndicate.confirmed
        ]
        rows = [
            (
                s,
                {
                    "starts_at": timezone.localtime(s.starts_at),
                    "ends_at": timezone.localtime(s.ends_at),
                    "title": s.activity.title,
                    "kind": s.activity.get_kind_display(),
                    "venue": s.activity.venue,
                },
            )
            for s in sessions
            if syndicate.pk in {x.pk for x in s.syndicates.all()}
        ]
        briefs.append(
            StaffBrief(
                audience="lead",
                email=lead.contact_email,
                name=lead.name,
                syndicate=syndicate,
                members=members,
                days=_by_day(programme, rows),
            )
        )
    return briefs


def department_briefs(*, programme: Programme, sessions: list[Session] | None = None) -> list[StaffBrief]:
    """For each department with a contact and sessions in the programme: each session with its venue, the
    staff it needs and the syndicates (and how many students) coming. No student is named."""
    sessions = _planned_sessions(programme) if sessions is None else sessions
    sizes = dict(
        Placement.objects.filter(
            programme=programme,
            status=Placement.Status.CONFIRMED,
            syndicate__isnull=False,
            nomination__erasure__isnull=True,
        )
        .values_list("syndicate")
        .annotate(n=Count("pk"))
        .values_list("syndicate", "n")
    )
    by_department: dict[int, list[tuple[Session, dict[str, Any]]]] = {}
    departments: dict[int, Department] = {}
    for s in sessions:
        department = s.activity.department
        if department is None or not department.contact_email:
            continue
        departments[department.pk] = department
        groups = list(s.syndicates.all())
        by_department.setdefault(department.pk, []).append(
            (
                s,
                {
                    "starts_at": timezone.localtime(s.starts_at),
                    "ends_at": timezone.localtime(s.ends_at),
                    "title": s.activity.title,
                    "kind": s.activity.get_kind_display(),
                    "venue": s.activity.venue,
                    "staff_needed": s.activity.staff_needed,
                    "syndicates": ", ".join(g.name for g in groups),
                    "students": sum(sizes.get(g.pk, 0) for g in groups),
                },
            )
        )
    return [
        StaffBrief(
            audience="department",
            email=departments[pk].contact_email,
            name=departments[pk].contact_name or f"{departments[pk].name} team",
            department=departments[pk],
            days=_by_day(programme, rows),
        )
        for pk, rows in sorted(by_department.items(), key=lambda item: departments[item[0]].name)
    ]


def staff_status(*, programme: Programme) -> dict[str, list[dict[str, Any]]]:
    """Each lead and department contact who would be told, and whether they have this version already."""
    rows = {
        (r.audience, r.syndicate_id or r.department_id): r
        for r in StaffBriefing.objects.filter(programme=programme).only(
            "audience", "syndicate_id", "department_id", "version", "told_at"
        )
    }
    sessions = _planned_sessions(programme)
    found: dict[str, list[dict[str, Any]]] = {"leads": [], "departments": []}
    for group, briefs in (
        ("leads", lead_briefs(programme=programme, sessions=sessions)),
        ("departments", department_briefs(programme=programme, sessions=sessions)),
    ):
        for brief in briefs:
            target = brief.syndicate.pk if brief.syndicate is not None else brief.department.pk
            row = rows.get((brief.audience, target))
            state = "new" if row is None else ("told" if row.version == brief.version else "changed")
            found[group].append({"brief": brief, "row": row, "state": state})
    return found


def staff_missing(*, programme: Programme) -> dict[str, list[str]]:
    """Who cannot be told: syndicates without a lead (or whose lead has no email), departments without a
    contact that have sessions in the programme."""
    leads = [
        s.name
        for s in programme.syndicates.select_related("lead__user").order_by("name")
        if s.lead is None or not s.lead.is_active or not s.lead.contact_email
    ]
    departments = list(
        Department.objects.filter(activities__sessions__programme=programme, contact_email="")
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )
    return {"leads": leads, "departments": departments}


# Every email and text about a programme's week, in words, for the coordinator's sent list.
SENT_KINDS = {
    "joining_instructions": "Joining instructions",
    "joining_reminder": "Reminder the working day before",
    "week_changed": "Change to the week (families and schools)",
    "lead_briefing": "Syndicate lead's briefing",
    "department_briefing": "Department's sessions",
    "staff_changed": "Change to the week (leads and departments)",
    "session_replaced": "Session swapped (to the lead)",
}


def _delivery(rows, model) -> dict[str, dict[str, int]]:
    found: dict[str, dict[str, int]] = {}
    for kind, sent, failed, n in rows:
        counts = found.setdefault(kind, {"sent": 0, "waiting": 0, "failed": 0})
        state = "sent" if sent else ("failed" if failed >= model.MAX_ATTEMPTS else "waiting")
        counts[state] += n
    return found


def sent_summary(*, programme: Programme) -> list[dict[str, Any]]:
    """For each kind of email or text about the programme: how many were sent, are waiting or failed (four
    queries). Emails are found by the programme's students or its syndicates' and departments' briefings."""
    from django.db.models import Q

    from core.models import OutboundEmail, OutboundSms

    students = Placement.objects.filter(programme=programme).values("nomination")
    briefing_keys = Q()
    for row in StaffBriefing.objects.filter(programme=programme).values_list("audience", "pk"):
        briefing_keys |= Q(dedupe_key__startswith=f"{row[0]}-briefing:{row[1]}:")
        briefing_keys |= Q(dedupe_key__regex=rf"^staff-changed:[^:]+:{row[1]}:")
    swapped = Session.syndicates.through.objects.filter(
        session__programme=programme, session__replaces__isnull=False
    ).values_list("session__replaces", "syndicate")
    swaps = Q(kind="session_replaced", dedupe_key__in=[f"session-replaced:{s}:{y}" for s, y in swapped])
    email_filter = Q(kind__in=SENT_KINDS, students__in=students) | (briefing_keys if briefing_keys else Q(pk=None))
    email_filter |= swaps
    emails = (
        OutboundEmail.objects.filter(email_filter)
        .order_by()
        .values_list("kind", "sent_at", "failed_attempts", "pk")
        .distinct()
    )
    email_counts = _delivery(((kind, sent, failed, 1) for kind, sent, failed, _pk in emails), OutboundEmail)
    texts = (
        OutboundSms.objects.filter(students__in=students)
        .order_by()
        .values_list("kind", "sent_at", "failed_attempts", "pk")
        .distinct()
    )
    text_counts = _delivery(((kind, sent, failed, 1) for kind, sent, failed, _pk in texts), OutboundSms)
    zero = {"sent": 0, "waiting": 0, "failed": 0}
    return [
        {"kind": kind, "label": label, "emails": email_counts.get(kind, zero), "texts": text_counts.get(kind, zero)}
        for kind, label in SENT_KINDS.items()
        if kind in email_counts or kind in text_counts
    ]
