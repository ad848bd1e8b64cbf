"""Survey answers given in Welsh and in English are one set: the questions (and their codes) are shared."""

from html import unescape

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from surveys.forms import field_name
from surveys.models import Answer, Invitation, Survey
from surveys.report import programme_report
from surveys.services import invitation_token, survey_setup_programme
from tests import factories as f
from tests.core.welsh import welsh_world

# What each student answers, by question code: Gwen in Welsh, Tom in English.
ANSWERS = {
    "cy": {
        "pre": {"approachability": "2", "trust": "3", "fairness": "3", "career_interest": "2"},
        "post": {
            "approachability": "4",
            "trust": "4",
            "fairness": "4",
            "career_interest": "3",
            "perception_change": "better",
            "would_recommend": "yes",
            "wants_mentor": "yes",
        },
    },
    "en-gb": {
        "pre": {"approachability": "3", "trust": "2", "fairness": "4", "career_interest": "1"},
        "post": {
            "approachability": "5",
            "trust": "4",
            "fairness": "4",
            "career_interest": "2",
            "perception_change": "same",
            "would_recommend": "yes",
            "wants_mentor": "no",
        },
    },
}


def _answer_online(invitation, language, answers):
    """Answer as the student does: open the link, all questions on one page, check, send."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    assert client.get(reverse("surveys:token_enter", args=[invitation_token(invitation)])).status_code == 302
    client.post(reverse("surveys:student_start"), {"layout": "all", "easy_read": "0"})
    page = client.get(reverse("surveys:student_all"))
    html = unescape(page.content.decode())
    assert f'<html lang="{"cy" if language == "cy" else "en-GB"}">' in html
    questions = {q.code: q for q in invitation.survey.questions.all()}
    shown = questions["trust"].shown_text(language=language)
    assert shown in html  # the question in the student's language
    data = {field_name(questions[code]): value for code, value in answers.items()}
    assert client.post(reverse("surveys:student_all"), data).status_code == 302
    assert client.post(reverse("surveys:student_review")).status_code == 302


@pytest.fixture
def two_languages(db):
    world = welsh_world()
    programme = world["programme"]
    english = f.PlacementFactory(
        programme=programme,
        nomination__institution=world["nomination"].institution,
        nomination__first_name="Tom",
        nomination__preferred_language="en-gb",
    )
    survey_setup_programme(programme=programme)
    Survey.objects.filter(programme=programme).update(opens_at=None, closes_at=None)
    return programme, {"cy": world["placement"], "en-gb": english}


def test_answers_in_welsh_and_english_are_counted_together(two_languages):
    programme, placements = two_languages
    for language, placement in placements.items():
        for phase in ("pre", "post"):
            invitation = Invitation.objects.get(placement=placement, survey__phase=phase)
            _answer_online(invitation, language, ANSWERS[language][phase])
    # One question per code, whichever language it was read in: both students' answers are on it.
    trust = Answer.objects.filter(question__survey__programme=programme, question__code="trust")
    assert trust.count() == 4 and trust.values("question").distinct().count() == 2

    report = programme_report(programme)
    assert report["respondents"] == {"pre": 2, "post": 2, "paired": 2}
    by_code = {q["code"]: q for q in report["questions"]}
    # approachability: pre 2 and 3 (2.5), post 4 and 5 (4.5), from one Welsh and one English student.
    assert by_code["approachability"]["paired_n"] == 2
    assert by_code["approachability"]["pre_mean"] == 2.5
    assert by_code["approachability"]["post_mean"] == 4.5
    assert report["would_recommend_n"] == 2 and report["would_recommend_pct"] == 100.0
    assert report["wants_mentor_n"] == 2 and report["wants_mentor_pct"] == 50.0
    assert report["perception_change_n"] == 2 and report["perception_better_pct"] == 50.0


def test_a_welsh_choice_label_is_stored_as_its_code(two_languages):
    _programme, placements = two_languages
    invitation = Invitation.objects.get(placement=placements["cy"], survey__phase="post")
    question = invitation.survey.questions.get(code="perception_change")
    assert dict(question.shown_choices(language="cy"))["better"] == "Gwell nag o'r blaen"
    assert dict(question.shown_choices(language="en-gb"))["better"] == "Better than before"
    _answer_online(invitation, "cy", ANSWERS["cy"]["post"])
    assert Answer.objects.get(question=question).value_text == "better"
