"""The one hook through which recorded events reach the rest of the system.

When a transaction that recorded events commits, every subscriber is called
with the list of those events (saved ``Event`` rows, each with ``.scope``, the
``(department_id, work_center_id)`` pairs it concerns), in the order they were
recorded. Nothing is dispatched for a transaction that rolls back.

    from prodcoord.events import hooks

    def on_events(events):
        ...

    hooks.subscribe(on_events, verbs={"hold.placed", "hold.released"})  # in an AppConfig.ready()

A subscriber runs in the process that made the change, right after the
commit, so it must be quick and must not fail the request. A subscriber that
raises is logged and the others still run; one that never ran (the process
died after the commit) is not called again.

Anything slow, or that must not be lost (an e-mail, a notification, a webhook,
a recomputation), subscribes a Celery task instead:

    hooks.subscribe_task("myapp.tasks.hold_notify_task", verbs={"hold.placed"})

Then each transaction that records matching events also writes an outbox
message, in that same transaction, to run the task with
``event_ids=[…]`` — delivered at least once, even when the broker was down
(``prodcoord/outbox``). The task must be idempotent.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from prodcoord.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    handler: object  # a callable; for a task subscription, the task's name
    verbs: frozenset | None  # None: every verb
    prefixes: tuple  # verb prefixes, e.g. ("hold.",)

    def wants(self, verb):
        if self.verbs is None and not self.prefixes:
            return True
        return (self.verbs is not None and verb in self.verbs) or verb.startswith(self.prefixes)


_subscriptions: list[Subscription] = []
_task_subscriptions: list[Subscription] = []


def _subscription(handler, verbs, prefixes):
    return Subscription(handler=handler, verbs=frozenset(verbs) if verbs is not None else None, prefixes=tuple(prefixes))


def subscribe(handler, *, verbs=None, prefixes=()):
    """Call ``handler(events)`` after each commit that recorded events; only those whose
    verb is in ``verbs`` or starts with one of ``prefixes``, when either is given.
    Subscribing the same handler again replaces its filter. Returns the handler."""
    unsubscribe(handler)
    _subscriptions.append(_subscription(handler, verbs, prefixes))
    return handler


def unsubscribe(handler):
    _subscriptions[:] = [s for s in _subscriptions if s.handler is not handler]


def subscribers():
    return [s.handler for s in _subscriptions]


def subscribe_task(task, *, verbs=None, prefixes=()):
    """Run the Celery task named ``task`` with ``event_ids=[…]`` — the matching events, filtered as for
    ``subscribe`` — for each transaction that records some, through the outbox: the message is written
    in that transaction. Subscribing the same task again replaces its filter. Returns the name."""
    name = getattr(task, "name", task)
    unsubscribe_task(name)
    _task_subscriptions.append(_subscription(name, verbs, prefixes))
    return name


def unsubscribe_task(task):
    name = getattr(task, "name", task)
    _task_subscriptions[:] = [s for s in _task_subscriptions if s.handler != name]


@contextmanager
def tasks_paused(*tasks):
    """Queue nothing for these tasks inside the block: for a bulk load that does their work once at
    its end (the demo plant nets shortages once, not after each of its thousands of changes)."""
    names = {getattr(task, "name", task) for task in tasks}
    paused = [s for s in _task_subscriptions if s.handler in names]
    _task_subscriptions[:] = [s for s in _task_subscriptions if s.handler not in names]
    try:
        yield
    finally:
        _task_subscriptions.extend(s for s in paused if s.handler not in task_subscribers())


def task_subscribers():
    return [s.handler for s in _task_subscriptions]


def queue_tasks(events):
    """In the transaction that records ``events`` (saved, with ids): one outbox message per subscribed
    task that wants some of them, all in one insert."""
    messages = []
    for subscription in list(_task_subscriptions):
        wanted = [event.pk for event in events if subscription.wants(event.verb)]
        if wanted:
            messages.append({"task": subscription.handler, "kwargs": {"event_ids": wanted}})
    if messages:
        outbox_enqueue(messages=messages)


def dispatch(events):
    """Hand committed events to each subscriber that wants some of them."""
    for subscription in list(_subscriptions):
        wanted = [event for event in events if subscription.wants(event.verb)]
        if not wanted:
            continue
        try:
            subscription.handler(wanted)
        except Exception:
            logger.exception("Event subscriber %r failed on %d event(s).", subscription.handler, len(wanted))
