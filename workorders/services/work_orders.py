"""The work-order lifecycle: create, the state transitions, and changes to
priority, plan and quantity.

States: draft → released → in progress → completed → closed; cancelled from
draft or released. "On hold" is not a state: an active hold blocks every
transition except cancel (and blocks progress). Every function here locks the
work order row, re-checks its state (and ``version`` when the caller sends
one), writes, and records the event in the same transaction.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from materials.models import BOM
from prodcoord.core.exceptions import ConflictError, HoldActiveError, StaleVersionError, TransitionError
from prodcoord.core.plant_time import plant_today
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.sequences import sequence_next
from prodcoord.events.services import event_record

from ..models import Hold, Operation, Routing, WorkOrder

S = WorkOrder.Status
# States in which progress can be reported (a released order starts on its first report).
PROGRESS_STATUSES = (S.RELEASED, S.IN_PROGRESS)

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
TIMESTAMP_FIELD = {"release": "released_at", "start": "started_at", "complete": "completed_at", "close": "closed_at"}

NUMBER_PREFIX = "WO-"
MAX_FUTURE_SKEW = dt.timedelta(minutes=5)


def _label(status):
    return S(status).label.lower()


def work_order_lock(*, work_order, version=None):
    """Re-read the work order under a row lock and check the caller's version."""
    locked = WorkOrder.objects.select_for_update().get(pk=work_order.pk)
    if version is not None and int(version) != locked.version:
        raise StaleVersionError(
            f"{locked.number} was changed by someone else (version {locked.version}, you sent {version}). "
            "Reload it and apply your change again."
        )
    return locked


def overdue(work_order, *, today=None):
    """Open (draft, released, in progress) and due before today's plant date."""
    due = work_order.due_date
    return bool(work_order.is_open and due is not None and due < (today or plant_today()))


def _bump(work_order, fields):
    """Save ``fields`` with a new version; the overdue flag follows in the same write."""
    work_order.version += 1
    work_order.is_overdue = overdue(work_order)
    work_order.save(update_fields=[*fields, "is_overdue", "version", "updated_at"])


def _require_open(work_order, what):
    if not work_order.is_open:
        raise TransitionError(f"Cannot {what} {work_order.number}: it is {_label(work_order.status)}.")


def _require_reason(reason, what):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [f"Say why: a reason is required to {what}."]})
    return reason


# --- create -------------------------------------------------------------------


def work_order_number_check(number, *, taken):
    """A hand-typed work-order number, cleaned ("" when none was given, so one is generated).
    ``taken``: the numbers already in use (a container, for one order or a batch)."""
    number = (number or "").strip()
    if not number:
        return ""
    if len(number) > 30 or any(c.isspace() for c in number):
        raise ValidationError({"number": ["Use up to 30 characters with no spaces."]})
    if number in taken:
        raise ValidationError({"number": [f"Work order {number} already exists."]})
    return number


def _quantity_invalid(quantity):
    try:
        return quantity is None or not Decimal(quantity) > 0
    except (TypeError, ValueError, ArithmeticError):
        return True


def _priority_invalid(priority):
    try:
        return priority is None or not 1 <= int(priority) <= 5
    except (TypeError, ValueError):
        return True


def work_order_validate_new(*, item, quantity, priority, planned_start, planned_end, routing):
    """Rules every new work order obeys, single or bulk. Raises field errors."""
    errors = {}
    if not item.is_active:
        errors["item"] = [f"{item.sku} is inactive."]
    elif routing is None:
        errors["item"] = [f"{item.sku} has no released routing; release one before creating work orders."]
    if _quantity_invalid(quantity):
        errors["quantity"] = ["Must be greater than zero."]
    if _priority_invalid(priority):
        errors["priority"] = ["Must be from 1 (most urgent) to 5."]
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = ["Must not be before planned start."]
    if errors:
        raise ValidationError(errors)


