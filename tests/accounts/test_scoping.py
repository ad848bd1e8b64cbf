"""Scope: a coordinator of force A sees nothing of force B; a school contact nothing of another school's."""

import pytest
from django.http import Http404

from accounts.scoping import FORCE_PATHS, INSTITUTION_PATHS, get_for_user, scope_for, scoped
from placements.models import WeekGroup
from tests import factories as f
from tests.certificates import factories as cf
from tests.communications import factories as comf
from tests.core.test_admin import FACTORY_FOR
from tests.events.factories import EventFactory, InvitationFactory
from tests.mentoring import factories as mf
from tests.partners import factories as pf
from tests.placements.factories import ForcePersonInvitationFactory
from tests.privacy.factories import ErasureFactory, ForceNoticeFactory, RetentionPolicyFactory
from tests.reports.factories import NationalSharingFactory, PracticeReportFactory, ShareLinkFactory
from tests.schools.factories import ConsentLinkFactory, ContactInvitationFactory
from tests.sso.factories import ForceSignOnFactory, SignOnIdentityFactory
from tests.surveys.factories import SurveyTemplateFactory, TemplateQuestionFactory


def _row_in_force(label, force):
    """One row of the model, created inside `force`."""
    programme = f.ProgrammeFactory(force=force)
    placement = f.PlacementFactory(programme=programme)
    survey = f.SurveyFactory(programme=programme)
    invitation = f.InvitationFactory(survey=survey, placement=placement)
    response = f.ResponseFactory(invitation=invitation)
    assignment = f.MentorAssignmentFactory(placement=placement)
    build = {
        "placements.force": lambda: force,
        "placements.department": lambda: f.DepartmentFactory(force=force),
        "placements.forceperson": lambda: f.ForcePersonFactory(force=force),
        "placements.programme": lambda: programme,
        "placements.weekgroup": lambda: WeekGroup.objects.create(force=force, name="Summer weeks", home=programme),
        "placements.syndicate": lambda: f.SyndicateFactory(programme=programme),
        "placements.placement": lambda: placement,
        "placements.activity": lambda: f.ActivityFactory(force=force),
        "placements.learningoutcome": lambda: f.LearningOutcomeFactory(activity__force=force),
        "placements.session": lambda: f.SessionFactory(programme=programme),
        "placements.attendance": lambda: f.AttendanceFactory(placement=placement),
        "placements.budgetline": lambda: f.BudgetLineFactory(programme=programme),
        "placements.departmentunavailability": lambda: FACTORY_FOR["placements.DepartmentUnavailability"](
            department__force=force
        ),
        "placements.spendentry": lambda: FACTORY_FOR["placements.SpendEntry"](budget_line__programme=programme),
        "placements.planninghours": lambda: FACTORY_FOR["placements.PlanningHours"](programme=programme),
        "placements.forcepersoninvitation": lambda: ForcePersonInvitationFactory(person__force=force),
        "schools.institution": lambda: placement.nomination.institution,
        "schools.institutioncontact": lambda: f.InstitutionContactFactory(institution=placement.nomination.institution),
        "schools.allocation": lambda: f.AllocationFactory(programme=programme),
        "schools.nomination": lambda: placement.nomination,
        "schools.consent": lambda: f.ConsentFactory(nomination=placement.nomination),
        "schools.consentlink": lambda: ConsentLinkFactory(consent__nomination=placement.nomination),
        "schools.contactinvitation": lambda: ContactInvitationFactory(institution=placement.nomination.institution),
        "surveys.survey": lambda: survey,
        "surveys.question": lambda: f.QuestionFactory(survey=survey),
        "surveys.invitation": lambda: invitation,
        "surveys.response": lambda: response,
        "surveys.answer": lambda: f.AnswerFactory(response=response),
        "surveys.surveytemplate": lambda: SurveyTemplateFactory(force=force),
        "surveys.templatequestion": lambda: TemplateQuestionFactory(template__force=force),
        "certificates.certificatetemplate": lambda: f.CertificateTemplateFactory(force=force),
        "certificates.certificate": lambda: f.CertificateFactory(placement=placement),
        "certificates.serialcounter": lambda: cf.SerialCounterFactory(force=force),
        "certificates.issuejob": lambda: cf.IssueJobFactory(programme=programme),
        "certificates.studentlink": lambda: cf.StudentLinkFactory(placement=placement),
        "mentoring.mentorassignment": lambda: assignment,
        "mentoring.mentorcontact": lambda: f.MentorContactFactory(assignment=assignment),
        "mentoring.outcome": lambda: f.OutcomeFactory(placement=placement),
        "mentoring.mentoringsettings": lambda: mf.MentoringSettingsFactory(force=force),
        "mentoring.mentoringreferral": lambda: mf.MentoringReferralFactory(placement=placement),
        "mentoring.mentorreminder": lambda: mf.MentorReminderFactory(assignment=assignment),
        "core.outboundemail": lambda: f.OutboundEmailFactory(force=force),
        "privacy.retentionpolicy": lambda: RetentionPolicyFactory(force=force),
        "privacy.erasure": lambda: ErasureFactory(nomination=placement.nomination),
        "privacy.forcenotice": lambda: ForceNoticeFactory(force=force),
        "reports.practicereport": lambda: PracticeReportFactory(programme=programme),
        "reports.nationalsharing": lambda: NationalSharingFactory(force=force),
        "reports.sharelink": lambda: ShareLinkFactory(force=force, programme=programme),
        "communications.joininginstructions": lambda: comf.JoiningInstructionsFactory(programme=programme),
        "communications.joininglink": lambda: comf.JoiningLinkFactory(placement=placement),
        "communications.calendarevent": lambda: comf.CalendarEventFactory(programme=programme),
        "events.event": lambda: EventFactory(force=force, programme=programme),
        "events.invitation": lambda: InvitationFactory(event__force=force),
        "communications.messagetemplate": lambda: comf.MessageTemplateFactory(force=force),
        "communications.audiencemessage": lambda: comf.AudienceMessageFactory(force=force, programme=programme),
        "communications.messagerecipient": lambda: comf.MessageRecipientFactory(
            message__force=force, message__programme=programme, nomination=placement.nomination
        ),
        "sso.forcesignon": lambda: ForceSignOnFactory(force=force),
        "sso.signonidentity": lambda: SignOnIdentityFactory(sign_on=ForceSignOnFactory(force=force)),
        "partners.organisation": lambda: pf.OrganisationFactory(force=force),
        "partners.partnerperson": lambda: pf.PartnerPersonFactory(organisation__force=force),
        "partners.partnerinvitation": lambda: pf.PartnerInvitationFactory(person__organisation__force=force),
        "partners.programmepartner": lambda: pf.ProgrammePartnerFactory(programme=programme),
        "partners.meeting": lambda: pf.MeetingFactory(programme=programme),
        "partners.action": lambda: pf.ActionFactory(programme=programme),
        "partners.documentrules": lambda: pf.DocumentRulesFactory(force=force),
        "partners.document": lambda: pf.DocumentFactory(force=force),
        "partners.riskassessmentoverride": lambda: pf.RiskAssessmentOverrideFactory(programme=programme),
        "communications.staffbriefing": lambda: comf.StaffBriefingFactory(programme=programme),
        "communications.textconsent": lambda: comf.TextConsentFactory(placement__programme=programme),
        "core.outboundsms": lambda: f.OutboundSmsFactory(force=force),
    }
    return build[label]()


