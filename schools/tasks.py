from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_consent_reminders():
    """Beat job (daily): remind guardians who have not answered after 3 days, at most twice."""
    return services.consent_reminders_send()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def expire_offers():
    """Beat job (daily): offers not answered by their deadline lapse and the place moves on."""
    return services.offers_expire()
