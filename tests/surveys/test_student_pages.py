"""Students without accounts: tokens, the one-question-per-screen flow, drafts, one response per invitation."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings, strategies as st

from placements.models import Placement
from surveys.models import Answer, Invitation, Response
from surveys.services import format_short_code, invitation_short_code, invitation_token
from surveys.views import SESSION_KEY

from .conftest import token_for


def _enter(client, survey, placement):
    response = client.get(f"/s/{token_for(survey, placement)}/")
    assert response.status_code == 302
    return response


def _answer_all(client, answers_by_label=None):
    """Walk the one-question screens choosing the first option (or typing text) on each."""
    step = 1
    while True:
        page = client.get(reverse("surveys:student_step", kwargs={"step": step}))
        assert page.status_code == 200
        form = page.context["form"]
        name, field = next(iter(form.fields.items()))
        value = field.choices[-1][0] if hasattr(field, "choices") else "Good week"
        response = client.post(page.request["PATH_INFO"], {name: value, "next": "1"})
        assert response.status_code == 302, response.content
        if response["Location"] == reverse("surveys:student_review"):
            return
        step += 1


def test_token_moves_into_session_and_url_loses_it(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    token = token_for(survey, placement)
    response = client.get(f"/s/{token}/")
    assert response.status_code == 302
    assert response["Location"] == reverse("surveys:student_start")
    assert token not in response["Location"]
    assert client.session[SESSION_KEY] == survey.invitations.get(placement=placement).pk
    start = client.get(response["Location"])
    assert start.status_code == 200
    assert survey.title in start.content.decode()


def test_token_is_long_random_and_only_its_hash_is_stored(week_a):
    invitation = Invitation.objects.filter(survey=week_a["surveys"]["pre"]).first()
    token = invitation_token(invitation)
    assert len(token) >= 43  # 256-bit HMAC, base64url
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = [str(getattr(invitation, field.attname)) for field in Invitation._meta.concrete_fields]
    assert not any(token in value for value in stored)
    tokens = {invitation_token(i) for i in Invitation.objects.all()}
    assert len(tokens) == Invitation.objects.count()


@pytest.mark.parametrize("token", ["nope", "x" * 43, "a" * 500])
def test_wrong_token_is_404_with_a_clear_page_and_no_data(client, week_a, token):
    response = client.get(f"/s/{token}/")
    assert response.status_code == 404
    assert "We do not recognise this link" in response.content.decode()
    assert SESSION_KEY not in client.session
    assert week_a["surveys"]["pre"].title not in response.content.decode()


def test_closed_survey_token_is_410(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    survey.opens_at = timezone.now() - timedelta(days=10)
    survey.closes_at = timezone.now() - timedelta(days=1)
    survey.save()
    response = client.get(f"/s/{token_for(survey, placement)}/")
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_survey_that_closes_while_answering_stops_accepting(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    _enter(client, survey, placement)
    survey.closes_at = timezone.now() - timedelta(seconds=1)
    survey.save()
    response = client.post(reverse("surveys:student_step", kwargs={"step": 1}), {"next": "1"})
    assert response.status_code == 410
    assert not Response.objects.exists()


def test_not_yet_open_survey_is_refused(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    survey.opens_at = timezone.now() + timedelta(days=1)
    survey.save()
    assert client.get(f"/s/{token_for(survey, placement)}/").status_code == 403


def test_withdrawn_student_token_is_410(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.WITHDRAWN)
    assert client.get(f"/s/{token_for(survey, placement)}/").status_code == 410


def test_full_flow_then_used_token_is_410_and_cannot_answer_twice(client, week_a):
    survey, placement = week_a["surveys"]["post"], week_a["placements"][0]
    _enter(client, survey, placement)
    client.post(reverse("surveys:student_start"), {"layout": "one", "easy_read": "0"})
    _answer_all(client)
    review = client.get(reverse("surveys:student_review"))
    assert review.status_code == 200 and not review.context["missing"]
    done = client.post(reverse("surveys:student_review"))
    assert done["Location"] == reverse("surveys:student_done")
    response = Response.objects.get(invitation__placement=placement, invitation__survey=survey)
    codes = set(response.answers.values_list("question__code", flat=True))
    assert {"approachability", "wants_mentor", "activity:dogs", "activity:drones", "comments"} <= codes
    assert response.answers.get(question__code="wants_mentor").value_int == 0  # last option: "No"
    assert response.answers.get(question__code="would_recommend").value_int == 0
    # The same link again: already answered.
    again = client.get(f"/s/{token_for(survey, placement)}/")
    assert again.status_code == 410
    assert "already been answered" in again.content.decode()
    # A stale session posting again changes nothing.
    assert client.post(reverse("surveys:student_review")).status_code in (404, 410)
    assert Response.objects.filter(invitation__survey=survey).count() == 1


def test_yes_is_stored_as_one(client, week_a):
    survey, placement = week_a["surveys"]["post"], week_a["placements"][1]
    _enter(client, survey, placement)
    client.post(reverse("surveys:student_start"), {"layout": "all"})
    page = client.get(reverse("surveys:student_all"))
    data = {}
    for name, field in page.context["form"].fields.items():
        q = field.question
        data[name] = {"likert": "4", "yes_no": "yes", "choice": "better"}.get(q.kind, "")
    assert client.post(reverse("surveys:student_all"), data).status_code == 302
    assert client.post(reverse("surveys:student_review")).status_code == 302
    answer = Answer.objects.get(response__invitation__placement=placement, question__code="wants_mentor")
    assert answer.value_int == 1


def test_answers_kept_when_student_leaves_and_comes_back(client, week_a, django_user_model):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    _enter(client, survey, placement)
    client.post(
        reverse("surveys:student_step", kwargs={"step": 1}),
        {f"q{survey.questions.get(code='approachability').pk}": "2", "next": "1"},
    )
    client.cookies.clear()  # the browser is closed
    _enter(client, survey, placement)
    start = client.get(reverse("surveys:student_start"))
    assert start.context["answered_so_far"] == 1
    page = client.get(reverse("surveys:student_step", kwargs={"step": 1}))
    assert 'value="2" checked' in page.content.decode()
    # Carry on goes to the first unanswered question.
    assert client.post(reverse("surveys:student_start"), {"layout": "one"})["Location"].endswith("/s/q/2/")


def test_required_question_needs_an_answer(client, week_a):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    _enter(client, survey, placement)
    response = client.post(reverse("surveys:student_step", kwargs={"step": 1}), {"next": "1"})
    assert response.status_code == 400
    assert "Please choose an answer" in response.content.decode()
    review = client.post(reverse("surveys:student_review"))
    assert review.status_code == 400
    assert not Response.objects.exists()


def test_other_programmes_questions_cannot_be_answered_with_this_token(client, week_a, week_b):
    """A student of programme B posting programme A's question ids stores nothing for A."""
    survey_b, placement_b = week_b["surveys"]["pre"], week_b["placements"][0]
    survey_a = week_a["surveys"]["pre"]
    _enter(client, survey_b, placement_b)
    start = client.get(reverse("surveys:student_start"))
    assert survey_b.title in start.content.decode()
    assert start.context["invitation"].survey_id == survey_b.pk
    foreign = {f"q{q.pk}": "5" for q in survey_a.questions.all()}
    client.post(reverse("surveys:student_start"), {"layout": "all"})
    client.post(reverse("surveys:student_all"), foreign)
    invitation_b = survey_b.invitations.get(placement=placement_b)
    invitation_b.refresh_from_db()
    assert invitation_b.draft == {}
    assert not Response.objects.filter(invitation__survey=survey_a).exists()
    assert client.post(reverse("surveys:student_review")).status_code == 400
    assert not Response.objects.exists()


