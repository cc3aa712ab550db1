"""Celery tasks that exist only for the outbox tests. Deliberately not idempotent: each run adds one to a
named counter (a ``NumberSequence``), so a second run of the same message would show."""

from celery import shared_task

from prodcoord.core.models import NumberSequence
from prodcoord.core.sequences import sequence_next


def runs(name):
    """How many times the tasks below ran for ``name`` (and committed)."""
    return NumberSequence.objects.filter(name=name).values_list("last_value", flat=True).first() or 0


@shared_task
def count_run_task(name):
    sequence_next(name=name)


@shared_task
def count_run_then_fail_task(name):
    sequence_next(name=name)  # rolled back with the failure
    raise RuntimeError("The mail server said no.")


@shared_task
def count_events_task(event_ids):
    """A task subscribed to events (``hooks.subscribe_task``): one run counted per event."""
    for event_id in event_ids:
        sequence_next(name=f"event-{event_id}")
