"""Contact invitations: single use, 7 days, token out of the URL, colleagues at the same institution."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import scope_for
from core.links import links_resolve, token_hash
from core.models import OutboundEmail
from schools import services
from schools.models import ContactInvitation, InstitutionContact

PASSWORD = "a-long-enough-passphrase-42"


def _token():
    body = links_resolve(OutboundEmail.objects.filter(kind="contact_invitation").latest("created_at").body_text)
    return re.search(r"/invitations/([A-Za-z0-9_\-]+)/", body).group(1)


def _accept(client, token, username="new.contact"):
    client.get(reverse("invitations:open", args=[token]))
    return client.post(
        reverse("invitations:accept"), {"username": username, "password1": PASSWORD, "password2": PASSWORD}
    )


def test_coordinator_invites_and_the_contact_sets_a_password(
    client_for, coordinator, open_programme, allocation_a, client
):
    response = client_for(coordinator).post(
        reverse("schools:contact_invite", args=[open_programme.pk]),
        {"institution": allocation_a.institution.pk, "name": "Nia Head", "email": "nia@school.invalid"},
    )
    assert response.status_code == 302
    invitation = ContactInvitation.objects.get()
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    token = _token()
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash

    client.logout()
    opened = client.get(reverse("invitations:open", args=[token]))
    assert opened.status_code == 302 and opened.url == reverse("invitations:accept") and token not in opened.url
    response = client.post(
        reverse("invitations:accept"), {"username": "nia", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response.url == reverse("schools:contact_home")
    contact = InstitutionContact.objects.get(email="nia@school.invalid")
    assert contact.user.username == "nia" and contact.user.check_password(PASSWORD)
    assert scope_for(contact.user).institution_ids == {allocation_a.institution.pk}
    assert client.get(reverse("schools:contact_home")).status_code == 200  # logged in


def test_invitation_works_once(client, coordinator, school_a):
    services.contact_invitation_create(institution=school_a, name="A", email="a@school.invalid", actor=coordinator)
    token = _token()
    assert _accept(client, token).status_code == 302
    client.logout()
    response = _accept(client, token, username="second")
    assert response.status_code == 410
    assert b"already been used" in response.content


def test_expired_invitation_is_410(client, coordinator, school_a):
    services.contact_invitation_create(institution=school_a, name="A", email="a@school.invalid", actor=coordinator)
    token = _token()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = _accept(client, token)
    assert response.status_code == 410
    assert b"expired" in response.content
    assert not InstitutionContact.objects.filter(email="a@school.invalid").exists()


def test_tampered_invitation_is_404(client, coordinator, school_a):
    services.contact_invitation_create(institution=school_a, name="A", email="a@school.invalid", actor=coordinator)
    response = _accept(client, _token()[:-3] + "abc")
    assert response.status_code == 404


def test_weak_or_mismatched_password_is_a_form_error(client, coordinator, school_a):
    services.contact_invitation_create(institution=school_a, name="A", email="a@school.invalid", actor=coordinator)
    client.get(reverse("invitations:open", args=[_token()]))
    response = client.post(reverse("invitations:accept"), {"username": "x", "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert b"too short" in response.content
    response = client.post(
        reverse("invitations:accept"), {"username": "x", "password1": PASSWORD, "password2": PASSWORD + "!"}
    )
    assert response.status_code == 400 and b"differ" in response.content
    assert ContactInvitation.objects.get().accepted_at is None


def test_taken_username_is_a_form_error(client, coordinator, school_a):
    services.contact_invitation_create(institution=school_a, name="A", email="a@school.invalid", actor=coordinator)
    response = _accept(client, _token(), username=coordinator.username)
    assert response.status_code == 400
    assert b"username is taken" in response.content


def test_contact_invites_a_colleague_at_their_own_institution(client_for, contact, school_a, client):
    response = client_for(contact).post(
        reverse("schools:colleague_invite"), {"name": "Col League", "email": "col@school.invalid"}
    )
    assert response.status_code == 302
    invitation = ContactInvitation.objects.get()
    assert invitation.institution == school_a and invitation.invited_by == contact
    client.logout()
    _accept(client, _token(), username="colleague")
    assert InstitutionContact.objects.get(email="col@school.invalid").institution == school_a


def test_contact_cannot_invite_into_another_institution(client_for, contact, school_b):
    response = client_for(contact).post(
        reverse("schools:colleague_invite"), {"name": "X", "email": "x@school.invalid", "institution": school_b.pk}
    )
    assert response.status_code == 302
    assert ContactInvitation.objects.get().institution != school_b


def test_invitation_pages_without_token_are_a_clear_404(client, db):
    response = client.get(reverse("invitations:accept"))
    assert response.status_code == 404
    assert b"not valid" in response.content


@pytest.mark.parametrize("existing_user", [False, True])
def test_inviting_someone_who_already_has_an_account_is_refused(coordinator, contact, school_a, existing_user):
    email = contact.email if existing_user else "fresh@school.invalid"
    if existing_user:
        with pytest.raises(services.SchoolsError):
            services.contact_invitation_create(institution=school_a, name="A", email=email.upper(), actor=coordinator)
    else:
        services.contact_invitation_create(institution=school_a, name="A", email=email, actor=coordinator)
        assert ContactInvitation.objects.count() == 1


def test_an_invitation_sent_from_a_programme_names_it_its_dates_the_quota_and_what_to_do_by_when(
    client_for, coordinator, school_a, programme_a
):
    from core.models import OutboundEmail
    from tests import factories as f

    f.AllocationFactory(programme=programme_a, institution=school_a, quota=3)
    client_for(coordinator).post(
        f"/schools/programmes/{programme_a.pk}/invite/",
        {"institution": school_a.pk, "name": "Dana", "email": "dana@school.invalid"},
    )
    email = OutboundEmail.objects.get(kind="contact_invitation", to="dana@school.invalid")
    text = email.body_text
    assert programme_a.title in text
    assert f"{programme_a.start_date:%-d %B %Y}" in text
    assert f"{school_a.name} may nominate up to 3 students" in text
    assert f"until {programme_a.nomination_closes:%A %-d %B %Y}" in text
    assert "What to do by" in text
    assert programme_a.title in email.body_html
