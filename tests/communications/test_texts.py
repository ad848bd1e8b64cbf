"""Text reminders: a family agrees on its own joining page (a mobile number, recorded with the words agreed
to), can stop them there, and is texted the working day before the week, once, through the outbox."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from communications import selectors, services
from communications.models import TextConsent
from communications.tasks import joining_daily
from communications.views import _text_choices
from core import sms as sms_module
from core.models import OutboundSms
from core.services import SMS_MAX_LENGTH
from privacy.services import student_erase
from tests.communications.test_views import delivered  # noqa: F401 - the fixture


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms_module.outbox.clear()
    yield
    sms_module.outbox.clear()


def _open(client, token):
    assert client.get(reverse("joining:open", args=[token])).status_code == 302


def _agree(client, **data):
    return client.post(reverse("joining:texts"), {"agree": "on", **data})


def test_a_guardian_agrees_and_sees_the_number_then_stops_it(client, week, delivered):
    _open(client, delivered["gina@family.invalid"])
    page = client.get(reverse("joining:page")).content.decode()
    assert "A text reminder the day before" in page and str(TextConsent.WORDING) in page
    response = _agree(client, who="guardian", phone="07700 900123")
    assert response.status_code == 302
    consent = TextConsent.objects.get()
    assert (consent.placement, consent.who, consent.phone) == (week["minor"], "guardian", "+447700900123")
    assert consent.wording == TextConsent.WORDING and consent.withdrawn_at is None
    page = client.get(reverse("joining:page")).content.decode()
    assert "07700 900123" in page and "Stop texts to this number" in page
    # A new number for the same person replaces the old one.
    _agree(client, who="guardian", phone="07700 900456")
    assert TextConsent.objects.filter(withdrawn_at__isnull=True).get().phone == "+447700900456"
    current = TextConsent.objects.get(withdrawn_at__isnull=True)
    assert client.post(reverse("joining:texts"), {"stop": current.pk}).status_code == 302
    assert not TextConsent.objects.filter(withdrawn_at__isnull=True).exists()


def test_bad_input_is_a_clear_400_and_nothing_is_saved(client, week, delivered):
    _open(client, delivered["gina@family.invalid"])
    landline = _agree(client, who="guardian", phone="01234 567890")
    assert landline.status_code == 400 and "Enter a UK mobile number" in landline.content.decode()
    unticked = client.post(reverse("joining:texts"), {"who": "guardian", "phone": "07700 900123"})
    assert unticked.status_code == 400 and "Tick the box to agree" in unticked.content.decode()
    nobody = _agree(client, who="somebody", phone="07700 900123")
    assert nobody.status_code == 400
    assert TextConsent.objects.count() == 0


def test_one_family_cannot_stop_another_s_texts(client, week, delivered):
    other = services.text_consent_give(placement=week["adult"], who="student", phone="07700 900777")
    _open(client, delivered["gina@family.invalid"])
    client.post(reverse("joining:texts"), {"stop": other.pk})
    other.refresh_from_db()
    assert other.withdrawn_at is None


def test_without_the_link_there_is_no_form(client, week, delivered):
    response = _agree(client, who="guardian", phone="07700 900123")
    assert response.status_code == 404 and TextConsent.objects.count() == 0


def test_an_adult_student_agrees_for_themself_and_a_young_student_s_own_phone_is_refused(week, delivered):
    assert [who for who, _ in _text_choices(week["adult"])] == ["student"]
    minor = week["minor"].nomination
    minor.date_of_birth = date(2016, 1, 1)  # 11 on the first day
    minor.save()
    with pytest.raises(services.CommunicationsError, match="from age 13"):
        services.text_consent_give(placement=week["minor"], who="student", phone="07700 900123")


def _daily(day, capture, hour=8):
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return joining_daily.delay().get()


def test_the_working_day_before_each_agreed_number_is_texted_once(
    week,
    delivered,
    django_capture_on_commit_callbacks,
):
    services.text_consent_give(placement=week["minor"], who="guardian", phone="07700 900123")
    services.text_consent_give(placement=week["adult"], who="student", phone="07700 900456")
    stopped = services.text_consent_give(placement=week["second"], who="guardian", phone="07700 900789")
    services.text_consent_withdraw(placement=week["second"], pk=stopped.pk)
    capture = django_capture_on_commit_callbacks
    assert _daily(date(2027, 7, 8), capture)["texts"] == 0
    assert _daily(date(2027, 7, 9), capture)["texts"] == 2
    texts = {t["to"]: t["body"] for t in sms_module.outbox}
    assert set(texts) == {"+447700900123", "+447700900456"}
    guardian = texts["+447700900123"]
    assert guardian.startswith("Force A Constabulary: a reminder that Pupil's work experience starts Monday 12 July.")
    assert "Arrive by 09:00" in guardian and "Phone on the day: 01234 567890." in guardian
    assert "/joining/" in guardian and "[[link:" not in guardian  # the working link, made at send time
    assert "a reminder that your work experience" in texts["+447700900456"]
    assert all(len(body) <= SMS_MAX_LENGTH for body in texts.values())  # three text parts at most
    # Stored with a marker, never the working link; sent once however often the job runs.
    assert all("[[link:joining:" in t.body for t in OutboundSms.objects.all())
    assert _daily(date(2027, 7, 9), capture, hour=15)["texts"] == 0
    assert len(sms_module.outbox) == 2
    assert OutboundSms.objects.filter(sent_at__isnull=False).count() == 2


def test_the_sent_summary_shows_texts_beside_emails(week, delivered, django_capture_on_commit_callbacks):
    services.text_consent_give(placement=week["minor"], who="guardian", phone="07700 900123")
    _daily(date(2027, 7, 9), django_capture_on_commit_callbacks)
    rows = {row["kind"]: row for row in selectors.sent_summary(programme=week["programme"])}
    assert rows["joining_instructions"]["emails"]["sent"] == 7
    assert rows["joining_reminder"]["emails"]["sent"] == 7
    assert rows["joining_reminder"]["texts"] == {"sent": 1, "waiting": 0, "failed": 0}


def test_erasure_removes_the_number_and_the_text(week, delivered, django_capture_on_commit_callbacks, coordinator):
    services.text_consent_give(placement=week["minor"], who="guardian", phone="07700 900123")
    _daily(date(2027, 7, 9), django_capture_on_commit_callbacks)
    student_erase(nomination=week["minor"].nomination, actor=coordinator, reason="request")
    consent = TextConsent.objects.get()
    assert consent.phone == "" and consent.withdrawn_at is not None
    text = OutboundSms.objects.get()
    assert "7700900123" not in text.to + text.body + text.dedupe_key and "Pupil" not in text.body


def test_once_the_week_has_begun_there_is_no_reminder_to_agree_to(client, week, delivered):
    with time_machine.travel(datetime(2027, 7, 12, 9, tzinfo=timezone.get_default_timezone()), tick=False):
        _open(client, delivered["gina@family.invalid"])
        page = client.get(reverse("joining:page")).content.decode()
        assert "there is no reminder left to text" in page and 'name="phone"' not in page
        assert _agree(client, who="guardian", phone="07700 900123").status_code == 302
    assert TextConsent.objects.count() == 0
