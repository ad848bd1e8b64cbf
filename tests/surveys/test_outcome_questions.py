"""Learning-outcome ratings in the post survey: added by the coordinator from the timetabled activities'
outcomes, asked only of students whose syndicate attended, in easy-read words too, and reported in words."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placements import services as placements_services
from placements.models import Session
from surveys import paper, report, services, standard
from surveys.forms import AnswersForm, field_name
from surveys.models import Question
from surveys.services import SurveyError, questions_for_invitation, response_submit, survey_outcome_questions_add
from tests import factories as f

from .conftest import make_week, token_for


@pytest.fixture
def week(programme_a, coordinator):
    """Syndicate 1 (four students) did dogs and drones; syndicate 2 (one student) did boats only."""
    surveys, placements = make_week(programme_a)
    other = f.SyndicateFactory(programme=programme_a, name="Marine syndicate")
    boats = f.ActivityFactory(force=programme_a.force, slug="boats", title="Marine unit")
    start = timezone.make_aware(datetime(2027, 7, 14, 9, 30))
    session = Session.objects.create(
        programme=programme_a, activity=boats, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    session.syndicates.add(other)
    boater = f.PlacementFactory(programme=programme_a, syndicate=other)
    surveys = services.survey_setup_programme(programme=programme_a)
    dogs = programme_a.force.activities.get(slug="dogs")
    placements_services.activity_outcomes_set(
        activity=dogs,
        outcomes=[
            ("Describe how a premises search is planned", "Say how police plan a search"),
            ("Explain why dogs help with searches.", ""),
        ],
        actor=coordinator,
    )
    placements_services.activity_outcomes_set(
        activity=boats, outcomes=[("Name two dangers at sea", "")], actor=coordinator
    )
    return {"programme": programme_a, "surveys": surveys, "placements": placements, "boater": boater, "dogs": dogs}


def _outcome_questions(survey):
    return list(survey.questions.filter(code__startswith=standard.OUTCOME_PREFIX).order_by("order", "id"))


def test_outcome_questions_are_added_once_in_plain_and_easy_read_words(week, coordinator):
    post = week["surveys"]["post"]
    assert survey_outcome_questions_add(survey=post, actor=coordinator) == 3
    questions = _outcome_questions(post)
    assert [q.text for q in questions] == [
        "After “Activity dogs”, how well can you now: describe how a premises search is planned?",
        "After “Activity dogs”, how well can you now: explain why dogs help with searches?",
        "After “Marine unit”, how well can you now: name two dangers at sea?",
    ]
    assert questions[0].easy_read_text == "After “Activity dogs”, can you: say how police plan a search?"
    # Without easy-read words of its own, the outcome's words are used.
    assert questions[1].easy_read_text == "After “Activity dogs”, can you: explain why dogs help with searches?"
    # The question's own wording in Welsh too; the activity and outcome stay in the coordinator's words.
    assert (
        questions[0].text_cy
        == "Ar ôl “Activity dogs”, pa mor dda allwch chi nawr: describe how a premises search is planned?"
    )
    assert questions[0].easy_read_text_cy == "Ar ôl “Activity dogs”, alli di: say how police plan a search?"
    assert all(q.kind == Question.Kind.LIKERT and not q.required for q in questions)
    # Straight after the activity's own rating question.
    ordered = [q.code for q in post.questions.all()]
    assert ordered.index("activity:dogs") + 1 == ordered.index(questions[0].code)
    with pytest.raises(SurveyError, match="no learning outcomes to add"):
        survey_outcome_questions_add(survey=post, actor=coordinator)
    # A new outcome later: only it is added.
    placements_services.activity_outcomes_set(
        activity=week["dogs"],
        outcomes=[
            ("Describe how a premises search is planned", "Say how police plan a search"),
            ("Explain why dogs help with searches.", ""),
            ("Name one piece of search kit", ""),
        ],
        actor=coordinator,
    )
    assert survey_outcome_questions_add(survey=post, actor=coordinator) == 1


def test_the_survey_before_the_week_does_not_ask_outcomes(week, coordinator):
    with pytest.raises(SurveyError, match="after the week"):
        survey_outcome_questions_add(survey=week["surveys"]["pre"], actor=coordinator)
    assert not _outcome_questions(week["surveys"]["pre"])


def test_students_are_asked_only_about_the_activities_their_syndicate_attended(week, coordinator):
    post = week["surveys"]["post"]
    survey_outcome_questions_add(survey=post, actor=coordinator)
    invitation = post.invitations.get(placement=week["placements"][0])
    asked = {q.code for q in questions_for_invitation(invitation)}
    outcome_codes = {q.code for q in _outcome_questions(post)}
    dogs_codes = {code for code in outcome_codes if code.startswith("outcome:dogs:")}
    assert asked & outcome_codes == dogs_codes and len(dogs_codes) == 2
    boater = post.invitations.get(placement=week["boater"])
    assert {q.code for q in questions_for_invitation(boater)} & outcome_codes == outcome_codes - dogs_codes
    # The paper sheet asks the same.
    attended = paper.attended_by_syndicate(week["programme"])
    for question in _outcome_questions(post):
        for placement in (week["placements"][0], week["boater"]):
            expected = question.code in {
                q.code for q in questions_for_invitation(post.invitations.get(placement=placement))
            }
            assert paper.is_asked(question, placement.syndicate_id, attended) is expected
    # An outcome taken off its activity is no longer asked; its question keeps its words for the report.
    placements_services.activity_outcomes_set(
        activity=week["dogs"], outcomes=[("Explain why dogs help with searches.", "")], actor=coordinator
    )
    asked = {q.code for q in questions_for_invitation(invitation)} & outcome_codes
    assert len(asked) == 1


def test_a_student_sees_outcome_words_and_scale_in_easy_read(week, coordinator):
    post = week["surveys"]["post"]
    survey_outcome_questions_add(survey=post, actor=coordinator)
    question = _outcome_questions(post)[0]
    easy = AnswersForm(questions=[question], easy_read=True)
    field = easy.fields[field_name(question)]
    assert field.label == "After “Activity dogs”, can you: say how police plan a search?"
    assert [label for _value, label in field.choices][-5:] == standard.OUTCOME_EASY_LABELS
    plain = AnswersForm(questions=[question], easy_read=False).fields[field_name(question)]
    assert [label for _value, label in plain.choices][-5:] == standard.OUTCOME_LABELS


def test_a_student_answers_outcome_questions_on_their_phone(client, week, coordinator):
    post = week["surveys"]["post"]
    post.opens_at = timezone.now() - timedelta(hours=1)
    post.save(update_fields=["opens_at"])
    survey_outcome_questions_add(survey=post, actor=coordinator)
    placement = week["placements"][0]
    assert client.get(f"/s/{token_for(post, placement)}/").status_code == 302
    client.post(reverse("surveys:student_mode"), {"easy_read": "1", "layout": "all"})
    page = client.get(reverse("surveys:student_all")).content.decode()
    assert "After “Activity dogs”, can you: say how police plan a search?" in page
    assert "Marine unit" not in page


def test_the_report_says_in_words_how_well_students_can_do_each_outcome(week, coordinator):
    post = week["surveys"]["post"]
    survey_outcome_questions_add(survey=post, actor=coordinator)
    first, second, _boats = _outcome_questions(post)
    # Syndicate 1's four students: 5, 4, 4, 2 on the first outcome; only three answer the second.
    for placement, a, b in zip(week["placements"], ["5", "4", "4", "2"], ["3", "4", "", "5"], strict=True):
        invitation = post.invitations.get(placement=placement)
        answers = {q.code: "3" for q in questions_for_invitation(invitation) if q.kind == "likert"}
        answers |= {"perception_change": "better", "would_recommend": "yes", "wants_mentor": "no"}
        answers[first.code], answers[second.code] = a, b
        response_submit(invitation=invitation, answers=answers)
    result = report.programme_report(week["programme"])
    [dogs] = result["outcomes"]
    assert dogs["activity"] == "Activity dogs"
    one, two = dogs["outcomes"]
    assert one["text"] == "Describe how a premises search is planned"
    assert (one["n"], one["well"], one["mean"]) == (4, 3, 3.75)
    assert one["sentence"] == "Only 4 students answered: too few to say how well the week taught it."
    assert (two["n"], two["well"]) == (3, 2)
    assert report._outcome_sentence(12, 9, 4.08) == (
        "9 of the 12 students who answered said they can now do this well or very well "
        "(on average 4.1 out of 5, where 5 is “very well”)."
    )


def test_the_report_page_shows_outcome_ratings(client_for, week, coordinator):
    post = week["surveys"]["post"]
    survey_outcome_questions_add(survey=post, actor=coordinator)
    first = _outcome_questions(post)[0]
    invitation = post.invitations.get(placement=week["placements"][0])
    answers = {q.code: "4" for q in questions_for_invitation(invitation) if q.kind == "likert"}
    answers |= {"perception_change": "better", "would_recommend": "yes", "wants_mentor": "no", first.code: "5"}
    response_submit(invitation=invitation, answers=answers)
    page = client_for(coordinator).get(f"/surveys/programme/{week['programme'].pk}/report/").content.decode()
    assert "Learning outcomes: what students say they can now do" in page
    assert "Describe how a premises search is planned" in page
    assert 'data-label="Can do it well or very well">1 of 1' in page


def test_the_surveys_page_offers_to_add_outcome_questions(client_for, week, coordinator):
    client = client_for(coordinator)
    url = f"/surveys/programme/{week['programme'].pk}/"
    page = client.get(url).content.decode()
    assert "3 learning outcomes of 2 timetabled activities are not asked yet." in page
    post = week["surveys"]["post"]
    response = client.post(reverse("surveys:survey_outcomes_add", args=[post.pk]))
    assert response.status_code == 302
    assert len(_outcome_questions(post)) == 3
    page = client.get(url).content.decode()
    assert "not asked yet" not in page and "A learning outcome: asked only of students" in page
    # Again: nothing to add, said in words.
    response = client.post(reverse("surveys:survey_outcomes_add", args=[post.pk]), follow=True)
    assert "There are no learning outcomes to add" in response.content.decode()
    assert len(_outcome_questions(post)) == 3
    # The survey before the week: refused in words, nothing added.
    response = client.post(reverse("surveys:survey_outcomes_add", args=[week["surveys"]["pre"].pk]), follow=True)
    assert "Learning outcomes are asked after the week" in response.content.decode()
    assert not _outcome_questions(week["surveys"]["pre"])


def test_outsiders_cannot_add_outcome_questions(client_for, week, coordinator_b, contact, mentor):
    url = reverse("surveys:survey_outcomes_add", args=[week["surveys"]["post"].pk])
    assert client_for(coordinator_b).post(url).status_code == 404
    assert client_for(contact).post(url).status_code == 403
    assert client_for(mentor).post(url).status_code == 403
    assert client_for(None).post(url).status_code == 302  # to sign in
    assert client_for(coordinator_b).get(url).status_code == 405
    assert not _outcome_questions(week["surveys"]["post"])


def test_the_surveys_page_query_count_stays_constant_with_outcomes(
    client_for, week, coordinator, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(coordinator)
    url = f"/surveys/programme/{week['programme'].pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for slug in ("drones", "boats"):
        activity = week["programme"].force.activities.get(slug=slug)
        placements_services.activity_outcomes_set(
            activity=activity, outcomes=[(f"{slug} outcome {n}", "") for n in range(4)], actor=coordinator
        )
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200
    survey_outcome_questions_add(survey=week["surveys"]["post"], actor=coordinator)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_a_copied_programme_keeps_its_outcome_questions_linked_to_their_outcomes(week, coordinator):
    from datetime import date

    survey_outcome_questions_add(survey=week["surveys"]["post"], actor=coordinator)
    copy, _warnings = placements_services.programme_copy(
        source=week["programme"],
        title="Next year's week",
        start_date=date(2028, 7, 10),
        end_date=date(2028, 7, 14),
        nomination_opens=date(2028, 3, 1),
        nomination_closes=date(2028, 5, 1),
        actor=coordinator,
    )
    copied = _outcome_questions(copy.surveys.get(phase="post"))
    original = _outcome_questions(week["surveys"]["post"])
    assert [(q.code, q.learning_outcome_id) for q in copied] == [(q.code, q.learning_outcome_id) for q in original]
    assert all(q.learning_outcome_id for q in copied)


def test_welsh_questions_name_an_activity_in_welsh_where_it_has_a_welsh_name(programme_a, coordinator):
    """An activity's Welsh name goes into the Welsh words of its rating and outcome questions; the English
    words keep the name, and an activity without a Welsh name keeps it in both."""
    dogs = f.ActivityFactory(force=programme_a.force, slug="dogs", title="Police dogs", title_cy="Cŵn heddlu")
    make_week(programme_a, activities=("drones",))
    syndicate = programme_a.syndicates.get()
    start = timezone.make_aware(datetime(2027, 7, 15, 9, 30))
    session = Session.objects.create(
        programme=programme_a, activity=dogs, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    session.syndicates.add(syndicate)
    post = services.survey_setup_programme(programme=programme_a)["post"]
    rating = post.questions.get(code="activity:dogs")
    assert "Police dogs" in rating.text and "Cŵn heddlu" not in rating.text
    assert "Cŵn heddlu" in rating.text_cy and "Police dogs" not in rating.text_cy
    assert "Activity drones" in post.questions.get(code="activity:drones").text_cy
    placements_services.activity_outcomes_set(activity=dogs, outcomes=[("Name a dog's job", "")], actor=coordinator)
    survey_outcome_questions_add(survey=post, actor=coordinator)
    [outcome] = _outcome_questions(post)
    assert outcome.text == "After “Police dogs”, how well can you now: name a dog's job?"
    assert outcome.text_cy == "Ar ôl “Cŵn heddlu”, pa mor dda allwch chi nawr: name a dog's job?"


def test_welsh_questions_ask_about_an_outcome_in_its_welsh_words(programme_a, coordinator):
    """An outcome with Welsh words is asked in them, in both kinds of Welsh words; the English keep the English."""
    dogs = f.ActivityFactory(force=programme_a.force, slug="dogs", title="Police dogs", title_cy="Cŵn heddlu")
    make_week(programme_a, activities=())
    start = timezone.make_aware(datetime(2027, 7, 15, 9, 30))
    session = Session.objects.create(
        programme=programme_a, activity=dogs, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    session.syndicates.add(programme_a.syndicates.get())
    post = services.survey_setup_programme(programme=programme_a)["post"]
    placements_services.activity_outcomes_set(
        activity=dogs,
        outcomes=[("Name a dog's job.", "Say what a dog does", "Enwi swydd ci.")],
        actor=coordinator,
    )
    survey_outcome_questions_add(survey=post, actor=coordinator)
    [outcome] = _outcome_questions(post)
    assert outcome.text == "After “Police dogs”, how well can you now: name a dog's job?"
    assert outcome.text_cy == "Ar ôl “Cŵn heddlu”, pa mor dda allwch chi nawr: enwi swydd ci?"
    assert outcome.easy_read_text_cy == "Ar ôl “Cŵn heddlu”, alli di: enwi swydd ci?"
    assert "Say what a dog does" not in outcome.easy_read_text_cy
