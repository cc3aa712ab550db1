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
commit, so it must be quick and must not fail the request: anything slow or
that must not be lost (an e-mail, a webhook) is written to the outbox, which
delivers it. A subscriber that raises is logged and the others still run.
"""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Subscription:
    handler: object
    verbs: frozenset | None  # None: every verb
    prefixes: tuple  # verb prefixes, e.g. ("hold.",)

    def wants(self, verb):
        if self.verbs is None and not self.prefixes:
            return True
        return (self.verbs is not None and verb in self.verbs) or verb.startswith(self.prefixes)


_subscriptions: list[Subscription] = []


def subscribe(handler, *, verbs=None, prefixes=()):
    """Call ``handler(events)`` after each commit that recorded events; only those whose
    verb is in ``verbs`` or starts with one of ``prefixes``, when either is given.
    Subscribing the same handler again replaces its filter. Returns the handler."""
    unsubscribe(handler)
    _subscriptions.append(
        Subscription(handler=handler, verbs=frozenset(verbs) if verbs is not None else None, prefixes=tuple(prefixes))
    )
    return handler


def unsubscribe(handler):
    _subscriptions[:] = [s for s in _subscriptions if s.handler is not handler]


def subscribers():
    return [s.handler for s in _subscriptions]


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
