"""Who a coordinator can message: each audience is a filter over the force's own people.

An audience gives the people it reaches (one `Person` each, with the few values its placeholders need)
and, in plain words, those it cannot reach (a school without a contact, a student without a family email),
so the coordinator is told who will not get the message. Every query starts from the coordinator's force
(and, where the audience needs one, a programme of that force checked by the view): nobody outside it is
ever reached.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.dateformat import format as format_date

from core.links import link_marker
from mentoring.models import MentorAssignment
from placements.models import Force, ForcePerson, Placement, Programme
from schools.models import Institution, InstitutionContact, Nomination
from surveys.models import Invitation, Survey
from surveys.services import survey_is_open

GUARDIAN, ADULT_STUDENT, SCHOOL, LEAD, MENTOR = "guardian", "adult_student", "school", "lead", "mentor"
KIND_WORDS = {
    GUARDIAN: "Parent or guardian",
    ADULT_STUDENT: "Student aged 18 or over",
    SCHOOL: "School or college contact",
    LEAD: "Syndicate lead",
    MENTOR: "Mentor",
}


@dataclass(frozen=True)
class Person:
    """One person a message goes to, once: `values` fill the placeholders of their copy."""

    kind: str
    name: str
    address: str
    nomination_id: int | None = None
    values: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.address.lower()}:{self.nomination_id or ''}"

    @property
    def kind_words(self) -> str:
        return KIND_WORDS[self.kind]


@dataclass
class Reach:
    """What an audience comes to now: who gets the message, and who cannot be emailed (with why)."""

    people: list[Person]
    not_reached: list[str]
    not_reached_why: str = ""
    note: str = ""  # why nobody is in the audience at all, when that has a reason worth saying

    def by_kind(self) -> dict[str, list[Person]]:
        kinds: dict[str, list[Person]] = {}
        for person in self.people:
            kinds.setdefault(person.kind, []).append(person)
        return kinds


@dataclass(frozen=True)
class Audience:
    key: str
    label: str
    help: str
    placeholders: tuple[str, ...]
    find: Callable[[Force, Programme | None, date], Reach]
    needs_programme: bool = True
    can_send: bool = True


def programme_dates(programme: Programme) -> str:
    start, end = programme.start_date, programme.end_date
    if start == end:
        return format_date(start, "l j F Y")
    return f"{format_date(start, 'l j F')} to {format_date(end, 'l j F Y')}"


def _family(nomination: Nomination, extra: dict[str, str] | None = None) -> Person | None:
    """The student's family as the product reaches it: the guardian, or the student once 18 (consent_email)."""
    address = nomination.consent_email
    if not address:
        return None
    values = {
        "student_first_name": nomination.first_name,
        "school_name": nomination.institution.name,
        **(extra or {}),
    }
    if nomination.is_adult:
        return Person(
            ADULT_STUDENT,
            nomination.first_name,
            address,
            nomination.pk,
            {"recipient_name": nomination.first_name, **values},
        )
    name = nomination.guardian_name or f"parent or guardian of {nomination.first_name}"
    return Person(GUARDIAN, name, address, nomination.pk, {"recipient_name": name, **values})


def _no_family_email(nomination: Nomination) -> str:
    who = "no email of their own (they are 18 or over)" if nomination.is_adult else "no parent's or guardian's email"
    return f"{nomination.full_name} ({nomination.institution.name}): {who}"


def _confirmed(programme: Programme):
    return Placement.objects.filter(
        programme=programme, status=Placement.Status.CONFIRMED, nomination__erasure__isnull=True
    ).select_related("programme", "nomination__programme", "nomination__institution")


def families(force: Force, programme: Programme | None, today: date) -> Reach:
    people, missing = [], []
    for placement in _confirmed(programme).order_by("nomination__last_name", "nomination__first_name", "pk"):
        person = _family(placement.nomination)
        if person is None:
            missing.append(_no_family_email(placement.nomination))
        else:
            people.append(person)
    return Reach(people, missing, "These confirmed students have no email to reach their family on.")


def _allocated_schools(programme: Programme):
    contacts = InstitutionContact.objects.filter(is_active=True).order_by("name")
    return (
        Institution.objects.filter(force=programme.force_id, allocations__programme=programme)
        .prefetch_related(Prefetch("contacts", queryset=contacts, to_attr="active_contacts"))
        .order_by("name")
    )


def school_contacts(force: Force, programme: Programme | None, today: date) -> Reach:
    people, missing = [], []
    for institution in _allocated_schools(programme):
        if not institution.active_contacts:
            missing.append(institution.name)
        for contact in institution.active_contacts:
            values = {"recipient_name": contact.name, "school_name": institution.name}
            people.append(Person(SCHOOL, contact.name, contact.email, None, values))
    return Reach(people, missing, "These schools were given places but have no contact to email.")


def schools_without_contact(force: Force, programme: Programme | None, today: date) -> Reach:
    missing = []
    for institution in _allocated_schools(programme):
        if not institution.active_contacts:
            missing.append(institution.name)
    return Reach([], missing, "These schools were given places but nobody there can be emailed.")


