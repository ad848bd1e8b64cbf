from datetime import UTC, datetime, time

import factory

from communications.models import (
    AudienceMessage,
    CalendarEvent,
    JoiningInstructions,
    JoiningLink,
    MessageRecipient,
    MessageTemplate,
    StaffBriefing,
    TextConsent,
)
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


class StaffBriefingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffBriefing

    programme = factory.SubFactory(f.ProgrammeFactory)
    audience = StaffBriefing.Audience.LEAD
    syndicate = factory.SubFactory(f.SyndicateFactory, programme=factory.SelfAttribute("..programme"))
    version = "0" * 64
    told_at = datetime(2027, 6, 1, 9, tzinfo=UTC)
    told_to = "lead@police.invalid"


class TextConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TextConsent

    placement = factory.SubFactory(f.PlacementFactory)
    who = TextConsent.Who.GUARDIAN
    phone = "+447700900123"
    wording = TextConsent.WORDING
    given_at = datetime(2027, 6, 1, 9, tzinfo=UTC)


class MessageTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageTemplate

    force = factory.SubFactory(f.ForceFactory)
    name = factory.Sequence(lambda n: f"Template {n}")
    subject = "News about {programme_title}"
    body = "Dear {recipient_name},\n\nNews."


class AudienceMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AudienceMessage

    force = factory.SubFactory(f.ForceFactory)
    programme = factory.SubFactory(f.ProgrammeFactory, force=factory.SelfAttribute("..force"))
    audience = "families"
    audience_label = "Parents or guardians of confirmed students"
    subject = "News"
    body = "Dear {recipient_name}"
    recipient_count = 1


class MessageRecipientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageRecipient

    message = factory.SubFactory(AudienceMessageFactory)
    kind = MessageRecipient.Kind.GUARDIAN
    person_name = "A Parent"
    address = factory.Sequence(lambda n: f"parent{n}@family.invalid")
    key = factory.LazyAttribute(lambda o: f"guardian:{o.address}:")