def operations_from_routing(work_order, steps):
    return [
        Operation(
            work_order=work_order,
            sequence=step.sequence,
            work_center_id=step.work_center_id,
            description=step.description,
            planned_setup_minutes=step.setup_minutes,
            planned_run_minutes=(step.run_minutes_per_unit * Decimal(work_order.quantity)).quantize(Decimal("0.01")),
        )
        for step in steps
    ]


def next_numbers(count):
    """``count`` fresh work-order numbers, skipping any taken by hand."""
    numbers = []
    while len(numbers) < count:
        need = count - len(numbers)
        first = sequence_next(name="work_order", count=need)
        candidates = [f"{NUMBER_PREFIX}{n:06d}" for n in range(first, first + need)]
        taken = set(WorkOrder.objects.filter(number__in=candidates).values_list("number", flat=True))
        numbers.extend(c for c in candidates if c not in taken)
    return numbers


@transaction.atomic
def work_order_create(
    *,
    actor,
    item,
    quantity,
    number="",
    priority=3,
    due_date=None,
    planned_start=None,
    planned_end=None,
    customer_ref="",
    at=None,
):
    """Create a draft work order; pin the item's released BOM and routing and
    copy the routing's steps into operations."""
    routing = Routing.objects.filter(item=item, status=Routing.Status.RELEASED).first()
    bom = BOM.objects.filter(item=item, status=BOM.Status.RELEASED).first()
    work_order_validate_new(
        item=item, quantity=quantity, priority=priority, planned_start=planned_start, planned_end=planned_end, routing=routing
    )
    typed = (number or "").strip()
    taken = set(WorkOrder.objects.filter(number=typed).values_list("number", flat=True)) if typed else set()
    number = work_order_number_check(number, taken=taken) or next_numbers(1)[0]
    try:
        with transaction.atomic():  # savepoint: a concurrent twin of this number must not poison the caller's transaction
            work_order = WorkOrder.objects.create(
                number=number,
                item=item,
                quantity=quantity,
                priority=priority,
                due_date=due_date,
                planned_start=planned_start,
                planned_end=planned_end,
                customer_ref=(customer_ref or "").strip(),
                bom=bom,
                routing=routing,
                is_overdue=bool(due_date and due_date < plant_today()),
            )
    except IntegrityError:
        if WorkOrder.objects.filter(number=number).exists():
            raise ValidationError({"number": [f"Work order {number} already exists."]}) from None
        raise
    Operation.objects.bulk_create(operations_from_routing(work_order, routing.steps.all()))
    event_record(
        actor=actor,
        verb="work_order.created",
        subject=work_order,
        work_order=work_order,
        at=at,
        changes={
            "status": [None, S.DRAFT],
            "item": [None, item.sku],
            "quantity": [None, quantity],
            "bom_revision": [None, bom.revision if bom else None],
            "routing_revision": [None, routing.revision],
        },
    )
    return work_order


@transaction.atomic
def work_order_delete(*, actor, work_order, reason=""):
    """Delete a draft work order (nothing has happened to it yet). Others are cancelled, not deleted."""
    work_order = work_order_lock(work_order=work_order)
    if work_order.status != S.DRAFT:
        raise TransitionError(
            f"Only a draft work order can be deleted; {work_order.number} is {_label(work_order.status)}. Cancel it instead."
        )
    if work_order.holds.exists() or work_order.schedule_entries.exists():
        raise ConflictError(f"{work_order.number} has holds or schedule entries; cancel it instead.")
    event_record(actor=actor, verb="work_order.deleted", subject=work_order, work_order=work_order, reason=reason)
    work_order.operations.all().delete()
    work_order.delete()


# --- transitions ----------------------------------------------------------------


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
        allowed = " or ".join(_label(s) for s in sources)
        raise TransitionError(
            f"Cannot {action} {work_order.number}: it is {_label(work_order.status)}; {action} is only possible from {allowed}."
        )
    if work_order.active_hold_count and action not in HOLD_EXEMPT:
        raise HoldActiveError(f"Cannot {action} {work_order.number}: it is on hold. Release the hold first.")
    why = transition_reason_required(work_order=work_order, action=action)
    return _require_reason(reason, why) if why else (reason or "").strip()


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


