"""Mentoring fixtures: a consenting student who asked for a mentor, and a mentor with an email address."""

from datetime import date

import pytest

from schools.models import Consent
from surveys.models import Question, Survey
from tests import factories as f


def make_eligible(programme, *, asked=True, **nomination):
    """A confirmed placement whose guardian consented to mentoring and who said yes to `wants_mentor`."""
    placement = f.PlacementFactory(programme=programme, **{f"nomination__{k}": v for k, v in nomination.items()})
    f.ConsentFactory(nomination=placement.nomination, mentoring_contact=True, status=Consent.Status.GIVEN)
    survey, _ = Survey.objects.get_or_create(
        programme=programme, phase=Survey.Phase.POST, defaults={"title": "After the week"}
    )
    question, _ = Question.objects.get_or_create(
        survey=survey, code="wants_mentor", defaults={"kind": Question.Kind.YES_NO, "text": "Would you like a mentor?"}
    )
    invitation = f.InvitationFactory(survey=survey, placement=placement)
    f.AnswerFactory(response=f.ResponseFactory(invitation=invitation), question=question, value_int=1 if asked else 0)
    return placement


@pytest.fixture
def eligible(programme_a):
    return make_eligible(programme_a, date_of_birth=date(2011, 9, 1))


@pytest.fixture
def mentor_person(mentor):
    person = mentor.force_person
    person.email = "mentor-a@police.invalid"
    person.save()
    return person
