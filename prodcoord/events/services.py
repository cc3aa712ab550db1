from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from .models import Event


def _jsonable(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return str(value)


def diff(old, new):
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {key: [_jsonable(old.get(key)), _jsonable(new.get(key))] for key in new if old.get(key) != new.get(key)}


def event_build(*, actor, verb, obj, changes=None, reason="", work_order=None, at=None):
    """One event, not yet saved: what ``event_record`` writes, and what bulk services collect."""
    return Event(
        at=at or timezone.now(),
        actor=actor if (actor is not None and actor.is_authenticated) else None,
        verb=verb,
        object_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        work_order=work_order,
        changes={k: [_jsonable(v[0]), _jsonable(v[1])] for k, v in (changes or {}).items()},
        reason=reason or "",
    )


def event_record(*, actor, verb, obj, changes=None, reason="", work_order=None, at=None):
    """Append one event. Call inside the service's transaction."""
    event = event_build(actor=actor, verb=verb, obj=obj, changes=changes, reason=reason, work_order=work_order, at=at)
    event.save(force_insert=True)
    return event


def events_record_bulk(events):
    """Append many prepared (unsaved) events at once; used by bulk services."""
    return Event.objects.bulk_create(events, batch_size=2000)
