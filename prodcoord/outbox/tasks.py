from celery import shared_task

from .relay import relay_pending
from .services import outbox_message_run, outbox_messages_purge


@shared_task(soft_time_limit=240, time_limit=300)
def outbox_deliver_task(message_id):
    """Run one outbox message's task, once: a message already done is skipped. A failure is recorded on the
    message (retried by the relay after a backoff), not raised: the outbox, not Celery, retries."""
    return outbox_message_run(message_id=message_id)


@shared_task(soft_time_limit=120, time_limit=180)
def outbox_relay_task():
    """Periodic: hand over every outbox message still due (the broker was down, a retry is due, a lease ran out)."""
    return relay_pending()


@shared_task(soft_time_limit=120, time_limit=180)
def outbox_messages_purge_task():
    """Periodic: forget done outbox messages older than OUTBOX_KEEP_DONE_DAYS. Idempotent."""
    return outbox_messages_purge()
