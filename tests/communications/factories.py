from datetime import time

import factory

from communications.models import CalendarEvent, JoiningInstructions, JoiningLink
from core.links import new_token_salt, token_hash
from tests import factories as f


class JoiningInstructionsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoiningInstructions

    programme = factory.SubFactory(f.ProgrammeFactory)
    venue_name = "Headquarters"
    venue_address = "1 Station Road"
    day_starts = time(9, 0)
    day_ends = time(16, 0)
    what_to_wear = "Smart clothes"
    what_to_bring = "Water"
    food = "Lunch provided"
    ill_or_late = "Phone us"
    contact_phone = "01234 567890"
    photo_rules = "No photos"


class JoiningLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoiningLink

    placement = factory.SubFactory(f.PlacementFactory)
    token_salt = factory.LazyFunction(new_token_salt)
    token_hash = factory.LazyFunction(lambda: token_hash(new_token_salt()))


class CalendarEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarEvent

    programme = factory.SubFactory(f.ProgrammeFactory)
    key = factory.Sequence(lambda n: f"session-{n}")
    fingerprint = "0" * 64
