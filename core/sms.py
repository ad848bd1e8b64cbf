"""Text-message backends, chosen by the SMS_BACKEND setting, and phone numbers in one form.

The outbox (core.models.OutboundSms) records every text and hands it to `sms_backend().send(...)`
once; a backend raises on failure (the sweeper retries) and returns the provider's reference.
"""

from __future__ import annotations

import itertools
import sys

import phonenumbers
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_REGION = "GB"


class SmsError(Exception):
    """The provider refused or could not be reached."""


def phone_normalise(value: str, region: str = DEFAULT_REGION) -> str | None:
    """A mobile number in international form (+447700900123), or None when it cannot be a mobile."""
    try:
        number = phonenumbers.parse(value or "", region)
    except phonenumbers.NumberParseException:
        return None
    if _is_drama_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_drama_number(number: phonenumbers.PhoneNumber) -> bool:
    """Ofcom's range for drama (07700 900000 to 900999): never anyone's phone, so demo and test data use it."""
    return (
        number.country_code == 44
        and str(number.national_number).startswith("7700900")
        and len(str(number.national_number)) == 10
    )


def phone_display(value: str) -> str:
    """The number as people write it (07700 900123 for a UK mobile)."""
    try:
        number = phonenumbers.parse(value, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return value
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


class ConsoleSmsBackend:
    """Prints each text (the embedded default and `make run`)."""

    counter = itertools.count(1)

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, to: str, body: str, reference: str) -> str:
        self.stream.write(f"--- SMS to {to} ({reference}) ---\n{body}\n---\n")
        self.stream.flush()
        return f"console-{next(self.counter)}"


# What LocmemSmsBackend has sent, like django.core.mail.outbox (tests).
outbox: list[dict[str, str]] = []


class LocmemSmsBackend:
    """Keeps each text in `core.sms.outbox` (the test settings)."""

    def send(self, *, to: str, body: str, reference: str) -> str:
        outbox.append({"to": to, "body": body, "reference": reference})
        return f"locmem-{len(outbox)}"


class NotifySmsBackend:
    """GOV.UK Notify, through its official client (`notifications-python-client`).

    The service has one text-message template whose whole content is `((body))`; its id is
    NOTIFY_SMS_TEMPLATE_ID. NOTIFY_BASE_URL points the client at another Notify environment.
    """

    def __init__(self, *, api_key: str | None = None, template_id: str | None = None, base_url: str | None = None):
        from notifications_python_client.notifications import NotificationsAPIClient

        api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_SMS_TEMPLATE_ID
        if not api_key or not self.template_id:
            raise SmsError("Set NOTIFY_API_KEY and NOTIFY_SMS_TEMPLATE_ID to send texts through GOV.UK Notify.")
        self.client = NotificationsAPIClient(api_key, base_url=base_url or settings.NOTIFY_BASE_URL, timeout=10)

    def send(self, *, to: str, body: str, reference: str) -> str:
        from notifications_python_client.errors import APIError

        try:
            response = self.client.send_sms_notification(
                phone_number=to, template_id=self.template_id, personalisation={"body": body}, reference=reference
            )
        except APIError as error:
            raise SmsError(f"GOV.UK Notify refused the text: {error}") from error
        except OSError as error:
            raise SmsError(f"GOV.UK Notify could not be reached: {error}") from error
        return str(response.get("id", ""))


def sms_backend():
    """The configured backend (SMS_BACKEND), made afresh for each send."""
    return import_string(settings.SMS_BACKEND)()