# Force-scoped models with no admin page (so no factory in FACTORY_FOR): built by _row_in_force all the same.
NOT_IN_ADMIN = {"placements.weekgroup"}  # linked weeks live on the coordinator's pages only


def test_every_force_scoped_model_is_listed():
    labels = {label.lower() for label in FACTORY_FOR if label != "accounts.User"}
    assert labels | NOT_IN_ADMIN == set(FORCE_PATHS)


@pytest.mark.parametrize("label", sorted(FORCE_PATHS))
def test_coordinator_of_force_a_gets_404_for_every_object_of_force_b(label, coordinator, force_b):
    other = _row_in_force(label, force_b)
    own = _row_in_force(label, coordinator.force_person.force)
    model = type(other)
    with pytest.raises(Http404):
        get_for_user(coordinator, model, pk=other.pk)
    assert get_for_user(coordinator, model, pk=own.pk) == own
    assert not scoped(coordinator, model).filter(pk=other.pk).exists()


def test_contact_sees_only_own_institution(contact, contact_b, school_a, school_b, programme_a):
    own = f.NominationFactory(programme=programme_a, institution=school_a)
    other = f.NominationFactory(programme=programme_a, institution=school_b)
    f.ConsentFactory(nomination=other)
    model = type(own)
    assert get_for_user(contact, model, pk=own.pk) == own
    with pytest.raises(Http404):
        get_for_user(contact, model, pk=other.pk)
    with pytest.raises(Http404):
        get_for_user(contact, type(other.consent), pk=other.consent.pk)
    assert list(scoped(contact_b, model)) == [other]


