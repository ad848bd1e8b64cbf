import pytest

from tests import factories as f
from tests.partners.factories import OrganisationFactory, PartnerPersonFactory, ProgrammePartnerFactory


@pytest.fixture
def council(force_a):
    return OrganisationFactory(force=force_a, name="Shire County Council", kind="council")


@pytest.fixture
def partner_person(council):
    return PartnerPersonFactory(organisation=council, name="Helen Price", email="helen@council.invalid")


@pytest.fixture
def partner(partner_person, programme_a):
    """A partner person with a sign-in, whose organisation selects schools for programme A."""
    user = f.UserFactory(username="partner-a", email=partner_person.email)
    partner_person.user = user
    partner_person.save()
    ProgrammePartnerFactory(programme=programme_a, organisation=partner_person.organisation, role="school_selection")
    return user


@pytest.fixture
def partner_without_role(force_a):
    """A partner person of force A whose organisation has no role on any programme."""
    person = PartnerPersonFactory(organisation=OrganisationFactory(force=force_a, name="Idle Trust"))
    person.user = f.UserFactory(username="partner-idle", email=person.email)
    person.save()
    return person.user
