"""Each programme's awards ceremony, written until now on its joining instructions, becomes an event.

The joining instructions keep their ceremony fields (nothing is lost if this is reversed), but from now on
the joining emails, pages and calendars read the ceremony from the event. The event starts at the SEQUENCE
the joining calendars had reached for the ceremony, and keeps their UID, so calendars that already hold it
update it instead of adding a second one.
"""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone


def ceremonies_to_events(apps, schema_editor):
    JoiningInstructions = apps.get_model("communications", "JoiningInstructions")
    CalendarEvent = apps.get_model("communications", "CalendarEvent")
    Event = apps.get_model("events", "Event")
    for instructions in JoiningInstructions.objects.filter(ceremony_starts_at__isnull=False).select_related(
        "programme"
    ):
        programme = instructions.programme
        if Event.objects.filter(programme=programme, kind="ceremony").exists():
            continue
        stored = CalendarEvent.objects.filter(programme=programme, key="ceremony").first()
        day = timezone.localtime(instructions.ceremony_starts_at).date()
        Event.objects.create(
            force_id=programme.force_id,
            programme=programme,
            kind="ceremony",
            title=f"Awards ceremony: {programme.title}",
            starts_at=instructions.ceremony_starts_at,
            ends_at=instructions.ceremony_ends_at,
            venue=instructions.ceremony_venue or "To be confirmed",
            reply_by=day - timedelta(days=7),
            guests_allowed=2,
            sequence=stored.sequence if stored else 0,
            created_by_id=instructions.updated_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_events_and_invitations"),
        ("communications", "0001_initial"),
    ]

    operations = [migrations.RunPython(ceremonies_to_events, migrations.RunPython.noop)]
