"""Every page of every role in real Chromium, at 1280 and 390 px: screenshotted, checked with axe-core, and
read for what a person must never see (a database number, a survey question's code, "This field is required").

The pages are the role × URL matrix's own (tests/trust/test_url_matrix.py): for each role, every URL its
row says answers 200, with the matrix's world (the demo seed plus a second force) and the same signed-in
sessions, copied into the browser as cookies. Files (PDF, CSV, spreadsheets, JSON) are not pages and are
left out. The screenshots are kept under test-artifacts/screenshots/every-page/ for a person to look at.
"""

import re

import pytest
from django.conf import settings

from tests.trust.test_url_matrix import enumerate_urls, make_clients, parse_matrix, url_for
from tests.trust.world import build_world

from .conftest import ARGS, AXE_TAGS, CHROMIUM, SHOTS

pytestmark = pytest.mark.django_db(transaction=True)

ROLES = ["anon", "contact_a", "coord_a", "lead", "mentor", "partner", "student"]
# What a page must never show a person: a database number ("#12", "id 12") or a survey question's code.
INTERNAL_ID = re.compile(r"#\d+|\bids?\b[ :=]*\d+", re.I)


def _question_codes():
    from surveys import standard

    codes = {question[0] for question in (*standard.PRE, *standard.POST)}
    return re.compile(r"\b(" + "|".join(re.escape(code) for code in sorted(codes) if "_" in code) + r")\b")


FILES = re.compile(
    r"(\.pdf|\.csv|\.xlsx|\.docx|\.zip|\.json|\.ics|/favicon\.ico|\.png)$|/(download|qr-sheet)|/documents/\d+/file/$"
)
WIDTHS = [(1280, 900), (390, 844)]


def _pages(world, matrix):
    urls = {name: url_for(name, entry, world) for name, entry in enumerate_urls().items()}
    return {
        role: sorted((name, url) for name, url in urls.items() if matrix[name][role] == "200" and not FILES.search(url))
        for role in ROLES
    }


def test_every_page_of_every_role_passes_axe_at_desktop_and_phone_width(live_server, settings_override):
    _check_every_page(live_server, roles=ROLES, widths=WIDTHS)


def test_public_and_school_pages_in_welsh_pass_axe_at_phone_width(live_server, settings_override):
    """The pages the public and school contacts see, with Welsh chosen (the language switch's cookie)."""
    _check_every_page(live_server, roles=["anon", "contact_a", "student"], widths=[(390, 844)], language="cy")


def _check_every_page(live_server, *, roles, widths, language=None):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed")
    world = build_world()
    pages = _pages(world, parse_matrix())
    fresh = make_clients(world)
    cookies = {role: fresh(role).cookies.get(settings.SESSION_COOKIE_NAME) for role in roles}
    assert sum(len(pages[role]) for role in roles) > (20 if language else 100)

    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    codes = _question_codes()
    folder = SHOTS / "every-page"
    folder.mkdir(parents=True, exist_ok=True)
    problems = {}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        axe = Axe()
        try:
            for role in roles:
                for width, height in widths:
                    context = chromium.new_context(viewport={"width": width, "height": height}, locale="en-GB")
                    jar = []
                    if cookies[role] is not None:
                        jar.append({"name": settings.SESSION_COOKIE_NAME, "value": cookies[role].value})
                    if language:
                        jar.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language})
                    if jar:
                        context.add_cookies([{**cookie, "url": live_server.url} for cookie in jar])
                    page = context.new_page()
                    for name, url in pages[role]:
                        response = page.goto(live_server.url + url)
                        key = f"{role} {width}px {name} {url}"
                        if response is None or response.status != 200:
                            problems[key] = f"status {response.status if response else 'none'}"
                            continue
                        if "text/html" not in response.headers.get("content-type", ""):
                            continue  # a health check or a progress poll answers JSON: not a page
                        prefix = f"{language}-" if language else ""
                        slug = re.sub(r"[^a-z0-9]+", "-", f"{prefix}{role}-{name}-{width}".lower()).strip("-")
                        page.screenshot(path=str(folder / f"{slug}.png"), full_page=True)
                        results = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
                        found = [
                            (v["id"], [n["target"] for n in v["nodes"]][:2]) for v in results.response["violations"]
                        ]
                        wide = page.evaluate("document.documentElement.scrollWidth") > width + 1
                        text = page.inner_text("body")
                        words = [f"shows {m.group(0)!r}" for m in (INTERNAL_ID.search(text), codes.search(text)) if m]
                        if "This field is required" in text:
                            words.append("says 'This field is required'")
                        if found or wide or words:
                            problems[key] = found + (["wider than the screen"] if wide else []) + words
                    context.close()
        finally:
            chromium.close()
    assert problems == {}, "\n".join(f"{k}: {v}" for k, v in sorted(problems.items()))


@pytest.fixture
def settings_override(settings, monkeypatch):
    settings.RATELIMIT_ENABLE = False
    monkeypatch.setattr("core.views._check_worker", lambda: "ok")
    return settings
