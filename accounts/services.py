"""Writes for accounts: the second factor (TOTP) of coordinators and admins."""

from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

WRONG_CODE = "That code did not match. Check the time on your phone and try the newest code."


def _too_many_wrong_codes(locked_until: datetime) -> str:
    if locked_until - timezone.now() > timedelta(hours=12):
        return "Too many wrong codes in a row. Ask an administrator to unlock your second sign-in step."
    at = timezone.localtime(locked_until).strftime("%H:%M")
    return f"Too many wrong codes in a row. Try again after {at} with the newest code from your app."


# Not a core.errors.DomainError: core imports accounts (scoping, admin, access), so accounts
# importing core would make the two bottom apps depend on each other.
class TwoFactorError(Exception):
    """The code did not match, or too many wrong codes came in a row."""


def totp_device_for_setup(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's unconfirmed authenticator, made on first use (a fresh secret each time none exists)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def _two_factor_check(*, user: AbstractBaseUser, token: str) -> tuple[TOTPDevice | None, datetime | None]:
    """The device the code matches (or None) and, if throttled, until when; django-otp saves each failure."""
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
    confirmed = [d for d in devices if d.confirmed]
    candidates = confirmed or devices
    locked_until = None
    for device in candidates:
        allowed, why = device.verify_is_allowed()
        if not allowed and why.get("locked_until"):
            locked_until = max(filter(None, (locked_until, why["locked_until"])))
        if device.verify_token(token):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            return device, None
    return None, locked_until


def two_factor_verify(*, request: HttpRequest, token: str) -> TOTPDevice:
    """Check a code against the user's authenticator; confirm it on first success and mark the session."""
    # The check commits before a wrong code is reported: raising inside the transaction would roll
    # back django-otp's failure count and so its throttle, leaving codes open to guessing.
    device, locked_until = _two_factor_check(user=request.user, token=token)
    if device is None:
        raise TwoFactorError(_too_many_wrong_codes(locked_until) if locked_until else WRONG_CODE)
    otp_login(request, device)
    return device
