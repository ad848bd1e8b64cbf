from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def event_reminders_daily():
    """Beat (daily): one reminder to each invitee who has not replied, a few days before the reply-by date, and
    community members' names and emails blanked 90 days after their event. Idempotent: each reminder has one
    dedupe key per invitee, so a second run sends nothing."""
    reminded = services.reminders_daily()
    return {"reminders": reminded, "community_erased": services.community_invitees_erase()}
