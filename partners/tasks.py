from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def action_reminders():
    """Beat job (daily): email the owner of each open action or milestone that falls due, once per due date.

    Idempotent: each action records the due date it was reminded of, under a row lock, and the email has
    one dedupe key per action and due date; a second run (or a second worker) sends nothing new.
    """
    return services.action_reminders(today=timezone.localdate())
