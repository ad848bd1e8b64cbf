"""Two forces with one row of every model of the project each, and a user for every role.

Used by the admin tests (scoping of every ModelAdmin's choices, the role × admin URL matrix and
the admin fuzz): a force-B row of every model means a choice list that leaks force B shows it.
The platform admins (staff with the platform-admin permission, not superusers) coordinate one force
each, so the admin must show each only that force's rows; coordinators, even one made staff, are
refused the admin altogether.
"""

from dataclasses import dataclass, field
from datetime import date

from django.apps import apps
from django.conf import settings

from core.audit import force_id_of
from mentoring.models import MentorContact
from placements.models import WeekGroup
from schools.models import Nomination
from tests import factories as f
from tests.certificates.factories import IssueJobFactory, SerialCounterFactory, StudentLinkFactory
from tests.communications.factories import (
    AudienceMessageFactory,
    CalendarEventFactory,
    JoiningInstructionsFactory,
    JoiningLinkFactory,
    MessageRecipientFactory,
    MessageTemplateFactory,
    StaffBriefingFactory,
    TextConsentFactory,
)
from tests.events.factories import EventFactory, InvitationFactory
from tests.mentoring.factories import MentoringReferralFactory, MentoringSettingsFactory, MentorReminderFactory
from tests.partners.factories import (
    ActionFactory,
    DocumentFactory,
    DocumentRulesFactory,
    MeetingFactory,
    OrganisationFactory,
    PartnerInvitationFactory,
    PartnerPersonFactory,
    ProgrammePartnerFactory,
    RiskAssessmentOverrideFactory,
)
from tests.placements.factories import (
    DepartmentUnavailabilityFactory,
    ForcePersonInvitationFactory,
    PlanningHoursFactory,
    SpendEntryFactory,
)
from tests.privacy.factories import ErasureFactory, ForceNoticeFactory, RetentionPolicyFactory
from tests.reports.factories import NationalSharingFactory, PracticeReportFactory, ShareLinkFactory
from tests.schools.factories import ConsentLinkFactory, ContactInvitationFactory
from tests.sso.factories import ForceSignOnFactory, SignOnIdentityFactory
from tests.surveys.factories import SurveyTemplateFactory, TemplateQuestionFactory

MEDICAL_NOTES = "Epipen for a severe peanut allergy"
SUPPORT_NEEDS = "Needs a quiet room at lunch"
SENSITIVE_NOTES = "Worried about things at home"


@dataclass
class AdminWorld:
    force_a: object = None
    force_b: object = None
    users: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)  # (force letter, model label) -> one row


def _rows_of(force, letter):
    programme = f.ProgrammeFactory(force=force, title=f"Week {letter}")
    department = f.DepartmentFactory(force=force, name=f"Department {letter}")
    lead = f.ForcePersonFactory(force=force, department=department, name=f"Lead {letter}")
    mentor = f.ForcePersonFactory(force=force, is_mentor=True, name=f"Mentor {letter}")
    institution = f.InstitutionFactory(force=force, name=f"School {letter}")
    contact = f.InstitutionContactFactory(institution=institution, name=f"Contact {letter}")
    allocation = f.AllocationFactory(programme=programme, institution=institution)
    nomination = f.NominationFactory(
        programme=programme,
        institution=institution,
        first_name=f"Nominee{letter}",
        medical_notes=f"{MEDICAL_NOTES} {letter}",
        support_needs=f"{SUPPORT_NEEDS} {letter}",
    )
    consent = f.ConsentFactory(nomination=nomination)
    syndicate = f.SyndicateFactory(programme=programme, lead=lead, name=f"Syndicate {letter}")
    placed = f.NominationFactory(
        programme=programme, institution=institution, first_name=f"Placed{letter}", status=Nomination.Status.ACCEPTED
    )
    placement = f.PlacementFactory(programme=programme, nomination=placed, syndicate=syndicate)
    activity = f.ActivityFactory(force=force, department=department, title=f"Activity {letter}")
    session = f.SessionFactory(programme=programme, activity=activity)
    session.syndicates.add(syndicate)
    budget_line = f.BudgetLineFactory(programme=programme)
    survey = f.SurveyFactory(programme=programme)
    question = f.QuestionFactory(survey=survey)
    invitation = f.InvitationFactory(survey=survey, placement=placement)
    response = f.ResponseFactory(invitation=invitation)
    template = f.CertificateTemplateFactory(force=force)
    assignment = f.MentorAssignmentFactory(placement=placement, mentor=mentor)
    survey_template = SurveyTemplateFactory(force=force)
    sign_on = ForceSignOnFactory(force=force, client_id=f"client-{letter}")
    erased = f.NominationFactory(programme=programme, institution=institution, first_name=f"Erased{letter}")
    message = AudienceMessageFactory(force=force, programme=programme, subject=f"Message {letter}")
    made = [
        force,
        programme,
        department,
        lead,
        mentor,
        institution,
        contact,
        allocation,
        nomination,
        consent,
        syndicate,
        placement,
        activity,
        session,
        budget_line,
        survey,
        question,
        invitation,
        response,
        template,
        assignment,
        survey_template,
        f.AttendanceFactory(placement=placement),
        f.AnswerFactory(response=response, question=question),
        f.CertificateFactory(placement=placement, force=force, template=template),
        f.MentorContactFactory(assignment=assignment, sensitive_notes=f"{SENSITIVE_NOTES} {letter}"),
        f.OutcomeFactory(placement=placement),
        f.OutboundEmailFactory(force=force, subject=f"Email {letter}"),
        SerialCounterFactory(force=force),
        IssueJobFactory(programme=programme),
        StudentLinkFactory(placement=placement),
        RetentionPolicyFactory(force=force),
        ForceNoticeFactory(force=force),
        ErasureFactory(nomination=erased),
        MentoringSettingsFactory(force=force),
        MentoringReferralFactory(placement=placement),
        MentorReminderFactory(assignment=assignment, due_on=date(2027, 8, 2)),
        DepartmentUnavailabilityFactory(department=department),
        SpendEntryFactory(budget_line=budget_line),
        PlanningHoursFactory(programme=programme, department=department),
        f.LearningOutcomeFactory(activity=activity),
        ConsentLinkFactory(consent=consent),
        ContactInvitationFactory(institution=institution, contact=contact),
        ForcePersonInvitationFactory(person=lead),
        TemplateQuestionFactory(template=survey_template),
        PracticeReportFactory(programme=programme),
        NationalSharingFactory(force=force),
        ShareLinkFactory(force=force, programme=programme),
        JoiningInstructionsFactory(programme=programme),
        JoiningLinkFactory(placement=placement),
        CalendarEventFactory(programme=programme),
        *_partner_rows(force, programme, activity, lead, letter),
        EventFactory(force=force, programme=programme),
        InvitationFactory(event__force=force, kind="student", placement=placement, name="", email=""),
        StaffBriefingFactory(programme=programme, syndicate=syndicate),
        TextConsentFactory(placement=placement),
        f.OutboundSmsFactory(force=force, body=f"Text {letter}"),
        MessageTemplateFactory(force=force),
        message,
        MessageRecipientFactory(message=message, nomination=placed, person_name=f"Guardian {letter}"),
        sign_on,
        SignOnIdentityFactory(sign_on=sign_on, subject=f"subject-{letter}"),
        _linked_weeks(force, programme, letter),
    ]
    return {(letter, row._meta.label): row for row in made}


