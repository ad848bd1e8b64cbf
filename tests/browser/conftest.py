"""Playwright on Debian's Chromium against pytest-django's live server, with axe-core and a keyboard-only driver.

Test data is made BEFORE the browser starts: Playwright's sync API runs an event loop, and Django refuses
ORM calls while one runs (and a stray connection would outlive the test on PostgreSQL). Checks of the
database happen after the browser has closed.
"""

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache

from core.links import links_resolve
from core.models import OutboundEmail

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "police-demo-2026"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits count in the cache; each journey starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=["mouse", "keyboard"])
def mode(request):
    return request.param


def emailed_path(kind, to):
    """The site path of the link in the newest outbox email of this kind to this address."""
    email = OutboundEmail.objects.filter(kind=kind, to=to).latest("pk")
    match = re.search(r"https?://[^/\s]+(/\S+)", links_resolve(email.body_text))
    assert match, email.body_text
    return match.group(1)


class Journey:
    """One person's walk through the site, by mouse or by keyboard alone.

    In keyboard mode nothing is clicked: `press` tabs (Tab, or Shift+Tab) until the element has focus and
    presses Enter, `tick` presses Space, `choose` tabs into the radio group and moves with the arrow keys,
    `type_into` tabs to the field and types. Following an emailed link (`go`) is the one address-bar step.
    Every page visited is checked with axe-core (in mouse mode; the pages are the same) and screenshotted.
    """

    def __init__(self, page, base, name, keyboard):
        self.page, self.base, self.name, self.keyboard = page, base, name, keyboard
        self.violations = {}
        self.shots = 0

    # ---------------------------------------------------------------- pages
    def go(self, path):
        self.page.goto(self.base + path)
        # Named after where the link led (tokens leave the address at once), never after the token.
        self.page_done(urlsplit(self.page.url).path.strip("/").replace("/", "-") or "home")

    def page_done(self, label):
        """Screenshot the page and, in mouse mode, run axe-core on it."""
        self.page.wait_for_load_state("load")
        self.shots += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        mode = "keyboard" if self.keyboard else "mouse"
        slug = re.sub(r"[^a-z0-9-]+", "-", label.lower()).strip("-")
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{mode}-{self.shots:02d}-{slug}.png"), full_page=True)
        if not self.keyboard:
            from axe_playwright_python.sync_playwright import Axe

            results = Axe().run(self.page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
            found = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
            if found:
                self.violations[f"{self.shots:02d} {self.page.url}"] = found

    # ---------------------------------------------------------------- keyboard
    def _focused(self, locator):
        return locator.evaluate("el => el === document.activeElement")

    def _tab_to(self, locator, *, radio_group=None, backwards=False, limit=120):
        key = "Shift+Tab" if backwards else "Tab"
        for _ in range(limit):
            if self._focused(locator):
                return
            if radio_group and self.page.evaluate(
                "name => document.activeElement && document.activeElement.name === name", radio_group
            ):
                for _ in range(12):
                    if self._focused(locator):
                        return
                    self.page.keyboard.press("ArrowDown")
                raise AssertionError(f"arrow keys never reached {locator}")
            self.page.keyboard.press(key)
        raise AssertionError(f"{key} never reached {locator} on {self.page.url}")

    # ---------------------------------------------------------------- actions
    def press(self, selector, *, backwards=False, navigates=True):
        """Follow a link or press a button; waits for the next page unless told it stays (a download)."""
        target = self.page.locator(selector).first
        if self.keyboard:
            self._tab_to(target, backwards=backwards)
        waiting = self.page.expect_navigation() if navigates else contextlib.nullcontext()
        with waiting:
            if self.keyboard:
                self.page.keyboard.press("Enter")
            else:
                target.click()

    def tick(self, selector, on=True):
        target = self.page.locator(selector).first
        if target.is_checked() == on:
            return
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.press("Space")
        else:
            target.check() if on else target.uncheck()
        assert target.is_checked() == on

    def choose(self, selector):
        """Pick a radio button (the mouse clicks its label, as people do with button-styled radios)."""
        target = self.page.locator(selector).first
        if self.keyboard:
            self._tab_to(target, radio_group=target.get_attribute("name"))
            self.page.keyboard.press("Space")
        else:
            radio_id = target.get_attribute("id")
            label = self.page.locator(f"label[for='{radio_id}']")
            (label if label.count() else target).first.click()
        assert target.is_checked(), selector

    def type_into(self, selector, text):
        target = self.page.locator(selector).first
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.press("Control+A")
            self.page.keyboard.type(text)
        else:
            target.fill(text)

    def date_into(self, selector, value):
        """A date field: the house day/month/year boxes (`#id_x_0` … `_2`) or, on a hand-made form, a date picker.

        Debian's Chromium orders a date picker's segments month, day, year whatever the page's locale.
        """
        if selector.startswith("#") and self.page.locator(f"{selector}_0").count():
            for index, text in enumerate((value.day, value.month, value.year)):
                self.type_into(f"{selector}_{index}", str(text))
            return
        target = self.page.locator(selector).first
        if self.keyboard:
            self._tab_to(target)
            self.page.keyboard.type(value.strftime("%m%d%Y"))
            if target.input_value() != value.isoformat():  # a Chromium in a day-first locale
                self.page.keyboard.press("Shift+Tab")  # each segment is a tab stop: back to the first
                self.page.keyboard.press("Shift+Tab")
                self.page.keyboard.type(value.strftime("%d%m%Y"))
        else:
            target.fill(value.isoformat())
        assert target.input_value() == value.isoformat(), target.input_value()

    def login(self, username):
        self.go("/login/")
        self.type_into("#id_username", username)
        self.type_into("#id_password", PASSWORD)
        self.press("main form button[type=submit]")
        self.page.wait_for_url(lambda url: "/login/" not in url)
        self.page_done(f"signed-in-{username}")

    def logout(self):
        self.press("form[action$='/logout/'] button")
        self.page.wait_for_url("**/signed-out/")


@pytest.fixture
def browser(live_server, mode):
    """`with browser("name") as journey:` opens Chromium (phone-sized for students and guardians if asked)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_LIVE_SERVICES") == "1":
            pytest.fail("Chromium is missing, and REQUIRE_LIVE_SERVICES=1 says it must be there.")
        pytest.skip("Chromium is not installed")

    @contextlib.contextmanager
    def open_browser(name, *, phone=False):
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                context = chromium.new_context(
                    viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 900},
                    locale="en-GB",
                    accept_downloads=True,
                )
                context.set_default_timeout(15_000)
                journey = Journey(context.new_page(), live_server.url, name, mode == "keyboard")
                yield journey
            finally:
                chromium.close()
        assert journey.violations == {}, journey.violations

    return open_browser
