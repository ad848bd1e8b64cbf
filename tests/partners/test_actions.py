"""The action log: owners, states, reminders (once per due date, through the outbox), and what a
partner person with a sign-in sees: their own actions and their organisation's programmes only."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scoping import scope_for, scoped
from core.models import OutboundEmail
from partners import tasks
from partners.models import Action, Meeting
from partners.services import action_reminders
from tests import factories as f
from tests.partners.factories import ActionFactory, PartnerPersonFactory, ProgrammePartnerFactory

TODAY = date(2027, 5, 3)


def test_the_owner_is_reminded_once_per_due_date_through_the_outbox(programme_a, partner_person):
    action = ActionFactory(
        programme=programme_a, owner_person=None, owner_partner=partner_person, due_on=TODAY, title="Send the list"
    )
    ActionFactory(programme=programme_a, due_on=TODAY + timedelta(days=1))  # not due yet
    ActionFactory(programme=programme_a, due_on=TODAY - timedelta(days=3), state=Action.State.DONE)  # done
    assert action_reminders(today=TODAY) == 1
    assert action_reminders(today=TODAY) == 0
    assert action_reminders(today=TODAY + timedelta(days=1)) == 1  # the other one, now due
    emails = OutboundEmail.objects.filter(kind="partner_action_due").order_by("pk")
    assert emails[0].to == "helen@council.invalid"
    first = emails[0]
    assert first.subject == f"Due today: Send the list ({programme_a.title})"
    assert "Send the list" in first.body_text and "/partner/" in first.body_text
    assert "Send the list" in first.body_html
    # The date moves: one more reminder, for the new date.
    action.refresh_from_db()
    action.due_on = TODAY + timedelta(days=7)
    action.save()
    assert action_reminders(today=TODAY + timedelta(days=7)) == 1
    assert action_reminders(today=TODAY + timedelta(days=8)) == 0


def test_an_overdue_action_not_yet_reminded_says_overdue(programme_a, coordinator):
    ActionFactory(programme=programme_a, due_on=TODAY - timedelta(days=4), title="Book coaches")
    assert action_reminders(today=TODAY) == 1
    assert OutboundEmail.objects.get().subject.startswith("Overdue: Book coaches")


def test_the_beat_task_sends_each_reminder_once(programme_a):
    ActionFactory(programme=programme_a, due_on=date(2000, 1, 3))
    assert tasks.action_reminders.apply().get() == 1
    assert tasks.action_reminders.apply().get() == 0
    assert OutboundEmail.objects.filter(kind="partner_action_due").count() == 1


@pytest.mark.live_services
def test_reminders_go_out_once_through_a_real_worker(live_worker):
    from tests.conftest import wait_for

    programme = f.ProgrammeFactory()
    ActionFactory(programme=programme, due_on=date(2000, 1, 3))
    assert tasks.action_reminders.apply_async(ignore_result=False).get(timeout=60) == 1
    assert tasks.action_reminders.apply_async(ignore_result=False).get(timeout=60) == 0
    assert wait_for(lambda: OutboundEmail.objects.filter(kind="partner_action_due", sent_at__isnull=False).count() == 1)
    assert OutboundEmail.objects.filter(kind="partner_action_due").count() == 1


# --- the partner person's own pages ---------------------------------------------------------------


def test_a_partner_sees_only_their_own_actions(client_for, partner, partner_person, programme_a, council):
    mine = ActionFactory(programme=programme_a, owner_person=None, owner_partner=partner_person, title="Mine")
    colleague = PartnerPersonFactory(organisation=council, name="Colleague")
    theirs = ActionFactory(programme=programme_a, owner_person=None, owner_partner=colleague, title="Colleague's")
    force_owned = ActionFactory(programme=programme_a, title="The coordinator's")
    assert list(scoped(partner, Action)) == [mine]
    assert scope_for(partner).roles == ["partner"]
    page = client_for(partner).get(reverse("partners:partner_home")).content.decode()
    assert "Mine" in page and "Colleague&#x27;s" not in page and "The coordinator" not in page
    client = client_for(partner)
    # Another person's action cannot be marked done: 404, and nothing changes.
    for other in (theirs, force_owned):
        assert client.post(reverse("partners:partner_action_done", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.state == Action.State.OPEN
    assert client.post(reverse("partners:partner_action_done", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.state == Action.State.DONE and mine.closed_on is not None


def test_a_partner_sees_a_programme_summary_with_no_student_data(client_for, partner, programme_a):
    placement = f.PlacementFactory(programme=programme_a, nomination__first_name="Zebedee")
    response = client_for(partner).get(reverse("partners:partner_programme", args=[programme_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert programme_a.title in page and "Zebedee" not in page
    assert placement.nomination.last_name not in page
    # Nothing of a student is in their scope at all.
    for label in ("schools.nomination", "placements.placement", "placements.programme", "placements.attendance"):
        from django.apps import apps

        assert not scoped(partner, apps.get_model(label)).exists(), label


def test_a_partner_gets_404_for_a_programme_their_organisation_has_no_role_on(
    client_for, partner, force_a, programme_b, partner_without_role, programme_a
):
    other = f.ProgrammeFactory(force=force_a)
    client = client_for(partner)
    for programme in (other, programme_b):
        assert client.get(reverse("partners:partner_programme", args=[programme.pk])).status_code == 404
    assert (
        client_for(partner_without_role).get(reverse("partners:partner_programme", args=[programme_a.pk])).status_code
        == 404
    )


def test_coordinator_pages_refuse_a_partner(client_for, partner, programme_a):
    client = client_for(partner)
    for url in (
        reverse("partners:organisations"),
        reverse("partners:programme", args=[programme_a.pk]),
        reverse("placements:programme_detail", args=[programme_a.pk]),
        reverse("placements:programme_list"),
    ):
        assert client.get(url).status_code == 403, url


def test_the_partner_home_costs_the_same_queries_however_many_actions(
    client_for, partner, partner_person, programme_a, force_a
):
    client = client_for(partner)
    ActionFactory(programme=programme_a, owner_person=None, owner_partner=partner_person)
    client.get(reverse("partners:partner_home"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("partners:partner_home"))
    for _ in range(5):
        programme = f.ProgrammeFactory(force=force_a)
        ProgrammePartnerFactory(programme=programme, organisation=partner_person.organisation)
        ActionFactory(programme=programme, owner_person=None, owner_partner=partner_person)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("partners:partner_home"))
    assert len(many) == len(few)


def test_other_roles_pay_no_extra_query_for_the_partner_role(coordinator, lead, contact, django_assert_num_queries):
    """Only a user with no other role is looked up as a partner person."""
    for user in (coordinator, lead, contact):
        user = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            scope_for(user)
        assert not any("partners_partnerperson" in q["sql"] for q in queries.captured_queries)


# --- the coordinator's action log and meetings ----------------------------------------------------


def test_a_meeting_with_its_actions_arising_is_recorded_all_or_nothing(
    client_for, coordinator, programme_a, partner_person
):
    client = client_for(coordinator)
    url = reverse("partners:meeting_create", args=[programme_a.pk])
    data = {
        "held_on_day": "1",
        "held_on_month": "3",
        "held_on_year": "2027",
        "title": "Launch meeting",
        "attendees": "Sam, Helen",
        "notes": "Agreed the dates.",
        "action0-title": "Confirm the schools",
        "action0-owner": f"partner:{partner_person.pk}",
        "action0-due_on_day": "15",
        "action0-due_on_month": "3",
        "action0-due_on_year": "2027",
        "action1-title": "Book the coaches",
        "action1-owner": "",  # no owner: the whole meeting is refused
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Choose who owns it" in response.content.decode()
    assert not Meeting.objects.exists() and not Action.objects.exists()
    data["action1-owner"] = f"force:{coordinator.force_person.pk}"
    data.update({"action1-due_on_day": "1", "action1-due_on_month": "4", "action1-due_on_year": "2027"})
    assert client.post(url, data).status_code == 302
    meeting = Meeting.objects.get()
    assert sorted(meeting.actions.values_list("title", flat=True)) == ["Book the coaches", "Confirm the schools"]
    assert meeting.actions.get(title="Confirm the schools").owner_partner == partner_person


def test_an_action_cannot_be_given_to_another_forces_person(client_for, coordinator, programme_a, force_b):
    outsider = PartnerPersonFactory(organisation__force=force_b)
    response = client_for(coordinator).post(
        reverse("partners:action_create", args=[programme_a.pk]),
        {"kind": "action", "title": "Leak", "owner": f"partner:{outsider.pk}", "due_on": "2027-05-01"},
    )
    assert response.status_code == 400
    assert not Action.objects.exists()


def test_the_action_log_is_the_programmes_coordinators_own(client_for, coordinator_b, programme_a, contact, lead):
    action = ActionFactory(programme=programme_a)
    for user, status in ((coordinator_b, 404), (contact, 403), (lead, 403)):
        client = client_for(user)
        assert client.get(reverse("partners:programme", args=[programme_a.pk])).status_code == status
        assert (
            client.post(
                reverse("partners:action_edit", args=[programme_a.pk, action.pk]),
                {
                    "kind": "action",
                    "title": "Changed",
                    "owner": f"force:{action.owner_person_id}",
                    "due_on": "2027-01-01",
                },
            ).status_code
            == status
        )
    action.refresh_from_db()
    assert action.title != "Changed"


def test_the_programme_partners_page_costs_the_same_queries_however_many(
    client_for, coordinator, programme_a, force_a, partner_person
):
    client = client_for(coordinator)
    url = reverse("partners:programme", args=[programme_a.pk])
    ProgrammePartnerFactory(programme=programme_a, role="venue")
    ActionFactory(programme=programme_a)
    f.ActivityFactory(force=force_a)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    few = len(few)  # now: the next request empties the log it is read from
    for _ in range(5):
        ProgrammePartnerFactory(programme=programme_a, role="community")
        ActionFactory(programme=programme_a, owner_person=None, owner_partner=partner_person)
        ActionFactory(programme=programme_a)
        f.ActivityFactory(force=force_a)
    client.get(url)  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == few
