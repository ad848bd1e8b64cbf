"""Accepting a contact invitation never signs anyone in as an account that already exists.

Both attack paths of the review: a coordinator links a contact row to any user (in the admin),
or holds an old link for an address that later got an account through a colleague's invitation.
Either way the holder of the link must not become that user; the invited person signs in with
their own password (and second factor) and links the contact from the accept page.
"""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from schools import services
from schools.models import ContactInvitation, InstitutionContact
from tests import factories as f

PASSWORD = "a-long-enough-passphrase-42"
ATTACKER = {"username": "attacker", "password1": PASSWORD, "password2": PASSWORD}


def _open(client, token):
    response = client.get(reverse("invitations:open", args=[token]))
    assert response.status_code == 302
    return response


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


def test_admin_path_a_contact_row_linked_to_the_superuser_signs_nobody_in(client, coordinator, school_a, superuser):
    invitation, token = services.contact_invitation_create(
        institution=school_a, name="X", email="x@evil.invalid", actor=coordinator
    )
    # What the coordinator did in the admin: a contact with the invited email, user = the superuser.
    InstitutionContact.objects.create(institution=school_a, name="X", email="X@evil.invalid", user=superuser)
    _open(client, token)
    response = client.post(reverse("invitations:accept"), ATTACKER)
    assert _signed_in_as(client) is None
    assert response.status_code == 409
    page = client.get(reverse("invitations:accept"))
    assert page.status_code == 200 and b"Sign in" in page.content and b"Create my account" not in page.content
    assert not type(superuser).objects.filter(username="attacker").exists()
    assert ContactInvitation.objects.get(pk=invitation.pk).accepted_at is None
    with pytest.raises(services.SchoolsError):
        services.contact_invitation_accept(invitation=invitation, username="attacker", password=PASSWORD)


def test_stale_coordinator_link_after_a_colleague_invitation_does_not_sign_in_as_pat(
    client_for, client, coordinator, contact, school_a
):
    _, coordinator_token = services.contact_invitation_create(
        institution=school_a, name="Pat Teacher", email="pat@school.invalid", actor=coordinator
    )
    _, colleague_token = services.contact_invitation_create(
        institution=school_a, name="Pat Teacher", email="pat@school.invalid", actor=contact
    )
    client.logout()
    _open(client, colleague_token)
    assert client.post(reverse("invitations:accept"), {**ATTACKER, "username": "pat"}).status_code == 302
    pat = InstitutionContact.objects.get(email="pat@school.invalid").user
    assert pat.username == "pat"

    client.logout()  # whoever holds the coordinator's earlier link
    _open(client, coordinator_token)
    response = client.post(reverse("invitations:accept"), ATTACKER)
    assert _signed_in_as(client) is None
    assert response.status_code == 409
    assert client.get(reverse("schools:contact_home")).status_code == 302  # to the sign-in page
    assert not type(pat).objects.filter(username="attacker").exists()

    # Pat, signed in with their own password, may still use it: nothing changes but the invitation is used.
    assert client.login(username="pat", password=PASSWORD)
    _open(client, coordinator_token)
    assert client.post(reverse("invitations:accept")).status_code == 302
    assert InstitutionContact.objects.get(email="pat@school.invalid").user == pat


def test_existing_account_signs_in_then_confirms_and_is_linked(client, coordinator, school_a):
    person = f.UserFactory(username="sam", email="Sam@School.invalid")
    invitation, token = services.contact_invitation_create(
        institution=school_a, name="Sam", email="sam@school.invalid", actor=coordinator
    )
    _open(client, token)
    page = client.get(reverse("invitations:accept"))
    assert page.status_code == 200 and b"Sign in" in page.content
    assert f"{reverse('accounts:login')}?next={reverse('invitations:accept')}".encode() in page.content
    assert client.post(reverse("invitations:accept"), ATTACKER).status_code == 409

    assert client.login(username="sam", password=f.PASSWORD)
    confirm = client.get(reverse("invitations:accept"))  # the session kept the invitation across sign-in
    assert confirm.status_code == 200 and b"Add " in confirm.content
    assert InstitutionContact.objects.filter(user=person).count() == 0  # a GET links nothing
    response = client.post(reverse("invitations:accept"))
    assert response.status_code == 302 and response.url == reverse("schools:contact_home")
    assert InstitutionContact.objects.get(user=person).institution == school_a
    assert ContactInvitation.objects.get(pk=invitation.pk).accepted_at is not None


def test_signed_in_user_with_another_email_is_refused(client_for, coordinator, school_a):
    invitation, token = services.contact_invitation_create(
        institution=school_a, name="Sam", email="sam@school.invalid", actor=coordinator
    )
    other = f.UserFactory(username="other", email="other@school.invalid")
    client = client_for(other)
    _open(client, token)
    for method in (client.get, client.post):
        response = method(reverse("invitations:accept"))
        assert response.status_code == 403
        assert b"sam@school.invalid" in response.content and b"Sign out" in response.content
    assert not InstitutionContact.objects.filter(user=other).exists()
    assert ContactInvitation.objects.get(pk=invitation.pk).accepted_at is None
    with pytest.raises(services.SchoolsError):
        services.contact_invitation_link(invitation=invitation, user=other)


def test_linking_asks_a_staff_member_for_their_second_factor_first(client_for, coordinator, school_a, settings):
    settings.REQUIRE_TWO_FACTOR = True
    _, token = services.contact_invitation_create(
        institution=school_a, name="Coord", email=coordinator.email, actor=coordinator
    )
    client = client_for(coordinator)
    _open(client, token)
    response = client.post(reverse("invitations:accept"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:two_factor"))
    assert not InstitutionContact.objects.filter(user=coordinator).exists()


def test_a_new_account_is_still_created_for_an_email_without_one(client, coordinator, school_a):
    _, token = services.contact_invitation_create(
        institution=school_a, name="New Person", email="new@school.invalid", actor=coordinator
    )
    _open(client, token)
    response = client.post(reverse("invitations:accept"), {**ATTACKER, "username": "new.person"})
    assert response.status_code == 302
    user = InstitutionContact.objects.get(email="new@school.invalid").user
    assert user.username == "new.person" and _signed_in_as(client) == str(user.pk)


def test_the_session_never_holds_the_raw_invitation_token(client, coordinator, school_a):
    _, token = services.contact_invitation_create(
        institution=school_a, name="New Person", email="new@school.invalid", actor=coordinator
    )
    _open(client, token)
    stored = dict(client.session.items())
    assert stored and all(token not in str(value) and token not in str(key) for key, value in stored.items())
    assert client.get(reverse("invitations:accept")).status_code == 200
