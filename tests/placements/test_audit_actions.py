"""Planning the week is recorded in the audit trail as named actions, who did them and from where."""

from auditlog.models import LogEntry
from django.urls import reverse

from tests import factories as f


def _actions(instance):
    return [entry.additional_data.get("action") for entry in LogEntry.objects.get_for_object(instance)]


def test_building_syndicates_and_moving_a_student_are_named_entries_of_the_force(client, coordinator, programme_a):
    f.PlacementFactory.create_batch(4, programme=programme_a)
    lead = f.ForcePersonFactory(force=programme_a.force, name="Lead One")
    client.force_login(coordinator)
    response = client.post(
        reverse("placements:syndicates_build", args=[programme_a.pk]),
        {"size": "4", "leads": [lead.pk]},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get_for_object(programme_a).get(additional_data__action="Syndicates built")
    assert entry.actor == coordinator
    assert entry.remote_addr == "192.0.2.7"
    assert entry.additional_data["force"] == programme_a.force_id
    assert entry.additional_data["syndicates"] == 1

    placement = programme_a.placements.first()
    syndicate = f.SyndicateFactory(programme=programme_a, name="Second")
    client.post(
        reverse("placements:placement_move", args=[programme_a.pk]),
        {"placement": placement.pk, "syndicate": syndicate.pk},
    )
    assert "Student moved to another syndicate" in _actions(placement)
    moved = LogEntry.objects.get_for_object(placement).get(additional_data__action="Student moved to another syndicate")
    assert moved.object_repr == f"Place on {programme_a.title}"  # never the child's name, nor a number

    page = client.get(reverse("audit_trail")).content.decode()
    assert "Syndicates built" in page and "Student moved to another syndicate" in page


def test_another_forces_coordinator_does_not_see_the_actions(client, coordinator, coordinator_b, programme_a):
    from placements import services

    services.planning_hours_set(
        programme=programme_a, department=f.DepartmentFactory(force=programme_a.force), hours=3, actor=coordinator
    )
    client.force_login(coordinator_b)
    assert "Planning hours set" not in client.get(reverse("audit_trail")).content.decode()
    client.force_login(coordinator)
    assert "Planning hours set" in client.get(reverse("audit_trail")).content.decode()
