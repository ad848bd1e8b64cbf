"""The force's sign-in settings in the Django admin (the secret is write-only) and the sign-in page."""

import pytest
from django.urls import reverse

from sso.models import ForceSignOn
from tests import factories as f

from .factories import ForceSignOnFactory

SECRET = "s3cret-from-the-provider-portal"


@pytest.fixture
def superuser(db):
    return f.UserFactory(username="root", is_superuser=True, is_staff=True)


def _form(force, **overrides):
    data = {
        "force": force.pk,
        "is_enabled": "on",
        "issuer": "https://login.example.invalid/tenant/v2.0",
        "client_id": "placements-app",
        "client_secret": SECRET,
        "allowed_domains": "force-a.police.uk\nFORCE-A.pnn.police.uk",
    }
    data.update(overrides)
    return data


def test_the_secret_is_stored_encrypted_and_never_shown_back(client, superuser, force_a):
    client.force_login(superuser)
    response = client.post(reverse("admin:sso_forcesignon_add"), _form(force_a))
    assert response.status_code == 302
    sign_on = ForceSignOn.objects.get()
    assert sign_on.reveal_client_secret() == SECRET
    assert SECRET not in sign_on.client_secret_encrypted
    assert sign_on.domain_list == ["force-a.police.uk", "force-a.pnn.police.uk"]

    change = reverse("admin:sso_forcesignon_change", args=[sign_on.pk])
    page = client.get(change).content.decode()
    assert SECRET not in page and sign_on.client_secret_encrypted not in page
    assert "Saved (hidden)" in page
    assert SECRET not in client.get(reverse("admin:sso_forcesignon_changelist")).content.decode()

    # Left blank, the saved secret stays; typed, it is replaced.
    assert client.post(change, _form(force_a, client_secret="", client_id="renamed")).status_code == 302
    sign_on.refresh_from_db()
    assert sign_on.client_id == "renamed" and sign_on.reveal_client_secret() == SECRET
    assert client.post(change, _form(force_a, client_secret="a-new-one")).status_code == 302
    sign_on.refresh_from_db()
    assert sign_on.reveal_client_secret() == "a-new-one"


def test_the_environment_can_give_the_secret(client, superuser, force_a, monkeypatch):
    monkeypatch.setenv("SSO_CLIENT_SECRET_FORCE_A", "from-the-environment")
    client.force_login(superuser)
    assert client.post(reverse("admin:sso_forcesignon_add"), _form(force_a, client_secret="")).status_code == 302
    sign_on = ForceSignOn.objects.get()
    assert sign_on.reveal_client_secret() == "from-the-environment" and sign_on.client_secret_encrypted == ""
    page = client.get(reverse("admin:sso_forcesignon_change", args=[sign_on.pk])).content.decode()
    assert "Given by the environment (SSO_CLIENT_SECRET_FORCE_A)" in page and "from-the-environment" not in page


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("client_secret", "", "Enter the client secret (or set SSO_CLIENT_SECRET_FORCE_A)."),
        ("allowed_domains", " , ; ", "Enter at least one email domain"),
        ("allowed_domains", "someone@force-a.police.uk", "These are not email domains"),
        ("issuer", "not an address", "Enter a valid URL"),
        ("issuer", "ftp://login.example.invalid", "Enter the issuer&#x27;s https:// address."),
        ("issuer", "http://login.example.invalid", "Enter the issuer&#x27;s https:// address."),
    ],
)
def test_bad_settings_are_refused_with_a_message(client, superuser, force_a, field, value, words):
    client.force_login(superuser)
    response = client.post(reverse("admin:sso_forcesignon_add"), _form(force_a, **{field: value}))
    assert response.status_code == 200 and words in response.content.decode()
    assert not ForceSignOn.objects.exists()


