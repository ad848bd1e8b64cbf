"""Factories for the intake models added by the schools app."""

import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from schools.models import ConsentLink, ContactInvitation
from tests import factories as f


class ConsentLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentLink

    consent = factory.SubFactory(f.ConsentFactory)
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"consent-{n}".encode()).hexdigest())
    sent_to = "guardian@family.invalid"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))


class ContactInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactInvitation

    institution = factory.SubFactory(f.InstitutionFactory)
    name = factory.Sequence(lambda n: f"Invited Teacher{n}")
    email = factory.Sequence(lambda n: f"invitee{n}@school.invalid")
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"invite-{n}".encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
