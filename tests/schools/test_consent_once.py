"""A consent request is answered once: by the service itself, and under two answers at the same moment."""

import threading
import time

import pytest
from django.db import connections

from schools import services
from schools.models import Consent
from schools.services import consent as consent_services
from tests.schools.conftest import student

pytestmark = pytest.mark.django_db

ANSWER = {
    "respondent_name": "Pat Rivers",
    "participation": True,
    "photos_media": False,
    "data_processing": True,
    "mentoring_contact": False,
}


@pytest.fixture
def consent(contact, allocation_a):
    nomination = services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme), actor=contact
    )
    return Consent.objects.get(nomination=nomination)


def test_the_service_refuses_a_second_answer_and_keeps_the_first(consent):
    services.consent_respond(consent=consent, **ANSWER)
    # The caller holds the object it loaded before the first answer, as a second browser tab would.
    with pytest.raises(services.SchoolsError) as refused:
        services.consent_respond(
            consent=consent, **{**ANSWER, "respondent_name": "Someone Else", "participation": False}
        )
    assert refused.value.status == 409
    consent.refresh_from_db()
    assert consent.status == Consent.Status.GIVEN
    assert consent.respondent_name == "Pat Rivers"


@pytest.mark.live_services
@pytest.mark.django_db(transaction=True)
def test_two_answers_at_the_same_moment_record_exactly_one(postgres, contact, allocation_a, monkeypatch):
    nomination = services.nomination_submit(
        allocation=allocation_a, data=student(allocation_a.programme), actor=contact
    )
    consent = Consent.objects.get(nomination=nomination)
    # Widen the window between reading the status and saving, so without the row lock both would pass.
    original = consent_services.consent_wording

    def slow_wording(nomination):
        time.sleep(0.3)
        return original(nomination)

    monkeypatch.setattr(consent_services, "consent_wording", slow_wording)
    barrier = threading.Barrier(2)
    results = {}

    def answer(name, participation):
        try:
            barrier.wait(timeout=10)
            services.consent_respond(
                consent=consent, **{**ANSWER, "respondent_name": name, "participation": participation}
            )
            results[name] = "recorded"
        except services.SchoolsError as error:
            results[name] = error.status
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=args) for args in (("Yes Parent", True), ("No Parent", False))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results.values(), key=str) == [409, "recorded"]
    consent.refresh_from_db()
    winner = next(name for name, result in results.items() if result == "recorded")
    assert consent.respondent_name == winner
    assert consent.status == (Consent.Status.GIVEN if winner == "Yes Parent" else Consent.Status.REFUSED)
