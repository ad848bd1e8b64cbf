"""The audit trail records who changed what, from where, without the sensitive values themselves."""

from auditlog.models import LogEntry
from django.urls import reverse

from core.audit import record_sensitive_read
from tests import factories as f


def test_change_to_a_nomination_is_recorded_with_values_hidden(client, coordinator, programme_a):
    nomination = f.NominationFactory(programme=programme_a, medical_notes="Asthma: inhaler in bag")
    nomination.medical_notes = "Severe peanut allergy"
    nomination.first_name = "Zebedee"
    nomination.save()
    entry = LogEntry.objects.get_for_object(nomination).order_by("-timestamp").first()
    assert entry.action == LogEntry.Action.UPDATE
    assert set(entry.changes_dict) >= {"medical_notes", "first_name"}
    dumped = str(LogEntry.objects.values_list("changes", "changes_text", "object_repr", "additional_data"))
    assert "peanut" not in dumped and "Asthma" not in dumped and "Zebedee" not in dumped
    assert entry.additional_data["force"] == programme_a.force_id


def test_request_records_actor_and_address(client, superuser, programme_a):
    nomination = f.NominationFactory(programme=programme_a)
    client.force_login(superuser)
    url = reverse("admin:schools_nomination_change", args=[nomination.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "year_group": "Year 11",
            "programme": programme_a.pk,
            "institution": nomination.institution_id,
            "status": nomination.status,
            "date_of_birth": "2011-09-01",
            "gender": "",
        }
    )
    response = client.post(url, data, REMOTE_ADDR="192.0.2.44")
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == superuser
    assert entry.remote_addr == "192.0.2.44"


def test_reading_medical_notes_is_recorded(programme_a):
    nomination = f.NominationFactory(programme=programme_a, medical_notes="Epilepsy")
    record_sensitive_read(nomination)
    assert LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.ACCESS).count() == 1


def test_coordinators_read_only_their_forces_trail(client, coordinator, coordinator_b, programme_a, programme_b):
    f.NominationFactory(programme=programme_a)
    f.NominationFactory(programme=programme_b)
    client.force_login(coordinator)
    page = client.get(reverse("audit_trail"))
    assert page.status_code == 200
    forces = {entry.additional_data["force"] for entry in page.context["page"]}
    assert forces == {programme_a.force_id}


def test_audit_trail_three_ways(client, contact, coordinator):
    url = reverse("audit_trail")
    assert client.get(url).status_code == 302
    client.force_login(contact)
    assert client.get(url).status_code == 403
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_every_personal_field_of_a_nomination_is_masked_in_the_trail():
    """The trail's masks come from the intake's declaration; auditlog must have registered them."""
    from auditlog.registry import auditlog

    from schools.models import NOMINATION_PERSONAL_FIELDS, Nomination

    assert sorted(auditlog.get_model_fields(Nomination)["mask_fields"]) == sorted(NOMINATION_PERSONAL_FIELDS)
