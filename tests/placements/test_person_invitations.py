"""A sign-in for a force person: an emailed, single-use invitation (the flow of core.invitations)."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import SESSION_KEY, get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import scope_for
from core.links import links_resolve, token_hash
from core.models import OutboundEmail
from placements import services
from placements.models import ForcePerson, ForcePersonInvitation
from tests import factories as f

User = get_user_model()
PASSWORD = "a-long-enough-passphrase-42"
NEW_ACCOUNT = {"username": "sam.okafor", "password1": PASSWORD, "password2": PASSWORD}


@pytest.fixture
def person(force_a):
    return f.ForcePersonFactory(force=force_a, name="Sam Okafor", email="sam.okafor@police.invalid", is_mentor=True)


def _invite(client, person):
    """The coordinator's confirm page, then Send; returns the token from the email as sent."""
    url = reverse("placements:person_invite", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"sam.okafor@police.invalid" in page.content
    assert not ForcePersonInvitation.objects.exists()  # the confirm page sends nothing
    assert client.post(url, {"confirm": "1"}).status_code == 302
    email = OutboundEmail.objects.filter(kind="person_invitation").latest("created_at")
    assert "/join/" not in email.body_text  # the outbox keeps a marker, not the link
    return re.search(r"/join/([A-Za-z0-9_\-]+)/", links_resolve(email.body_text)).group(1)


def _open(client, token):
    response = client.get(reverse("placements:person_invitation_open", args=[token]))
    assert response.status_code == 302 and response.url == reverse("placements:person_invitation_accept")
    return response


def test_a_coordinator_invites_and_the_person_makes_a_sign_in(client_for, client, coordinator, person):
    token = _invite(client_for(coordinator), person)
    invitation = ForcePersonInvitation.objects.get()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash + invitation.token_salt
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert "Invitation to sign in sent" in [
        e.additional_data["action"] for e in LogEntry.objects.get_for_object(person)
    ]

    client.logout()
    _open(client, token)
    page = client.get(reverse("placements:person_invitation_accept"))
    assert (
        page.status_code == 200 and b"Create your account" in page.content and b"Force A Constabulary" in page.content
    )
    response = client.post(reverse("placements:person_invitation_accept"), NEW_ACCOUNT)
    assert response.status_code == 302 and response.url == reverse("accounts:home")
    person.refresh_from_db()
    assert person.user.username == "sam.okafor" and person.user.check_password(PASSWORD)
    assert person.user.email == "sam.okafor@police.invalid"
    assert client.session[SESSION_KEY] == str(person.user.pk)
    assert scope_for(person.user).is_mentor
    assert ForcePersonInvitation.objects.get().accepted_at is not None
    assert client.get(reverse("mentoring:mentor_home")).status_code == 200


def test_an_invited_coordinator_must_set_up_the_second_step_first(client, coordinator, force_a, settings):
    settings.REQUIRE_TWO_FACTOR = True
    person = f.ForcePersonFactory(force=force_a, name="New Coordinator", email="nc@police.invalid", is_coordinator=True)
    _, token = services.force_person_invitation_create(person=person, actor=coordinator)
    _open(client, token)
    page = client.get(reverse("placements:person_invitation_accept"))
    assert b"second sign-in step" in page.content
    response = client.post(reverse("placements:person_invitation_accept"), {**NEW_ACCOUNT, "username": "nc"})
    assert response.status_code == 302
    home = client.get(response.url)
    assert home.status_code == 302 and home.url.startswith(reverse("accounts:two_factor"))
    assert client.get(reverse("placements:people")).url.startswith(reverse("accounts:two_factor"))


def test_an_existing_account_is_never_signed_in_by_the_link(client, coordinator, person):
    owner = f.UserFactory(username="sam", email="Sam.Okafor@police.invalid")
    invitation, token = services.force_person_invitation_create(person=person, actor=coordinator)
    _open(client, token)
    page = client.get(reverse("placements:person_invitation_accept"))
    assert page.status_code == 200 and b"Sign in to accept" in page.content and b"Create my account" not in page.content
    response = client.post(reverse("placements:person_invitation_accept"), {**NEW_ACCOUNT, "username": "attacker"})
    assert response.status_code == 409
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(username="attacker").exists()
    person.refresh_from_db()
    assert person.user is None

    # The owner signs in with their own password, comes back and confirms: a GET links nothing.
    assert client.login(username="sam", password=f.PASSWORD)
    confirm = client.get(reverse("placements:person_invitation_accept"))
    assert confirm.status_code == 200 and b"Use my account for Force A Constabulary" in confirm.content
    person.refresh_from_db()
    assert person.user is None
    assert client.post(reverse("placements:person_invitation_accept")).status_code == 302
    person.refresh_from_db()
    assert person.user == owner
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_a_signed_in_user_with_another_email_is_refused(client_for, coordinator, person):
    _, token = services.force_person_invitation_create(person=person, actor=coordinator)
    other = f.UserFactory(username="other", email="other@police.invalid")
    client = client_for(other)
    _open(client, token)
    for method in (client.get, client.post):
        response = method(reverse("placements:person_invitation_accept"))
        assert response.status_code == 403 and b"sam.okafor@police.invalid" in response.content
    person.refresh_from_db()
    assert person.user is None


def test_an_account_that_already_belongs_to_someone_of_a_force_is_not_linked_again(client_for, coordinator, force_a):
    # The coordinator's own email on a new person: their account already belongs to a force person.
    person = f.ForcePersonFactory(force=force_a, name="Second Me", email=coordinator.email)
    _, token = services.force_person_invitation_create(person=person, actor=coordinator)
    client = client_for(coordinator)
    _open(client, token)
    response = client.post(reverse("placements:person_invitation_accept"))
    assert response.status_code == 409 and b"already belongs to coord-a" in response.content
    person.refresh_from_db()
    assert person.user is None


@pytest.mark.parametrize("state", ["expired", "used", "withdrawn", "deactivated"])
def test_an_expired_used_or_withdrawn_link_is_refused_with_a_clear_page(client, coordinator, person, state):
    _, token = services.force_person_invitation_create(person=person, actor=coordinator)
    if state == "used":
        _open(client, token)
        client.post(reverse("placements:person_invitation_accept"), NEW_ACCOUNT)
        client.logout()
    elif state == "withdrawn":
        services.force_person_invitation_create(person=person, actor=coordinator)  # a new one replaces it
    elif state == "deactivated":
        ForcePerson.objects.filter(pk=person.pk).update(is_active=False)
    users = User.objects.count()
    with time_machine.travel(timezone.now() + timedelta(days=8 if state == "expired" else 0)):
        _open(client, token)
        response = client.get(reverse("placements:person_invitation_accept"))
        assert response.status_code == 410
        assert b"This invitation does not work" in response.content
        assert (
            client.post(reverse("placements:person_invitation_accept"), {**NEW_ACCOUNT, "username": "x"}).status_code
            == 410
        )
    assert User.objects.count() == users


def test_an_unknown_token_is_a_404_page(client, db):
    response = client.get(reverse("placements:person_invitation_open", args=["not-a-real-token"]))
    assert response.status_code == 404 and b"not valid" in response.content
    assert client.get(reverse("placements:person_invitation_accept")).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": ""}, "Add Sam Okafor's email address first"),
        ({"is_active": False}, "deactivated"),
        ({"user": "account"}, "can sign in already"),
    ],
)
def test_who_cannot_be_invited(client_for, coordinator, person, change, message):
    if change.get("user"):
        change = {"user": f.UserFactory(username="sam")}
    ForcePerson.objects.filter(pk=person.pk).update(**change)
    client = client_for(coordinator)
    url = reverse("placements:person_invite", args=[person.pk])
    assert b"Send the invitation" not in client.get(url).content
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 409 and message in html.unescape(response.content.decode())
    assert not ForcePersonInvitation.objects.exists() and not OutboundEmail.objects.exists()


def test_another_forces_coordinator_cannot_invite(client_for, coordinator_b, person):
    assert client_for(coordinator_b).post(reverse("placements:person_invite", args=[person.pk])).status_code == 404
    assert not ForcePersonInvitation.objects.exists()
