"""Work orders: create, change (quantity, customer reference, priority, plan) and delete.

Each takes many rows and is the one path for that change; the single-object
service is a batch of one. State changes are in ``transitions``, holds in
``holds``, progress in ``progress``.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError
from django.db.models.functions import Lower
from django.utils import timezone

from materials.models import BOM, Item
from materials.units import whole_units_problem
from prodcoord.core.exceptions import ConflictError, TransitionError
from prodcoord.core.naturalkeys import natural_key_problem
from prodcoord.core.plant_time import plant_today
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.core.sequences import sequence_next
from prodcoord.events.services import EventBatch

from ..models import Hold, Operation, Routing, RoutingStep, WorkOrder
from ..permissions import field_permissions
from .common import (
    bump,
    current_operation_follow,
    label,
    overdue,
    plan_dates_check,
    plan_late,
    require_open,
    require_reason,
    version_check,
    work_order_scopes,
    work_orders_lock,
    work_orders_write,
)

S = WorkOrder.Status
NUMBER_PREFIX = "WO-"
CREATE_FIELDS = {"item", "quantity", "priority", "due_date", "planned_start", "planned_end", "customer_ref", "number", "at"}
PLAN_FIELDS = ("planned_start", "planned_end", "due_date")
EDITABLE_FIELDS = ("quantity", "priority", "customer_ref", *PLAN_FIELDS)
UNSET = object()


# --- create -------------------------------------------------------------------


def work_order_number_check(number, *, taken):
    """A hand-typed work-order number, cleaned ("" when none was given, so one is generated).
    ``taken``: the numbers already in use, ``{lower-cased: as written}`` (numbers are unique
    regardless of case)."""
    number = (number or "").strip()
    if not number:
        return ""
    if len(number) > 30 or any(c.isspace() for c in number):
        raise ValidationError({"number": ["Use up to 30 characters with no spaces."]})
    problem = natural_key_problem(number)
    if problem:
        raise ValidationError({"number": [problem]})
    existing = taken.get(number.lower())
    if existing is not None:
        also = f" (as {existing}; numbers are unique regardless of case)" if existing != number else ""
        raise ValidationError({"number": [f"Work order {number} already exists{also}."]})
    return number


def numbers_taken(numbers):
    """``{lower-cased: as written}`` of the work-order numbers among ``numbers`` in use, regardless of case."""
    taken = {}
    for chunk in chunks([n.lower() for n in numbers if n]):
        for number in WorkOrder.objects.annotate(_key=Lower("number")).filter(_key__in=chunk).values_list("number", flat=True):
            taken[number.lower()] = number
    return taken


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


def work_order_new_check(*, item, quantity, priority, planned_start, planned_end, routing, due_date=None):
    """The rules every new work order obeys. Raises field errors."""
    errors = {}
    if not item.is_active:
        errors["item"] = [f"{item.sku} is inactive."]
    elif routing is None:
        errors["item"] = [f"{item.sku} has no released routing; release one before creating work orders."]
    if _quantity_invalid(quantity):
        errors["quantity"] = ["Must be greater than zero."]
    elif whole_units_problem(item.uom, quantity):
        errors["quantity"] = [whole_units_problem(item.uom, quantity)]
    if _priority_invalid(priority):
        errors["priority"] = ["Must be from 1 (most urgent) to 5."]
    if planned_start and planned_end and planned_end < planned_start:
        errors["planned_end"] = ["Must not be before planned start."]
    for field, messages in plan_dates_check(
        {"due_date": due_date, "planned_start": planned_start, "planned_end": planned_end}
    ).items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    run_minutes_check(steps=routing.steps.all(), quantity=quantity)


def _run_minutes(step, quantity):
    return (step.run_minutes_per_unit * Decimal(quantity)).quantize(Decimal("0.01"))


def _largest(model, field):
    """The largest value a decimal column holds (``99999999.99`` for 10 digits, 2 places)."""
    column = model._meta.get_field(field)
    return Decimal(10) ** (column.max_digits - column.decimal_places) - Decimal(10) ** -column.decimal_places


def run_minutes_check(*, steps, quantity):
    """The planned run minutes of every operation (run minutes per unit × quantity) must be a
    number the plan can hold. Raises a field error on ``quantity``."""
    largest = _largest(Operation, "planned_run_minutes")
    for step in steps:
        if step.run_minutes_per_unit * Decimal(quantity) > largest:
            raise ValidationError(
                {
                    "quantity": [
                        f"Too large for its routing: step {step.sequence} would plan more than {largest:,} run minutes. "
                        "Split the order."
                    ]
                }
            )


def operations_from_routing(work_order, steps):
    return [
        Operation(
            work_order=work_order,
            sequence=step.sequence,
            work_center_id=step.work_center_id,
            description=step.description,
            planned_setup_minutes=step.setup_minutes,
            planned_run_minutes=_run_minutes(step, work_order.quantity),
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
        taken = numbers_taken(candidates)
        numbers.extend(c for c in candidates if c.lower() not in taken)
    return numbers


def _released(model, item_ids, *, prefetch=None):
    qs = model.objects.filter(item_id__in=item_ids, status=model.Status.RELEASED)
    if prefetch:
        qs = qs.prefetch_related(prefetch)
    return {revision.item_id: revision for revision in qs}


@transaction.atomic
def work_orders_create(*, actor, rows, at=None):
    """Create draft work orders: rows ``{"item", "quantity", "priority"? (3), "due_date"?,
    "planned_start"?, "planned_end"?, "customer_ref"?, "number"? (else the next), "at"?}``.

    Each pins its item's released BOM and routing and gets the routing's steps
    as its operations. Returns them in row order.
    """
    rows = list(rows)
    now = at or timezone.now()
    item_ids = {row["item"].pk for row in rows}
    steps = RoutingStep.objects.select_related("work_center").order_by("sequence")
    routings = _released(Routing, item_ids, prefetch=Prefetch("steps", queryset=steps))
    boms = _released(BOM, item_ids)
    typed = [(row.get("number") or "").strip() for row in rows]
    taken = numbers_taken(typed)
    errors = RowErrors()
    for index, row in enumerate(rows):
        for field in sorted(set(row) - CREATE_FIELDS):
            errors.add(index, field, "This field cannot be set.")
        errors.check(
            index,
            work_order_new_check,
            item=row["item"],
            quantity=row.get("quantity"),
            priority=row.get("priority", 3),
            planned_start=row.get("planned_start"),
            planned_end=row.get("planned_end"),
            due_date=row.get("due_date"),
            routing=routings.get(row["item"].pk),
        )
        number = errors.check(index, work_order_number_check, typed[index], taken=taken)
        if number:
            taken[number.lower()] = number
    errors.raise_if_any()

    fresh = iter(next_numbers(sum(1 for number in typed if not number)))
    today = plant_today()
    work_orders = []
    for row, number in zip(rows, typed, strict=True):
        item = row["item"]
        work_order = WorkOrder(
            number=number or next(fresh),
            item=item,
            quantity=Decimal(row["quantity"]),
            priority=row.get("priority", 3),
            due_date=row.get("due_date"),
            planned_start=row.get("planned_start"),
            planned_end=row.get("planned_end"),
            customer_ref=(row.get("customer_ref") or "").strip(),
            bom=boms.get(item.pk),
            routing=routings[item.pk],
        )
        work_order.is_overdue = overdue(work_order, today=today)
        work_order.plan_late = plan_late(work_order)
        work_orders.append(work_order)
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin of a typed number must not poison the caller's transaction
            WorkOrder.objects.bulk_create(work_orders, batch_size=1000)
    except IntegrityError:
        twins = numbers_taken(typed)
        if not twins:
            raise
        for index, number in enumerate(typed):
            if number and number.lower() in twins:
                errors.add(index, "number", f"Work order {number} already exists.")
        errors.raise_if_any()
    operations = {wo.pk: operations_from_routing(wo, wo.routing.steps.all()) for wo in work_orders}
    Operation.objects.bulk_create([op for ops in operations.values() for op in ops], batch_size=2000)
    # The first operation is where a new order stands (its id exists only now).
    columns_update(WorkOrder, work_orders, current_operation_follow(work_orders, operations))
    events = EventBatch(actor=actor, at=now)
    for work_order, row in zip(work_orders, rows, strict=True):
        events.add(
            verb="work_order.created",
            subject=work_order,
            work_order=work_order,
            at=row.get("at"),
            changes={
                "status": [None, S.DRAFT],
                "item": [None, work_order.item.sku],
                "quantity": [None, work_order.quantity],
                "bom_revision": [None, work_order.bom.revision if work_order.bom else None],
                "routing_revision": [None, work_order.routing.revision],
            },
            scope=list(dict.fromkeys((s.work_center.department_id, s.work_center_id) for s in work_order.routing.steps.all())),
        )
    events.save()
    return work_orders


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
    """Create a draft work order; see ``work_orders_create``."""
    row = {
        "item": item,
        "quantity": quantity,
        "number": number,
        "priority": priority,
        "due_date": due_date,
        "planned_start": planned_start,
        "planned_end": planned_end,
        "customer_ref": customer_ref,
        "at": at,
    }
    return single(work_orders_create, row, actor=actor)


# --- changes ----------------------------------------------------------------------

# Which verb records a change to which fields; priority shifts and plan changes need a reason.
CHANGE_VERBS = {
    "work_order.priority_changed": ("priority",),
    "work_order.rescheduled": PLAN_FIELDS,
    "work_order.updated": ("quantity", "customer_ref"),
}
REASON_NEEDED = {"work_order.priority_changed": "change the priority", "work_order.rescheduled": "reschedule a work order"}


def work_order_change_check(*, work_order, data, reason, uom=None):
    """The rules a change to a work order obeys (``data``: only the fields that change; ``uom``:
    its item's unit, for a quantity change). Returns the reason to record; raises field errors
    or TransitionError."""
    require_open(work_order, "change")
    errors = {}
    if "priority" in data and _priority_invalid(data["priority"]):
        errors["priority"] = ["Must be from 1 (most urgent) to 5."]
    if "quantity" in data:
        if _quantity_invalid(data["quantity"]):
            errors["quantity"] = ["Must be greater than zero."]
        elif whole_units_problem(uom, data["quantity"]):
            errors["quantity"] = [whole_units_problem(uom, data["quantity"])]
        elif work_order.status not in (S.DRAFT, S.RELEASED):
            errors["quantity"] = [f"The quantity cannot change once work has started ({label(work_order.status)})."]
    start = data.get("planned_start", work_order.planned_start)
    end = data.get("planned_end", work_order.planned_end)
    if start and end and end < start:
        errors["planned_end"] = ["Must not be before planned start."]
    for field, messages in plan_dates_check({f: data[f] for f in PLAN_FIELDS if f in data}).items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    for verb, fields in CHANGE_VERBS.items():
        if verb in REASON_NEEDED and any(f in data for f in fields):
            reason = require_reason(reason, REASON_NEEDED[verb])
    return (reason or "").strip()


def fields_permission_check(actor, fields, work_order):
    """Refuse a change to fields of ``work_order`` (as it is now) that ``actor``'s role may not change
    (``permissions.field_permissions``)."""
    allowed = field_permissions(work_order)
    refused = [f for f in sorted(fields) if not any(actor.has_perm(perm) for perm in allowed[f])]
    if refused:
        raise PermissionDenied(f"Your role does not allow changing: {', '.join(refused)}.")


@transaction.atomic
def work_orders_update(*, actor, rows, at=None, check_permissions=False):
    """Change work orders' editable fields: rows ``{"work_order", "version"?, "reason"?, "at"?, **fields}``
    with fields among ``EDITABLE_FIELDS``, in order. Priority shifts and plan changes are
    recorded as their own events and need a reason; quantity can change only before work
    starts, and the operations' planned run time follows it. A row that changes nothing
    records nothing.

    ``check_permissions``: the actor is a person acting through a page or the API, and may
    change only the fields their role allows. Which fields a row changes is decided on the
    locked, current order, and the check is made on exactly those, in this transaction:
    an edit made from a stale read cannot change a field the actor's role does not own
    (``PermissionDenied``, nothing written)."""
    rows = list(rows)
    now = at or timezone.now()
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    scopes = work_order_scopes(list(locked))
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    changed, fields, requantified = [], set(), {}
    requantified_items = {locked[row["work_order"].pk].item_id for row in rows if "quantity" in row}
    steps = _routing_steps({locked[row["work_order"].pk].routing_id for row in rows if "quantity" in row})
    uoms = dict(Item.objects.filter(pk__in=requantified_items).values_list("pk", "uom")) if requantified_items else {}
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        data = {k: v for k, v in row.items() if k not in ("work_order", "version", "reason", "at")}
        unknown = sorted(set(data) - set(EDITABLE_FIELDS))
        for field in unknown:
            errors.add(index, field, "This field cannot be changed here.")
        if unknown:
            continue
        data = {k: (v.strip() if isinstance(v, str) else v) for k, v in data.items()}
        data = {k: v for k, v in data.items() if getattr(work_order, k) != v}
        # Refused only when a field it would change was changed since the caller read it.
        errors.check(index, version_check, work_order, row.get("version"), tuple(data), conflict_field="work_order")
        if index in errors or not data:
            continue
        if check_permissions:
            fields_permission_check(actor, data, work_order)
        reason = errors.check(
            index,
            work_order_change_check,
            work_order=work_order,
            data=data,
            reason=row.get("reason"),
            uom=uoms.get(work_order.item_id),
            conflict_field="work_order",
        )
        if index not in errors and "quantity" in data:
            errors.check(index, run_minutes_check, steps=steps[work_order.routing_id], quantity=data["quantity"])
        if index in errors:
            continue
        for verb, verb_fields in CHANGE_VERBS.items():
            touched = [f for f in verb_fields if f in data]
            if not touched:
                continue
            events.add(
                verb=verb,
                subject=work_order,
                work_order=work_order,
                changes={f: [getattr(work_order, f), data[f]] for f in touched},
                reason=reason,
                at=row.get("at"),
                scope=scopes[work_order.pk],
            )
        for field, value in data.items():
            setattr(work_order, field, value)
        if "quantity" in data:
            requantified[work_order.pk] = work_order
        bump(work_order)
        fields |= set(data)
        changed.append(work_order)
    errors.raise_if_any()
    _replan_operations(requantified.values())
    work_orders_write(changed, sorted(fields))
    events.save()
    return [locked[row["work_order"].pk] for row in rows]


def _routing_steps(routing_ids):
    """routing id → its steps, for the routings a batch changes quantities on (one query)."""
    steps = defaultdict(list)
    routing_ids = {pk for pk in routing_ids if pk is not None}
    if routing_ids:
        for step in RoutingStep.objects.filter(routing_id__in=routing_ids):
            steps[step.routing_id].append(step)
    return steps


def _replan_operations(work_orders):
    """Planned run minutes follow the quantity (per-unit times come from the pinned routing)."""
    work_orders = {wo.pk: wo for wo in work_orders if wo.routing_id is not None}
    if not work_orders:
        return
    steps = defaultdict(dict)
    for step in RoutingStep.objects.filter(routing_id__in={wo.routing_id for wo in work_orders.values()}):
        steps[step.routing_id][step.sequence] = step
    operations = []
    for op in Operation.objects.filter(work_order_id__in=list(work_orders)):
        work_order = work_orders[op.work_order_id]
        step = steps[work_order.routing_id].get(op.sequence)
        if step is not None:
            op.planned_run_minutes = _run_minutes(step, work_order.quantity)
            operations.append(op)
    columns_update(Operation, operations, ["planned_run_minutes", "updated_at"])


def work_order_update(*, work_order, actor, version=None, reason="", at=None, check_permissions=False, **data):
    """Change a work order's editable fields; see ``work_orders_update``."""
    row = {"work_order": work_order, "version": version, "reason": reason, "at": at, **data}
    return single(work_orders_update, row, actor=actor, check_permissions=check_permissions)


def work_order_change_priority(*, work_order, actor, priority, reason, version=None, at=None, check_permissions=False):
    return work_order_update(
        work_order=work_order,
        actor=actor,
        version=version,
        reason=reason,
        at=at,
        check_permissions=check_permissions,
        priority=priority,
    )


def work_order_reschedule(
    *,
    work_order,
    actor,
    reason,
    planned_start=UNSET,
    planned_end=UNSET,
    due_date=UNSET,
    version=None,
    at=None,
    check_permissions=False,
):
    data = {
        k: v
        for k, v in {"planned_start": planned_start, "planned_end": planned_end, "due_date": due_date}.items()
        if v is not UNSET
    }
    if not data:
        raise ValidationError({"planned_start": ["Give a new planned start, planned end or due date."]})
    return work_order_update(
        work_order=work_order, actor=actor, version=version, reason=reason, at=at, check_permissions=check_permissions, **data
    )


# --- delete -----------------------------------------------------------------------


@transaction.atomic
def work_orders_delete(*, actor, rows):
    """Delete draft work orders (nothing has happened to them yet): rows ``{"work_order", "reason"?}``.
    Others are cancelled, not deleted."""
    rows = list(rows)
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    held = set(Hold.objects.filter(work_order_id__in=list(locked)).values_list("work_order_id", flat=True))
    errors = RowErrors()
    events = EventBatch(actor=actor)
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        if work_order.status != S.DRAFT:
            errors.add_error(
                index,
                TransitionError(
                    f"Only a draft work order can be deleted; {work_order.number} is {label(work_order.status)}. "
                    "Cancel it instead."
                ),
                conflict_field="work_order",
            )
        elif work_order.pk in held:
            errors.add_error(index, _still_referenced(work_order), conflict_field="work_order")
        else:
            events.add(verb="work_order.deleted", subject=work_order, work_order=work_order, reason=row.get("reason", ""))
    errors.raise_if_any()
    events.save()
    ids = list(locked)
    Operation.objects.filter(work_order_id__in=ids).delete()
    try:
        with transaction.atomic():
            WorkOrder.objects.filter(pk__in=ids).delete()
    except ProtectedError as exc:  # planned in the schedule (an app above this one refers to it)
        refused = {getattr(obj, "work_order_id", None) for obj in exc.protected_objects}
        for index, row in enumerate(rows):
            if row["work_order"].pk in refused:
                errors.add_error(index, _still_referenced(locked[row["work_order"].pk]), conflict_field="work_order")
        errors.raise_if_any()
        raise
    return [locked[row["work_order"].pk] for row in rows]


def _still_referenced(work_order):
    return ConflictError(f"{work_order.number} has holds or schedule entries; cancel it instead.")


def work_order_delete(*, actor, work_order, reason=""):
    single(work_orders_delete, {"work_order": work_order, "reason": reason}, actor=actor)


# --- the overdue flag, as the date rolls over ----------------------------------------


def work_order_refresh_overdue(*, work_order_ids=None, today=None):
    """Set ``is_overdue`` = open and past its due date (plant date). Idempotent.

    Every service sets the flag in the transaction that changes the status or the
    due date; this scan is for the date rolling over (run periodically)."""
    today = today or plant_today()
    qs = WorkOrder.objects.all()
    if work_order_ids is not None:
        qs = qs.filter(pk__in=work_order_ids)
    late = qs.filter(status__in=WorkOrder.OPEN_STATUSES, due_date__lt=today)
    flagged = late.filter(is_overdue=False).update(is_overdue=True)
    cleared = qs.filter(is_overdue=True).exclude(pk__in=late.values("pk")).update(is_overdue=False)
    return flagged, cleared


def work_orders_shortage_counts_set(*, counts):
    """Set ``shortage_count`` of the work orders in ``counts`` (``{work order id: n}``), in one statement
    per thousand: what the board's shortage badge shows. Kept by shortage netting (``planning``), which
    passes only the orders whose count changed; derived state, so no event and no version bump."""
    rows = [WorkOrder(pk=pk, shortage_count=n) for pk, n in sorted(counts.items())]
    columns_update(WorkOrder, rows, ["shortage_count"])
    return len(rows)
