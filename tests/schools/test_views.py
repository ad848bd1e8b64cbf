"""Every intake URL three ways (anonymous, outsider, owner), plus query counts on list pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from placements.models import Programme
from schools import services
from schools.models import Nomination
from tests import factories as f
from tests.schools.conftest import check_and_send, student


@pytest.fixture
def nomination_a(contact, allocation_a):
    return services.nomination_submit(allocation=allocation_a, data=student(allocation_a.programme), actor=contact)


def _login_redirect(response):
    return response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


CONTACT_PAGES = ["schools:nominate", "schools:nomination_upload"]


@pytest.mark.parametrize("name", CONTACT_PAGES)
def test_allocation_pages_three_ways(name, client_for, contact, contact_b, coordinator, allocation_a, allocation_b):
    url = reverse(name, args=[allocation_a.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(contact_b).get(url).status_code == 404
    assert client_for(contact_b).post(url, {}).status_code == 404
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(contact).get(url).status_code == 200


@pytest.mark.parametrize("name", ["schools:csv_template", "schools:nomination_list", "schools:colleague_invite"])
def test_contact_only_pages_three_ways(name, client_for, contact, coordinator):
    url = reverse(name)
    assert _login_redirect(client_for(None).get(url))
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(contact).get(url).status_code == 200


def test_nomination_list_shows_only_own_institution(
    client_for, contact, contact_b, allocation_a, allocation_b, nomination_a
):
    services.nomination_submit(
        allocation=allocation_b, data=student(allocation_b.programme, last_name="Bstudent"), actor=contact_b
    )
    page = client_for(contact_b).get(reverse("schools:nomination_list")).content.decode()
    assert "Bstudent" in page and "Rivers" not in page
    home = client_for(contact_b).get(reverse("schools:contact_home")).content.decode()
    assert "Bstudent" in home and "Rivers" not in home


def test_nomination_detail_three_ways(client_for, contact, contact_b, coordinator, coordinator_b, lead, nomination_a):
    url = reverse("schools:nomination_detail", args=[nomination_a.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(contact_b).get(url).status_code == 404
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(lead).get(url).status_code == 404
    assert client_for(contact).get(url).status_code == 200
    assert client_for(coordinator).get(url).status_code == 200


@pytest.mark.parametrize("name", ["schools:nomination_edit"])
def test_nomination_edit_three_ways(name, client_for, contact, contact_b, coordinator, nomination_a):
    url = reverse(name, args=[nomination_a.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(contact_b).get(url).status_code == 404
    assert client_for(contact_b).post(url, {"first_name": "Hacked"}).status_code == 404
    assert client_for(coordinator).get(url).status_code == 403
    assert client_for(contact).get(url).status_code == 200
    assert Nomination.objects.get().first_name == "Jamie"


@pytest.mark.parametrize("name", ["schools:nomination_withdraw", "schools:offer_respond"])
def test_nomination_actions_three_ways(name, client_for, contact, contact_b, coordinator, nomination_a):
    url = reverse(name, args=[nomination_a.pk])
    assert _login_redirect(client_for(None).post(url))
    assert client_for(contact_b).post(url, {"answer": "decline"}).status_code == 404
    assert client_for(coordinator).post(url, {"answer": "decline"}).status_code == 403
    assert client_for(contact).get(url).status_code == 405
    assert Nomination.objects.get().status == Nomination.Status.SUBMITTED


def test_offer_answer_through_the_page(client_for, contact, nomination_a, coordinator):
    from schools.models import Consent

    Consent.objects.filter(nomination=nomination_a).update(
        status="given", participation=True, data_processing=True, responded_at=nomination_a.created_at
    )
    services.selection_confirm(programme=nomination_a.programme, selected_ids=[nomination_a.pk], actor=coordinator)
    client = client_for(contact)
    page = client.get(reverse("schools:nomination_detail", args=[nomination_a.pk]))
    assert b"A place is offered" in page.content
    response = client.post(reverse("schools:offer_respond", args=[nomination_a.pk]), {"answer": "accept"})
    assert response.status_code == 302
    assert Nomination.objects.get().status == Nomination.Status.ACCEPTED
    again = client.post(reverse("schools:offer_respond", args=[nomination_a.pk]), {"answer": "decline"})
    assert again.status_code == 409
    assert b"no open offer" in again.content


COORDINATOR_PAGES = ["schools:allocations", "schools:contact_invite", "schools:review", "schools:selection"]


@pytest.mark.parametrize("name", COORDINATOR_PAGES)
def test_coordinator_pages_three_ways(
    name, client_for, contact, coordinator, coordinator_b, open_programme, allocation_a
):
    url = reverse(name, args=[open_programme.pk])
    assert _login_redirect(client_for(None).get(url))
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {}).status_code == 404
    assert client_for(contact).get(url).status_code == 403
    assert client_for(coordinator).get(url).status_code == 200


def test_programme_page_links_to_the_intake_screens(client_for, coordinator, open_programme, school_a):
    url = reverse("placements:programme_detail", args=[open_programme.pk])
    selection = reverse("schools:selection", args=[open_programme.pk])
    page = client_for(coordinator).get(url).content.decode()
    assert "Intake" in page
    # Nominations are still open: the selection assistant is not offered yet, even with one to decide.
    f.NominationFactory(programme=open_programme, institution=school_a)
    assert selection not in page and selection not in client_for(coordinator).get(url).content.decode()
    # Once nominations close, it is.
    Programme.objects.filter(pk=open_programme.pk).update(nomination_closes=timezone.localdate() - timedelta(days=1))
    page = client_for(coordinator).get(url).content.decode()
    for name in COORDINATOR_PAGES:
        assert reverse(name, args=[open_programme.pk]) in page


def test_coordinator_sets_an_allocation(client_for, coordinator, open_programme, school_a):
    response = client_for(coordinator).post(
        reverse("schools:allocations", args=[open_programme.pk]), {"institution": school_a.pk, "quota": 5}
    )
    assert response.status_code == 302
    assert open_programme.allocations.get().quota == 5


def test_coordinator_cannot_allocate_another_forces_school(client_for, coordinator, open_programme, force_b):
    other = f.InstitutionFactory(force=force_b)
    response = client_for(coordinator).post(
        reverse("schools:allocations", args=[open_programme.pk]), {"institution": other.pk, "quota": 5}
    )
    assert response.status_code == 400
    assert not open_programme.allocations.exists()


def test_review_filters(client_for, coordinator, open_programme, allocation_a, allocation_b, contact, contact_b):
    services.nomination_submit(
        allocation=allocation_a,
        data=student(open_programme, last_name="Alpha", police_first_choice=True),
        actor=contact,
    )
    services.nomination_submit(
        allocation=allocation_b, data=student(open_programme, last_name="Bravo"), actor=contact_b
    )
    url = reverse("schools:review", args=[open_programme.pk])
    client = client_for(coordinator)
    page = client.get(url, {"institution": allocation_b.institution.pk}).content.decode()
    assert "Bravo" in page and "Alpha" not in page
    page = client.get(url, {"first_choice": "false"}).content.decode()
    assert "Bravo" in page and "Alpha" not in page
    page = client.get(url, {"consent": "given"}).content.decode()
    assert "Bravo" not in page and "Alpha" not in page
    page = client.get(url, {"status": "submitted", "send": "false", "area": "NS1"}).content.decode()
    assert "Bravo" in page and "Alpha" in page


def test_selection_page_confirms_with_overrides(client_for, coordinator, open_programme, allocation_a, contact):
    from schools.models import Consent

    a = services.nomination_submit(
        allocation=allocation_a, data=student(open_programme, last_name="Alpha"), actor=contact
    )
    b = services.nomination_submit(
        allocation=allocation_a, data=student(open_programme, last_name="Bravo"), actor=contact
    )
    Consent.objects.update(status="given", participation=True, data_processing=True, responded_at=a.created_at)
    client = client_for(coordinator)
    url = reverse("schools:selection", args=[open_programme.pk])
    page = client.get(url).content.decode()
    assert "Open place" in page and "Police was not first choice" in page
    assert "Check and confirm" in page and reverse("schools:selection_confirm", args=[open_programme.pk]) in page
    deadline = open_programme.start_date - timedelta(days=7)
    confirm, response = check_and_send(client, open_programme, [b.pk], deadline)
    assert "Send 1 offer" in confirm.content.decode()
    assert response.status_code == 302
    assert Nomination.objects.get(pk=b.pk).status == Nomination.Status.OFFERED
    assert Nomination.objects.get(pk=b.pk).offer_deadline == deadline
    assert Nomination.objects.get(pk=a.pk).status == Nomination.Status.WAITLISTED


def test_selection_page_does_not_send_on_post(client_for, coordinator, open_programme, allocation_a, contact):
    url = reverse("schools:selection", args=[open_programme.pk])
    assert client_for(coordinator).post(url, {"selected": [], "deadline": "2099-01-01"}).status_code == 405


@pytest.mark.parametrize(
    ("deadline", "message"),
    [("2000-01-01", "cannot be in the past"), ("start", "must be before the week starts")],
)
def test_confirm_step_refuses_a_deadline_outside_the_window_on_the_field(
    client_for, coordinator, open_programme, nomination_a, deadline, message
):
    if deadline == "start":
        deadline = open_programme.start_date.isoformat()
    response = client_for(coordinator).get(
        reverse("schools:selection_confirm", args=[open_programme.pk]), {"deadline": deadline}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'class="invalid-feedback"' in page  # under the date field, not only at the top


def _many(open_programme, institution, count, prefix):
    for i in range(count):
        n = f.NominationFactory(programme=open_programme, institution=institution, last_name=f"{prefix}{i}")
        f.ConsentFactory(nomination=n)


@pytest.mark.parametrize("name", ["schools:review", "schools:selection", "schools:allocations"])
def test_coordinator_list_pages_keep_a_constant_query_count(
    name, client_for, coordinator, open_programme, allocation_a, allocation_b, django_assert_max_num_queries
):
    client = client_for(coordinator)
    url = reverse(name, args=[open_programme.pk])
    _many(open_programme, allocation_a.institution, 2, "Few")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many(open_programme, allocation_b.institution, 25, "Many")
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["schools:contact_home", "schools:nomination_list"])
def test_contact_list_pages_keep_a_constant_query_count(
    name, client_for, contact, open_programme, allocation_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(contact)
    url = reverse(name)
    _many(open_programme, allocation_a.institution, 2, "Few")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _many(open_programme, allocation_a.institution, 25, "Many")
    other = f.ProgrammeFactory(force=open_programme.force, nomination_opens=open_programme.nomination_opens)
    f.AllocationFactory(programme=other, institution=allocation_a.institution)
    with django_assert_max_num_queries(len(few)):
        assert client.get(url).status_code == 200


def test_contact_home_shows_remaining_quota_and_links(client_for, contact, allocation_a, nomination_a):
    page = client_for(contact).get(reverse("schools:contact_home")).content.decode()
    assert "can nominate <strong>2 more students</strong> (up to 3 in all)" in page
    assert reverse("schools:nominate", args=[allocation_a.pk]) in page
    assert reverse("schools:nomination_upload", args=[allocation_a.pk]) in page


def test_contact_home_shows_programmes_not_over_and_the_newest_nominations(client_for, contact, allocation_a, today):
    """A school of many years sees this year's cards, not every year's, and its newest 20 nominations with
    a link to the rest (the page stayed slow and long as the years piled up)."""
    school = allocation_a.institution
    past = f.ProgrammeFactory(
        force=school.force,
        title="Last year's week",
        start_date=today - timedelta(days=300),
        end_date=today - timedelta(days=296),
        nomination_opens=today - timedelta(days=400),
        nomination_closes=today - timedelta(days=330),
    )
    f.AllocationFactory(programme=past, institution=school, quota=5)
    client = client_for(contact)
    page = client.get(reverse("schools:contact_home")).content.decode()
    assert "Open week" in page and "Last year&#x27;s week" not in page
    assert "See all nominations" not in page
    for _ in range(21):
        f.NominationFactory(programme=past, institution=school)
    response = client.get(reverse("schools:contact_home"))
    page = response.content.decode()
    assert len(response.context["nominations"]) == 20
    assert "Last year&#x27;s week" in page  # in the nominations table, not as a card
    assert reverse("schools:nomination_list") in page and "See all nominations" in page
