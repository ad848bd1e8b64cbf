"""The force's people and departments in the app: list, filters, add, edit, coordinator role, deactivate."""

from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import scope_for
from placements import selectors
from placements.models import Department, ForcePerson, ForcePersonInvitation
from placements.services import force_person_invitation_create
from tests import factories as f

TODAY = timezone.localdate()


def _actions(instance):
    return [entry.additional_data.get("action") for entry in LogEntry.objects.get_for_object(instance)]


def _person_data(**overrides):
    data = {
        "name": "Sam Okafor",
        "kind": "pcso",
        "rank": "PCSO",
        "email": "sam.okafor@police.invalid",
        "vetting_expires_on_day": "31",
        "vetting_expires_on_month": "3",
        "vetting_expires_on_year": str(TODAY.year + 3),
        "is_mentor": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _rows():
    return {model: model.objects.count() for model in (ForcePerson, Department, ForcePersonInvitation, LogEntry)}


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_says_what_each_person_does_their_vetting_and_sign_in(client_for, coordinator, programme_a):
    force = programme_a.force
    dogs = f.DepartmentFactory(force=force, name="Dog Unit")
    lead = f.ForcePersonFactory(force=force, name="Lee Lead", department=dogs, vetting_expires_on=TODAY + timedelta(30))
    f.SyndicateFactory(programme=programme_a, lead=lead)
    mentor = f.ForcePersonFactory(
        force=force, name="Mo Mentor", is_mentor=True, vetting_expires_on=TODAY - timedelta(1)
    )
    f.MentorAssignmentFactory(mentor=mentor, placement=f.PlacementFactory(programme=programme_a))
    deliverer = f.ForcePersonFactory(force=force, name="Dee Deliverer", vetting_expires_on=None)
    f.ActivityFactory(force=force, title="Premises search").delivering_staff.add(deliverer)
    f.ForcePersonFactory(force=force, name="Nat Newcomer", email="", vetting_expires_on=date(2031, 1, 1))
    f.ForcePersonFactory(force=f.ForceFactory(), name="Other Force Officer")

    page = client_for(coordinator).get(reverse("placements:people"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Other Force Officer" not in html
    row = {name: html.split(name, 1)[1].split("</tr>", 1)[0] for name in ("Lee Lead", "Mo Mentor", "Dee Deliverer")}
    assert "Leading a syndicate" in row["Lee Lead"] and "Dog Unit" in html and "expires soon" in row["Lee Lead"]
    assert "Mentor · 1 mentee" in row["Mo Mentor"] and "expired" in row["Mo Mentor"]
    assert "Delivers activities" in row["Dee Deliverer"] and "not recorded" in row["Dee Deliverer"]
    newcomer = html.split("Nat Newcomer", 1)[1].split("</tr>", 1)[0]
    assert "Nothing yet" in newcomer and "No (no email)" in newcomer and "expires" not in newcomer
    coordinator_row = html.split(">coord-a<", 1)[1].split("</tr>", 1)[0]
    assert "Coordinator" in coordinator_row and "Can sign in" in coordinator_row


def test_vetting_before_the_next_programme_ends_is_flagged_though_more_than_60_days_away(programme_a):
    check = selectors.vetting_check(force=programme_a.force, today=date(2027, 1, 10))
    assert check.next_programme == programme_a  # ends 16 July 2027
    assert check.state(date(2027, 7, 15)) == "soon"  # lapses the day before the last day
    assert check.state(date(2027, 7, 16)) == "ok"  # covers the whole programme
    assert check.state(date(2027, 3, 1)) == "soon"  # within 60 days
    assert check.state(date(2027, 1, 9)) == "expired"
    assert check.state(None) == "missing"


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"role": "mentor"}, {"Mo Mentor"}),
        ({"role": "coordinator"}, {"coord-a"}),
        ({"role": "lead"}, {"Lee Lead"}),
        ({"role": "delivers"}, {"Dee Deliverer"}),
        ({"role": "none"}, {"Nat Newcomer"}),
        ({"vetting": "expired"}, {"Mo Mentor"}),
        ({"vetting": "missing"}, {"Dee Deliverer"}),
        ({"vetting": "soon"}, {"Lee Lead"}),
        ({"show": "inactive"}, {"Gone Person"}),
        ({"name": "mo"}, {"Mo Mentor"}),
    ],
)
def test_filters(client_for, coordinator, programme_a, query, shown):
    force = programme_a.force
    lead = f.ForcePersonFactory(force=force, name="Lee Lead", vetting_expires_on=TODAY + timedelta(30))
    f.SyndicateFactory(programme=programme_a, lead=lead)
    f.ForcePersonFactory(force=force, name="Mo Mentor", is_mentor=True, vetting_expires_on=TODAY - timedelta(1))
    deliverer = f.ForcePersonFactory(force=force, name="Dee Deliverer", vetting_expires_on=None)
    f.ActivityFactory(force=force).delivering_staff.add(deliverer)
    f.ForcePersonFactory(force=force, name="Nat Newcomer", vetting_expires_on=date(2031, 1, 1))
    f.ForcePersonFactory(force=force, name="Gone Person", is_active=False)
    ForcePerson.objects.filter(user=coordinator).update(vetting_expires_on=date(2031, 1, 1))
    response = client_for(coordinator).get(reverse("placements:people"), query)
    assert response.status_code == 200
    listed = {person.name for person in response.context["people"]}
    assert listed == shown


