"""Login, the role-based home page and the coordinator's programme pages, three ways each."""

import pytest
from django.urls import reverse

from tests import factories as f


def test_login_page_loads(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_login_with_real_password(client, coordinator):
    response = client.post(reverse("accounts:login"), {"username": "coord-a", "password": f.PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("placements:programme_list")


def test_wrong_password_is_a_clear_message_not_an_error(client, coordinator):
    response = client.post(reverse("accounts:login"), {"username": "coord-a", "password": "nope"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


@pytest.mark.parametrize(
    ("role", "start_page"),
    [
        ("coordinator", "placements:programme_list"),
        ("contact", "schools:contact_home"),
        ("lead", "placements:lead_home"),
        ("mentor", "mentoring:mentor_home"),
        ("superuser", "placements:programme_list"),
    ],
)
def test_home_sends_each_role_to_its_start_page(role, start_page, request, client):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url == reverse(start_page)
    assert client.get(response.url).status_code == 200


def test_user_without_role_is_told_what_to_do(client, db):
    client.force_login(f.UserFactory(username="nobody"))
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    assert b"no role yet" in response.content


@pytest.mark.parametrize("name", ["schools:contact_home", "placements:lead_home", "mentoring:mentor_home"])
def test_start_pages_need_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_programme_list_three_ways(client_for, coordinator, contact, programme_a, programme_b):
    url = reverse("placements:programme_list")
    assert client_for(None).get(url).status_code == 302
    assert client_for(contact).get(url).status_code == 403
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    assert programme_a.title in response.content.decode()
    assert programme_b.title not in response.content.decode()


def test_programme_detail_three_ways(client_for, coordinator, coordinator_b, programme_a):
    url = reverse("placements:programme_detail", args=[programme_a.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(coordinator_b).get(url).status_code == 404
    response = client_for(coordinator).get(url)
    assert response.status_code == 200
    assert "Overview" in response.content.decode()


def test_programme_detail_for_missing_id_is_404(client_for, coordinator):
    assert client_for(coordinator).get(reverse("placements:programme_detail", args=[999999])).status_code == 404


def test_programme_list_query_count_is_constant(client_for, coordinator, django_assert_max_num_queries):
    client = client_for(coordinator)
    force = coordinator.force_person.force
    f.ProgrammeFactory(force=force)
    url = reverse("placements:programme_list")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(15):
        programme = f.ProgrammeFactory(force=force)
        f.PlacementFactory.create_batch(2, programme=programme)
        f.SyndicateFactory(programme=programme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["programmes"]) == 16


def test_contact_home_lists_own_nominations_only(client_for, contact, school_a, school_b, programme_a):
    f.AllocationFactory(programme=programme_a, institution=school_a)
    f.NominationFactory(programme=programme_a, institution=school_a, first_name="Visible")
    f.NominationFactory(programme=programme_a, institution=school_b, first_name="Hidden")
    body = client_for(contact).get(reverse("schools:contact_home")).content.decode()
    assert "Visible" in body
    assert "Hidden" not in body


def test_logout_is_post_only(client_for, coordinator):
    client = client_for(coordinator)
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert client.get(reverse("placements:programme_list")).status_code == 302
