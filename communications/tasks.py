from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def joining_daily():
    """Beat (daily): joining instructions to students confirmed since the send, and the reminder the working
    day before the week. Idempotent: each email has one dedupe key, so a second run sends nothing."""
    return services.joining_daily()


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def audience_message_send_batch(message_id):
    """Queue the next batch of a message's emails in the outbox, then the batch after it, until none wait.

    Idempotent: each recipient is queued once (their own outbox key), so a batch run twice, or resumed
    after a worker died mid-batch, queues only those still waiting."""
    from core.tasks import enqueue

    from . import messages

    remaining = messages.audience_message_batch(message_id=message_id)
    if remaining:
        enqueue(audience_message_send_batch, message_id)
    return remaining


@shared_task(acks_late=True, soft_time_limit=60, time_limit=120)
def audience_messages_resume(after_seconds=300):
    """Beat: start again the batches of any message that no batch has moved on for `after_seconds` (its chain
    stopped with a worker that died)."""
    from datetime import timedelta

    from core.tasks import enqueue

    from . import messages

    stalled = messages.audience_messages_stalled(after=timedelta(seconds=after_seconds))
    for message_id in stalled:
        enqueue(audience_message_send_batch, message_id)
    return len(stalled)