def _linked_weeks(force, programme, letter):
    group = WeekGroup.objects.create(force=force, name=f"Weeks {letter}", home=programme)
    programme.week_group = group
    programme.save(update_fields=["week_group"])
    return group


def _partner_rows(force, programme, activity, lead, letter):
    organisation = OrganisationFactory(force=force, name=f"Partner {letter}")
    person = PartnerPersonFactory(organisation=organisation, name=f"Partner Person {letter}")
    meeting = MeetingFactory(programme=programme, title=f"Meeting {letter}")
    return [
        organisation,
        person,
        PartnerInvitationFactory(person=person),
        ProgrammePartnerFactory(programme=programme, organisation=organisation, contact=person),
        meeting,
        ActionFactory(programme=programme, meeting=meeting, owner_person=None, owner_partner=person),
        DocumentRulesFactory(force=force),
        DocumentFactory(force=force, organisation=organisation, programme=programme, activity=activity, owner=lead),
        RiskAssessmentOverrideFactory(programme=programme, activity=activity),
    ]


def local_models():
    labels = set(settings.LOCAL_APPS)
    return [m for m in apps.get_models() if m._meta.app_label in labels and m._meta.label != "accounts.User"]


def build_admin_world():
    world = AdminWorld()
    world.force_a = f.ForceFactory(name="Force A Constabulary", slug="force-a")
    world.force_b = f.ForceFactory(name="Force B Police", slug="force-b")
    world.rows.update(_rows_of(world.force_a, "A"))
    world.rows.update(_rows_of(world.force_b, "B"))
    for letter, force in (("A", world.force_a), ("B", world.force_b)):
        # Coordinators use the app: they are not staff, and the admin refuses them.
        user = f.UserFactory(username=f"coord-{letter.lower()}")
        f.ForcePersonFactory(force=force, user=user, is_coordinator=True, name=f"Coordinator {letter}")
        world.users[f"coord_{letter.lower()}"] = user
        # A platform admin who is not a superuser is still scoped: one coordinates each force here.
        admin_user = f.PlatformAdminFactory(username=f"platform-{letter.lower()}")
        f.ForcePersonFactory(force=force, user=admin_user, is_coordinator=True, name=f"Platform Admin {letter}")
        world.users[f"platform_{letter.lower()}"] = admin_user
    # Someone ticked "staff" on a coordinator without giving the permission: that opens nothing.
    staff_coordinator = f.UserFactory(username="staff-coord-a", is_staff=True)
    f.ForcePersonFactory(force=world.force_a, user=staff_coordinator, is_coordinator=True, name="Staff Coordinator A")
    world.users["staff_coord_a"] = staff_coordinator
    contact_user = f.UserFactory(username="contact-a")
    contact = world.rows[("A", "schools.InstitutionContact")]
    contact.user = contact_user
    contact.save()
    lead_user = f.UserFactory(username="lead-a")
    lead = world.rows[("A", "placements.Syndicate")].lead
    lead.user = lead_user
    lead.save()
    mentor_user = f.UserFactory(username="mentor-a")
    mentor = world.rows[("A", "mentoring.MentorAssignment")].mentor
    mentor.user = mentor_user
    mentor.save()
    world.users.update(
        {
            "anon": None,
            "contact": contact_user,
            "lead": lead_user,
            "mentor": mentor_user,
            "superuser": f.UserFactory(username="root", is_staff=True, is_superuser=True),
        }
    )
    for model in local_models():
        for letter, force in (("A", world.force_a), ("B", world.force_b)):
            row = world.rows.get((letter, model._meta.label))
            assert row is not None, f"the admin world has no {model._meta.label} of force {letter}"
            assert force_id_of(row) == force.pk, (model._meta.label, letter)
    assert MentorContact.objects.filter(sensitive_notes__startswith=SENSITIVE_NOTES).count() == 2
    return world
