"""A coordinator sets the language their force's public see first, on the page of the force's public texts."""

from auditlog.models import LogEntry
from django.urls import reverse

from placements.models import Force

FORM = {
    "default_language": "cy",
    "contact_email": "",
    "data_protection_officer": "",
    "privacy_notice": "",
    "accessibility_statement": "",
}


def test_the_coordinator_sets_welsh_and_the_public_see_it(client_for, coordinator, force_a, client):
    page = reverse("privacy:force_notices", args=[force_a.pk])
    form = client_for(coordinator).get(page)
    assert b"Language the public sees first" in form.content
    response = client_for(coordinator).post(page, FORM)
    assert response.status_code == 302
    assert Force.objects.get(pk=force_a.pk).default_language == "cy"
    assert LogEntry.objects.filter(additional_data__action="Public language changed").count() == 1


def test_an_unknown_language_is_refused_and_nothing_changes(client_for, coordinator, force_a):
    page = reverse("privacy:force_notices", args=[force_a.pk])
    response = client_for(coordinator).post(page, {**FORM, "default_language": "fr"})
    assert response.status_code == 400
    assert Force.objects.get(pk=force_a.pk).default_language == "en-gb"


def test_another_forces_coordinator_cannot_set_it(client_for, coordinator_b, force_a):
    page = reverse("privacy:force_notices", args=[force_a.pk])
    response = client_for(coordinator_b).post(page, FORM)
    assert response.status_code == 404
    assert Force.objects.get(pk=force_a.pk).default_language == "en-gb"


def test_a_school_contact_cannot_set_it(client_for, contact, force_a):
    page = reverse("privacy:force_notices", args=[force_a.pk])
    response = client_for(contact).post(page, FORM)
    assert response.status_code in (403, 404)
    assert Force.objects.get(pk=force_a.pk).default_language == "en-gb"
