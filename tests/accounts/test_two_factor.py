"""Guessing the second factor: wrong codes are counted (django-otp's throttle) and limited per user."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import _require_live


@pytest.fixture
def two_factor_on(settings):
    settings.REQUIRE_TWO_FACTOR = True


@pytest.fixture
def no_rate_limit(settings):
    """Leave the per-user rate limit out of the way, so the test sees django-otp's own throttle."""
    settings.TWO_FACTOR_RATE = "1000/m"


def _code(device):
    return f"{totp(device.bin_key, drift=device.drift):06d}"


def _wrong_code(device):
    """A code that matches no time step the device accepts (now, one before, one after)."""
    near = {totp(device.bin_key, t0=device.t0 + shift * device.step) for shift in (-1, 0, 1)}
    return f"{next(n for n in range(1, 10**6) if n not in near):06d}"


def _post(client, token, address="203.0.113.20"):
    return client.post(reverse("accounts:two_factor"), {"token": token, "next": "/programmes/"}, REMOTE_ADDR=address)


def _failures_in_database(device):
    return TOTPDevice.objects.filter(pk=device.pk).values_list("throttling_failure_count", flat=True).get()


def _guess_then_try_the_right_code(client, device, guesses):
    now = timezone.now()
    # Each guess after django-otp's pause (1, 2, 4 … seconds), so it counts every one as a failure.
    for guess in range(guesses):
        now += timedelta(seconds=2**guess + 1)
        with time_machine.travel(now, tick=False):
            wrong = _post(client, _wrong_code(device))
            assert wrong.status_code == 400
    assert _failures_in_database(device) == guesses
    with time_machine.travel(now + timedelta(seconds=5), tick=False):
        refused = _post(client, _code(device))
    return now, refused


def test_wrong_codes_are_counted_then_even_the_right_code_is_refused(client, coordinator, two_factor_on, no_rate_limit):
    client.force_login(coordinator)
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    last_guess, refused = _guess_then_try_the_right_code(client, device, guesses=8)
    assert refused.status_code == 400
    assert b"Too many wrong codes in a row" in refused.content
    assert client.get("/programmes/").status_code == 302  # still not through the second step
    # Once the pause is over, the owner's code works and the count starts again.
    with time_machine.travel(last_guess + timedelta(minutes=10), tick=False):
        assert _post(client, _code(device)).status_code == 302
        assert client.get("/programmes/").status_code == 200
    assert _failures_in_database(device) == 0


@pytest.mark.live_services
@pytest.mark.django_db(transaction=True)
def test_wrong_codes_are_committed_on_postgresql(client, coordinator, two_factor_on, no_rate_limit):
    if connection.vendor != "postgresql":
        _require_live("PostgreSQL (set DATABASE_URL)")
    client.force_login(coordinator)
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    _, refused = _guess_then_try_the_right_code(client, device, guesses=5)
    assert refused.status_code == 400
    assert b"Too many wrong codes in a row" in refused.content


def test_codes_are_limited_per_user_whatever_the_address(client, coordinator, coordinator_b, two_factor_on, settings):
    settings.TWO_FACTOR_RATE = "5/5m"
    client.force_login(coordinator)
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)
    for attempt in range(5):
        _post(client, _wrong_code(device), address=f"198.51.100.{attempt + 1}")
    blocked = _post(client, _code(device), address="192.0.2.200")
    assert blocked.status_code == 429
    assert b"Too many codes" in blocked.content
    assert client.get("/programmes/").status_code == 302
    # Another user, from the same addresses, is not held back by the first one's guesses.
    client.force_login(coordinator_b)
    other = TOTPDevice.objects.create(user=coordinator_b, name="app", confirmed=True)
    assert _post(client, _code(other), address="198.51.100.1").status_code == 302
