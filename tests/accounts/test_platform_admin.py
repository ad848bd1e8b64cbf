"""The Django admin is for platform administrators only; coordinators use the app.

A platform admin is active staff who is a superuser or holds `accounts.platform_admin`. Everyone
else who is signed in, a coordinator made staff included, gets a 403 page that sends them back to
the app on every admin URL, and is never invited to sign in to the admin as someone else.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.access import is_platform_admin
from accounts.middleware import needs_two_factor
from tests import factories as f
from tests.factories import PASSWORD

REFUSED = "The admin is for platform administrators"


def _site_urls():
    """Every admin URL that is not a model's page (those are in tests/trust/test_admin_matrix.py)."""
    names = ["index", "login", "password_change", "password_change_done", "autocomplete", "jsi18n"]
    urls = [reverse(f"admin:{name}") for name in names]
    labels = sorted({model._meta.app_label for model in admin.site._registry})
    return urls + [reverse("admin:app_list", args=[label]) for label in labels]


@pytest.fixture
def staff_coordinator(force_a):
    """A coordinator someone made staff in the admin without giving the platform-admin permission."""
    user = f.UserFactory(username="staff-coord", is_staff=True)
    f.ForcePersonFactory(force=force_a, user=user, is_coordinator=True, name="Staff Coordinator")
    return user


@pytest.fixture
def unstaffed_permission_holder(force_a):
    """Holds the permission but is not staff: still not a platform admin."""
    user = f.PlatformAdminFactory(username="not-staff", is_staff=False)
    f.ForcePersonFactory(force=force_a, user=user, is_coordinator=True, name="Not Staff")
    return user


@pytest.mark.parametrize("who", ["coordinator", "staff_coordinator", "unstaffed_permission_holder", "contact"])
def test_everyone_but_a_platform_admin_is_refused_every_admin_url(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    urls = _site_urls()
    assert len(urls) > 10
    for url in urls:
        response = client.get(url)
        assert response.status_code == 403, url
        page = response.content.decode()
        assert REFUSED in page and "Everything you need is in the app" in page, url
        assert f'href="{reverse("accounts:home")}"' in page, url
        # Django's own answer would be its sign-in form, "log in to a different account".
        assert 'name="password"' not in page and "different account" not in page, url
    assert client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD}).status_code == 403


def test_a_coordinator_signing_in_at_the_admin_is_turned_away(client, coordinator, staff_coordinator):
    for user in (coordinator, staff_coordinator):
        client.logout()
        response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
        assert response.status_code == 200
        assert "Sign in to the app instead" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_a_platform_admin_signs_in_at_the_admin_and_gets_in(client, platform_admin):
    response = client.post(
        reverse("admin:login"), {"username": platform_admin.username, "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    apps = {app["app_label"] for app in index.context["app_list"]}
    # The force-scoped admins are open to a platform admin; user accounts and devices are superusers' only.
    assert {"placements", "schools", "certificates"} <= apps and "accounts" not in apps and "otp_totp" not in apps


def test_a_superuser_sees_every_admin(client, superuser):
    client.force_login(superuser)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert {"accounts", "placements"} <= {app["app_label"] for app in index.context["app_list"]}


def test_anonymous_visitors_get_the_admins_sign_in_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_who_is_a_platform_admin(
    platform_admin, superuser, coordinator, staff_coordinator, unstaffed_permission_holder
):
    assert is_platform_admin(platform_admin) and is_platform_admin(superuser)
    assert not any(is_platform_admin(u) for u in (coordinator, staff_coordinator, unstaffed_permission_holder, None))
    platform_admin.is_active = False
    assert not is_platform_admin(platform_admin)


def test_the_admin_link_is_shown_to_platform_admins_only(client, platform_admin, coordinator, staff_coordinator):
    link = f'href="{reverse("admin:index")}"'
    for user, shown in ((platform_admin, True), (coordinator, False), (staff_coordinator, False)):
        client.force_login(user)
        page = client.get(reverse("placements:programme_list")).content.decode()
        assert (link in page) is shown, user.username


def test_platform_admins_and_superusers_need_a_second_factor(
    settings, platform_admin, superuser, coordinator, contact, staff_coordinator
):
    settings.REQUIRE_TWO_FACTOR = True
    plain_platform_admin = f.PlatformAdminFactory(username="platform-only")  # coordinates nothing
    for user in (platform_admin, plain_platform_admin, superuser, coordinator, staff_coordinator):
        assert needs_two_factor(user), user.username
    assert not needs_two_factor(contact)