def test_step_out_of_range_is_404(client, week_a):
    _enter(client, week_a["surveys"]["pre"], week_a["placements"][0])
    assert client.get(reverse("surveys:student_step", kwargs={"step": 99})).status_code == 404


def test_pages_without_a_session_send_to_the_code_page(client, week_a):
    assert client.get(reverse("surveys:student_start"))["Location"] == reverse("surveys:code_enter")
    assert client.get(reverse("surveys:student_step", kwargs={"step": 1})).status_code == 404


def test_short_code_opens_the_survey_and_wrong_code_does_not(client, week_a):
    invitation = week_a["surveys"]["pre"].invitations.first()
    bad = client.post(reverse("surveys:code_enter"), {"code": "ZZZZZ-ZZZZZ"})
    assert bad.status_code == 400
    assert "could not find that code" in bad.content.decode()
    code = format_short_code(invitation_short_code(invitation))
    good = client.post(reverse("surveys:code_enter"), {"code": code.lower()})
    assert good.status_code == 302
    assert client.session[SESSION_KEY] == invitation.pk


def test_short_code_guessing_is_throttled(client, week_a):
    for _ in range(20):
        client.post(reverse("surveys:code_enter"), {"code": "AAAAAAAAAA"})
    invitation = week_a["surveys"]["pre"].invitations.first()
    assert client.post(reverse("surveys:code_enter"), {"code": invitation_short_code(invitation)}).status_code == 429


