"""The demo's messages to an audience: the coordinator's briefing to the running week's syndicate leads (sent,
through the outbox), and the same wording saved as one of the force's templates. Idempotent: a force that
has a message already gets nothing new."""

from django.contrib.auth import get_user_model

from placements.models import Programme

from .audiences import AUDIENCES
from .messages import audience_message_send, message_template_save
from .models import AudienceMessage

SUBJECT = "{programme_title}: briefing for syndicate leads"
BODY = (
    "Dear {recipient_name},\n\n"
    "Thank you for leading {syndicate_name} on {programme_title} ({programme_dates}).\n\n"
    "The leads' briefing is at 08:15 on the first day in the main conference room, before the students arrive "
    "at 09:00. Bring your warrant card or staff pass; lanyards and the syndicate folders will be there.\n\n"
    "Your syndicate's register and timetable are on your start page when you sign in. Please take the register "
    "by 09:30 each morning.\n\n"
    "{force_name} work-experience team"
)


def seed(*, force, story):
    if AudienceMessage.objects.filter(force=force).exists():
        return []
    week = Programme.objects.filter(force=force, title=story.running.title).first()
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    if week is None or coordinator is None:
        return []
    message_template_save(force=force, name="Leads' briefing", subject=SUBJECT, body=BODY, actor=coordinator)
    audience_message_send(
        force=force, audience=AUDIENCES["leads"], programme=week, subject=SUBJECT, body=BODY, actor=coordinator
    )
    return []
