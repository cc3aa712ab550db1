from celery import shared_task

from .services import attainment_refresh


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def attainment_refresh_task(self):
    """Periodic: snapshots for the shifts that just ended, and again for past shifts that a late
    report, a reversal or a schedule change touched since the last run. Idempotent."""
    return attainment_refresh()
