"""Access hardening: CSP, no-store, brute-force lockout, password rules, 2FA, session limits."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f


def test_every_page_has_a_strict_script_policy(client, coordinator):
    for user in (None, coordinator):
        client.logout()
        if user:
            client.force_login(user)
        for url in ("/login/", "/", "/programmes/", "/health/"):
            response = client.get(url)
            policy = response["Content-Security-Policy"]
            script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
            assert "'self'" in script_src
            assert "unsafe-inline" not in script_src
            assert "frame-ancestors 'none'" in policy


def test_pages_with_personal_data_are_not_cached(client, coordinator, programme_a):
    client.force_login(coordinator)
    response = client.get(reverse("placements:programme_detail", args=[programme_a.pk]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short-pass1", False),  # 11 characters
        ("password1234", False),  # common
        ("a quiet harbour at dawn " * 3, True),  # 72 characters is fine
        ("x7" * 65, False),  # 130: too long
    ],
)
def test_password_rules(password, ok):
    if ok:
        validate_password(password)
    else:
        with pytest.raises(ValidationError):
            validate_password(password)


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def _attempt(client, password, ip):
    return client.post(reverse("accounts:login"), {"username": "coord-a", "password": password}, REMOTE_ADDR=ip)


def test_five_wrong_passwords_pause_that_address_only_for_a_while(client, coordinator, axes_on):
    for _ in range(5):
        _attempt(client, "wrong", "203.0.113.9")
    locked = _attempt(client, f.PASSWORD, "203.0.113.9")
    assert locked.status_code == 429
    assert b"paused" in locked.content
    # The real user, from their own address, is not locked out by the attacker.
    assert _attempt(client, f.PASSWORD, "198.51.100.7").status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _attempt(client, f.PASSWORD, "203.0.113.9").status_code == 302


@pytest.fixture
def two_factor_on(settings):
    settings.REQUIRE_TWO_FACTOR = True


def test_coordinator_must_set_up_and_use_two_factor(client, coordinator, two_factor_on):
    client.force_login(coordinator)
    response = client.get("/programmes/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:two_factor"))
    setup = client.get(response.url)
    assert setup.status_code == 200
    assert b"Set up your authenticator app" in setup.content
    wrong = client.post(reverse("accounts:two_factor"), {"token": "000000", "next": "/programmes/"})
    assert wrong.status_code == 400
    device = TOTPDevice.objects.get(user=coordinator)
    # django-otp pauses a second after a wrong code; a person takes longer than that to retype.
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        token = f"{totp(device.bin_key):06d}"
        ok = client.post(reverse("accounts:two_factor"), {"token": token, "next": "/programmes/"})
    assert ok.status_code == 302
    assert ok.url == "/programmes/"
    assert client.get("/programmes/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_two_factor_refuses_an_offsite_next(client, coordinator, two_factor_on):
    client.force_login(coordinator)
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    response = client.post(
        reverse("accounts:two_factor"), {"token": f"{totp(device.bin_key):06d}", "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_school_contacts_do_not_need_two_factor(client, contact, two_factor_on):
    client.force_login(contact)
    assert client.get(reverse("schools:contact_home")).status_code == 200


def test_idle_session_ends(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/programmes/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        response = client.get("/programmes/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_session_ends_after_ten_hours_even_when_active(client, coordinator):
    client.force_login(coordinator)
    start = timezone.now()
    client.get("/programmes/")
    for minutes in range(25, 600, 25):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/programmes/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=601)):
        assert client.get("/programmes/").status_code == 302


def test_deactivating_a_user_ends_their_sessions(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/programmes/").status_code == 200
    coordinator.is_active = False
    coordinator.save()
    response = client.get("/programmes/")
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
