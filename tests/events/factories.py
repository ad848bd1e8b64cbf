from datetime import date, datetime, time

import factory
from django.utils import timezone

from core.links import new_token_salt, token_hash
from events.models import Event, Invitation
from tests import factories as f


def _at(day, hour):
    return datetime.combine(day, time(hour), timezone.get_default_timezone())


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    force = factory.SubFactory(f.ForceFactory)
    kind = Event.Kind.INFORMATION
    title = factory.Sequence(lambda n: f"Information event {n}")
    starts_at = _at(date(2027, 9, 28), 16)
    ends_at = _at(date(2027, 9, 28), 18)
    venue = "Training centre"
    reply_by = date(2027, 9, 21)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    event = factory.SubFactory(EventFactory)
    kind = Invitation.Kind.COMMUNITY
    name = factory.Sequence(lambda n: f"Community Member{n}")
    email = factory.Sequence(lambda n: f"member{n}@community.invalid")
    token_salt = factory.LazyFunction(new_token_salt)
    token_hash = factory.LazyFunction(lambda: token_hash(new_token_salt()))