def test_a_platform_admin_of_the_force_sees_the_setting_but_only_a_superuser_changes_it(client, force_a, force_b):
    admin_a = f.PlatformAdminFactory(username="platform-a")
    f.ForcePersonFactory(force=force_a, user=admin_a, is_coordinator=True)
    own = ForceSignOnFactory(force=force_a, secret=SECRET)
    other = ForceSignOnFactory(force=force_b)
    client.force_login(admin_a)
    page = client.get(reverse("admin:sso_forcesignon_change", args=[own.pk]))
    assert page.status_code == 200 and SECRET not in page.content.decode()
    assert own.issuer in page.content.decode()
    assert client.post(reverse("admin:sso_forcesignon_change", args=[own.pk]), _form(force_a)).status_code == 403
    assert client.get(reverse("admin:sso_forcesignon_add")).status_code == 403
    assert client.get(reverse("admin:sso_forcesignon_change", args=[other.pk])).status_code == 302  # not found
    listing = client.get(reverse("admin:sso_forcesignon_changelist")).content.decode()
    assert force_a.name in listing and force_b.name not in listing


def test_a_coordinator_cannot_open_the_setting(client, coordinator, force_a):
    sign_on = ForceSignOnFactory(force=force_a)
    client.force_login(coordinator)
    assert client.get(reverse("admin:sso_forcesignon_change", args=[sign_on.pk])).status_code == 403


def test_the_sign_in_page_offers_force_accounts_only_when_a_force_has_set_them_up(client, force_a, force_b):
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Sign in with your force account" not in page
    ForceSignOnFactory(force=force_a)
    ForceSignOnFactory(force=force_b, is_enabled=False)
    page = client.get(reverse("accounts:login") + "?next=/people/").content.decode()
    assert "Sign in with your force account" in page and "Your work email address" in page
    assert reverse("sso:start", args=["force-a"]) + "?next=/people/" in page
    assert reverse("sso:start", args=["force-b"]) not in page
    assert 'name="username"' in page  # the password form stays, for school contacts and other forces


def test_the_sign_in_page_asks_the_database_the_same_whatever_the_number_of_forces(
    client, django_assert_num_queries, force_a, force_b
):
    ForceSignOnFactory(force=force_a)
    client.get(reverse("accounts:login"))
    with django_assert_num_queries(1) as one:
        client.get(reverse("accounts:login"))
    for _n in range(4):
        ForceSignOnFactory(force=f.ForceFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(reverse("accounts:login"))


def test_starting_at_a_force_without_sign_in_set_up_is_not_found(client, force_a):
    ForceSignOnFactory(force=force_a, is_enabled=False)
    assert client.get(reverse("sso:start", args=["force-a"])).status_code == 404
    assert client.get(reverse("sso:start", args=["no-such-force"])).status_code == 404


def test_an_unreachable_provider_is_a_plain_page_not_a_server_error(client, force_a, settings):
    settings.SSO_HTTP_TIMEOUT = 2
    ForceSignOnFactory(force=force_a, issuer="http://127.0.0.1:9/nowhere")
    response = client.get(reverse("sso:start", args=["force-a"]))
    assert response.status_code == 502
    assert "did not answer as expected" in response.content.decode()


def test_a_rotated_secret_key_still_reads_the_secret_through_its_fallbacks_only(force_a, settings):
    sign_on = ForceSignOnFactory(force=force_a, secret=SECRET)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "another-secret-key-entirely-for-this-test-0123456789"
    settings.SECRET_KEY_FALLBACKS = []
    assert sign_on.reveal_client_secret() == "" and not sign_on.has_client_secret
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert sign_on.reveal_client_secret() == SECRET


def test_a_domain_two_forces_share_asks_the_person_to_choose(client, force_a, force_b):
    ForceSignOnFactory(force=force_a, allowed_domains="shared.police.uk")
    ForceSignOnFactory(force=force_b, allowed_domains="shared.police.uk\nforce-b.police.uk")
    response = client.post(reverse("sso:start_by_email"), {"email": "kim@shared.police.uk"})
    page = response.content.decode()
    assert response.status_code == 400 and "More than one force uses this email domain" in page
    assert reverse("sso:start", args=["force-a"]) in page and reverse("sso:start", args=["force-b"]) in page
