"""A coordinator sets the force's mentoring settings on the dashboard (no Django admin)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from mentoring.models import MentoringSettings
from tests import factories as f

URL = reverse("mentoring:settings_update")


def test_the_dashboard_shows_the_form_and_saving_is_recorded(client_for, coordinator, force_a):
    client = client_for(coordinator)
    page = client.get(reverse("mentoring:dashboard"))
    assert page.status_code == 200 and b"Most mentees per mentor" in page.content
    assert b"administrator" not in page.content

    response = client.post(URL, {"max_mentees_per_mentor": "4", "end_at_age": "19"})
    assert response.status_code == 302
    settings = MentoringSettings.objects.get(force=force_a)
    assert (settings.max_mentees_per_mentor, settings.end_at_age) == (4, 19)
    entry = LogEntry.objects.get_for_object(settings).get(additional_data__action="Mentoring settings changed")
    assert entry.actor == coordinator
    assert entry.additional_data["max_mentees"] == 4 and entry.additional_data["was_max_mentees"] == 6

    assert client.post(URL, {"max_mentees_per_mentor": "4", "end_at_age": ""}).status_code == 302
    settings.refresh_from_db()
    assert settings.end_at_age is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"max_mentees_per_mentor": "0"}, "max_mentees_per_mentor"),
        ({"max_mentees_per_mentor": "31"}, "max_mentees_per_mentor"),
        ({"max_mentees_per_mentor": ""}, "max_mentees_per_mentor"),
        ({"max_mentees_per_mentor": "five"}, "max_mentees_per_mentor"),
        ({"max_mentees_per_mentor": "5", "end_at_age": "12"}, "end_at_age"),
    ],
)
def test_bad_values_are_a_400_on_the_dashboard_and_nothing_is_saved(client_for, coordinator, data, field):
    response = client_for(coordinator).post(URL, data)
    assert response.status_code == 400
    assert field in response.context["settings_form"].errors
    assert b"There is a problem" in response.content
    assert not MentoringSettings.objects.exists()
    assert not LogEntry.objects.filter(additional_data__action="Mentoring settings changed").exists()


def test_each_coordinator_sets_only_their_own_force(client_for, coordinator, coordinator_b, force_a, force_b):
    f.ForceFactory()  # more forces do not matter
    assert client_for(coordinator_b).post(URL, {"max_mentees_per_mentor": "3"}).status_code == 302
    assert MentoringSettings.objects.get().force == force_b


def test_others_are_refused(client_for, contact, lead, mentor):
    for user in (contact, lead, mentor):
        assert client_for(user).post(URL, {"max_mentees_per_mentor": "3"}).status_code == 403
    assert not MentoringSettings.objects.exists()


def test_no_free_mentor_links_to_the_people_page_and_the_settings(rf, coordinator, programme_a):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from mentoring.forms import AssignMentorForm

    placement = f.PlacementFactory(programme=programme_a)
    request = rf.get("/")
    request.user = coordinator
    page = render_to_string(
        "mentoring/assign.html",
        {
            "placement": placement,
            "programme": programme_a,
            "eligibility": SimpleNamespace(eligible=True),
            "form": AssignMentorForm(mentors=[], maximum=6),
            "maximum": 6,
            "has_active": False,
        },
        request=request,
    )
    assert "No mentor is free" in page and "administrator" not in page
    assert f"{reverse('placements:people')}?role=mentor" in page
    assert f"{reverse('mentoring:dashboard')}#settings-heading" in page
