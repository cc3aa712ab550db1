"""What every write to work orders shares: locking them, checking the caller's
version, the overdue flag, the departments and work centers a work order
concerns, and writing the changed orders back in one statement.

Every batch service follows the same steps: lock the work orders it touches
(in primary-key order), check and apply each row in memory in the order
given (so a later row sees an earlier row's effect, exactly as a series of
single calls would), collect the row errors, and only when there are none
write everything and record the events.
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from prodcoord.core.exceptions import StaleVersionError, TransitionError
from prodcoord.core.plant_time import plant_today, plant_tz
from prodcoord.core.rows import chunks, columns_update, lock_by_pk
from prodcoord.events.models import Event
from prodcoord.events.presenters import change_rows

from ..models import Operation, WorkOrder

S = WorkOrder.Status


def label(status):
    return S(status).label.lower()


def work_orders_lock(ids):
    """``{pk: work order}``, re-read under row locks taken in primary-key order."""
    return lock_by_pk(WorkOrder.objects.all(), ids)


# What a change from a stale read is checked against: the fields it would change. A progress
# report, a hold and a reversal add to the order and are checked against its state as it is now
# (on hold, quantities left, already released or reversed), so they guard no field.
ADDITION = ()


def version_check(work_order, version, fields=None):
    """Refuse a change made from a stale read of the work order.

    ``version`` is the version the caller read (None: no check). ``fields`` are the fields the
    change would write: it is refused only when one of them was changed since that version —
    what the event log says changed after it (each event carries the order's version once
    written). ``ADDITION`` (no fields) is never refused; ``None`` guards every field.
    The refusal names who changed what, and when (``StaleVersionError.changes``)."""
    if version is None:
        return
    version = int(version)
    if version == work_order.version or (fields is not None and not fields and version < work_order.version):
        return
    if version > work_order.version:
        raise StaleVersionError(
            f"{work_order.number} has no version {version} (it is at version {work_order.version}). "
            "Reload it and apply your change again.",
            version=work_order.version,
        )
    changes, known = changes_since(work_order, version)
    if known:
        changes = [c for c in changes if fields is None or c["field"] in fields]
        if not changes:
            return
    raise StaleVersionError(stale_message(work_order, changes), changes=stale_changes_json(changes), version=work_order.version)


def changes_since(work_order, version):
    """``([{"field", "old", "new", "by", "at", "label"}, …], known)``: the field changes recorded
    on ``work_order`` after ``version``, oldest first (one query). ``known`` is false when the log
    cannot say (the changes since were made before events carried the version)."""
    events = list(
        Event.objects.filter(work_order_id=work_order.pk, work_order_version__gt=version)
        .select_related("actor", "object_type")
        .order_by("at", "id")
    )
    found = {event.work_order_version for event in events}
    if not found or max(found) < work_order.version:
        return [], False
    changes = []
    for event in events:
        actor = event.actor
        name = (actor.get_full_name() or actor.username) if actor is not None else "the system"
        for field, row in zip(event.changes or {}, change_rows(event), strict=True):
            changes.append(
                {
                    "field": field,
                    "label": row["field"],
                    "old": row["old"],
                    "new": row["new"],
                    "by": name,
                    "at": event.at,
                }
            )
    return changes, True


def _when(at, today):
    local = timezone.localtime(at)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%Y-%m-%d %H:%M}"


def _shown(value):
    return "—" if value in (None, "") else value


def stale_message(work_order, changes):
    """ "WO-000123 was changed meanwhile: Maria Lopez changed priority 3 → 1 at 16:10. …" (plant
    time, the date too when not today)."""
    if not changes:
        return (
            f"{work_order.number} was changed by someone else since you read it (it is now at version "
            f"{work_order.version}). Reload it and apply your change again."
        )
    today = plant_today()
    said = "; ".join(
        f"{c['by']} changed {c['label']} {_shown(c['old'])} → {_shown(c['new'])} at {_when(c['at'], today)}" for c in changes
    )
    return f"{work_order.number} was changed meanwhile: {said}. Check it and apply your change again."


def stale_changes_json(changes):
    """The changes of a stale refusal as the API's 409 body carries them (``at`` in ISO 8601)."""
    return [
        {
            **c,
            "old": None if c["old"] is None else str(c["old"]),
            "new": None if c["new"] is None else str(c["new"]),
            "at": timezone.localtime(c["at"]).isoformat(),
        }
        for c in changes
    ]


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


def plan_late(work_order):
    """Open, and its planned end falls on a plant date after its due date: the plan itself is late."""
    end, due = work_order.planned_end, work_order.due_date
    return bool(work_order.is_open and end is not None and due is not None and timezone.localtime(end, plant_tz()).date() > due)


def plan_window():
    """(earliest, latest) plant dates a due date or a planned start or end may fall on:
    ``PLAN_DATES_YEARS_BACK`` years before today to ``PLAN_DATES_YEARS_AHEAD`` years after."""
    today = plant_today()
    return _years_from(today, -settings.PLAN_DATES_YEARS_BACK), _years_from(today, settings.PLAN_DATES_YEARS_AHEAD)


def _years_from(day, years):
    year = day.year + years
    if not dt.MINYEAR <= year <= dt.MAXYEAR:  # a window set wider than the calendar: its edge
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February, in a year that has none
        return day.replace(year=year, day=28)


def plan_dates_check(data):
    """Field errors for the plan dates in ``data`` (``due_date``, ``planned_start``, ``planned_end``)
    that fall outside ``plan_window()``: ``{field: [message]}``, empty when all are sane."""
    earliest, latest = plan_window()
    errors = {}
    for field in ("due_date", "planned_start", "planned_end"):
        value = data.get(field)
        if value is None:
            continue
        day = (
            timezone.localtime(value, plant_tz()).date()
            if isinstance(value, dt.datetime) and timezone.is_aware(value)
            else (value.date() if isinstance(value, dt.datetime) else value)
        )
        if not earliest <= day <= latest:
            errors[field] = [f"Must fall between {earliest:%Y-%m-%d} and {latest:%Y-%m-%d}."]
    return errors


def bump(work_order):
    """One more change to the order (in memory; ``work_orders_write`` saves it)."""
    work_order.version += 1


def work_orders_write(work_orders, fields):
    """Save ``fields`` of the changed work orders in one statement, with their version, the
    overdue flag and the late-plan flag, which follow every change of status or plan in the same write."""
    work_orders = list({wo.pk: wo for wo in work_orders}.values())
    if not work_orders:
        return
    today = plant_today()
    for work_order in work_orders:
        work_order.is_overdue = overdue(work_order, today=today)
        work_order.plan_late = plan_late(work_order)
    columns_update(WorkOrder, work_orders, [*dict.fromkeys(fields), "is_overdue", "plan_late", "version", "updated_at"])


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
