"""Holds: a work order with an active hold cannot progress or move on (but it can be cancelled).

``holds_place`` and ``holds_release`` take many rows and are the one path for
these changes; ``hold_place`` and ``hold_release`` are batches of one.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError
from prodcoord.core.rows import RowErrors, columns_update, single
from prodcoord.events.services import EventBatch

from ..models import Hold
from .common import bump, require_open, version_check, work_order_scopes, work_orders_lock, work_orders_write

HOLD_RELEASE_FIELDS = ["released_at", "released_by", "release_note", "updated_at"]


def hold_place_check(*, work_order, kind, reason):
    """Whether this hold may be placed now; returns the cleaned reason.

    Field errors for the kind and the reason; TransitionError when the order is not open.
    """
    errors = {}
    if kind not in Hold.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Hold.Kind.values)}."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the work order is held."]
    if errors:
        raise ValidationError(errors)
    require_open(work_order, "place a hold on")
    return reason


def hold_release_check(*, hold, release_note, at):
    """Whether this hold may be released now; returns the cleaned note.

    A field error without a note or before the hold was placed; ConflictError when already released.
    """
    release_note = (release_note or "").strip()
    if not release_note:
        raise ValidationError({"release_note": ["Say what was done to clear the hold."]})
    if hold.released_at is not None:
        raise ConflictError(
            f"This hold was already released at {timezone.localtime(hold.released_at):%Y-%m-%d %H:%M}.", code="already_released"
        )
    if at < hold.placed_at:
        raise ValidationError({"released_at": ["A hold cannot be released before it was placed."]})
    return release_note


def hold_release_apply(*, hold, work_order, actor, note, at, events, scope):
    """Release ``hold`` in memory and record the event; the caller writes the hold and the order."""
    hold.work_order = work_order  # the locked order (and no query to name the hold)
    hold.released_at = at
    hold.released_by = events.actor if actor is None else actor
    hold.release_note = note
    work_order.active_hold_count = max(0, work_order.active_hold_count - 1)
    events.add(
        verb="hold.released",
        subject=hold,
        work_order=work_order,
        changes={"on_hold": [True, work_order.active_hold_count > 0]},
        reason=note,
        at=at,
        scope=scope,
    )


@transaction.atomic
def holds_place(*, actor, rows, at=None):
    """Put work orders on hold: rows ``{"work_order", "kind", "reason", "version"?, "at"?}``.

    Open work orders only; ``version`` is the work order's, as the caller read it.
    """
    rows = list(rows)
    now = at or timezone.now()
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    scopes = work_order_scopes(list(locked))
    holds, changed = [], []
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        errors.check(index, version_check, work_order, row.get("version"), conflict_field="work_order")
        reason = errors.check(
            index,
            hold_place_check,
            work_order=work_order,
            kind=row.get("kind"),
            reason=row.get("reason"),
            conflict_field="work_order",
        )
        if index in errors:
            continue
        hold = Hold(
            work_order=work_order, kind=row["kind"], reason=reason, placed_by=events.actor, placed_at=row.get("at") or now
        )
        work_order.active_hold_count += 1
        bump(work_order)
        holds.append((hold, work_order.active_hold_count > 1))
        changed.append(work_order)
    errors.raise_if_any()
    Hold.objects.bulk_create([hold for hold, _ in holds], batch_size=1000)
    for hold, was_held in holds:
        events.add(
            verb="hold.placed",
            subject=hold,
            work_order=hold.work_order,
            changes={"on_hold": [was_held, True], "kind": [None, hold.kind]},
            reason=hold.reason,
            at=hold.placed_at,
            scope=scopes[hold.work_order_id],
        )
    work_orders_write(changed, ["active_hold_count"])
    events.save()
    return [hold for hold, _ in holds]


@transaction.atomic
def holds_release(*, actor, rows, at=None):
    """Release holds: rows ``{"hold", "release_note", "version"?, "at"?}``, in order
    (``version``: the hold's work order's, as the caller read it)."""
    rows = list(rows)
    now = at or timezone.now()
    hold_ids = [row["hold"].pk for row in rows]
    locked = work_orders_lock(Hold.objects.filter(pk__in=hold_ids).values_list("work_order_id", flat=True))
    holds = {hold.pk: hold for hold in Hold.objects.select_for_update().filter(pk__in=hold_ids).order_by("pk")}
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    scopes = work_order_scopes(list(locked))
    changed = []
    for index, row in enumerate(rows):
        hold = holds[row["hold"].pk]
        work_order = locked[hold.work_order_id]
        when = row.get("at") or now
        errors.check(index, version_check, work_order, row.get("version"), conflict_field="hold")
        note = errors.check(
            index, hold_release_check, hold=hold, release_note=row.get("release_note"), at=when, conflict_field="hold"
        )
        if index in errors:
            continue
        hold_release_apply(
            hold=hold, work_order=work_order, actor=None, note=note, at=when, events=events, scope=scopes[work_order.pk]
        )
        bump(work_order)
        changed.append(work_order)
    errors.raise_if_any()
    columns_update(Hold, [holds[pk] for pk in dict.fromkeys(r["hold"].pk for r in rows)], HOLD_RELEASE_FIELDS)
    work_orders_write(changed, ["active_hold_count"])
    events.save()
    return [holds[row["hold"].pk] for row in rows]


def hold_place(*, work_order, actor, kind, reason, version=None, at=None):
    return single(holds_place, {"work_order": work_order, "kind": kind, "reason": reason, "version": version}, actor=actor, at=at)


def hold_release(*, hold, actor, release_note, version=None, at=None):
    return single(holds_release, {"hold": hold, "release_note": release_note, "version": version}, actor=actor, at=at)
