"""Writes for accounts: the second factor (TOTP) of coordinators and admins."""

from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice


class TwoFactorError(Exception):
    """The code did not match."""


def totp_device_for_setup(*, user):
    """The user's unconfirmed authenticator, made on first use (a fresh secret each time none exists)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


@transaction.atomic
def two_factor_verify(*, request, token):
    """Check a code against the user's authenticator; confirm it on first success and mark the session."""
    user = request.user
    devices = list(TOTPDevice.objects.select_for_update().filter(user=user))
    confirmed = [d for d in devices if d.confirmed]
    candidates = confirmed or devices
    for device in candidates:
        if device.verify_token(token):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return device
    raise TwoFactorError("That code did not match. Check the time on your phone and try the newest code.")
