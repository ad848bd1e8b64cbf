"""axe-core in headless Chromium on the survey pages, standard and easy-read, plus keyboard-only use."""

import os
from pathlib import Path

import pytest

from tests import factories as f

from .conftest import make_week, token_for

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def links(transactional_db):
    """Survey links made before the browser starts: no ORM call happens while Playwright's loop runs."""
    programme = f.ProgrammeFactory()
    surveys, placements = make_week(programme, students=1)
    return {phase: token_for(survey, placements[0]) for phase, survey in surveys.items()}


@pytest.fixture
def browser_page(links):
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_LIVE_SERVICES") == "1":
            pytest.fail("Chromium is missing, and REQUIRE_LIVE_SERVICES=1 says it must be there.")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        yield page
        browser.close()


def _violations(page):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_survey_pages_have_no_axe_violations(live_server, links, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/s/{links['post']}/")
    assert page.url.endswith("/s/")
    checked = {}
    checked["start"] = _violations(page)
    for easy in (False, True):
        page.goto(f"{live_server.url}/s/")
        page.check("#easy-1" if easy else "#easy-0", force=True)
        page.check("#layout-one", force=True)
        page.click("button[type=submit] >> text=/Start|Carry on/")
        assert "/s/q/1/" in page.url
        if easy:
            assert page.locator("svg.face").count() == 5
        checked[f"step-{easy}"] = _violations(page)
        page.click("text=Next")  # no answer: the error state must be accessible too
        checked[f"error-{easy}"] = _violations(page)
        page.goto(f"{live_server.url}/s/all/")
        checked[f"all-{easy}"] = _violations(page)
    page.goto(f"{live_server.url}/s/check/")
    checked["review"] = _violations(page)
    page.goto(f"{live_server.url}/s/code/")
    checked["code"] = _violations(page)
    assert {name: v for name, v in checked.items() if v} == {}


def test_keyboard_only_answering(live_server, links, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/s/{links['pre']}/")
    page.focus("button[type=submit] >> text=Start")
    page.keyboard.press("Enter")
    page.wait_for_url("**/s/q/1/")
    page.focus("input[type=radio] >> nth=0")
    page.keyboard.press("ArrowRight")  # moves to and selects the second option
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Next"
    page.keyboard.press("Enter")
    page.wait_for_url("**/s/q/2/")
    page.goto(f"{live_server.url}/s/check/")
    first = page.locator(".review-row").first.inner_text()
    assert "Disagree" in first and "Strongly" not in first  # the second option was kept as a draft


@pytest.fixture
def coordinator_pages(transactional_db):
    """A programme with paired answers, and a signed-in coordinator's session cookie, made before the browser."""
    from django.conf import settings
    from django.test import Client

    from surveys.services import responses_import_csv

    force = f.ForceFactory(name="Force A Constabulary", slug="force-a")
    programme = f.ProgrammeFactory(force=force, title="Force A week")
    surveys, placements = make_week(programme, students=6)
    rows = ["placement,phase,question,answer"]
    for index, placement in enumerate(placements):
        rows += [
            f"{placement.pk},pre,approachability,{2 + index % 2}",
            f"{placement.pk},post,approachability,4",
            f"{placement.pk},post,activity:dogs,{3 + index % 3}",
        ]
    responses_import_csv(programme=programme, data="\n".join(rows))
    user = f.UserFactory(username="coordinator-a", is_staff=True)
    f.ForcePersonFactory(force=force, user=user, is_coordinator=True, name="Coordinator A")
    client = Client()
    client.force_login(user)
    post = surveys["post"]
    return {
        "cookie": {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value},
        "paths": [
            f"/surveys/programme/{programme.pk}/",
            f"/surveys/programme/{programme.pk}/report/",
            f"/surveys/programme/{programme.pk}/import/",
            "/surveys/force/",
            f"/surveys/{post.pk}/preview/",
            f"/surveys/{post.pk}/preview/1/?easy=1",
        ],
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_coordinator_survey_pages_have_no_axe_violations(live_server, coordinator_pages, browser_page, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    page.context.add_cookies([{**coordinator_pages["cookie"], "url": live_server.url}])
    checked = {}
    for path in coordinator_pages["paths"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        checked[path] = _violations(page)
        # Nothing is cut off: the page is no wider than the window (a table may scroll inside its own box).
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    assert {path: v for path, v in checked.items() if v} == {}
