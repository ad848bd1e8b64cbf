import logging

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Programme

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def attendance_check_missing():
    """Beat job: after the cut-off on a programme day, alert coordinators about students not marked present.

    Idempotent: the alert for a programme and day has one dedupe key, so later runs send nothing new.
    """
    now = timezone.localtime()
    if now.time() < services.attendance_cutoff():
        return 0
    today = now.date()
    programmes = Programme.objects.active().filter(start_date__lte=today, end_date__gte=today).select_related("force")
    sent = 0
    for programme in programmes:
        if today in programme.days:
            sent += services.attendance_alert(programme=programme, day=today)
    return sent


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def lead_vetting_warnings():
    """Beat job (daily): warn coordinators 60, 30 and 7 days before a syndicate lead's vetting expires."""
    return services.lead_vetting_warn(today=timezone.localdate())


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def programme_statuses_refresh():
    """Beat job (daily, just after midnight): each programme's status follows its dates and offers.

    Idempotent: a second run on the same day changes nothing.
    """
    return services.programme_statuses_refresh(today=timezone.localdate())
