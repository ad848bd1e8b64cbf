"""A coordinator signs in with their force account in Chromium, through the test identity provider, and out.

The provider is the real one the sign-in tests start (tests/sso/conftest.py). Our own pages (the sign-in
page with its force-account part, the coordinator's start page, the refusal, the signed-out page) are
screenshotted and checked with axe; the provider's page is not ours and is only filled in. The mouse
journey runs at desktop width and the keyboard journey at phone width, so both widths are seen.
"""

import secrets
import uuid

import pytest

from sso.models import SignOnIdentity
from tests import factories as f
from tests.sso.factories import ForceSignOnFactory
from tests.sso.idp import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
DOMAIN = "northshire.police.uk"


def _through_the_provider(journey, username):
    page = journey.page
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("button")
    page.wait_for_url(lambda url: url.startswith(journey.base))


def test_a_coordinator_signs_in_with_their_force_account_and_out(browser, live_server, identity_provider, mode):
    force = f.ForceFactory(name="Northshire Constabulary", slug="northshire")
    f.ForceFactory(name="Eastmoor Police", slug="eastmoor")
    client_id, secret = f"browser-{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(24)
    identity_provider.add_client(client_id, secret, product=live_server.url)
    ForceSignOnFactory(
        force=force, issuer=identity_provider.issuer, client_id=client_id, secret=secret, allowed_domains=DOMAIN
    )
    person = f.ForcePersonFactory(
        force=force, name="Priya Shah", email=f"priya.shah@{DOMAIN}", is_coordinator=True, user=None
    )
    f.ProgrammeFactory(force=force, title="Summer school week")
    good, unverified = f"priya-{uuid.uuid4().hex[:6]}", f"unverified-{uuid.uuid4().hex[:6]}"
    identity_provider.add_user(good, f"priya.shah@{DOMAIN}", amr=["pwd", "mfa"])
    identity_provider.add_user(unverified, f"priya.shah@{DOMAIN}", email_verified=False)

    with browser("force-account", phone=mode == "keyboard") as journey:
        journey.go("/login/")
        assert journey.page.get_by_text("Police staff: sign in with your force account").is_visible()
        journey.type_into("#id_email", f"priya.shah@{DOMAIN}")
        journey.press("form[action$='/sign-in/force-account/'] button[type=submit]")
        _through_the_provider(journey, good)
        journey.page_done("signed-in-by-force-account")
        assert "Summer school week" in journey.page.content()
        if mode == "keyboard":  # at phone width the sign-out button is in the folded menu
            journey.press(".navbar-toggler", navigates=False)
            journey.page.locator("#nav.show").wait_for()
        journey.press("form[action$='/logout/'] button")
        # Through the provider's end-session page and back to ours.
        journey.page.wait_for_url(lambda url: url.startswith(f"{journey.base}/signed-out/"))
        journey.page_done("signed-out")

        # The same email, not verified at the provider: a plain refusal.
        journey.go("/login/")
        journey.type_into("#id_email", f"priya.shah@{DOMAIN}")
        journey.press("form[action$='/sign-in/force-account/'] button[type=submit]")
        _through_the_provider(journey, unverified)
        journey.page_done("refused")
        assert "is not marked as verified" in journey.page.content()

    person.refresh_from_db()
    assert SignOnIdentity.objects.get().user == person.user