def _transition(*, action, work_order, actor, reason="", version=None, at=None):
    _sources, target = TRANSITIONS[action]
    work_order = work_order_lock(work_order=work_order, version=version)
    reason = transition_check(work_order=work_order, action=action, reason=reason)
    at = at or timezone.now()
    old = work_order.status
    work_order.status = target
    fields = ["status"]
    if action in TIMESTAMP_FIELD:
        setattr(work_order, TIMESTAMP_FIELD[action], at)
        fields.append(TIMESTAMP_FIELD[action])
    if action == "complete":
        # Whatever was scrapped along the way, no operation is still running on a completed order.
        work_order.operations.exclude(status=Operation.Status.DONE).update(status=Operation.Status.DONE, updated_at=at)
    _bump(work_order, fields)
    event_record(
        actor=actor,
        verb=f"work_order.{VERBS[action]}",
        subject=work_order,
        work_order=work_order,
        changes={"status": [old, target]},
        reason=reason,
        at=at,
    )
    if action == "cancel" and work_order.active_hold_count:
        _release_all_holds(work_order=work_order, actor=actor, note="Work order cancelled.", at=at)
    return work_order


def _release_all_holds(*, work_order, actor, note, at):
    active = list(Hold.objects.select_for_update().filter(work_order=work_order, released_at__isnull=True))
    for left, hold in enumerate(reversed(active)):
        hold.released_at = at
        hold.released_by = actor
        hold.release_note = note
        hold.save(update_fields=["released_at", "released_by", "release_note", "updated_at"])
        event_record(
            actor=actor,
            verb="hold.released",
            subject=hold,
            work_order=work_order,
            changes={"on_hold": [True, left < len(active) - 1]},
            reason=note,
            at=at,
        )
    work_order.active_hold_count = 0
    work_order.save(update_fields=["active_hold_count", "updated_at"])


