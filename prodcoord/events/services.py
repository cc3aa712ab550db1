"""Recording events. Every service records its events through ``EventBatch``
(or ``event_record`` for one), inside its own transaction, where the subscribed
tasks' outbox messages are written too; after that transaction commits, the
events are handed to the subscribers (``hooks``).

An event names:

- its **subject** — any record (``subject=``): a work order, a hold, a work
  center, an item, a schedule entry…;
- the **work order** it belongs to, if any (``work_order=``), for a work
  order's history;
- its **scope** — the departments and work centers it concerns
  (``scope=[(department_id, work_center_id), …]``; ``work_center_id`` may be
  ``None`` for an event that concerns a whole department), for the activity
  feed's filters and for notifications;
- **changes** ``{field: [old, new]}`` in Python values; they are stored as JSON
  with their types (``values``).
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from prodcoord.core.rows import values_insert

from . import hooks
from .models import Event, EventScope
from .values import diff, typed_changes

__all__ = ["EventBatch", "diff", "event_record"]

BATCH_SIZE = 2000


def _person(actor):
    return actor if (actor is not None and getattr(actor, "is_authenticated", False)) else None


class EventBatch:
    """Events collected by a service and written together by ``save()``: one insert
    for the events and one for their scopes, however many rows the service wrote.

    ``actor`` and ``at`` are the defaults for every event added; a row may name
    its own (``add(actor=…, at=…)``).
    """

    def __init__(self, *, actor=None, at=None):
        self.actor = _person(actor)
        self.at = at or timezone.now()
        self.events = []
        self.scopes = []  # per event: [(department_id, work_center_id), …]

    def __len__(self):
        return len(self.events)

    def add(self, *, verb, subject, changes=None, reason="", work_order=None, scope=(), at=None, actor=None):
        model = type(subject)
        values, types = typed_changes(changes, model=model)
        event = Event(
            at=at or self.at,
            actor=_person(actor) if actor is not None else self.actor,
            verb=verb,
            object_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
            object_id=str(subject.pk),
            object_repr=str(subject)[:200],
            work_order=work_order,
            changes=values,
            change_types=types,
            reason=(reason or "").strip(),
        )
        self.events.append(event)
        self.scopes.append(list(dict.fromkeys(scope)))
        return event

    def save(self):
        """Write the events and their scopes in the caller's transaction; hand them to the
        subscribers once that transaction commits. Returns the saved events."""
        events, scopes = self.events, self.scopes
        self.events, self.scopes = [], []
        if not events:
            return []
        for event in events:
            # The order's version as this batch leaves it (services bump it before saving).
            if Event.work_order.is_cached(event) and event.work_order is not None:
                event.work_order_version = event.work_order.version
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
        values_insert(
            EventScope,
            ["event", "department", "work_center"],
            [(event.pk, *pair) for event, pairs in zip(events, scopes, strict=True) for pair in pairs],
        )
        for event, pairs in zip(events, scopes, strict=True):
            event.scope = pairs
        hooks.queue_tasks(events)  # subscribed tasks: outbox messages, in this transaction
        transaction.on_commit(lambda: hooks.dispatch(events))
        return events


def event_record(*, actor, verb, subject, changes=None, reason="", work_order=None, scope=(), at=None):
    """Append one event (in the caller's transaction) and return it."""
    batch = EventBatch(actor=actor, at=at)
    batch.add(verb=verb, subject=subject, changes=changes, reason=reason, work_order=work_order, scope=scope)
    return batch.save()[0]
