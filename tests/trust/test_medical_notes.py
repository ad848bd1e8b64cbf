"""Medical notes: only coordinators read them (and each read is audited); contacts may replace, never re-read."""

from auditlog.models import LogEntry
from django.urls import reverse

from schools import services
from schools.models import Nomination
from tests.schools.conftest import allocation_a, open_programme, post_data, student, today  # noqa: F401

NOTES = "Carries an adrenaline pen for a nut allergy"


def _nomination(contact, allocation):
    data = student(allocation.programme, medical_notes=NOTES, support_needs="Short instructions help")
    return services.nomination_submit(allocation=allocation, data=data, actor=contact)


def test_coordinator_reads_notes_and_the_read_is_audited(client_for, contact, coordinator, allocation_a):
    nomination = _nomination(contact, allocation_a)
    page = client_for(coordinator).get(reverse("schools:nomination_detail", args=[nomination.pk]))
    assert NOTES in page.content.decode()
    assert LogEntry.objects.get_for_object(nomination).filter(action=LogEntry.Action.ACCESS).count() == 1


def test_contact_never_sees_notes_again_but_keeps_or_replaces_them(client_for, contact, allocation_a):
    nomination = _nomination(contact, allocation_a)
    client = client_for(contact)
    assert NOTES not in client.get(reverse("schools:nomination_detail", args=[nomination.pk])).content.decode()
    edit_url = reverse("schools:nomination_edit", args=[nomination.pk])
    form_page = client.get(edit_url).content.decode()
    assert NOTES not in form_page
    assert "are hidden" in form_page
    data = post_data(student(allocation_a.programme, support_needs="Short instructions help", year_group="Year 11"))
    assert client.post(edit_url, data).status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).medical_notes == NOTES  # left empty: kept
    data["medical_notes"] = "No medical needs now"
    assert client.post(edit_url, data).status_code == 302
    assert Nomination.objects.get(pk=nomination.pk).medical_notes == "No medical needs now"


def test_syndicate_lead_sees_support_needs_not_medical_notes(client_for, lead, programme_a):
    from tests import factories as f

    syndicate = programme_a.syndicates.get()
    f.PlacementFactory(
        programme=programme_a,
        syndicate=syndicate,
        nomination__medical_notes=NOTES,
        nomination__support_needs="Quiet room",
    )
    page = client_for(lead).get(reverse("placements:lead_home")).content.decode()
    assert "Quiet room" in page
    assert NOTES not in page
