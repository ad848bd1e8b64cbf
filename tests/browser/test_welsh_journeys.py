"""Issue 20's journeys in real Chromium, in Welsh: a guardian consents, a student answers in easy-read.

By mouse (axe-core on every page) and by keyboard alone, on a phone-sized screen, as in test_journeys.
"""

import pytest

from schools.models import Consent
from surveys.models import Response
from tests.core.welsh import welsh_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    return welsh_world()


def _is_welsh(journey):
    assert journey.page.locator("html").get_attribute("lang") == "cy"


def test_guardian_consents_in_welsh(browser, world):
    with browser("w-consent", phone=True) as j:
        j.go(f"/consent/{world['tokens']['consent']}/")
        assert j.page.url.endswith("/consent/form/")
        _is_welsh(j)
        assert "Caniatâd ar gyfer Gwen Morgan" in j.page.inner_text("main")
        j.choose("input[name=participation][value=yes]")
        j.tick("#id_data_processing")
        j.type_into("#id_respondent_name", "Siân Morgan")
        j.press("button:has-text('Anfon fy atebion')")
        j.page.wait_for_load_state("load")
        j.page_done("consent-thanks")
        _is_welsh(j)
        assert "Diolch" in j.page.inner_text("main")
        # The switch on the page: the same page in English, then back to Welsh.
        j.press("button[name=language][value=en-gb]")
        j.page_done("consent-answered-english")
        assert j.page.locator("html").get_attribute("lang") == "en-GB"
        assert "Already answered" in j.page.inner_text("main")
        j.press("button[name=language][value=cy]")
        j.page_done("consent-answered-welsh")
        assert "Wedi'i ateb eisoes" in j.page.inner_text("main")
    consent = Consent.objects.get(pk=world["consent"].pk)
    assert consent.status == Consent.Status.GIVEN and consent.respondent_name == "Siân Morgan"
    assert "Rwy'n cytuno y caiff Gwen Morgan gymryd rhan" in consent.wording  # the Welsh words agreed to


def test_student_answers_the_survey_in_welsh_easy_read(browser, world):
    survey = world["invitation"].survey
    with browser("w-survey", phone=True) as j:
        j.go(f"/s/{world['tokens']['survey']}/")
        assert j.page.url.endswith("/s/")
        _is_welsh(j)
        j.choose("#easy-1")
        j.choose("#layout-one")
        j.press("button[type=submit]:has-text('Dechrau')")
        for step in range(1, 60):
            if j.page.url.endswith("/s/check/"):
                break
            j.page_done(f"cwestiwn-{step}")
            _is_welsh(j)
            assert j.page.locator(".survey.easy-read").count() == 1
            if step == 1:
                assert "Gallwn i siarad â swyddog heddlu." in j.page.inner_text("main")
                assert "Na, dim o gwbl" in j.page.inner_text("main")
            if j.page.locator("textarea").count():
                j.type_into("textarea", "Sut mae'r uned cŵn yn gweithio.")
            else:
                options = j.page.locator("input[type=radio]")
                j.choose(f"#{options.nth(options.count() // 2).get_attribute('id')}")
            j.press("button[name=next]")
        j.page_done("gwirio")
        _is_welsh(j)
        j.press("button:has-text('Anfon fy atebion')")
        j.page.wait_for_url("**/s/done/")
        j.page_done("diolch")
        assert "Diolch" in j.page.inner_text("main")
    response = Response.objects.get(invitation=world["invitation"])
    assert response.answers.count() == survey.questions.count()
    assert response.answers.get(question__code="hopes").value_text == "Sut mae'r uned cŵn yn gweithio."
