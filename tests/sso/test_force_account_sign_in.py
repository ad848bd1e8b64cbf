"""Sign-in with a force account against a real OpenID Connect provider (tests/sso/provider), over HTTP.

Nothing of the protocol is mocked: the product discovers the provider, sends the browser to it, the
provider's own sign-in page is filled in, and the product exchanges the code, checks the signed ID
token and asks for refresh tokens and user info, as it would with a force's real provider.
"""

import re
import secrets
import uuid
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import SECOND_FACTOR_BY_PROVIDER
from placements.models import ForcePerson
from sso.models import SignOnIdentity
from sso.services import provider_asserts_mfa
from tests import factories as f

from .factories import ForceSignOnFactory
from .idp import callback_path

DOMAIN = "force-a.police.uk"


@pytest.fixture
def sign_on(force_a, identity_provider):
    cache.clear()  # no discovery document or keys left from another run's provider
    client_id = f"placements-{uuid.uuid4().hex[:8]}"
    secret = secrets.token_urlsafe(24)
    identity_provider.add_client(client_id, secret)
    return ForceSignOnFactory(
        force=force_a, issuer=identity_provider.issuer, client_id=client_id, secret=secret, allowed_domains=DOMAIN
    )


def _username():
    return f"staff-{uuid.uuid4().hex[:8]}"


def _sign_in(client, provider, username, start=None):
    """Start at the product, sign in at the provider, come back: the product's answer to the callback."""
    response = start or client.get(reverse("sso:start", args=["force-a"]))
    assert response.status_code == 302
    location = provider.sign_in(response["Location"], username)
    return client.get(callback_path(location))


def test_first_sign_in_links_the_person_by_verified_email_and_makes_their_sign_in(client, sign_on, identity_provider):
    person = f.ForcePersonFactory(force=sign_on.force, email=f"alex.lee@{DOMAIN}", name="Alex Lee", user=None)
    username = _username()
    identity_provider.add_user(username, f"Alex.Lee@{DOMAIN}", amr=["pwd", "mfa"])

    start = client.get(reverse("sso:start", args=["force-a"]))
    query = parse_qs(urlsplit(start["Location"]).query)
    assert start["Location"].startswith(identity_provider.issuer)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["scope"] == ["openid email profile"]  # the test provider offers no offline_access
    response = _sign_in(client, identity_provider, username, start=start)

    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    person.refresh_from_db()
    assert person.user is not None and person.user.email == f"alex.lee@{DOMAIN}"
    assert not person.user.has_usable_password()
    assert SignOnIdentity.objects.get(sign_on=sign_on).user == person.user
    assert client.get(reverse("accounts:home")).wsgi_request.user == person.user
    entry = LogEntry.objects.get(additional_data__action="Signed in with force account")
    assert entry.actor == person.user and entry.additional_data["force"] == sign_on.force_id
    assert entry.additional_data["second_factor_by_provider"] is True

    # The second sign-in follows the provider's account, and makes nothing new.
    client.logout()
    assert _sign_in(client, identity_provider, username).status_code == 302
    assert SignOnIdentity.objects.count() == 1 and ForcePerson.objects.filter(user=person.user).count() == 1


def test_first_sign_in_links_to_the_persons_existing_sign_in(client, sign_on, identity_provider):
    user = f.UserFactory(username="jo.existing")
    f.ForcePersonFactory(force=sign_on.force, email=f"jo@{DOMAIN}", user=user)
    username = _username()
    identity_provider.add_user(username, f"jo@{DOMAIN}")
    assert _sign_in(client, identity_provider, username).status_code == 302
    assert client.get(reverse("accounts:home")).wsgi_request.user == user
    assert user.has_usable_password()  # their password still works for them


