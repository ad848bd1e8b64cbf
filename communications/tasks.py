from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def joining_daily():
    """Beat (daily): joining instructions to students confirmed since the send, and the reminder the working
    day before the week. Idempotent: each email has one dedupe key, so a second run sends nothing."""
    return services.joining_daily()
