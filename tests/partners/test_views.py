"""The coordinator's partner organisations and people, roles on a programme, and a partner's sign-in."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.scoping import scope_for
from core.models import OutboundEmail
from partners.models import Organisation, PartnerInvitation, PartnerPerson, ProgrammePartner
from partners.services import partner_invitation_create
from tests.partners.factories import OrganisationFactory, PartnerPersonFactory


def test_a_coordinator_adds_an_organisation_and_its_people(client_for, coordinator, force_a):
    client = client_for(coordinator)
    response = client.post(
        reverse("partners:organisation_create"),
        {"name": "  Shire   County Council ", "kind": "council", "is_active": "on"},
    )
    organisation = Organisation.objects.get()
    assert response.status_code == 302 and organisation.name == "Shire County Council" and organisation.force == force_a
    duplicate = client.post(
        reverse("partners:organisation_create"), {"name": "Shire County Council", "kind": "council"}
    )
    assert duplicate.status_code == 400 and "already one of your partners" in duplicate.content.decode()
    url = reverse("partners:person_create", args=[organisation.pk])
    bad = client.post(url, {"name": "Helen Price", "email": "not an email", "phone": "call me", "is_active": "on"})
    assert bad.status_code == 400 and not PartnerPerson.objects.exists()
    good = client.post(url, {"name": "Helen Price", "role": "Coordinator", "email": "h@c.invalid", "is_active": "on"})
    assert good.status_code == 302
    assert PartnerPerson.objects.get().organisation == organisation


def test_another_forces_coordinator_gets_404(client_for, coordinator_b, council, partner_person):
    client = client_for(coordinator_b)
    for url in (
        reverse("partners:organisation_edit", args=[council.pk]),
        reverse("partners:person_create", args=[council.pk]),
        reverse("partners:person_edit", args=[partner_person.pk]),
        reverse("partners:person_invite", args=[partner_person.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Taken over", "kind": "other", "confirm": "1"}).status_code == 404, url
    council.refresh_from_db()
    assert council.name == "Shire County Council"
    assert not PartnerInvitation.objects.exists()


def test_a_role_on_a_programme_only_with_the_forces_own_organisation(client_for, coordinator, programme_a, force_b):
    client = client_for(coordinator)
    url = reverse("partners:programme", args=[programme_a.pk])
    theirs = OrganisationFactory(force=force_b)
    assert client.post(url, {"role-organisation": theirs.pk, "role-role": "venue"}).status_code == 400
    ours = OrganisationFactory(force=programme_a.force, name="Shire University")
    assert client.post(url, {"role-organisation": ours.pk, "role-role": "venue"}).status_code == 302
    again = client.post(url, {"role-organisation": ours.pk, "role-role": "venue"})
    assert again.status_code == 409 and "already the venue provider" in again.content.decode()
    assert ProgrammePartner.objects.filter(programme=programme_a).count() == 1


def test_the_organisations_list_costs_the_same_queries_however_many(client_for, coordinator, force_a):
    client = client_for(coordinator)
    OrganisationFactory(force=force_a)
    client.get(reverse("partners:organisations"))
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("partners:organisations")).status_code == 200
    few = len(few)  # now: the next request empties the log it is read from
    for _ in range(5):
        PartnerPersonFactory(organisation=OrganisationFactory(force=force_a))
    client.get(
        reverse("partners:organisations")
    )  # warm: the growth above changed roles, so the user's cached scope is worked out once more
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("partners:organisations")).status_code == 200
    assert len(many) == few


def test_a_partner_person_gets_a_sign_in_from_an_emailed_link(client, coordinator, partner_person, programme_a):
    invitation, token = partner_invitation_create(person=partner_person, actor=coordinator)
    email = OutboundEmail.objects.get(kind="partner_invitation")
    assert token not in email.body_text and invitation.token_hash not in email.body_text
    assert "You will not see any student's details" in email.body_text
    assert client.get(reverse("partners:invitation_open", args=[token])).status_code == 302
    response = client.post(
        reverse("partners:invitation_accept"),
        {"username": "helen.price", "password1": "a long unusual phrase 42", "password2": "a long unusual phrase 42"},
    )
    assert response.status_code == 302
    partner_person.refresh_from_db()
    assert partner_person.user is not None
    scope = scope_for(type(partner_person.user).objects.get(pk=partner_person.user_id))
    assert scope.roles == ["partner"] and not scope.is_coordinator
    # The link works once.
    client.logout()
    assert client.get(reverse("partners:invitation_open", args=[token])).status_code == 302
    assert client.get(reverse("partners:invitation_accept")).status_code == 410


def test_an_account_with_another_role_cannot_become_a_partner(client, coordinator, partner_person, lead):
    partner_person.email = lead.email
    partner_person.save()
    _, token = partner_invitation_create(person=partner_person, actor=coordinator)
    client.force_login(lead)
    client.get(reverse("partners:invitation_open", args=[token]))
    response = client.post(reverse("partners:invitation_accept"))
    assert response.status_code == 409
    partner_person.refresh_from_db()
    assert partner_person.user is None


def test_a_partner_made_inactive_loses_the_partner_pages(client_for, partner, partner_person):
    assert client_for(partner).get(reverse("partners:partner_home")).status_code == 200
    partner_person.is_active = False
    partner_person.save()
    assert client_for(type(partner).objects.get(pk=partner.pk)).get(reverse("partners:partner_home")).status_code == 403


def test_the_programme_page_links_to_partners_in_plain_words(client_for, coordinator, programme_a):
    page = client_for(coordinator).get(reverse("placements:programme_detail", args=[programme_a.pk])).content.decode()
    assert "Partners and documents" in page
    assert reverse("partners:programme", args=[programme_a.pk]) in page
    assert reverse("partners:organisations") in page  # the menu
