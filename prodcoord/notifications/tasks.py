"""Thin tasks: each takes ids, calls a service, and can run twice with the same result."""

from celery import shared_task

from .services import digest_send, digests_build, notification_email_send, notifications_fan_out


@shared_task(soft_time_limit=120, time_limit=180)
def notifications_fan_out_task(event_ids):
    """Queued by the events' own transaction (``hooks.subscribe_task``): notify their followers."""
    return len(notifications_fan_out(event_ids=event_ids))


@shared_task(soft_time_limit=60, time_limit=90)
def notification_email_task(notification_id):
    """Queued with the notification: its e-mail, sent once."""
    return notification_email_send(notification_id=notification_id)


@shared_task(soft_time_limit=120, time_limit=180)
def notifications_digest_task():
    """Periodic, hourly: gather the hour's digests (each sent by ``digest_send_task`` through the outbox)."""
    return len(digests_build())


@shared_task(soft_time_limit=60, time_limit=90)
def digest_send_task(digest_id):
    """Queued with the digest: its e-mail, sent once."""
    return digest_send(digest_id=digest_id)
