from celery import shared_task

from .services import attainment_refresh, morning_brief_email_send, morning_brief_scheduled


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def attainment_refresh_task(self):
    """Periodic: snapshots for the shifts that just ended, and again for past shifts that a late
    report, a reversal or a schedule change touched since the last run. Idempotent."""
    return attainment_refresh()


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3, soft_time_limit=240, time_limit=300)
def morning_brief_scheduled_task(self):
    """Periodic (every 10 minutes): from the configured hour, this morning's brief is generated and
    sent, once a morning. Idempotent: a morning already sent is left alone."""
    brief = morning_brief_scheduled()
    return brief.date.isoformat() if brief is not None else None


@shared_task(soft_time_limit=60, time_limit=90)
def morning_brief_email_task(delivery_id):
    """Queued in the outbox with the delivery: the brief's e-mail to one person, sent once."""
    return morning_brief_email_send(delivery_id=delivery_id)
