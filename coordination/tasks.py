"""Thin tasks: each takes ids, calls a service, and can run twice with the same result."""

from celery import shared_task

from .services import (
    action_item_digest_send,
    action_item_digests_build,
    action_items_notify_owner,
    shift_handovers_notify_incoming,
)


@shared_task(soft_time_limit=120, time_limit=180)
def action_items_notify_owner_task(event_ids):
    """Queued by the items' own transaction (``hooks.subscribe_task``): tell each owner."""
    return len(action_items_notify_owner(event_ids=event_ids))


@shared_task(soft_time_limit=120, time_limit=180)
def action_items_digest_task():
    """Periodic, hourly: once the plant clock reaches ACTION_ITEMS_DIGEST_HOUR, each owner's daily digest."""
    return len(action_item_digests_build())


@shared_task(soft_time_limit=60, time_limit=90)
def action_item_digest_send_task(digest_id):
    """Queued with the digest: its e-mail, sent once."""
    return action_item_digest_send(digest_id=digest_id)


@shared_task(soft_time_limit=120, time_limit=180)
def shift_handovers_notify_incoming_task(event_ids):
    """Queued by the submission's own transaction: tell the incoming shift's coordinators."""
    return len(shift_handovers_notify_incoming(event_ids=event_ids))
