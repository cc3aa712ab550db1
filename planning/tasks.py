from celery import shared_task

from .shortages import shortages_mark, shortages_net, shortages_net_marked


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def shortages_net_task(self):
    """Periodic: net the whole plant (the date rolling over moves need dates into the escalation
    horizon; anything a debounced run missed is caught). Idempotent."""
    return shortages_net()


@shared_task
def shortages_mark_task(event_ids):
    """After a stock move, an expected receipt's change, a work order's or a BOM's: mark the items they
    touch and queue the debounced run (through the outbox, in the change's own transaction)."""
    return shortages_mark(event_ids=event_ids)


@shared_task
def shortages_net_marked_task():
    """The debounced run over the marked items. Idempotent."""
    return shortages_net_marked()
