"""Guardian e-consent: token links, single answer, withdrawal, reminders."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.links import links_resolve, token_hash
from core.models import OutboundEmail
from placements.models import Placement
from schools import services
from schools.models import Consent, ConsentLink, Nomination
from tests.schools.conftest import student


def _token_from_outbox(kind="consent_request"):
    # The outbox holds a marker; the link is made as the email is sent (as it is delivered here).
    body = links_resolve(OutboundEmail.objects.filter(kind=kind).latest("created_at").body_text)
    return re.search(r"/consent/([A-Za-z0-9_\-]+)/", body).group(1)


@pytest.fixture
def nomination(contact, allocation_a):
    return services.nomination_submit(allocation=allocation_a, data=student(allocation_a.programme), actor=contact)


ANSWER = {
    "respondent_name": "Pat Rivers",
    "participation": "yes",
    "data_processing": "on",
    "photos_media": "on",
    "mentoring_contact": "",
}


def test_token_is_long_random_and_stored_only_as_a_hash(nomination):
    token = _token_from_outbox()
    assert len(token) >= 43  # 32 random bytes
    link = ConsentLink.objects.get()
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash


def test_link_moves_token_to_session_and_redirects_to_token_free_url(client, nomination):
    token = _token_from_outbox()
    response = client.get(reverse("consent:open", args=[token]))
    assert response.status_code == 302
    assert response.url == reverse("consent:form")
    assert token not in response.url
    page = client.get(response.url)
    assert page.status_code == 200
    assert b"Consent for Jamie Rivers" in page.content
    assert b"press releases and on social media" in page.content


def test_answering_records_who_when_and_the_wording_shown(client, nomination):
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    response = client.post(reverse("consent:form"), ANSWER)
    assert response.status_code == 200
    assert b"Thank you" in response.content
    consent = Consent.objects.get()
    assert consent.status == Consent.Status.GIVEN
    assert (consent.participation, consent.photos_media, consent.data_processing, consent.mentoring_contact) == (
        True,
        True,
        True,
        False,
    )
    assert consent.respondent_name == "Pat Rivers"
    assert consent.responded_at is not None
    assert "[participation] I agree that Jamie Rivers may take part in Open week" in consent.wording
    assert "[mentoring_contact]" in consent.wording


def test_second_use_shows_already_answered_not_an_error(client, nomination):
    token = _token_from_outbox()
    client.get(reverse("consent:open", args=[token]))
    client.post(reverse("consent:form"), ANSWER)
    client.cookies.clear()
    response = client.get(reverse("consent:open", args=[token]), follow=True)
    assert response.status_code == 200
    assert b"Already answered" in response.content
    again = client.post(reverse("consent:form"), {**ANSWER, "photos_media": ""})
    assert again.status_code == 200
    assert b"Already answered" in again.content
    assert Consent.objects.get().photos_media is True


def test_refusing_participation_is_recorded_and_cannot_be_offered(client, nomination):
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    client.post(reverse("consent:form"), {**ANSWER, "participation": "no", "photos_media": "on"})
    consent = Consent.objects.get()
    assert consent.status == Consent.Status.REFUSED
    assert consent.photos_media is False
    with pytest.raises(services.SchoolsError):
        services.selection_confirm(programme=nomination.programme, selected_ids=[nomination.pk], actor=None)


def test_participation_without_privacy_notice_is_a_form_error(client, nomination):
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    response = client.post(reverse("consent:form"), {**ANSWER, "data_processing": ""})
    assert response.status_code == 400
    assert b"privacy notice" in response.content
    assert Consent.objects.get().status == Consent.Status.REQUESTED


def test_tampered_token_is_404_with_a_clear_page(client, nomination):
    token = _token_from_outbox()
    client.get(reverse("consent:open", args=[token[:-2] + "xx"]))
    response = client.get(reverse("consent:form"))
    assert response.status_code == 404
    assert b"not valid" in response.content


def test_form_without_a_token_in_session_is_404(client, db):
    response = client.get(reverse("consent:form"))
    assert response.status_code == 404
    assert b"Open the link from your email again" in response.content


def test_expired_unanswered_link_is_410(client, nomination):
    token = _token_from_outbox()
    with time_machine.travel(timezone.now() + timedelta(days=services.CONSENT_LINK_DAYS, hours=1)):
        client.get(reverse("consent:open", args=[token]))
        response = client.get(reverse("consent:form"))
    assert response.status_code == 410
    assert b"expired" in response.content


def _give(consent):
    return services.consent_respond(
        consent=consent,
        respondent_name="P",
        participation=True,
        photos_media=True,
        data_processing=True,
        mentoring_contact=True,
    )


def test_withdrawing_photos_only_keeps_the_place(client, nomination):
    _give(nomination.consent)
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    response = client.post(reverse("consent:withdraw"), {"items": ["photos_media"]})
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (
        consent.status == Consent.Status.GIVEN and consent.photos_media is False and consent.mentoring_contact is True
    )


def test_withdrawing_participation_removes_student_frees_place_and_promotes_next(
    client, nomination, contact, allocation_a
):
    programme = allocation_a.programme
    token = _token_from_outbox()
    _give(nomination.consent)
    waiting = services.nomination_submit(
        allocation=allocation_a, data=student(programme, last_name="Next"), actor=contact
    )
    _give(waiting.consent)
    programme.capacity = 1
    programme.reserved_send_places = 0
    programme.save()
    services.selection_confirm(programme=programme, selected_ids=[nomination.pk], actor=None)
    services.offer_respond(nomination=nomination, accept=True, actor=contact)
    assert Placement.objects.get(nomination=nomination).status == Placement.Status.CONFIRMED

    client.get(reverse("consent:open", args=[token]))
    response = client.post(reverse("consent:withdraw"), {"items": ["participation"]}, follow=True)
    assert b"Already answered" in response.content and b"withdrawn" in response.content

    nomination.refresh_from_db()
    waiting.refresh_from_db()
    consent = Consent.objects.get(nomination=nomination)
    assert consent.status == Consent.Status.WITHDRAWN and consent.withdrawn_at is not None
    assert nomination.status == Nomination.Status.WITHDRAWN
    assert Placement.objects.get(nomination=nomination).status == Placement.Status.WITHDRAWN
    assert waiting.status == Nomination.Status.OFFERED
    assert OutboundEmail.objects.filter(kind="offer", subject__contains="Next").exists()
    released = OutboundEmail.objects.filter(kind="place_released")
    assert released.exists() and "consent withdrawn" in released.first().subject


def test_withdraw_post_without_choice_is_400(client, nomination):
    _give(nomination.consent)
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    response = client.post(reverse("consent:withdraw"), {})
    assert response.status_code == 400
    assert Consent.objects.get().status == Consent.Status.GIVEN


def test_reminder_after_three_days_at_most_twice(nomination):
    start = timezone.now()
    assert services.consent_reminders_send(now=start + timedelta(days=2)) == 0
    with time_machine.travel(start + timedelta(days=3, minutes=1), tick=False):
        assert services.consent_reminders_send() == 1
        assert services.consent_reminders_send() == 0  # idempotent: same day, nothing more
    with time_machine.travel(start + timedelta(days=6, minutes=2), tick=False):
        assert services.consent_reminders_send() == 1
    with time_machine.travel(start + timedelta(days=20), tick=False):
        assert services.consent_reminders_send() == 0  # two reminders is the most
    assert OutboundEmail.objects.filter(kind="consent_reminder").count() == 2
    assert nomination.consent.links.count() == 3


def test_no_reminder_once_answered(nomination):
    _give(nomination.consent)
    with time_machine.travel(timezone.now() + timedelta(days=4), tick=False):
        assert services.consent_reminders_send() == 0


def test_reminder_link_works_and_old_link_still_works(client, nomination):
    first = _token_from_outbox()
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=5), tick=False):
        services.consent_reminders_send()
        second = _token_from_outbox("consent_reminder")
        assert first != second
        for token in (first, second):
            client.get(reverse("consent:open", args=[token]))
            assert client.get(reverse("consent:form")).status_code == 200


def test_beat_task_runs_the_reminders(nomination):
    from schools.tasks import send_consent_reminders

    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=5), tick=False):
        assert send_consent_reminders.delay().get() == 1


def test_consent_page_shows_only_the_linked_child(client, nomination, contact, allocation_a):
    token = _token_from_outbox()
    services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme, last_name="Other"), actor=contact
    )
    client.get(reverse("consent:open", args=[token]))
    page = client.get(reverse("consent:form")).content.decode()
    assert "Jamie Rivers" in page
    assert "Other" not in page


def test_link_for_a_withdrawn_nomination_says_no_answer_is_needed(client, nomination, contact):
    services.nomination_withdraw(nomination=nomination, actor=contact)
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    response = client.post(reverse("consent:form"), ANSWER)
    assert response.status_code == 410
    assert b"no answer is needed" in response.content
    assert Consent.objects.get().status == Consent.Status.REQUESTED


def test_beat_schedule_names_real_tasks(settings):
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        if entry["task"].startswith("schools."):
            assert entry["task"] in app.tasks


# Sending the consent email again ------------------------------------------------------------------


def test_school_sends_a_lost_or_expired_link_again_and_the_new_one_works(client_for, client, nomination, contact):
    first = ConsentLink.objects.get()
    resend = reverse("schools:consent_resend", args=[nomination.pk])
    with time_machine.travel(timezone.now() + timedelta(days=8)):  # the first link has expired
        detail = client_for(contact).get(reverse("schools:nomination_detail", args=[nomination.pk]))
        assert b"Send the consent email again" in detail.content
        response = client_for(contact).post(resend, follow=True)
        assert response.status_code == 200
        assert b"A new consent link is on its way to" in response.content
        assert ConsentLink.objects.count() == 2
        assert OutboundEmail.objects.filter(kind="consent_request", to=first.sent_to).count() == 2
        assert client.get(reverse("consent:open", args=[_token_from_outbox()])).status_code == 302
        assert client.post(reverse("consent:form"), ANSWER).status_code == 200
    assert Consent.objects.get().status == Consent.Status.GIVEN


def test_sending_again_is_refused_soon_after_the_last_email_and_once_answered(client_for, client, nomination, contact):
    resend = reverse("schools:consent_resend", args=[nomination.pk])
    response = client_for(contact).post(resend)
    assert response.status_code == 409
    assert b"You can send another in" in response.content
    assert ConsentLink.objects.count() == 1
    client.get(reverse("consent:open", args=[_token_from_outbox()]))
    client.post(reverse("consent:form"), ANSWER)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client_for(contact).post(resend)
    assert response.status_code == 409 and b"already been answered" in response.content
    assert ConsentLink.objects.count() == 1


def test_no_sending_again_once_the_student_is_out_of_the_running(client_for, nomination, contact):
    services.nomination_withdraw(nomination=nomination, actor=contact)
    resend = reverse("schools:consent_resend", args=[nomination.pk])
    assert (
        b"Send the consent email again"
        not in client_for(contact).get(reverse("schools:nomination_detail", args=[nomination.pk])).content
    )
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        response = client_for(contact).post(resend)
    assert response.status_code == 409 and b"no longer going ahead" in response.content
    assert ConsentLink.objects.count() == 1


def test_only_the_school_and_the_forces_coordinators_can_send_it_again(
    client_for, nomination, contact_b, coordinator, coordinator_b, lead
):
    resend = reverse("schools:consent_resend", args=[nomination.pk])
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client_for(contact_b).post(resend).status_code == 404
        assert client_for(coordinator_b).post(resend).status_code == 404
        assert client_for(lead).post(resend).status_code == 403
        assert ConsentLink.objects.count() == 1
        assert client_for(coordinator).post(resend).status_code == 302
    assert ConsentLink.objects.count() == 2
