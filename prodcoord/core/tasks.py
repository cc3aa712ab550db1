import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import IdempotencyKey


@shared_task(soft_time_limit=120, time_limit=180)
def idempotency_keys_purge_task():
    """Periodic: forget Idempotency-Keys older than the configured TTL. Idempotent."""
    cutoff = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
