"""A user's scope is kept in the cache until a role changes, and is never another user's (accounts/scoping.py)."""

import threading

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connections, transaction

from accounts.models import User
from accounts.scoping import roles_changed, scope_for
from placements import hooks
from placements.models import ForcePerson, Syndicate
from placements.services import syndicates_copy
from schools.models import InstitutionContact
from tests import factories as f
from tests.partners import factories as pf


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    if request.param == "redis":
        return request.getfixturevalue("redis_cache")
    return None


def fresh(user):
    """The user as the next request loads it: nothing kept on the object."""
    return User.objects.get(pk=user.pk)


def test_the_next_request_works_out_nothing_again(any_cache, coordinator, django_assert_num_queries):
    first = scope_for(fresh(coordinator))
    user = fresh(coordinator)
    with django_assert_num_queries(0):
        assert scope_for(user) == first
    assert first.is_coordinator


def test_each_user_has_their_own(any_cache, coordinator, coordinator_b, contact, lead):
    scopes = {user.username: scope_for(fresh(user)) for user in (coordinator, coordinator_b, contact, lead)}
    again = {user.username: scope_for(fresh(user)) for user in (coordinator, coordinator_b, contact, lead)}
    assert again == scopes
    assert len({scope.user_id for scope in again.values()}) == 4
    assert again["coord-a"].force_ids != again["coord-b"].force_ids
    assert again["contact-a"].institution_ids and not again["contact-a"].force_ids
    assert again["lead-a"].is_lead and not again["lead-a"].is_coordinator


def test_a_coordinator_stood_down_loses_the_force_at_once(any_cache, coordinator):
    assert scope_for(fresh(coordinator)).is_coordinator
    person = ForcePerson.objects.get(user=coordinator)
    person.is_coordinator = False
    person.save()
    assert not scope_for(fresh(coordinator)).is_coordinator


def test_a_person_who_left_loses_every_role(any_cache, coordinator):
    assert scope_for(fresh(coordinator)).force_ids
    ForcePerson.objects.get(user=coordinator).delete()
    assert scope_for(fresh(coordinator)).force_ids == frozenset()


def test_leading_a_syndicate_starts_and_ends_at_once(any_cache, programme_a):
    user = f.UserFactory(username="new-lead")
    person = f.ForcePersonFactory(force=programme_a.force, user=user)
    assert not scope_for(fresh(user)).is_lead
    syndicate = f.SyndicateFactory(programme=programme_a, lead=person)
    assert scope_for(fresh(user)).is_lead
    syndicate.lead = None
    syndicate.save()
    assert not scope_for(fresh(user)).is_lead


def test_a_school_contact_made_inactive_sees_the_school_no_more(any_cache, contact, school_a):
    assert scope_for(fresh(contact)).institution_ids == frozenset([school_a.pk])
    row = InstitutionContact.objects.get(user=contact)
    row.is_active = False
    row.save()
    assert scope_for(fresh(contact)).institution_ids == frozenset()


def test_a_partner_organisation_closed_ends_its_peoples_sign_in(any_cache, force_a):
    user = f.UserFactory(username="partner-a")
    person = pf.PartnerPersonFactory(organisation__force=force_a, user=user)
    assert scope_for(fresh(user)).is_partner
    organisation = person.organisation
    organisation.is_active = False
    organisation.save()
    assert not scope_for(fresh(user)).is_partner


def test_the_national_role_follows_its_permission_through_a_group(any_cache, db):
    user = f.UserFactory(username="national")
    group = Group.objects.create(name="National leads")
    group.permissions.add(Permission.objects.get(codename="national_figures"))
    assert not scope_for(fresh(user)).is_national
    user.groups.add(group)
    assert scope_for(fresh(user)).is_national
    group.permissions.clear()
    assert not scope_for(fresh(user)).is_national


def test_a_superuser_flag_changed_without_a_signal_counts_at_once(any_cache, coordinator):
    assert not scope_for(fresh(coordinator)).is_admin
    User.objects.filter(pk=coordinator.pk).update(is_superuser=True)
    assert scope_for(fresh(coordinator)).is_admin
    User.objects.filter(pk=coordinator.pk).update(is_superuser=False)
    assert not scope_for(fresh(coordinator)).is_admin


def test_a_bulk_update_counts_once_roles_changed_is_called(any_cache, coordinator):
    assert scope_for(fresh(coordinator)).is_coordinator
    ForcePerson.objects.filter(user=coordinator).update(is_coordinator=False)  # no signal
    roles_changed()
    assert not scope_for(fresh(coordinator)).is_coordinator


def test_syndicates_copied_to_a_new_programme_make_their_leads_leads_at_once(any_cache, programme_a):
    """bulk_create sends no signal: the copy calls roles_changed itself."""
    user = f.UserFactory(username="copied-lead")
    person = f.ForcePersonFactory(force=programme_a.force, user=user)
    assert not scope_for(fresh(user)).is_lead
    Syndicate.objects.bulk_create([Syndicate(programme=programme_a, name="Syndicate 9", lead=person)])  # no signal
    target = f.ProgrammeFactory(force=programme_a.force)
    syndicates_copy(hooks.CopyContext(source=programme_a, target=target, shift_days=365))
    assert Syndicate.objects.filter(programme=target, lead=person).exists()
    assert scope_for(fresh(user)).is_lead


def _scope_elsewhere(user):
    try:
        scope_for(fresh(user))  # another request, which sees the roles committed so far and caches them
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_scope_read_by_another_request_before_the_commit_is_not_kept(force_a):
    user = f.UserFactory(username="coordinator-soon")
    person = f.ForcePersonFactory(force=force_a, user=user)
    for coordinates in (True, False, True):
        with transaction.atomic():
            person.is_coordinator = coordinates
            person.save()
            other = threading.Thread(target=_scope_elsewhere, args=(user,))
            other.start()
            other.join()
        assert scope_for(fresh(user)).is_coordinator is coordinates
