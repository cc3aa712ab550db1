"""The work-order lifecycle: draft → released → in progress → completed → closed;
cancelled from draft or released.

"On hold" is not a state: an active hold blocks every transition except
cancel (and blocks progress). ``work_orders_transition`` takes many rows and is
the one path for a state change; ``work_order_release`` and the others are
batches of one. Progress uses the same ``transition_apply`` when a released
order starts on its first report.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from materials.stock import work_orders_produce
from prodcoord.core.exceptions import HoldActiveError, TransitionError
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch

from ..models import Hold, Operation, WorkOrder
from .common import (
    bump,
    current_operation_follow,
    label,
    require_reason,
    version_check,
    work_order_scopes,
    work_orders_lock,
    work_orders_write,
)
from .holds import HOLD_RELEASE_FIELDS, hold_release_apply

S = WorkOrder.Status

# action → (states it may start from, state it leads to)
TRANSITIONS = {
    "release": ((S.DRAFT,), S.RELEASED),
    "start": ((S.RELEASED,), S.IN_PROGRESS),
    "complete": ((S.IN_PROGRESS,), S.COMPLETED),
    "close": ((S.COMPLETED,), S.CLOSED),
    "cancel": ((S.DRAFT, S.RELEASED), S.CANCELLED),
}
# Transitions an active hold does not block.
HOLD_EXEMPT = {"cancel"}
VERBS = {"release": "released", "start": "started", "complete": "completed", "close": "closed", "cancel": "cancelled"}
TIMESTAMP_FIELD = {
    "release": "released_at",
    "start": "started_at",
    "complete": "completed_at",
    "close": "closed_at",
    "cancel": "cancelled_at",
}
CANCEL_NOTE = "Work order cancelled."


def transition_reason_required(*, work_order, action):
    """What ``action`` needs a reason for ("cancel a work order", "complete WO-… short (9 of 10
    made)"), or None when it needs none. The pages ask it to decide whether to show a reason box."""
    if action == "cancel":
        return "cancel a work order"
    if action == "complete" and work_order.quantity_completed < work_order.quantity:
        return (
            f"complete {work_order.number} short "
            f"({fmt_qty(work_order.quantity_completed)} of {fmt_qty(work_order.quantity)} made)"
        )
    return None


def transition_check(*, work_order, action, reason=""):
    """Whether ``action`` may happen to ``work_order`` now; returns the reason to record.

    Raises TransitionError (not from this state), HoldActiveError (an active
    hold blocks everything but cancel) or a field error when a reason is
    required: to cancel, and to complete short of the order quantity.
    """
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}."]})
    sources, _target = TRANSITIONS[action]
    if work_order.status not in sources:
        allowed = " or ".join(label(s) for s in sources)
        raise TransitionError(
            f"Cannot {action} {work_order.number}: it is {label(work_order.status)}; {action} is only possible from {allowed}."
        )
    if work_order.active_hold_count and action not in HOLD_EXEMPT:
        raise HoldActiveError(f"Cannot {action} {work_order.number}: it is on hold. Release the hold first.")
    why = transition_reason_required(work_order=work_order, action=action)
    return require_reason(reason, why) if why else (reason or "").strip()


def transition_apply(*, work_order, action, reason, at, events, scope, actor=None):
    """Move ``work_order`` (checked) to the action's state in memory and record the event;
    the caller writes it. Returns the fields it changed."""
    _sources, target = TRANSITIONS[action]
    old = work_order.status
    work_order.status = target
    fields = ["status"]
    if action in TIMESTAMP_FIELD:
        setattr(work_order, TIMESTAMP_FIELD[action], at)
        fields.append(TIMESTAMP_FIELD[action])
    if not work_order.is_open:  # completed or cancelled: no operation is current any more
        fields += current_operation_follow([work_order], {})
    bump(work_order)
    events.add(
        verb=f"work_order.{VERBS[action]}",
        subject=work_order,
        work_order=work_order,
        changes={"status": [old, target]},
        reason=reason,
        at=at,
        scope=scope,
        actor=actor,
    )
    return fields


@transaction.atomic
def work_orders_transition(*, actor, action, rows, at=None):
    """Apply one transition to many work orders: rows ``{"work_order", "reason"?, "version"?, "at"?}``,
    in order. Completing marks every operation done and receives the good output into stock
    (``materials.stock.work_orders_produce``); cancelling releases the active holds."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}."]})
    rows = list(rows)
    now = at or timezone.now()
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    scopes = work_order_scopes(list(locked))
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    changed, fields, cancelled = [], ["status"], []
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        errors.check(index, version_check, work_order, row.get("version"), ("status",), conflict_field="work_order")
        if index in errors:
            continue
        reason = errors.check(
            index, transition_check, work_order=work_order, action=action, reason=row.get("reason"), conflict_field="work_order"
        )
        if index in errors:
            continue
        when = row.get("at") or now
        fields += transition_apply(
            work_order=work_order, action=action, reason=reason, at=when, events=events, scope=scopes[work_order.pk]
        )
        changed.append(work_order)
        if action == "cancel" and work_order.active_hold_count:
            cancelled.append((work_order, when))
    errors.raise_if_any()
    if action == "complete":
        # Whatever was scrapped along the way, no operation is still running on a completed order.
        for chunk in chunks([wo.pk for wo in changed]):
            Operation.objects.filter(work_order_id__in=chunk).exclude(status=Operation.Status.DONE).update(
                status=Operation.Status.DONE, updated_at=now
            )
        work_orders_produce(actor=actor, work_orders=changed, at=now, scopes=scopes)
    if cancelled:
        _release_holds_of_cancelled(cancelled, events=events, scopes=scopes)
        fields.append("active_hold_count")
    work_orders_write(changed, fields)
    events.save()
    return [locked[row["work_order"].pk] for row in rows]


def _release_holds_of_cancelled(cancelled, *, events, scopes):
    """A cancelled order's active holds are released, oldest first, noting the cancellation."""
    by_order = {}
    for hold in (
        Hold.objects.select_for_update()
        .filter(work_order_id__in=[wo.pk for wo, _ in cancelled], released_at__isnull=True)
        .order_by("placed_at", "id")
    ):
        by_order.setdefault(hold.work_order_id, []).append(hold)
    released = []
    for work_order, at in cancelled:
        for hold in by_order.get(work_order.pk, []):
            hold_release_apply(
                hold=hold, work_order=work_order, actor=None, note=CANCEL_NOTE, at=at, events=events, scope=scopes[work_order.pk]
            )
            released.append(hold)
    columns_update(Hold, released, HOLD_RELEASE_FIELDS)


def work_order_transition(*, action, work_order, actor, reason="", version=None, at=None):
    """One work order, one transition (the API's and the pages' entry point)."""
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}."]})
    row = {"work_order": work_order, "reason": reason, "version": version}
    return single(work_orders_transition, row, actor=actor, action=action, at=at)


def work_order_release(*, work_order, actor, reason="", version=None, at=None):
    return work_order_transition(action="release", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


def work_order_start(*, work_order, actor, reason="", version=None, at=None):
    return work_order_transition(action="start", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


def work_order_complete(*, work_order, actor, reason="", version=None, at=None):
    return work_order_transition(action="complete", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


def work_order_close(*, work_order, actor, reason="", version=None, at=None):
    return work_order_transition(action="close", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


def work_order_cancel(*, work_order, actor, reason="", version=None, at=None):
    return work_order_transition(action="cancel", work_order=work_order, actor=actor, reason=reason, version=version, at=at)