def syndicate_leads(force: Force, programme: Programme | None, today: date) -> Reach:
    people, missing = [], []
    leads = (
        ForcePerson.objects.filter(force=force, led_syndicates__programme=programme)
        .distinct()
        .prefetch_related("led_syndicates")
        .order_by("name")
    )
    for lead in leads:
        names = sorted(s.name for s in lead.led_syndicates.all() if s.programme_id == programme.pk)
        if not lead.email or not lead.is_active:
            missing.append(f"{lead.name}: no email" if lead.is_active else f"{lead.name}: no longer active")
            continue
        values = {"recipient_name": lead.name, "syndicate_name": " and ".join(names)}
        people.append(Person(LEAD, lead.name, lead.email, None, values))
    return Reach(people, missing, "These syndicate leads cannot be emailed.")


def _unanswered(phase: str) -> Callable[[Force, Programme | None, date], Reach]:
    def find(force: Force, programme: Programme | None, today: date) -> Reach:
        survey = Survey.objects.filter(programme=programme, phase=phase).first()
        if survey is None:
            return Reach([], [], note="This programme has no such survey.")
        if not survey_is_open(survey):
            return Reach(
                [], [], note=f"The survey “{survey.title}” is not open for answers, so nobody can answer it now."
            )
        invitations = (
            Invitation.objects.filter(
                survey=survey,
                answered_at__isnull=True,
                placement__status=Placement.Status.CONFIRMED,
                placement__nomination__erasure__isnull=True,
            )
            .select_related("placement__nomination__programme", "placement__nomination__institution")
            .order_by("placement__nomination__last_name", "placement__nomination__first_name", "pk")
        )
        closes = survey.closes_at and format_date(timezone.localtime(survey.closes_at), "l j F Y, H:i")
        people, missing = [], []
        for invitation in invitations:
            extra = {
                "survey_title": survey.title,
                # A marker, not the link: the outbox makes the working link when the email leaves (core.links).
                "survey_link": link_marker("survey", invitation.pk),
                "survey_closes": closes or "soon",
            }
            person = _family(invitation.placement.nomination, extra)
            if person is None:
                missing.append(_no_family_email(invitation.placement.nomination))
            else:
                people.append(person)
        return Reach(people, missing, "These students have not answered, but have no email to reach their family on.")

    return find


def overdue_mentors(force: Force, programme: Programme | None, today: date) -> Reach:
    overdue = Q(mentees__status=MentorAssignment.Status.ACTIVE, mentees__next_due_on__lt=today)
    mentors = (
        ForcePerson.objects.filter(force=force, is_active=True)
        .filter(Exists(MentorAssignment.objects.active().filter(mentor=OuterRef("pk"), next_due_on__lt=today)))
        .annotate(overdue=Count("mentees", filter=overdue))
        .order_by("name")
    )
    people, missing = [], []
    for mentor in mentors:
        if not mentor.email:
            missing.append(f"{mentor.name}: no email")
            continue
        values = {"recipient_name": mentor.name, "overdue_count": str(mentor.overdue)}
        people.append(Person(MENTOR, mentor.name, mentor.email, None, values))
    return Reach(people, missing, "These mentors have contacts overdue but no email.")


PROGRAMME = ("programme_title", "programme_dates", "force_name")
STUDENT = ("recipient_name", "student_first_name", "school_name")
SURVEY = ("survey_title", "survey_link", "survey_closes")

AUDIENCES: dict[str, Audience] = {
    a.key: a
    for a in (
        Audience(
            "families",
            "Parents or guardians of confirmed students",
            "One email per confirmed student: to their parent or guardian, or to the student when 18 or over.",
            STUDENT + PROGRAMME,
            families,
        ),
        Audience(
            "school_contacts",
            "School contacts of schools given places",
            "Every active contact at each school or college allocated places on the programme.",
            ("recipient_name", "school_name", *PROGRAMME),
            school_contacts,
        ),
        Audience(
            "schools_without_contact",
            "Schools given places that have no contact",
            "Lists the schools nobody can be emailed at, so you can phone them or add a contact.",
            (),
            schools_without_contact,
            can_send=False,
        ),
        Audience(
            "leads",
            "Syndicate leads",
            "Each person leading a syndicate on the programme, once.",
            ("recipient_name", "syndicate_name", *PROGRAMME),
            syndicate_leads,
        ),
        Audience(
            "survey_pre_unanswered",
            "Students who have not answered the survey before the week",
            "Through their parent or guardian (or the student when 18 or over), with the student's own survey link.",
            STUDENT + SURVEY + PROGRAMME,
            _unanswered(Survey.Phase.PRE),
        ),
        Audience(
            "survey_post_unanswered",
            "Students who have not answered the survey after the week",
            "Through their parent or guardian (or the student when 18 or over), with the student's own survey link.",
            STUDENT + SURVEY + PROGRAMME,
            _unanswered(Survey.Phase.POST),
        ),
        Audience(
            "mentors_overdue",
            "Mentors with overdue contacts",
            "Every mentor of the force with at least one mentee whose next contact is overdue (any programme).",
            ("recipient_name", "overdue_count", "force_name"),
            overdue_mentors,
            needs_programme=False,
        ),
    )
}


def audience_reach(
    *, audience: Audience, force: Force, programme: Programme | None, today: date | None = None
) -> Reach:
    """Who `audience` reaches now, once each (a family with two students on the programme gets two emails)."""
    reach = audience.find(force, programme, today or timezone.localdate())
    seen, people = set(), []
    for person in reach.people:
        if person.key not in seen:
            seen.add(person.key)
            people.append(person)
    reach.people = people
    return reach