@transaction.atomic
def work_order_release(*, work_order, actor, reason="", version=None, at=None):
    return _transition(action="release", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


@transaction.atomic
def work_order_start(*, work_order, actor, reason="", version=None, at=None):
    return _transition(action="start", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


@transaction.atomic
def work_order_complete(*, work_order, actor, reason="", version=None, at=None):
    return _transition(action="complete", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


@transaction.atomic
def work_order_close(*, work_order, actor, reason="", version=None, at=None):
    return _transition(action="close", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


@transaction.atomic
def work_order_cancel(*, work_order, actor, reason="", version=None, at=None):
    return _transition(action="cancel", work_order=work_order, actor=actor, reason=reason, version=version, at=at)


def work_order_transition(*, action, **kwargs):
    """Dispatch by action name (the API's and the board's single entry point)."""
    func = {
        "release": work_order_release,
        "start": work_order_start,
        "complete": work_order_complete,
        "close": work_order_close,
        "cancel": work_order_cancel,
    }.get(action)
    if func is None:
        raise ValidationError({"action": [f"Unknown action {action!r}; use one of: {', '.join(TRANSITIONS)}."]})
    return func(**kwargs)


# --- changes ----------------------------------------------------------------------

PLAN_FIELDS = ("planned_start", "planned_end", "due_date")
EDITABLE_FIELDS = ("quantity", "priority", "customer_ref", *PLAN_FIELDS)
UNSET = object()


@transaction.atomic
def work_order_update(*, work_order, actor, version=None, reason="", at=None, **data):
    """Change a work order's editable fields.

    Priority shifts and schedule changes are recorded as their own events and
    need a reason; quantity can change only before work starts.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: ["This field cannot be changed here."] for f in sorted(unknown)})
    work_order = work_order_lock(work_order=work_order, version=version)
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
    data = {k: v for k, v in data.items() if getattr(work_order, k) != v}
    if not data:
        return work_order
    _require_open(work_order, "change")
    at = at or timezone.now()
    errors = {}
    if "priority" in data and _priority_invalid(data["priority"]):
        errors["priority"] = ["Must be from 1 (most urgent) to 5."]
    if "quantity" in data:
        if _quantity_invalid(data["quantity"]):
            errors["quantity"] = ["Must be greater than zero."]
        elif work_order.status not in (S.DRAFT, S.RELEASED):
            errors["quantity"] = [f"The quantity cannot change once work has started ({_label(work_order.status)})."]
    start = data.get("planned_start", work_order.planned_start)
    end = data.get("planned_end", work_order.planned_end)
    if start and end and end < start:
        errors["planned_end"] = ["Must not be before planned start."]
    if errors:
        raise ValidationError(errors)
    groups = {
        "work_order.priority_changed": [f for f in data if f == "priority"],
        "work_order.rescheduled": [f for f in data if f in PLAN_FIELDS],
        "work_order.updated": [f for f in data if f in ("quantity", "customer_ref")],
    }
    if groups["work_order.priority_changed"]:
        reason = _require_reason(reason, "change the priority")
    if groups["work_order.rescheduled"]:
        reason = _require_reason(reason, "reschedule a work order")
    for verb, fields in groups.items():
        if not fields:
            continue
        changes = {f: [getattr(work_order, f), data[f]] for f in fields}
        for f in fields:
            setattr(work_order, f, data[f].strip() if isinstance(data[f], str) else data[f])
        event_record(actor=actor, verb=verb, subject=work_order, work_order=work_order, changes=changes, reason=reason, at=at)
    if "quantity" in data:
        _replan_operations(work_order)
    _bump(work_order, list(data))
    return work_order


def _replan_operations(work_order):
    """Planned run minutes follow the quantity (per-unit times come from the pinned routing)."""
    if work_order.routing_id is None:
        return
    per_unit = {s.sequence: s.run_minutes_per_unit for s in work_order.routing.steps.all()}
    for op in work_order.operations.all():
        if op.sequence in per_unit:
            op.planned_run_minutes = (per_unit[op.sequence] * Decimal(work_order.quantity)).quantize(Decimal("0.01"))
            op.save(update_fields=["planned_run_minutes", "updated_at"])


def work_order_change_priority(*, work_order, actor, priority, reason, version=None, at=None):
    return work_order_update(work_order=work_order, actor=actor, version=version, reason=reason, at=at, priority=priority)


def work_order_reschedule(
    *, work_order, actor, reason, planned_start=UNSET, planned_end=UNSET, due_date=UNSET, version=None, at=None
):
    data = {
        k: v
        for k, v in {"planned_start": planned_start, "planned_end": planned_end, "due_date": due_date}.items()
        if v is not UNSET
    }
    if not data:
        raise ValidationError({"planned_start": ["Give a new planned start, planned end or due date."]})
    return work_order_update(work_order=work_order, actor=actor, version=version, reason=reason, at=at, **data)


def work_order_refresh_overdue(*, work_order_ids=None, today=None):
    """Set ``is_overdue`` = open and past its due date (plant date). Idempotent.

    Every service sets the flag in the transaction that changes the status or the
    due date; this scan is for the date rolling over (run periodically)."""
    today = today or plant_today()
    qs = WorkOrder.objects.all()
    if work_order_ids is not None:
        qs = qs.filter(pk__in=work_order_ids)
    overdue = qs.filter(status__in=[S.RELEASED, S.IN_PROGRESS, S.DRAFT], due_date__lt=today)
    flagged = overdue.filter(is_overdue=False).update(is_overdue=True)
    cleared = qs.filter(is_overdue=True).exclude(pk__in=overdue.values("pk")).update(is_overdue=False)
    return flagged, cleared


__all__ = [
    "TRANSITIONS",
    "work_order_cancel",
    "work_order_change_priority",
    "work_order_close",
    "work_order_complete",
    "work_order_create",
    "work_order_delete",
    "work_order_release",
    "work_order_reschedule",
    "work_order_start",
    "work_order_transition",
    "work_order_update",
]
