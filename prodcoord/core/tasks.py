from celery import shared_task

from .idempotency import idempotency_keys_purge


@shared_task(soft_time_limit=120, time_limit=180)
def idempotency_keys_purge_task():
    """Periodic: forget Idempotency-Keys older than the configured TTL. Idempotent."""
    return idempotency_keys_purge()
