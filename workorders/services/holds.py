"""Holds: a work order with an active hold cannot progress or move on (but it can be cancelled).

``holds_place`` and ``holds_release`` take many rows and are the one path for
these changes; ``hold_place`` and ``hold_release`` are batches of one.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch

from ..models import Hold, Operation
from ..permissions import (
    HOLD_PLACE_PERMISSIONS,
    HOLD_RELEASE_PERMISSIONS,
    a_hold,
    may_place_hold,
    may_release_hold,
    roles_allowed,
)
from .common import ADDITION, bump, require_open, version_check, work_order_scopes, work_orders_lock, work_orders_write

HOLD_RELEASE_FIELDS = ["released_at", "released_by", "release_note", "disposition", "updated_at"]


def hold_place_check(*, work_order, kind, reason, operations=(), operation=None, work_center=None):
    """Whether this hold may be placed now; returns (cleaned reason, operation, work center).

    ``operation`` (a sequence number) and ``work_center`` say what the hold concerns, when
    narrower than the order: the operation must be one of the order's (``operations``, in
    sequence order), the work center one its operations pass through, and when both are given,
    the operation's. An operation alone brings its work center. Field errors for the kind, the
    reason, the operation and the work center; TransitionError when the order is not open.
    """
    errors = {}
    if kind not in Hold.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Hold.Kind.values)}."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the work order is held."]
    op = None
    if operation not in (None, ""):
        by_seq = {o.sequence: o for o in operations}
        try:
            op = by_seq[int(operation)]
        except (KeyError, TypeError, ValueError):
            errors["operation"] = [
                f"{work_order.number} has no operation {operation}; its operations are "
                f"{', '.join(str(s) for s in by_seq) or 'none'}."
            ]
    if work_center is not None:
        passes = {o.work_center_id for o in operations}
        if work_center.pk not in passes:
            errors["work_center"] = [f"{work_order.number} does not pass through {work_center.code}."]
        elif op is not None and op.work_center_id != work_center.pk:
            errors["work_center"] = [
                f"Operation {op.sequence} is at {op.work_center.code}, not {work_center.code}: name one of them, or both alike."
            ]
    if errors:
        raise ValidationError(errors)
    require_open(work_order, "place a hold on")
    if op is not None and work_center is None:
        work_center = op.work_center
    return reason, op, work_center


def hold_release_check(*, hold, release_note, at, disposition=""):
    """Whether this hold may be released now; returns (cleaned note, disposition).

    A quality hold is released with its disposition (what becomes of the parts); other kinds take
    none. A field error without a note or a needed disposition, or before the hold was placed;
    ConflictError when already released.
    """
    release_note = (release_note or "").strip()
    disposition = (disposition or "").strip()
    errors = {}
    if not release_note:
        errors["release_note"] = ["Say what was done to clear the hold."]
    if hold.kind == Hold.Kind.QUALITY:
        if not disposition:
            errors["disposition"] = [
                f"Say what becomes of the parts: {', '.join(label.lower() for label in Hold.Disposition.labels)}."
            ]
        elif disposition not in Hold.Disposition.values:
            errors["disposition"] = [f"Choose one of: {', '.join(Hold.Disposition.values)}."]
    elif disposition:
        errors["disposition"] = [f"Only a quality hold takes a disposition; this is a {hold.get_kind_display().lower()} hold."]
    if errors:
        raise ValidationError(errors)
    if hold.released_at is not None:
        raise ConflictError(
            f"This hold was already released at {timezone.localtime(hold.released_at):%Y-%m-%d %H:%M}.", code="already_released"
        )
    if at < hold.placed_at:
        raise ValidationError({"released_at": ["A hold cannot be released before it was placed."]})
    return release_note, disposition


def hold_place_permission_check(actor, kind):
    """Refuse a person placing a kind of hold their role may not place (``permissions``)."""
    if kind in HOLD_PLACE_PERMISSIONS and not may_place_hold(actor, kind):
        raise PermissionDenied(f"Your role cannot place {a_hold(kind)}; {roles_allowed(HOLD_PLACE_PERMISSIONS[kind])} can.")


def hold_release_permission_check(actor, hold):
    """Refuse a person releasing a kind of hold their role may not release (``permissions``)."""
    if not may_release_hold(actor, hold.kind):
        raise PermissionDenied(
            f"Your role cannot release {a_hold(hold.get_kind_display())}; "
            f"{roles_allowed(HOLD_RELEASE_PERMISSIONS[hold.kind])} can."
        )


def hold_release_apply(*, hold, work_order, actor, note, at, events, scope, disposition=""):
    """Release ``hold`` in memory and record the event; the caller writes the hold and the order."""
    hold.work_order = work_order  # the locked order (and no query to name the hold)
    hold.released_at = at
    hold.released_by = events.actor if actor is None else actor
    hold.release_note = note
    hold.disposition = disposition
    work_order.active_hold_count = max(0, work_order.active_hold_count - 1)
    changes = {"on_hold": [True, work_order.active_hold_count > 0]}
    if disposition:
        changes["disposition"] = [None, disposition]
    events.add(
        verb="hold.released",
        subject=hold,
        work_order=work_order,
        changes=changes,
        reason=note,
        at=at,
        scope=scope,
    )


@transaction.atomic
def holds_place(*, actor, rows, at=None, check_permissions=False):
    """Put work orders on hold: rows ``{"work_order", "kind", "reason", "operation"? (its sequence),
    "work_center"? (a WorkCenter), "version"?, "at"?}``.

    Open work orders only. A hold adds to the order: ``version`` (the work order's, as the
    caller read it) refuses it only when it is not a version the order had. A hold may name the
    operation or the work center it concerns; it holds the whole order all the same, and its
    event's scope names that work center. ``check_permissions``: the actor is a person, who may
    place only the kinds their role allows (``PermissionDenied``, nothing written).
    """
    rows = list(rows)
    now = at or timezone.now()
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    scopes = work_order_scopes(list(locked))
    operations = _operations(locked)
    holds, changed = [], []
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        if check_permissions:
            hold_place_permission_check(actor, row.get("kind"))
        errors.check(index, version_check, work_order, row.get("version"), ADDITION, conflict_field="work_order")
        checked = errors.check(
            index,
            hold_place_check,
            work_order=work_order,
            kind=row.get("kind"),
            reason=row.get("reason"),
            operations=operations[work_order.pk],
            operation=row.get("operation"),
            work_center=row.get("work_center"),
            conflict_field="work_order",
        )
        if index in errors:
            continue
        reason, op, work_center = checked
        hold = Hold(
            work_order=work_order,
            kind=row["kind"],
            reason=reason,
            operation=op,
            work_center=work_center,
            placed_by=events.actor,
            placed_at=row.get("at") or now,
        )
        work_order.active_hold_count += 1
        bump(work_order)
        holds.append((hold, work_order.active_hold_count > 1))
        changed.append(work_order)
    errors.raise_if_any()
    Hold.objects.bulk_create([hold for hold, _ in holds], batch_size=1000)
    for hold, was_held in holds:
        changes = {"on_hold": [was_held, True], "kind": [None, hold.kind]}
        scope = scopes[hold.work_order_id]
        if hold.operation is not None:
            changes["operation"] = [None, hold.operation.sequence]
        if hold.work_center is not None:
            changes["work_center"] = [None, hold.work_center.code]
            # The work center it concerns first: its followers hear of it (and so do the order's others).
            scope = [(hold.work_center.department_id, hold.work_center.pk), *scope]
        events.add(
            verb="hold.placed",
            subject=hold,
            work_order=hold.work_order,
            changes=changes,
            reason=hold.reason,
            at=hold.placed_at,
            scope=scope,
        )
    work_orders_write(changed, ["active_hold_count"])
    events.save()
    return [hold for hold, _ in holds]


def _operations(locked):
    """``{work order id: [operation, …]}`` in sequence order, with their work centers (one query)."""
    operations = defaultdict(list)
    for chunk in chunks(list(locked)):
        for op in Operation.objects.filter(work_order_id__in=chunk).select_related("work_center").order_by("sequence"):
            operations[op.work_order_id].append(op)
    return operations


@transaction.atomic
def holds_release(*, actor, rows, at=None, check_permissions=False):
    """Release holds: rows ``{"hold", "release_note", "disposition"? (required for a quality
    hold, refused for others), "version"?, "at"?}``, in order (``version``: the hold's work
    order's, as the caller read it; a release is refused only when the hold itself was released).

    ``check_permissions``: the actor is a person, who may release only the kinds their role
    allows (``permissions.HOLD_RELEASE_PERMISSIONS``: a quality hold only by quality or a
    supervisor; ``PermissionDenied``, nothing written)."""
    rows = list(rows)
    now = at or timezone.now()
    hold_ids = [row["hold"].pk for row in rows]
    locked = work_orders_lock(Hold.objects.filter(pk__in=hold_ids).values_list("work_order_id", flat=True))
    holds = {
        hold.pk: hold
        for hold in Hold.objects.select_for_update(of=("self",))
        .select_related("work_center")
        .filter(pk__in=hold_ids)
        .order_by("pk")
    }
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    scopes = work_order_scopes(list(locked))
    changed = []
    for index, row in enumerate(rows):
        hold = holds[row["hold"].pk]
        work_order = locked[hold.work_order_id]
        when = row.get("at") or now
        if check_permissions:
            hold_release_permission_check(actor, hold)
        errors.check(index, version_check, work_order, row.get("version"), ADDITION, conflict_field="hold")
        checked = errors.check(
            index,
            hold_release_check,
            hold=hold,
            release_note=row.get("release_note"),
            disposition=row.get("disposition"),
            at=when,
            conflict_field="hold",
        )
        if index in errors:
            continue
        note, disposition = checked
        scope = scopes[work_order.pk]
        if hold.work_center_id is not None:
            scope = [(hold.work_center.department_id, hold.work_center_id), *scope]
        hold_release_apply(
            hold=hold,
            work_order=work_order,
            actor=None,
            note=note,
            at=when,
            events=events,
            scope=scope,
            disposition=disposition,
        )
        bump(work_order)
        changed.append(work_order)
    errors.raise_if_any()
    columns_update(Hold, [holds[pk] for pk in dict.fromkeys(r["hold"].pk for r in rows)], HOLD_RELEASE_FIELDS)
    work_orders_write(changed, ["active_hold_count"])
    events.save()
    return [holds[row["hold"].pk] for row in rows]


def hold_place(
    *, work_order, actor, kind, reason, operation=None, work_center=None, version=None, at=None, check_permissions=False
):
    row = {
        "work_order": work_order,
        "kind": kind,
        "reason": reason,
        "operation": operation,
        "work_center": work_center,
        "version": version,
    }
    return single(holds_place, row, actor=actor, at=at, check_permissions=check_permissions)


def hold_release(*, hold, actor, release_note, disposition="", version=None, at=None, check_permissions=False):
    row = {"hold": hold, "release_note": release_note, "disposition": disposition, "version": version}
    return single(holds_release, row, actor=actor, at=at, check_permissions=check_permissions)
