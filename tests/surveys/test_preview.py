"""The surveys page lists each survey's questions, and a coordinator can preview the student pages read-only."""

import pytest

from surveys import standard
from surveys.models import Answer, Invitation, Response
from surveys.views import EASY_KEY, LAYOUT_KEY, SESSION_KEY


def _state():
    return (
        list(Invitation.objects.order_by("pk").values_list("pk", "draft", "answered_at", "token_hash")),
        Response.objects.count(),
        Answer.objects.count(),
    )


def test_surveys_page_lists_questions_in_words_and_links_the_preview(client_for, week_a, coordinator):
    page = client_for(coordinator).get(f"/surveys/programme/{week_a['programme'].pk}/").content.decode()
    post = week_a["surveys"]["post"]
    for code, _kind, text, *_rest in standard.POST:
        if code != "activity":
            assert text in page
    assert "How much did you get out of: Activity dogs?" in page
    assert "A scale of 1 to 5: 1 strongly disagree" in page
    assert "One of: Better than before; The same as before; Worse than before" in page
    assert "Asked only of students whose syndicate attended the activity" in page
    assert f"/surveys/{post.pk}/preview/" in page
    assert "perception_change" not in page and "activity:dogs" not in page


@pytest.mark.parametrize("easy", [False, True])
def test_preview_walks_every_question_and_saves_nothing(client_for, week_a, coordinator, easy):
    client = client_for(coordinator)
    survey = week_a["surveys"]["post"]
    questions = list(survey.questions.all())
    before = _state()
    query = "?easy=1" if easy else ""
    start = client.get(f"/surveys/{survey.pk}/preview/{query}")
    assert start.status_code == 200
    assert "Nothing you choose here is saved" in start.content.decode()
    for step, question in enumerate(questions, 1):
        page = client.get(f"/surveys/{survey.pk}/preview/{step}/{query}")
        assert page.status_code == 200
        html = page.content.decode()
        wording = (question.easy_read_text or question.text) if easy else question.text
        assert wording.replace("'", "&#x27;") in html
        assert "<form" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # nothing to send anywhere
        if question.kind == "likert":
            assert html.count('type="radio"') == 5
            assert (html.count('class="face"') == 5) is easy
    assert client.get(f"/surveys/{survey.pk}/preview/{len(questions) + 1}/").status_code == 404
    assert client.get(f"/surveys/{survey.pk}/preview/0/").status_code == 404
    # A POST (say, a radio form sent by hand) is shown the same page and changes nothing either.
    assert client.post(f"/surveys/{survey.pk}/preview/1/", {f"q{questions[0].pk}": "5"}).status_code == 200
    assert _state() == before
    session = client.session
    assert SESSION_KEY not in session and EASY_KEY not in session and LAYOUT_KEY not in session


def test_preview_is_the_coordinators_own(client_for, week_a, coordinator_b, contact, mentor):
    survey = week_a["surveys"]["pre"]
    before = _state()
    for url in (f"/surveys/{survey.pk}/preview/", f"/surveys/{survey.pk}/preview/1/"):
        assert client_for(None).get(url).status_code == 302
        assert client_for(coordinator_b).get(url).status_code == 404
        assert client_for(coordinator_b).post(url, {"q1": "5"}).status_code == 404
        assert client_for(contact).get(url).status_code == 403
        assert client_for(mentor).get(url).status_code == 403
    assert _state() == before


def test_surveys_page_query_count_does_not_grow_with_questions(
    client_for, week_a, coordinator, django_assert_max_num_queries
):
    from placements.models import Session
    from surveys.services import survey_setup_programme
    from tests import factories as f

    client = client_for(coordinator)
    url = f"/surveys/programme/{week_a['programme'].pk}/"
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    first = len(small)
    programme = week_a["programme"]
    session = Session.objects.filter(programme=programme).first()
    for slug in ("boats", "horses", "cyber"):
        activity = f.ActivityFactory(force=programme.force, slug=slug, title=f"Activity {slug}")
        Session.objects.create(
            programme=programme, activity=activity, starts_at=session.starts_at, ends_at=session.ends_at
        )
    survey_setup_programme(programme=programme)
    assert week_a["surveys"]["post"].questions.filter(code="activity:cyber").exists()
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200