def test_a_filter_value_that_is_not_offered_is_a_400_with_a_message(client_for, coordinator):
    response = client_for(coordinator).get(reverse("placements:people"), {"role": "superuser"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def _people_with_everything(force, programme, count, start):
    for index in range(start, start + count):
        person = f.ForcePersonFactory(
            force=force,
            name=f"Person {index:03d}",
            is_mentor=index % 2 == 0,
            department=f.DepartmentFactory(force=force, name=f"Unit {index}"),
            user=f.UserFactory(username=f"person-{index}") if index % 3 == 0 else None,
        )
        f.SyndicateFactory(programme=programme, lead=person, name=f"Syndicate {index}")
        if person.is_mentor:
            f.MentorAssignmentFactory(mentor=person, placement=f.PlacementFactory(programme=programme))
        f.ActivityFactory(force=force, title=f"Activity {index}").delivering_staff.add(person)
        if person.user_id is None:
            force_person_invitation_create(person=person, actor=None)


def test_the_list_reads_the_same_number_of_queries_for_3_or_15_people(client_for, coordinator, programme_a):
    client = client_for(coordinator)
    url = reverse("placements:people")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    _people_with_everything(programme_a.force, programme_a, 3, 0)
    small = count()
    _people_with_everything(programme_a.force, programme_a, 12, 3)
    large = count()
    assert ForcePerson.objects.filter(force=programme_a.force).count() == 16
    assert small == large
    print(f"People list: {large} queries for 4 or 16 people")


# --- add and edit -------------------------------------------------------------------------------------


def test_a_coordinator_adds_a_person(client_for, coordinator, force_a):
    dogs = f.DepartmentFactory(force=force_a, name="Dog Unit")
    response = client_for(coordinator).post(reverse("placements:person_create"), _person_data(department=dogs.pk))
    assert response.status_code == 302
    person = ForcePerson.objects.get(name="Sam Okafor")
    assert response.url == reverse("placements:person_edit", args=[person.pk])
    assert (person.force, person.department, person.kind, person.is_mentor) == (force_a, dogs, "pcso", True)
    assert person.vetting_expires_on == date(TODAY.year + 3, 3, 31)
    assert person.user is None and not person.is_coordinator
    assert _actions(person) == ["Person added"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the person's full name"),
        ({"kind": None}, "kind", "Select whether they are an officer"),
        ({"kind": "chief"}, "kind", "Select a valid choice"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address"),
        ({"vetting_expires_on_day": "31", "vetting_expires_on_month": "2"}, "vetting_expires_on", "real date"),
        ({"vetting_expires_on_year": "1850"}, "vetting_expires_on", "Check the year"),
        ({"name": "A" * 121}, "name", "at most 120 characters"),
    ],
)
def test_invalid_details_are_a_400_and_nothing_is_written(client_for, coordinator, change, field, message):
    before = _rows()
    response = client_for(coordinator).post(reverse("placements:person_create"), _person_data(**change))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert b"There is a problem" in response.content
    assert _rows() == before


def test_a_department_of_another_force_is_refused(client_for, coordinator, force_b):
    foreign = f.DepartmentFactory(force=force_b, name="Their Unit")
    before = _rows()
    response = client_for(coordinator).post(reverse("placements:person_create"), _person_data(department=foreign.pk))
    assert response.status_code == 400
    assert "Select a valid choice" in response.context["form"].errors["department"][0]
    assert _rows() == before


def test_posting_an_account_or_a_force_changes_neither(client_for, coordinator, coordinator_b, force_a, force_b):
    person = f.ForcePersonFactory(force=force_a, name="Pat Person")
    stranger = f.UserFactory(username="stranger")
    client = client_for(coordinator)
    data = _person_data(name="Pat Person", user=stranger.pk, force=force_b.pk, is_active="", person=person.pk)
    response = client.post(reverse("placements:person_edit", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.user, person.force, person.is_active) == (None, force_a, True)
    created = client.post(reverse("placements:person_create"), _person_data(name="New One", user=stranger.pk))
    assert created.status_code == 302
    assert ForcePerson.objects.get(name="New One").user is None
    assert scope_for(stranger).roles == []


def test_giving_the_coordinator_role_asks_first_and_is_recorded(client_for, coordinator, force_a):
    person = f.ForcePersonFactory(force=force_a, name="Pat Person")
    client = client_for(coordinator)
    url = reverse("placements:person_edit", args=[person.pk])
    data = _person_data(name="Pat Person", is_coordinator="on")
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    html = confirm.content.decode()
    assert "Make Pat Person a coordinator of Force A Constabulary?" in html
    assert "medical notes" in html and "second sign-in step" in html
    assert 'name="confirm_coordinator" value="yes"' in html and 'name="is_coordinator" value="on"' in html
    person.refresh_from_db()
    assert not person.is_coordinator and _actions(person) == []

    assert client.post(url, {**data, "confirm_coordinator": "yes"}).status_code == 302
    person.refresh_from_db()
    assert person.is_coordinator
    assert set(_actions(person)) == {"Person changed", "Coordinator role given"}
    given = LogEntry.objects.get_for_object(person).get(additional_data__action="Coordinator role given")
    assert given.actor == coordinator
    trail = client.get(reverse("audit_trail")).content.decode()
    assert "Coordinator role given" in trail and "Pat Person" in trail


def test_adding_a_coordinator_asks_first_too(client_for, coordinator):
    client = client_for(coordinator)
    data = _person_data(is_coordinator="on")
    assert client.post(reverse("placements:person_create"), data).status_code == 200
    assert not ForcePerson.objects.filter(name="Sam Okafor").exists()
    assert client.post(reverse("placements:person_create"), {**data, "confirm_coordinator": "yes"}).status_code == 302
    person = ForcePerson.objects.get(name="Sam Okafor")
    assert person.is_coordinator and "Coordinator role given" in _actions(person)


def test_a_coordinator_cannot_take_away_their_own_role(client_for, coordinator):
    me = coordinator.force_person
    response = client_for(coordinator).post(
        reverse("placements:person_edit", args=[me.pk]), _person_data(name=me.name, is_coordinator=None)
    )
    assert response.status_code == 409
    assert "own coordinator role" in response.context["form"].errors["is_coordinator"][0]
    me.refresh_from_db()
    assert me.is_coordinator and me.name == "coord-a"


def test_the_mentor_role_stays_while_they_mentor(client_for, coordinator, programme_a):
    mentor = f.ForcePersonFactory(force=programme_a.force, name="Mo Mentor", is_mentor=True)
    f.MentorAssignmentFactory(mentor=mentor, placement=f.PlacementFactory(programme=programme_a))
    response = client_for(coordinator).post(
        reverse("placements:person_edit", args=[mentor.pk]), _person_data(name="Mo Mentor", is_mentor=None)
    )
    assert response.status_code == 409
    mentor.refresh_from_db()
    assert mentor.is_mentor


def test_a_new_email_withdraws_an_invitation_sent_to_the_old_one(client_for, coordinator, force_a):
    person = f.ForcePersonFactory(force=force_a, name="Pat Person", email="old@police.invalid")
    invitation, _ = force_person_invitation_create(person=person, actor=coordinator)
    client_for(coordinator).post(
        reverse("placements:person_edit", args=[person.pk]), _person_data(name="Pat Person", email="new@police.invalid")
    )
    invitation.refresh_from_db()
    assert invitation.expires_at <= timezone.now()


# --- deactivate ---------------------------------------------------------------------------------------


def test_deactivation_is_refused_while_they_lead_or_mentor_and_the_page_lists_what(
    client_for, coordinator, programme_a
):
    person = f.ForcePersonFactory(force=programme_a.force, name="Busy Person", is_mentor=True)
    f.SyndicateFactory(programme=programme_a, lead=person, name="Syndicate Blue")
    finished = f.ProgrammeFactory(force=programme_a.force, title="Last year", status="completed")
    f.SyndicateFactory(programme=finished, lead=person, name="Syndicate Old")
    assignment = f.MentorAssignmentFactory(
        mentor=person, placement=f.PlacementFactory(programme=programme_a, nomination__first_name="Jamie")
    )
    client = client_for(coordinator)
    url = reverse("placements:person_deactivate", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "cannot be deactivated yet" in html
    assert "Syndicate Blue of Force A week" in html and "Syndicate Old" not in html
    assert assignment.placement.nomination.full_name in html
    assert reverse("mentoring:assignment", args=[assignment.pk]) in html
    assert reverse("placements:syndicates", args=[programme_a.pk]) in html
    assert "<button" not in html.split("<main", 1)[1]

    before = _rows()
    assert client.post(url, {"confirm": "1"}).status_code == 409
    person.refresh_from_db()
    assert person.is_active and _rows() == before


def test_deactivating_says_what_changes_then_does_it(client_for, coordinator, force_a, programme_a):
    user = f.UserFactory(username="leaving", email="leaving@police.invalid")
    person = f.ForcePersonFactory(force=force_a, name="Leaving Person", user=user, is_mentor=True)
    past = f.ProgrammeFactory(force=force_a, title="Last year", status="completed")
    f.SyndicateFactory(programme=past, lead=person)
    activity = f.ActivityFactory(force=force_a, title="Mock burglary")
    activity.delivering_staff.add(person)
    client = client_for(coordinator)
    url = reverse("placements:person_deactivate", args=[person.pk])
    html = client.get(url).content.decode()
    assert "no longer offered as a syndicate lead or mentor" in html
    assert "deliver Mock burglary" in html and "can no longer use their sign-in" in html
    assert scope_for(user).is_mentor

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response.url == reverse("placements:people")
    person.refresh_from_db()
    assert not person.is_active and person.user == user  # the account link stays, the access goes
    assert list(activity.delivering_staff.all()) == []
    assert scope_for(type(user).objects.get(pk=user.pk)).roles == []  # a fresh user: the scope is per request
    assert person not in selectors.vetted_leads(programme=programme_a)
    assert "Person deactivated" in _actions(person)
    assert ForcePerson.objects.filter(pk=person.pk).exists()  # not deleted

    assert client.post(reverse("placements:person_reactivate", args=[person.pk])).status_code == 302
    person.refresh_from_db()
    assert person.is_active and "Person made active again" in _actions(person)


def test_a_coordinator_cannot_deactivate_themselves(client_for, coordinator):
    me = coordinator.force_person
    client = client_for(coordinator)
    url = reverse("placements:person_deactivate", args=[me.pk])
    assert b"You cannot deactivate yourself" in client.get(url).content
    assert client.post(url, {"confirm": "1"}).status_code == 409
    me.refresh_from_db()
    assert me.is_active


# --- departments --------------------------------------------------------------------------------------


def test_departments_list_add_and_edit(client_for, coordinator, force_a):
    client = client_for(coordinator)
    response = client.post(
        reverse("placements:department_create"), {"name": "  Roads   Policing ", "is_specialist": "on"}
    )
    assert response.status_code == 302
    roads = Department.objects.get(force=force_a)
    assert (roads.name, roads.is_specialist) == ("Roads Policing", True)
    assert _actions(roads) == ["Department added"]
    f.ForcePersonFactory(force=force_a, department=roads)
    listing = client.get(reverse("placements:departments"))
    assert listing.status_code == 200 and "Roads Policing" in listing.content.decode()
    assert [d.people_count for d in listing.context["departments"]] == [1]

    edit = reverse("placements:department_edit", args=[roads.pk])
    assert client.post(edit, {"name": "Roads and Armed Policing"}).status_code == 302
    roads.refresh_from_db()
    assert (roads.name, roads.is_specialist) == ("Roads and Armed Policing", False)
    assert "Department changed" in _actions(roads)


@pytest.mark.parametrize(
    ("data", "message"),
    [({"name": ""}, "Enter the department name"), ({"name": "dog unit"}, "There is a department called dog unit")],
)
def test_department_refusals_are_400s_that_write_nothing(client_for, coordinator, force_a, data, message):
    f.DepartmentFactory(force=force_a, name="Dog Unit")
    before = _rows()
    response = client_for(coordinator).post(reverse("placements:department_create"), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _rows() == before


def test_department_names_are_per_force(client_for, coordinator, force_a, force_b):
    f.DepartmentFactory(force=force_b, name="Dog Unit")
    assert (
        client_for(coordinator).post(reverse("placements:department_create"), {"name": "Dog Unit"}).status_code == 302
    )


# --- who may open the pages ---------------------------------------------------------------------------


def _urls(person, department):
    return [
        reverse("placements:person_edit", args=[person.pk]),
        reverse("placements:person_deactivate", args=[person.pk]),
        reverse("placements:person_reactivate", args=[person.pk]),
        reverse("placements:person_invite", args=[person.pk]),
        reverse("placements:department_edit", args=[department.pk]),
    ]


def test_another_forces_coordinator_gets_404_on_every_page_and_changes_nothing(client_for, coordinator_b, force_a):
    person = f.ForcePersonFactory(force=force_a, name="Pat Person", email="pat@police.invalid")
    department = f.DepartmentFactory(force=force_a, name="Dog Unit")
    client = client_for(coordinator_b)
    before = _rows()
    for url in _urls(person, department):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {**_person_data(), "confirm": "1"}).status_code == 404, url
    assert _rows() == before
    page = client.get(reverse("placements:people")).content.decode()
    assert "Pat Person" not in page
    assert "Dog Unit" not in client.get(reverse("placements:departments")).content.decode()


def test_school_contacts_leads_and_mentors_are_refused(client_for, contact, lead, mentor, force_a):
    person = f.ForcePersonFactory(force=force_a, name="Pat Person")
    department = f.DepartmentFactory(force=force_a)
    pages = [
        reverse("placements:people"),
        reverse("placements:person_create"),
        reverse("placements:departments"),
        reverse("placements:department_create"),
        *_urls(person, department),
    ]
    before = _rows()
    for user in (contact, lead, mentor):
        client = client_for(user)
        for url in pages:
            assert client.post(url, {**_person_data(), "confirm": "1"}).status_code == 403, (user, url)
    assert _rows() == before


def test_the_syndicates_page_links_to_people_when_nobody_can_lead(client_for, coordinator, programme_a):
    ForcePerson.objects.filter(force=programme_a.force).update(vetting_expires_on=None)
    page = client_for(coordinator).get(reverse("placements:syndicates", args=[programme_a.pk])).content.decode()
    assert "No one can lead a syndicate yet" in page
    assert f'href="{reverse("placements:people")}"' in page and reverse("placements:person_create") in page
    ForcePerson.objects.filter(force=programme_a.force).update(vetting_expires_on=date(2030, 1, 1))
    page = client_for(coordinator).get(reverse("placements:syndicates", args=[programme_a.pk])).content.decode()
    assert "No one can lead a syndicate yet" not in page
