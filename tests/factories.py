"""factory_boy factories for every model; related rows are made in the same force."""

from datetime import date, datetime, time
from decimal import Decimal

import factory
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import User
from certificates.models import Certificate, CertificateTemplate
from core.models import OutboundEmail, OutboundSms
from mentoring.models import MentorAssignment, MentorContact, Outcome
from placements.models import (
    Activity,
    Attendance,
    BudgetLine,
    Department,
    Force,
    ForcePerson,
    LearningOutcome,
    Placement,
    Programme,
    Session,
    Syndicate,
)
from schools.models import Allocation, Consent, Institution, InstitutionContact, Nomination
from surveys import services
from surveys.models import Answer, Invitation, Question, Response, Survey

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    # Fixed names: a random surname (Faker once gave "Rivers") can match text a test looks for.
    first_name = "Staff"
    last_name = factory.Sequence(lambda n: f"Member{n}")
    password = factory.django.Password(PASSWORD)


class PlatformAdminFactory(UserFactory):
    """A platform administrator who is not a superuser: staff, holding the platform-admin permission."""

    is_staff = True

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def platform_admin_permission(user, create, extracted, **kwargs):
        if create:
            user.user_permissions.add(
                Permission.objects.get(content_type__app_label="accounts", codename="platform_admin")
            )


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force

    name = factory.Sequence(lambda n: f"Force {n} Constabulary")
    slug = factory.Sequence(lambda n: f"force-{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Department {n}")


class ForcePersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForcePerson

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"Officer Person{n}")
    email = factory.Sequence(lambda n: f"person{n}@police.invalid")
    rank = "PC"
    vetting_expires_on = date(2030, 1, 1)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    force = factory.SubFactory(ForceFactory)
    title = factory.Sequence(lambda n: f"School week {n}")
    start_date = date(2027, 7, 12)
    end_date = date(2027, 7, 16)
    capacity = 16
    nomination_opens = date(2027, 1, 4)
    nomination_closes = date(2027, 4, 30)
    reserved_send_places = 4
    max_per_institution = 3


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    force = factory.SubFactory(ForceFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    code = factory.Sequence(lambda n: f"{100000 + n}")
    area = "NS1"
    fsm_pct = Decimal("20.0")
    idaci_decile = 5


class InstitutionContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstitutionContact

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Teacher Contact{n}")
    email = factory.Sequence(lambda n: f"contact{n}@school.invalid")


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    programme = factory.SubFactory(ProgrammeFactory)
    institution = factory.SubFactory(InstitutionFactory, force=factory.SelfAttribute("..programme.force"))
    quota = 4


class NominationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nomination

    programme = factory.SubFactory(ProgrammeFactory)
    institution = factory.SubFactory(InstitutionFactory, force=factory.SelfAttribute("..programme.force"))
    first_name = factory.Sequence(lambda n: f"Pupil{n}")
    last_name = factory.Sequence(lambda n: f"Student{n}")
    date_of_birth = date(2011, 9, 1)
    year_group = "Year 10"
    emergency_contact_name = "A Parent"
    emergency_contact_phone = "07700 900000"
    guardian_name = "A Parent"
    guardian_email = factory.Sequence(lambda n: f"guardian{n}@family.invalid")


class ConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consent

    nomination = factory.SubFactory(NominationFactory)
    status = Consent.Status.GIVEN
    respondent_name = "A Parent"
    participation = True
    data_processing = True
    mentoring_contact = True
    wording = "Consent wording v1"
    responded_at = factory.LazyFunction(timezone.now)


class SyndicateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Syndicate

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Syndicate {n}")
    lead = factory.SubFactory(ForcePersonFactory, force=factory.SelfAttribute("..programme.force"))


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    programme = factory.SubFactory(ProgrammeFactory)
    nomination = factory.SubFactory(
        NominationFactory, programme=factory.SelfAttribute("..programme"), status=Nomination.Status.ACCEPTED
    )


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    force = factory.SubFactory(ForceFactory)
    title = factory.Sequence(lambda n: f"Activity {n}")
    slug = factory.Sequence(lambda n: f"activity-{n}")
    syndicate_capacity = 1


class LearningOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome

    activity = factory.SubFactory(ActivityFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Explain learning point {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    programme = factory.SubFactory(ProgrammeFactory)
    activity = factory.SubFactory(ActivityFactory, force=factory.SelfAttribute("..programme.force"))
    starts_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.combine(o.programme.start_date, time(9, 30)))
    )
    ends_at = factory.LazyAttribute(
        lambda o: timezone.make_aware(datetime.combine(o.programme.start_date, time(11, 30)))
    )


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    placement = factory.SubFactory(PlacementFactory)
    date = factory.LazyAttribute(lambda o: o.placement.programme.start_date)
    status = Attendance.Status.PRESENT


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    programme = factory.SubFactory(ProgrammeFactory)
    category = BudgetLine.Category.TRANSPORT
    planned = Decimal("550")


class SurveyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Survey

    programme = factory.SubFactory(ProgrammeFactory)
    phase = Survey.Phase.PRE
    title = "Before the week"


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    code = factory.Sequence(lambda n: f"question_{n}")
    kind = Question.Kind.LIKERT
    text = "How approachable are the police?"


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    survey = factory.SubFactory(SurveyFactory)
    placement = factory.SubFactory(PlacementFactory, programme=factory.SelfAttribute("..survey.programme"))
    # The salt, link token and short code hang together as in the service, so the link and code work.
    token_salt = factory.Sequence(lambda n: f"{n:032x}")
    token_hash = factory.LazyAttribute(lambda o: services.token_hash(services.invitation_token(o)))
    short_code_hash = factory.LazyAttribute(lambda o: services.short_code_hash(services.invitation_short_code(o)))


class ResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Response

    invitation = factory.SubFactory(InvitationFactory)


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    response = factory.SubFactory(ResponseFactory)
    question = factory.SubFactory(QuestionFactory, survey=factory.SelfAttribute("..response.invitation.survey"))
    value_int = 4


class CertificateTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    force = factory.SubFactory(ForceFactory)
    programme_kind = "school_week"
    name = "School week certificate"
    wording = "{student_name} completed {programme_title}."
    signatory_name = "Jane Smith"
    signatory_rank = "Superintendent"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    placement = factory.SubFactory(PlacementFactory)
    force = factory.LazyAttribute(lambda o: o.placement.programme.force)
    serial = factory.Sequence(lambda n: n + 1)
    verification_code = factory.Sequence(lambda n: f"VERIFY{n:010d}")
    printed_name = factory.LazyAttribute(lambda o: o.placement.nomination.full_name)


class MentorAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorAssignment

    placement = factory.SubFactory(PlacementFactory)
    mentor = factory.SubFactory(
        ForcePersonFactory, force=factory.SelfAttribute("..placement.programme.force"), is_mentor=True
    )
    starts_on = date(2027, 7, 19)
    ends_on = date(2028, 7, 19)
    next_due_on = date(2027, 8, 2)


class MentorContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorContact

    assignment = factory.SubFactory(MentorAssignmentFactory)
    contacted_on = date(2027, 8, 1)
    method = MentorContact.Method.PHONE
    summary = "Talked about applying to the cadets."


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome

    placement = factory.SubFactory(PlacementFactory)
    milestone = Outcome.Milestone.JOINED_CADETS
    occurred_on = date(2027, 9, 1)


class OutboundEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundEmail

    kind = "test"
    dedupe_key = factory.Sequence(lambda n: f"test-{n}")
    to = "someone@example.org"
    subject = "Hello"
    body_text = "Hello there"


class OutboundSmsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundSms

    kind = "test"
    dedupe_key = factory.Sequence(lambda n: f"test-sms-{n}")
    to = "+447700900123"
    body = "Hello there"
