"""A department's contact (who is told its sessions): set on the department's page, checked on the server."""

from django.urls import reverse

from placements.models import Department
from tests import factories as f


def test_a_coordinator_gives_a_department_its_contact(coordinator, client_for):
    department = f.DepartmentFactory(force=coordinator.force_person.force, name="Dog Unit")
    url = reverse("placements:department_edit", args=[department.pk])
    assert "Contact&#x27;s email" in client_for(coordinator).get(url).content.decode()
    data = {
        "name": "Dog Unit",
        "is_specialist": "on",
        "contact_name": "Duty desk",
        "contact_email": "dogs@police.invalid",
    }
    assert client_for(coordinator).post(url, data).status_code == 302
    department.refresh_from_db()
    assert (department.contact_name, department.contact_email) == ("Duty desk", "dogs@police.invalid")


def test_a_bad_address_is_a_clear_400_and_nothing_changes(coordinator, client_for):
    department = f.DepartmentFactory(force=coordinator.force_person.force, name="Dog Unit")
    url = reverse("placements:department_edit", args=[department.pk])
    response = client_for(coordinator).post(url, {"name": "Dog Unit", "contact_email": "not an address"})
    assert response.status_code == 400 and "Enter a valid email address" in response.content.decode()
    assert Department.objects.get(pk=department.pk).contact_email == ""


def test_a_new_department_can_have_its_contact_from_the_start(coordinator, client_for):
    data = {"name": "Air Support", "contact_name": "Ops room", "contact_email": "air@police.invalid"}
    assert client_for(coordinator).post(reverse("placements:department_create"), data).status_code == 302
    assert Department.objects.get(name="Air Support").contact_email == "air@police.invalid"
