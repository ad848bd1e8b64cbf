from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def mentoring_daily():
    """Beat job, daily: end lapsed mentoring, send reminders owed. Idempotent: a second run sends nothing."""
    return services.mentoring_daily()
