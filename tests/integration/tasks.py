"""Celery tasks that exist only for the integration tests. The test worker imports this module
(``--include``, tests/integration/conftest.py); the tests subscribe them to events."""

from celery import shared_task

from prodcoord.core.sequences import sequence_next


def runs_counter(event_id):
    return f"follow-up-ran-{event_id}"


@shared_task
def count_follow_up_runs_task(event_ids):
    """Deliberately not idempotent: each run adds one to a counter per event, so a second run would show."""
    for event_id in event_ids:
        sequence_next(name=runs_counter(event_id))
