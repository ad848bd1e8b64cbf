"""Factories for the week-planning models (the shared ones live in tests/factories.py)."""

import hashlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from placements.models import DepartmentUnavailability, ForcePersonInvitation, PlanningHours, SpendEntry
from tests import factories as f


class DepartmentUnavailabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DepartmentUnavailability

    department = factory.SubFactory(f.DepartmentFactory)
    starts_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.combine(date(2027, 7, 12), time(9))))
    ends_at = factory.LazyFunction(lambda: timezone.make_aware(datetime.combine(date(2027, 7, 12), time(13))))
    reason = "Operation"


class SpendEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendEntry

    budget_line = factory.SubFactory(f.BudgetLineFactory)
    date = date(2027, 7, 12)
    amount = Decimal("42.50")
    note = "Minibus"


class PlanningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanningHours

    programme = factory.SubFactory(f.ProgrammeFactory)
    department = factory.SubFactory(f.DepartmentFactory, force=factory.SelfAttribute("..programme.force"))
    hours = Decimal("6.0")


class ForcePersonInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForcePersonInvitation

    person = factory.SubFactory(f.ForcePersonFactory)
    email = factory.SelfAttribute("person.email")
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"person-invite-{n}".encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
