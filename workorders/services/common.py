"""What every write to work orders shares: locking them, checking the caller's
version, the overdue flag, the departments and work centers a work order
concerns, and writing the changed orders back in one statement.

Every batch service follows the same steps: lock the work orders it touches
(in primary-key order), check and apply each row in memory in the order
given (so a later row sees an earlier row's effect, exactly as a series of
single calls would), collect the row errors, and only when there are none
write everything and record the events.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError

from prodcoord.core.exceptions import StaleVersionError, TransitionError
from prodcoord.core.plant_time import plant_today
from prodcoord.core.rows import chunks, columns_update, lock_by_pk

from ..models import Operation, WorkOrder

S = WorkOrder.Status


def label(status):
    return S(status).label.lower()


def work_orders_lock(ids):
    """``{pk: work order}``, re-read under row locks taken in primary-key order."""
    return lock_by_pk(WorkOrder.objects.all(), ids)


def version_check(work_order, version):
    """Refuse a change made from a stale read of the work order (``version`` is what the caller read)."""
    if version is not None and int(version) != work_order.version:
        raise StaleVersionError(
            f"{work_order.number} was changed by someone else (version {work_order.version}, you sent {version}). "
            "Reload it and apply your change again."
        )


def require_open(work_order, what):
    if not work_order.is_open:
        raise TransitionError(f"Cannot {what} {work_order.number}: it is {label(work_order.status)}.")


def require_reason(reason, what):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [f"Say why: a reason is required to {what}."]})
    return reason


def overdue(work_order, *, today=None):
    """Open (draft, released, in progress) and due before today's plant date."""
    due = work_order.due_date
    return bool(work_order.is_open and due is not None and due < (today or plant_today()))


def bump(work_order):
    """One more change to the order (in memory; ``work_orders_write`` saves it)."""
    work_order.version += 1


def work_orders_write(work_orders, fields):
    """Save ``fields`` of the changed work orders in one statement, with their version and
    the overdue flag, which follows every change of status or due date in the same write."""
    work_orders = list({wo.pk: wo for wo in work_orders}.values())
    if not work_orders:
        return
    today = plant_today()
    for work_order in work_orders:
        work_order.is_overdue = overdue(work_order, today=today)
    columns_update(WorkOrder, work_orders, [*dict.fromkeys(fields), "is_overdue", "version", "updated_at"])


# The columns that say where an open order is on the floor (``current_operation_follow``).
CURRENT_FIELDS = ("current_operation", "current_work_center", "next_work_center")


def current_operation_follow(work_orders, operations):
    """Set each order's current operation — its first operation not yet done while it is open
    (draft, released, in progress), none otherwise — and the work centers of that operation and
    of the one after it, from its operations as they now stand in memory (``operations``:
    ``{work order id: [operation, …] in sequence order}``, as a batch applied them). Returns
    the fields to write with the orders (``work_orders_write``).

    Every write that changes an operation's status or an order's status calls it, so where an
    order stands is always written in the same statement as what moved it."""
    for work_order in work_orders:
        current = following = None
        if work_order.is_open:
            ops = list(operations.get(work_order.pk, ()))
            at = next((i for i, op in enumerate(ops) if op.status != Operation.Status.DONE), None)
            if at is not None:
                current = ops[at]
                following = ops[at + 1] if at + 1 < len(ops) else None
        work_order.current_operation = current
        work_order.current_work_center_id = current.work_center_id if current is not None else None
        work_order.next_work_center_id = following.work_center_id if following is not None else None
    return list(CURRENT_FIELDS)


def work_order_scopes(work_order_ids):
    """``{work order id: [(department id, work center id), …]}``: the work centers its operations
    pass through and their departments (one query). An event about the order concerns all of them."""
    scopes = defaultdict(dict)
    for chunk in chunks(work_order_ids):
        rows = (
            Operation.objects.filter(work_order_id__in=chunk)
            .order_by()
            .values_list("work_order_id", "work_center_id", "work_center__department_id")
        )
        for wo_id, wc_id, dept_id in rows:
            scopes[wo_id][(dept_id, wc_id)] = None
    return defaultdict(list, {wo_id: list(pairs) for wo_id, pairs in scopes.items()})
