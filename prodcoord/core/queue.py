"""Queue follow-up work after the current transaction commits.

If the broker is unreachable the change that was just committed still stands:
the failure is logged and the periodic run picks the work up. Nothing a user
saved is lost because Redis was down.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _send(task, args, kwargs):
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # broker down or misconfigured: never fail the user's request
        logger.warning("Could not queue %s%s; the periodic run will pick it up.", task.name, args, exc_info=True)


def enqueue_on_commit(task, *args, **kwargs):
    transaction.on_commit(lambda: _send(task, args, kwargs))
