import secrets
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from core.links import token_hash
from mentoring.models import Outcome
from reports.models import NationalSharing, PracticeReport, ShareLink
from surveys.models import Question, Survey
from tests import factories as f


class PracticeReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PracticeReport

    programme = factory.SubFactory(f.ProgrammeFactory)
    aims = "Build trust."


class NationalSharingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalSharing

    force = factory.SubFactory(f.ForceFactory)
    opted_in = True


class ShareLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShareLink

    force = factory.SubFactory(f.ForceFactory)
    label = "Sponsor"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    token_hash = factory.LazyFunction(lambda: token_hash(secrets.token_urlsafe(32)))


def finished_programme(
    force,
    *,
    year,
    students,
    send=0,
    deprived=0,
    first=0,
    mentored=0,
    applied=0,
    paired=0,
    spent=Decimal("0"),
    title=None,
):
    """A finished programme of `year` with `students` confirmed places: the first `send` from a special school,
    the next `deprived` from a school in a most-deprived area, the first `first` chose the police first, the
    first `mentored` have a mentor, the first `applied` applied as officers, the first `paired` answered the
    approachability question 3 before and 4 after. Returns (programme, placements)."""
    programme = f.ProgrammeFactory(
        force=force,
        title=title or f"{force.name} week {year}",
        start_date=date(year, 7, 6),
        end_date=date(year, 7, 10),
        nomination_opens=date(year, 1, 5),
        nomination_closes=date(year, 4, 30),
        capacity=students + 2,
        status="completed",
    )
    special = f.InstitutionFactory(force=force, is_send=True, idaci_decile=5)
    poor = f.InstitutionFactory(force=force, idaci_decile=2)
    other = f.InstitutionFactory(force=force, idaci_decile=6)
    placements = []
    for i in range(students):
        school = special if i < send else poor if i < send + deprived else other
        nomination = f.NominationFactory(
            programme=programme, institution=school, status="accepted", police_first_choice=i < first
        )
        placements.append(f.PlacementFactory(programme=programme, nomination=nomination))
    for placement in placements[:mentored]:
        f.MentorAssignmentFactory(placement=placement)
    for placement in placements[:applied]:
        f.OutcomeFactory(placement=placement, milestone=Outcome.Milestone.APPLIED_OFFICER)
    if spent:
        f.BudgetLineFactory(programme=programme, planned=spent, actual=spent)
    if paired:
        questions = {}
        for phase in (Survey.Phase.PRE, Survey.Phase.POST):
            survey = f.SurveyFactory(programme=programme, phase=phase)
            questions[phase] = (
                survey,
                f.QuestionFactory(survey=survey, code="approachability", kind=Question.Kind.LIKERT),
            )
        for placement in placements[:paired]:
            for phase, value in ((Survey.Phase.PRE, 3), (Survey.Phase.POST, 4)):
                survey, question = questions[phase]
                invitation = f.InvitationFactory(survey=survey, placement=placement)
                response = f.ResponseFactory(invitation=invitation)
                f.AnswerFactory(response=response, question=question, value_int=value)
    return programme, placements
