import logging
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from . import services
from .models import OutboundEmail, OutboundSms

logger = logging.getLogger(__name__)


def enqueue(task, *args, **kwargs):
    """Send a task to the broker without ever failing the caller's request.

    If Redis is down or hangs (the broker timeouts in settings bound the wait), the work is not
    lost: every task enqueued this way has a beat job that sweeps up rows still waiting.
    """
    try:
        return task.apply_async(args=args, kwargs=kwargs)
    except Exception as exc:  # noqa: BLE001 - broker errors vary by transport
        logger.warning("Could not enqueue %s%s: %s; the periodic sweep will pick it up.", task.name, args, exc)
        return None


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def send_email(email_id):
    return services.outbound_email_send(email_id=email_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_pending_emails():
    """Beat job: send outbox emails whose own task never ran (broker down, worker killed)."""
    cutoff = timezone.now() - timedelta(seconds=30)
    pending = OutboundEmail.objects.pending().filter(created_at__lte=cutoff).values_list("pk", flat=True)[:500]
    sent = sum(1 for pk in list(pending) if services.outbound_email_send(email_id=pk))
    return sent


@shared_task(acks_late=True, soft_time_limit=30, time_limit=60)
def send_sms(sms_id):
    return services.outbound_sms_send(sms_id=sms_id)


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_pending_sms():
    """Beat job: send outbox texts whose own task never ran (broker down, worker killed)."""
    cutoff = timezone.now() - timedelta(seconds=30)
    pending = OutboundSms.objects.pending().filter(created_at__lte=cutoff).values_list("pk", flat=True)[:500]
    return sum(1 for pk in list(pending) if services.outbound_sms_send(sms_id=pk))


@shared_task(soft_time_limit=5, time_limit=10, ignore_result=False)
def ping():
    """Round trip for /health/: proves a worker is consuming and can reach the database."""
    return OutboundEmail.objects.exists() or True