def test_the_work_email_finds_the_force_and_is_passed_on_as_a_hint(client, sign_on, identity_provider):
    f.ForcePersonFactory(force=sign_on.force, email=f"sam@{DOMAIN}", user=None)
    username = _username()
    identity_provider.add_user(username, f"sam@{DOMAIN}")
    page = client.post(reverse("sso:start_by_email"), {"email": f"sam@{DOMAIN}", "next": "/people/"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Going to Force A Constabulary" in unescape(html)
    authorize_url = unescape(re.search(r'content="0;url=([^"]+)"', html).group(1))
    assert unescape(re.search(r'class="btn btn-primary" href="([^"]+)"', html).group(1)) == authorize_url
    assert parse_qs(urlsplit(authorize_url).query)["login_hint"] == [f"sam@{DOMAIN}"]
    location = identity_provider.sign_in(authorize_url, username)
    response = client.get(callback_path(location))
    assert response["Location"] == "/people/"

    unknown = client.post(reverse("sso:start_by_email"), {"email": "sam@gmail.com"})
    assert unknown.status_code == 400
    assert "No force has set up sign-in with force accounts for this email address" in unescape(
        unknown.content.decode()
    )
    assert client.post(reverse("sso:start_by_email"), {"email": "not an email"}).status_code == 400


@pytest.mark.parametrize(
    ("email", "verified", "words"),
    [
        (f"casey@{DOMAIN}", False, "is not marked as verified"),
        ("casey@gmail.com", True, "with a work email address of Force A Constabulary only"),
        (f"casey@mail.{DOMAIN}", True, "with a work email address of Force A Constabulary only"),
    ],
)
def test_an_unverified_or_outside_email_is_refused_with_plain_words(
    client, sign_on, identity_provider, coordinator, email, verified, words
):
    person = f.ForcePersonFactory(force=sign_on.force, email=email, name="Casey Jones", user=None)
    username = _username()
    identity_provider.add_user(username, email, email_verified=verified)
    response = _sign_in(client, identity_provider, username)
    assert response.status_code == 403
    assert words in unescape(response.content.decode())
    assert not response.wsgi_request.user.is_authenticated
    person.refresh_from_db()
    assert person.user is None and not SignOnIdentity.objects.exists()
    assert LogEntry.objects.filter(additional_data__action="Force account sign-in refused").count() == 1
    viewer = Client()
    viewer.force_login(coordinator)
    trail = unescape(viewer.get(reverse("audit_trail")).content.decode())
    assert "Force account sign-in refused" in trail and "Someone signing in with a force account" in trail


def test_no_account_is_made_without_a_person_of_that_email_in_the_force(client, sign_on, identity_provider, force_b):
    # Same name in the force, and the same email in another force: neither links (never by name).
    f.ForcePersonFactory(force=sign_on.force, name="Robin Hood", email=f"r.hood@{DOMAIN}", user=None)
    f.ForcePersonFactory(force=force_b, name="Robin Hood", email=f"robin@{DOMAIN}", user=None)
    f.ForcePersonFactory(force=sign_on.force, email=f"gone@{DOMAIN}", is_active=False, user=None)
    users_before = set(f.UserFactory._meta.model.objects.values_list("pk", flat=True))
    for email in (f"robin@{DOMAIN}", f"gone@{DOMAIN}"):
        username = _username()
        identity_provider.add_user(username, email)
        response = _sign_in(client, identity_provider, username)
        assert response.status_code == 403
        assert "No one in Force A Constabulary's list of people has this work email address" in unescape(
            response.content.decode()
        )
    assert set(f.UserFactory._meta.model.objects.values_list("pk", flat=True)) == users_before


def test_a_platform_administrator_is_not_signed_in_by_a_force_account(client, sign_on, identity_provider):
    admin = f.UserFactory(username="root", is_superuser=True, is_staff=True)
    f.ForcePersonFactory(force=sign_on.force, email=f"root@{DOMAIN}", user=admin, is_coordinator=True)
    username = _username()
    identity_provider.add_user(username, f"root@{DOMAIN}", amr=["mfa"])
    response = _sign_in(client, identity_provider, username)
    assert response.status_code == 403 and "Platform administrators sign in" in unescape(response.content.decode())


@pytest.mark.parametrize(
    ("amr", "asks_for_code"),
    [(["pwd"], True), (["otp"], True), (["pwd", "mfa"], False), (["pwd", "otp"], False), (["hwk", "pin"], False)],
)
def test_the_products_second_factor_is_skipped_only_when_the_provider_asserts_multi_factor(
    client, sign_on, identity_provider, settings, amr, asks_for_code
):
    settings.REQUIRE_TWO_FACTOR = True
    f.ForcePersonFactory(force=sign_on.force, email=f"coord@{DOMAIN}", is_coordinator=True, user=None)
    username = _username()
    identity_provider.add_user(username, f"coord@{DOMAIN}", amr=amr)
    assert _sign_in(client, identity_provider, username).status_code == 302
    response = client.get(reverse("placements:programme_list"))
    if asks_for_code:
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor"))
    else:
        assert response.status_code == 200
    assert client.session.get(SECOND_FACTOR_BY_PROVIDER, False) is not asks_for_code


@pytest.mark.parametrize(
    ("amr", "multi"),
    [
        (None, False),
        ("mfa", True),
        ([], False),
        (["pwd"], False),
        (["otp"], False),
        (["hwk"], False),
        (["MFA"], True),
        (["ngcmfa"], True),
        (["pwd", "otp"], True),
        (["pwd", "pin"], False),
        (["swk", "face"], True),
        ({"not": "a list"}, False),
        (42, False),
    ],
)
def test_what_counts_as_multi_factor(amr, multi):
    assert provider_asserts_mfa(amr) is multi


def test_signing_out_ends_the_session_here_and_at_the_provider(client, sign_on, identity_provider):
    f.ForcePersonFactory(force=sign_on.force, email=f"out@{DOMAIN}", user=None)
    username = _username()
    identity_provider.add_user(username, f"out@{DOMAIN}")
    assert _sign_in(client, identity_provider, username).status_code == 302

    page = client.get(reverse("accounts:home"), follow=True)
    origin = identity_provider.url
    assert f"form-action 'self' {origin}" in page["Content-Security-Policy"]  # the sign-out button may go there
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    end_session = response["Location"]
    assert end_session.startswith(f"{identity_provider.issuer}/")
    assert "id_token_hint" in parse_qs(urlsplit(end_session).query)
    assert not client.get(reverse("accounts:home")).wsgi_request.user.is_authenticated
    back = identity_provider.follow(end_session)
    assert back.status_code == 302 and back.headers["Location"].startswith("http://testserver/signed-out/")
    # The provider's own session ended too: a new sign-in there asks for the password again.
    again = client.get(reverse("sso:start", args=["force-a"]))
    at_provider = identity_provider.follow(again["Location"])
    assert at_provider.status_code == 302 and "/accounts/login/" in at_provider.headers["Location"]


def test_password_sign_out_is_unchanged(client, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:signed_out")


def test_someone_removed_at_the_provider_loses_access_at_the_next_check(client, sign_on, identity_provider, settings):
    settings.SSO_RECHECK_SECONDS = 10 * 60
    person = f.ForcePersonFactory(force=sign_on.force, email=f"leaver@{DOMAIN}", is_coordinator=True, user=None)
    username = _username()
    identity_provider.add_user(username, f"leaver@{DOMAIN}")
    assert _sign_in(client, identity_provider, username).status_code == 302
    programmes = reverse("placements:programme_list")
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=9), tick=False):
        assert client.get(programmes).status_code == 200  # within the limit: no check
    checked = client.session["sso"]["checked_at"]
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        assert client.get(programmes).status_code == 200  # checked with the provider: still there
        assert client.session["sso"]["checked_at"] > checked
    identity_provider.remove_user(username)
    with time_machine.travel(start + timedelta(minutes=19), tick=False):
        assert client.get(programmes).status_code == 200  # not yet at the next check
    with time_machine.travel(start + timedelta(minutes=22), tick=False):
        response = client.get(programmes)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        page = client.get(response["Location"])
        assert not page.wsgi_request.user.is_authenticated
        assert "Your force account is no longer accepted here" in unescape(page.content.decode())
    person.refresh_from_db()
    assert LogEntry.objects.filter(
        additional_data__action="Signed out: force account not confirmed", actor=person.user
    ).exists()


@pytest.mark.parametrize("case", ["no sign-in started", "another state", "provider refused"])
def test_a_callback_that_does_not_match_a_started_sign_in_signs_no_one_in(client, sign_on, identity_provider, case):
    f.ForcePersonFactory(force=sign_on.force, email=f"x@{DOMAIN}", user=None)
    username = _username()
    identity_provider.add_user(username, f"x@{DOMAIN}")
    if case == "no sign-in started":
        response = client.get(reverse("sso:callback") + "?code=abc&state=def")
    elif case == "another state":
        start = client.get(reverse("sso:start", args=["force-a"]))
        location = identity_provider.sign_in(start["Location"], username)
        client.get(reverse("sso:start", args=["force-a"]))  # a second start replaces the first
        response = client.get(callback_path(location).replace("state=", "state=x"))
    else:
        client.get(reverse("sso:start", args=["force-a"]))
        response = client.get(reverse("sso:callback") + "?error=access_denied&state=abc")
    assert response.status_code == 400
    assert not response.wsgi_request.user.is_authenticated


def test_without_a_refresh_token_the_check_asks_the_person_to_sign_in_again(
    client, sign_on, identity_provider, settings
):
    settings.SSO_RECHECK_SECONDS = 10 * 60
    f.ForcePersonFactory(force=sign_on.force, email=f"short@{DOMAIN}", user=None)
    username = _username()
    identity_provider.add_user(username, f"short@{DOMAIN}")
    assert _sign_in(client, identity_provider, username).status_code == 302
    session = client.session
    session["sso"] = {**session["sso"], "refresh_token": ""}  # as from a provider that gives none
    session.save()
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        response = client.get(reverse("accounts:home"), follow=True)
    assert not response.wsgi_request.user.is_authenticated
    assert "sign in again with your force account" in unescape(response.content.decode())


def test_a_second_provider_account_with_the_same_email_is_not_linked_quietly(client, sign_on, identity_provider):
    person = f.ForcePersonFactory(force=sign_on.force, email=f"twice@{DOMAIN}", user=None)
    first, second = _username(), _username()
    identity_provider.add_user(first, f"twice@{DOMAIN}")
    identity_provider.add_user(second, f"twice@{DOMAIN}")
    assert _sign_in(client, identity_provider, first).status_code == 302
    client.logout()
    response = _sign_in(client, identity_provider, second)
    assert response.status_code == 403
    assert "already signs in with another Force A Constabulary account" in unescape(response.content.decode())
    person.refresh_from_db()
    assert list(SignOnIdentity.objects.values_list("user", flat=True)) == [person.user_id]
