import logging

from celery import shared_task
from django.utils import timezone

from .services import retention_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=1800, time_limit=1900)
def retention_daily():
    """Beat job: erase the personal data whose retention period is over (idempotent: due rows only)."""
    result = retention_run(today=timezone.localdate())
    logger.info("Retention run: %s", result)
    return result