def test_contact_sees_programmes_their_school_was_allocated(contact, school_a, programme_a, force_a):
    hidden = f.ProgrammeFactory(force=force_a, title="Not allocated")
    f.AllocationFactory(programme=programme_a, institution=school_a)
    assert list(scoped(contact, type(programme_a))) == [programme_a]
    assert hidden not in scoped(contact, type(hidden))


def test_contact_sees_no_survey_answers_or_mentor_logs(contact, school_a, programme_a):
    placement = f.PlacementFactory(programme=programme_a, nomination__institution=school_a)
    contact_log = f.MentorContactFactory(assignment__placement=placement)
    assert not scoped(contact, type(contact_log)).exists()


def test_lead_sees_only_own_syndicate(lead, programme_a):
    own_syndicate = programme_a.syndicates.get()
    other_syndicate = f.SyndicateFactory(programme=programme_a)
    mine = f.PlacementFactory(programme=programme_a, syndicate=own_syndicate)
    theirs = f.PlacementFactory(programme=programme_a, syndicate=other_syndicate)
    Placement = type(mine)
    assert list(scoped(lead, Placement)) == [mine]
    with pytest.raises(Http404):
        get_for_user(lead, Placement, pk=theirs.pk)
    assert scope_for(lead).roles == ["lead"]


def test_mentor_sees_only_own_mentees(mentor, programme_a):
    person = mentor.force_person
    mine = f.MentorAssignmentFactory(placement__programme=programme_a, mentor=person)
    theirs = f.MentorAssignmentFactory(placement__programme=programme_a)
    Assignment = type(mine)
    assert list(scoped(mentor, Assignment)) == [mine]
    with pytest.raises(Http404):
        get_for_user(mentor, Assignment, pk=theirs.pk)


def test_anonymous_and_inactive_users_see_nothing(coordinator, programme_a):
    from django.contrib.auth.models import AnonymousUser

    assert not scoped(AnonymousUser(), type(programme_a)).exists()
    coordinator.is_active = False
    coordinator.save()
    assert not scoped(coordinator, type(programme_a)).exists()


def test_bad_lookup_value_is_404_not_500(coordinator, programme_a):
    with pytest.raises(Http404):
        get_for_user(coordinator, type(programme_a), pk="not-a-number")


def _rows_for_institution(label, programme, institution):
    """A row of `label` that belongs to `institution`, in `programme`."""
    placement = f.PlacementFactory(programme=programme, nomination__institution=institution)
    build = {
        "schools.institution": lambda: institution,
        "schools.institutioncontact": lambda: f.InstitutionContactFactory(institution=institution),
        "schools.allocation": lambda: f.AllocationFactory(programme=programme, institution=institution),
        "schools.nomination": lambda: placement.nomination,
        "schools.consent": lambda: f.ConsentFactory(nomination=placement.nomination),
        "schools.contactinvitation": lambda: ContactInvitationFactory(institution=institution),
        "placements.placement": lambda: placement,
        "placements.attendance": lambda: f.AttendanceFactory(placement=placement),
        "certificates.certificate": lambda: f.CertificateFactory(placement=placement),
        "certificates.studentlink": lambda: cf.StudentLinkFactory(placement=placement),
        "surveys.invitation": lambda: f.InvitationFactory(
            survey=programme.surveys.first() or f.SurveyFactory(programme=programme), placement=placement
        ),
    }
    return build[label]()


@pytest.mark.parametrize("label", sorted(INSTITUTION_PATHS))
def test_contact_sees_nothing_of_another_school_of_the_same_force(label, contact, school_a, school_b, programme_a):
    own = _rows_for_institution(label, programme_a, school_a)
    other = _rows_for_institution(label, programme_a, school_b)
    model = type(own)
    visible = set(scoped(contact, model).values_list("pk", flat=True))
    assert own.pk in visible
    assert other.pk not in visible
    with pytest.raises(Http404):
        get_for_user(contact, model, pk=other.pk)