def test_codes_that_work_never_count_towards_the_limit(client, week_a):
    """A class typing their own codes on one school network is never blocked; a guesser still is."""
    from surveys.views import CODE_ATTEMPTS

    invitation = week_a["surveys"]["pre"].invitations.first()
    code = invitation_short_code(invitation)
    for _ in range(CODE_ATTEMPTS + 5):
        assert client.post(reverse("surveys:code_enter"), {"code": code}).status_code == 302
    for _ in range(CODE_ATTEMPTS):
        assert client.post(reverse("surveys:code_enter"), {"code": "AAAAAAAAAA"}).status_code == 400
    assert client.post(reverse("surveys:code_enter"), {"code": invitation_short_code(invitation)}).status_code == 429


def test_easy_read_shows_faces_and_plain_words(client, week_a):
    _enter(client, week_a["surveys"]["pre"], week_a["placements"][0])
    client.post(reverse("surveys:student_start"), {"layout": "one", "easy_read": "1"})
    page = client.get(reverse("surveys:student_step", kwargs={"step": 1})).content.decode()
    assert page.count('class="face"') == 5
    assert "I could talk to a police officer." in page
    assert "Yes, a lot" in page
    assert "Question 1 of" in page


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=3000))
def test_free_text_fuzz_never_500(client, week_a, text):
    survey, placement = week_a["surveys"]["pre"], week_a["placements"][2]
    invitation = survey.invitations.get(placement=placement)
    client.get(f"/s/{invitation_token(invitation)}/")
    questions = list(survey.questions.all())
    step = [q.code for q in questions].index("hopes") + 1
    hopes = survey.questions.get(code="hopes")
    response = client.post(reverse("surveys:student_step", kwargs={"step": step}), {f"q{hopes.pk}": text, "next": "1"})
    assert response.status_code in (302, 400)
    invitation.refresh_from_db()
    if response.status_code == 302:
        stored = invitation.draft.get("hopes", "")
        assert "\x00" not in stored and len(stored) <= 2000


def test_activity_questions_only_for_what_the_syndicate_attended(week_a):
    from surveys.services import questions_for_invitation
    from tests import factories as f

    other = f.SyndicateFactory(programme=week_a["programme"], name="Syndicate 2")
    placement = week_a["placements"][0]
    placement.syndicate = other
    placement.save()
    invitation = week_a["surveys"]["post"].invitations.get(placement=placement)
    codes = [q.code for q in questions_for_invitation(invitation)]
    assert not any(code.startswith("activity:") for code in codes)
    assert "wants_mentor" in codes
    attended = week_a["surveys"]["post"].invitations.get(placement=week_a["placements"][1])
    assert {"activity:dogs", "activity:drones"} <= {q.code for q in questions_for_invitation(attended)}


def test_a_student_session_never_reads_health_support_or_family_details(client, week_a):
    """From the link to the last answer, no query reads the nomination's medical or support notes, the
    guardian's or emergency contact's details, nor the student's date of birth; each question page is
    one query once the survey's questions are cached."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survey, placement = week_a["surveys"]["pre"], week_a["placements"][0]
    with CaptureQueriesContext(connection) as walked:
        _enter(client, survey, placement)
        client.get(reverse("surveys:student_start"))
        _answer_all(client)
        client.get(reverse("surveys:student_review"))
    read = " ".join(q["sql"] for q in walked.captured_queries)
    assert '"surveys_invitation"' in read
    for column in ("medical_notes", "support_needs", "guardian_email", "emergency_contact_phone", "date_of_birth"):
        assert column not in read, column
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("surveys:student_step", kwargs={"step": 1})).status_code == 200
    assert len(one.captured_queries) == 1, [q["sql"][:80] for q in one.captured_queries]
