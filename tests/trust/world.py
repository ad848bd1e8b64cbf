"""One complete force-A world (the demo seed, built through the apps' services) plus force B.

Used by the role × URL matrix: every URL is requested with real ids from here.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate, CertificateTemplate, IssueJob
from certificates.services import student_link_create
from communications.models import AudienceMessage, MessageTemplate
from mentoring.models import MentorAssignment
from placements.demo import story_for
from placements.models import (
    Activity,
    Department,
    DepartmentUnavailability,
    Placement,
    Programme,
    Session,
    Syndicate,
)
from placements.services import force_person_invitation_create
from reports.services import share_link_create
from schools.models import Allocation, Consent, ConsentLink, Nomination
from schools.services import consent_link_send, contact_invitation_create
from surveys.models import Invitation, Survey
from surveys.services import invitation_token
from tests import factories as f

User = get_user_model()


@dataclass
class World:
    users: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)


def build_world():
    """Seed the demo (force A: intake, week plan, attendance, budget, surveys, certificates,
    mentoring), add force B with its own coordinator and programme, and make fresh token links."""
    with open("/dev/null", "w") as sink:
        call_command("seed_demo", stdout=sink)
    world = World()
    coordinator = User.objects.get(username="coordinator")
    contact_a = User.objects.get(username="contact.oakfield")
    week = Programme.objects.get(title=story_for(None).completed.title)  # the finished week
    force_a = week.force

    force_b = f.ForceFactory(name="Force B Police", slug="force-b")
    programme_b = f.ProgrammeFactory(force=force_b, title="Force B week")
    coordinator_b = f.UserFactory(username="coord-b")
    f.ForcePersonFactory(force=force_b, user=coordinator_b, is_coordinator=True, name="Coordinator B")

    # Objects of school A (Oakfield), led by lead1, mentored by `mentor`.
    oakfield = contact_a.institution_contact.institution
    allocation = (
        Allocation.objects.filter(programme__force=force_a, institution=oakfield).order_by("-programme__pk").first()
    )
    nomination = Nomination.objects.filter(institution=oakfield, programme=allocation.programme).order_by("pk").first()
    lead_user = User.objects.get(username="lead1")
    syndicate = Syndicate.objects.filter(programme=week, lead__user=lead_user).get()
    session = Session.objects.filter(programme=week, syndicates=syndicate).order_by("pk").first()
    mentor_user = User.objects.get(username="mentor")
    assignment = MentorAssignment.objects.filter(mentor__user=mentor_user).order_by("pk").first()
    certificate = Certificate.objects.filter(placement__programme__force=force_a, status="valid").order_by("pk").first()
    survey = Survey.objects.filter(programme=week).order_by("pk").first()
    open_invitation = _open_invitation(week)
    placement = assignment.placement
    template = CertificateTemplate.objects.filter(force=force_a).order_by("pk").first()
    job = IssueJob.objects.filter(programme__force=force_a).order_by("pk").first()
    activity = Activity.objects.filter(force=force_a).order_by("pk").first()
    budget_line = week.budget_lines.order_by("pk").first()
    unavailability = DepartmentUnavailability.objects.filter(department__force=force_a).order_by("pk").first()
    if unavailability is None:
        department = f.DepartmentFactory(force=force_a, name="World Unit")
        unavailability = DepartmentUnavailability.objects.create(
            department=department, starts_at=session.starts_at, ends_at=session.ends_at, reason="Training day"
        )
    if job is None:
        job = IssueJob.objects.create(programme=certificate.placement.programme, started_by=coordinator, status="done")

    consent = Consent.objects.filter(nomination__institution=oakfield).order_by("pk").first()
    _, consent_token = consent_link_send(consent=consent, purpose=ConsentLink.Purpose.REQUEST)
    pending = (
        Consent.objects.filter(status=Consent.Status.REQUESTED, nomination__programme__force=force_a)
        .exclude(nomination__status=Nomination.Status.WITHDRAWN)
        .order_by("pk")
        .first()
    )
    _, pending_consent_token = consent_link_send(consent=pending, purpose=ConsentLink.Purpose.REQUEST)
    invitation, invitation_token_value = contact_invitation_create(
        institution=oakfield, name="New Colleague", email="new.colleague@example.org", actor=contact_a
    )
    _, certificate_token = student_link_create(placement=certificate.placement, actor=coordinator)
    # People of force A without a sign-in: one to edit, one to deactivate, one to invite, and one whose
    # emailed invitation link the world holds (each its own, so fuzzing one page cannot spoil another's).
    people = {
        key: f.ForcePersonFactory(force=force_a, name=name, email=f"{key}@police.invalid")
        for key, name in (
            ("person", "World Volunteer"),
            ("person_leaving", "World Leaver"),
            ("person_invitee", "World Invitee"),
            ("person_joining", "World Joiner"),
        )
    }
    _, person_invitation_token = force_person_invitation_create(person=people["person_joining"], actor=coordinator)
    department = Department.objects.filter(force=force_a).order_by("pk").first()
    joining_programme, joining_token = _joining_token(force_a, coordinator)
    event, event_invitation, event_reply_token = _event_reply(force_a)
    share_link, share_token = share_link_create(
        force=force_a,
        programme=week,
        label="Sponsor",
        expires_on=timezone.localdate() + timedelta(days=30),
        include_quotes=False,
        actor=coordinator,
    )

    partners = _partners(force_a, coordinator)
    world.users = {
        "anon": None,
        "contact_a": contact_a,
        "contact_b": User.objects.get(username="contact.riverside"),
        "coord_a": coordinator,
        "coord_b": coordinator_b,
        "lead": lead_user,
        "mentor": mentor_user,
        "partner": User.objects.get(username="partner.council"),
        "student": None,
    }
    world.ids = {
        "programme": week.pk,
        "programme_b": programme_b.pk,
        "force": force_a.pk,
        "intake_programme": allocation.programme_id,
        "certificate_programme": certificate.placement.programme_id,
        "mentoring_programme": placement.programme_id,
        "allocation": allocation.pk,
        "nomination": nomination.pk,
        "syndicate": syndicate.pk,
        "session": session.pk,
        "survey": survey.pk,
        "certificate": certificate.pk,
        "template": template.pk,
        "job": job.pk,
        "assignment": assignment.pk,
        "placement": placement.pk,
        "verification_code": certificate.verification_code,
        "activity": activity.pk,
        "budget_line": budget_line.pk,
        "unavailability": unavailability.pk,
        **{key: person.pk for key, person in people.items()},
        "department": department.pk,
        "joining_programme": joining_programme.pk,
        **partners["ids"],
        "event": event.pk,
        "event_invitation": event_invitation.pk,
        "share_link": share_link.pk,
        # The demo's message to the running week's leads, and the template saved from it (communications/demo.py).
        "audience_message": AudienceMessage.objects.filter(force=force_a).order_by("pk").first().pk,
        "message_template": MessageTemplate.objects.filter(force=force_a).order_by("pk").first().pk,
    }
    world.tokens = {
        "consent": consent_token,
        "consent_pending": pending_consent_token,
        "share": share_token,
        "invitation": invitation_token_value,
        "survey": invitation_token(open_invitation),
        "certificate": certificate_token,
        "person_invitation": person_invitation_token,
        "joining": joining_token,
        "partner_invitation": partners["token"],
        "event_reply": event_reply_token,
    }
    del invitation
    return world


def _partners(force, coordinator):
    """The demo's partners: the council's running week (its role, a meeting, an action of the council's
    own person), a document the council may read, and an emailed invitation for another partner."""
    from partners.models import Action, Document, Organisation, PartnerPerson, ProgrammePartner
    from partners.services import partner_invitation_create

    council = Organisation.objects.get(force=force, name="Northshire County Council")
    link = ProgrammePartner.objects.filter(organisation=council).order_by("programme__start_date").first()
    action = Action.objects.filter(programme=link.programme, owner_partner__organisation=council).order_by("pk").first()
    meeting = link.programme.partner_meetings.order_by("pk").first()
    document = Document.objects.get(force=force, organisation=council)
    editable = PartnerPerson.objects.get(organisation__force=force, name="Gareth Penhaligon")
    invitee = PartnerPerson.objects.get(organisation__force=force, name="Kerry Doyle")
    _, token = partner_invitation_create(person=invitee, actor=coordinator)
    return {
        "ids": {
            "partners_programme": link.programme_id,
            "partner_role": link.pk,
            "partner_action": action.pk,
            "meeting": meeting.pk,
            "document": document.pk,
            "organisation": council.pk,
            "partner_person": editable.pk,
        },
        "token": token,
    }


def _joining_token(force, coordinator):
    """Joining instructions for the demo's programme still to finish, and one student's link to them."""
    from django.utils import timezone

    from communications.services import (
        JOINING_LINK_PURPOSE,
        joining_defaults,
        joining_instructions_save,
        joining_link_for,
    )
    from core.links import link_token

    placement = (
        Placement.objects.filter(
            programme__force=force, programme__end_date__gte=timezone.localdate(), status=Placement.Status.CONFIRMED
        )
        .order_by("programme__start_date", "pk")
        .first()
    )
    data = {**joining_defaults(placement.programme), "venue_address": "1 Station Road", "contact_phone": "01234 567890"}
    joining_instructions_save(programme=placement.programme, data=data, actor=coordinator)
    return placement.programme, link_token(JOINING_LINK_PURPOSE, joining_link_for(placement).token_salt)


def _event_reply(force):
    """The demo's community information event (still to come), one invitation to it and its reply link."""
    from core.links import link_token
    from events.models import Event
    from events.services import REPLY_LINK_PURPOSE

    event = Event.objects.filter(force=force, kind=Event.Kind.INFORMATION).order_by("pk").first()
    invitation = event.invitations.filter(answer="").order_by("-pk").first()
    return event, invitation, link_token(REPLY_LINK_PURPOSE, invitation.token_salt)


def _open(force):
    return Programme.objects.filter(force=force, allocations__isnull=False).distinct()


def _open_invitation(programme):
    from surveys import selectors

    for invitation in Invitation.objects.filter(survey__programme__force=programme.force).order_by("pk"):
        if selectors.invitation_state(invitation) == "open":
            return invitation
    raise AssertionError("The demo has no open survey invitation")


__all__ = ["Placement", "World", "build_world"]
