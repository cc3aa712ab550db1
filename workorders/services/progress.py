"""Reporting production: good and scrap quantities on an operation.

``progress_report`` takes many reports and is the one path for them;
``operation_report_progress`` is a batch of one. Reports are applied in the
order given, so a later report sees what an earlier one made.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from materials.models import Item
from materials.stock import work_orders_backflush
from materials.units import whole_units_problem
from plant.models import Shift
from plant.shift_calendar import shift_slot_at
from prodcoord.core.exceptions import HoldActiveError, TransitionError
from prodcoord.core.plant_time import plant_tz
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch

from ..models import Operation, ProductionReport, WorkOrder
from .common import ADDITION, bump, current_operation_follow, label, version_check, work_orders_lock, work_orders_write
from .transitions import transition_apply

S = WorkOrder.Status
# States in which progress can be reported (a released order starts on its first report).
PROGRESS_STATUSES = (S.RELEASED, S.IN_PROGRESS)
# How far ahead of the server's clock a report may be dated (a tablet's clock may run fast).
MAX_FUTURE_SKEW = dt.timedelta(minutes=5)
STARTED_BY_PROGRESS = "First progress reported."
# The largest quantity a quantity column holds (14 digits, 3 places).
LARGEST_QUANTITY = Decimal("99999999999.999")


def _to_decimal(value, field):
    try:
        number = Decimal(value if value not in (None, "") else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: ["Enter a number."]}) from None
    if not number.is_finite():
        raise ValidationError({field: ["Enter a number."]})
    return number


def progress_left(*, work_order, operations, op):
    """What is left to process at ``op``: at the first operation, the order quantity less the
    good made so far; at a later one, what the previous operation passed on less what this
    one has processed (good and scrap)."""
    index = operations.index(op)
    if index == 0:
        return max(work_order.quantity - op.quantity_good, Decimal("0"))
    previous = operations[index - 1]
    return max(previous.quantity_good - op.quantity_good - op.quantity_scrap, Decimal("0"))


def progress_check(
    *,
    work_order,
    operations,
    operation,
    quantity_good,
    quantity_scrap,
    reported_at,
    now,
    scrap_reason=None,
    uom=None,
    confirmed=True,
):
    """The rules a progress report obeys, against the order and its operations as they stand
    (a batch's earlier reports applied). Returns (operation, good, scrap, aware reported_at);
    raises ValidationError / HoldActiveError / TransitionError.

    Positive quantities, whole numbers for an item counted in pieces, boxes or rolls
    (``uom``), a scrap reason (active) exactly when there is scrap, not in the future
    (beyond a few minutes of clock skew) and not before the order was released, not on
    hold, released or in progress; the first operation makes at most the order quantity
    and scraps at most what it still had to make, a later one processes (good and scrap)
    at most what the previous one passed on. A report of more than is left at the
    operation (possible at the first one, where extra blanks cover scrap) is refused on
    ``confirm`` unless ``confirmed``.
    """
    quantity_good = _to_decimal(quantity_good, "quantity_good")
    quantity_scrap = _to_decimal(quantity_scrap, "quantity_scrap")
    errors = {}
    if quantity_good < 0:
        errors["quantity_good"] = ["Cannot be negative."]
    if quantity_scrap < 0:
        errors["quantity_scrap"] = ["Cannot be negative."]
    if not errors and quantity_good == 0 and quantity_scrap == 0:
        errors["quantity_good"] = ["Report a good or a scrap quantity greater than zero."]
    for field, value in (("quantity_good", quantity_good), ("quantity_scrap", quantity_scrap)):
        problem = whole_units_problem(uom, value)
        if problem and field not in errors:
            errors[field] = [problem]
    if quantity_scrap > 0 and scrap_reason is None:
        errors["scrap_reason"] = ["Say why they were scrapped: choose a scrap reason."]
    elif quantity_scrap > 0 and not scrap_reason.is_active:
        errors["scrap_reason"] = [f"{scrap_reason.code} is no longer in use; choose another scrap reason."]
    elif quantity_scrap == 0 and scrap_reason is not None and "quantity_scrap" not in errors:
        errors["scrap_reason"] = ["A scrap reason goes with a scrap quantity: enter the scrap, or leave the reason empty."]
    reported_at = reported_at or now
    if timezone.is_naive(reported_at):
        # A wall-clock time without an offset is read on the plant's clock.
        reported_at = timezone.make_aware(reported_at, plant_tz())
    if reported_at > now + MAX_FUTURE_SKEW:
        errors["reported_at"] = ["Cannot be in the future."]
    elif work_order.released_at is not None and reported_at < work_order.released_at:
        released = timezone.localtime(work_order.released_at)
        errors["reported_at"] = [f"Cannot be before {work_order.number} was released ({released:%Y-%m-%d %H:%M})."]
    if errors:
        raise ValidationError(errors)

    if work_order.active_hold_count:
        raise HoldActiveError(f"Cannot report progress on {work_order.number}: it is on hold. Release the hold first.")
    if work_order.status not in PROGRESS_STATUSES:
        raise TransitionError(
            f"Cannot report progress on {work_order.number}: it is {label(work_order.status)}. "
            "Progress is reported on released or in-progress work orders."
        )

    by_seq = {op.sequence: op for op in operations}
    try:
        op = by_seq[int(operation)]
    except (KeyError, TypeError, ValueError):
        raise ValidationError(
            {
                "operation": [
                    f"{work_order.number} has no operation {operation}; its operations are "
                    f"{', '.join(str(s) for s in by_seq) or 'none'}."
                ]
            }
        ) from None
    index = operations.index(op)
    new_good = op.quantity_good + quantity_good
    new_scrap = op.quantity_scrap + quantity_scrap
    if max(new_scrap, work_order.quantity_scrapped + quantity_scrap) > LARGEST_QUANTITY:
        message = f"The scrap of {work_order.number} would pass {fmt_qty(LARGEST_QUANTITY)}, the largest quantity."
        raise ValidationError({"quantity_scrap": [message]})
    left = progress_left(work_order=work_order, operations=operations, op=op)
    if index == 0:
        if new_good > work_order.quantity:
            raise ValidationError(
                {
                    "quantity_good": [
                        f"Operation {op.sequence} would have {fmt_qty(new_good)} good, more than the order quantity "
                        f"{fmt_qty(work_order.quantity)}. A planner can raise the order quantity first."
                    ]
                }
            )
        if quantity_scrap > left:
            if left:
                message = (
                    f"Operation {op.sequence} can scrap at most {fmt_qty(left)}: that is what it still had to make "
                    f"({fmt_qty(work_order.quantity)} ordered, {fmt_qty(op.quantity_good)} good so far)."
                )
            else:
                message = (
                    f"Operation {op.sequence} has nothing left to scrap: it has made all {fmt_qty(work_order.quantity)} ordered."
                )
            raise ValidationError({"quantity_scrap": [message]})
    else:
        previous = operations[index - 1]
        if new_good + new_scrap > previous.quantity_good:
            processed = op.quantity_good + op.quantity_scrap
            if quantity_scrap and new_good + op.quantity_scrap <= previous.quantity_good:
                room = previous.quantity_good - processed - quantity_good
                besides = f" besides the {fmt_qty(quantity_good)} good" if quantity_good else ""
                head = f"can scrap at most {fmt_qty(room)}{besides}" if room else f"has nothing left to scrap{besides}"
                raise ValidationError(
                    {
                        "quantity_scrap": [
                            f"Operation {op.sequence} {head}: operation {previous.sequence} has passed on "
                            f"{fmt_qty(previous.quantity_good)} good and operation {op.sequence} has already processed "
                            f"{fmt_qty(processed)}. It cannot scrap more than it was passed."
                        ]
                    }
                )
            raise ValidationError(
                {
                    "quantity_good": [
                        f"Operation {op.sequence} would have processed {fmt_qty(new_good + new_scrap)}, but operation "
                        f"{previous.sequence} has passed on only {fmt_qty(previous.quantity_good)} good."
                    ]
                }
            )
    if not confirmed and quantity_good + quantity_scrap > left:
        raise ValidationError(
            {
                "confirm": [
                    f"This reports {fmt_qty(quantity_good + quantity_scrap)} processed at operation {op.sequence} "
                    f"({fmt_qty(quantity_good)} good, {fmt_qty(quantity_scrap)} scrap), but only {fmt_qty(left)} "
                    f"{'was' if left == 1 else 'were'} left to make there. Check the numbers, or confirm them."
                ]
            }
        )
    return op, quantity_good, quantity_scrap, reported_at


def progress_apply(
    *, work_order, operations, operation, quantity_good, quantity_scrap, reported_at, slot, actor, note, scrap_reason=None
):
    """Apply a checked report in memory: the unsaved ``ProductionReport``, the operation's
    totals and status, the order's completed and scrapped quantities. Returns (report,
    changes for the event); the caller saves."""
    op = operation
    report = ProductionReport(
        operation=op,
        work_order=work_order,
        work_center_id=op.work_center_id,
        quantity_good=quantity_good,
        quantity_scrap=quantity_scrap,
        scrap_reason=scrap_reason if quantity_scrap else None,
        reported_at=reported_at,
        shift=slot.shift,
        shift_date=slot.date,
        reported_by=actor,
        note=(note or "").strip(),
    )
    old_good, old_scrap, old_completed = op.quantity_good, op.quantity_scrap, work_order.quantity_completed
    op.quantity_good += quantity_good
    op.quantity_scrap += quantity_scrap
    op.status = Operation.Status.DONE if op.quantity_good >= work_order.quantity else Operation.Status.IN_PROGRESS
    work_order.quantity_completed = operations[-1].quantity_good
    work_order.quantity_scrapped += quantity_scrap
    changes = {}
    if quantity_good:
        changes[f"operation {op.sequence} good"] = [old_good, op.quantity_good]
    if quantity_scrap:
        changes[f"operation {op.sequence} scrap"] = [old_scrap, op.quantity_scrap]
        changes["scrap reason"] = [None, scrap_reason.label]
    if old_completed != work_order.quantity_completed:
        changes["quantity_completed"] = [old_completed, work_order.quantity_completed]
    return report, changes


@transaction.atomic
def progress_report(*, actor, rows, shifts=None):
    """Record good/scrap made: rows ``{"work_order", "operation" (its sequence), "quantity_good"?,
    "quantity_scrap"?, "scrap_reason"? (a ScrapReason; required with scrap), "reported_at"?,
    "note"?, "version"?, "confirmed"? (default true: a report of more than is left at the
    operation is refused unless confirmed)}``, in order.

    Each report is attributed to the shift and shift date in plant time that
    ``reported_at`` falls in. A released order starts on its first report; a
    held, draft, completed, closed or cancelled one refuses it.
    """
    rows = list(rows)
    now = timezone.now()
    if shifts is None:
        shifts = list(Shift.objects.filter(is_active=True))
    locked = work_orders_lock(row["work_order"].pk for row in rows)
    operations = defaultdict(list)
    for chunk in chunks(list(locked)):
        for op in (
            Operation.objects.select_for_update()
            .filter(work_order_id__in=chunk)
            .select_related("work_center")
            .order_by("work_order_id", "sequence")
        ):
            operations[op.work_order_id].append(op)
    scopes = {wo_id: [(op.work_center.department_id, op.work_center_id) for op in ops] for wo_id, ops in operations.items()}
    uoms = dict(Item.objects.filter(pk__in={wo.item_id for wo in locked.values()}).values_list("pk", "uom"))
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    reports, touched, changed, backflush = [], {}, [], []
    for index, row in enumerate(rows):
        work_order = locked[row["work_order"].pk]
        ops = operations[work_order.pk]
        errors.check(index, version_check, work_order, row.get("version"), ADDITION, conflict_field="work_order")
        if index in errors:
            continue
        checked = errors.check(
            index,
            progress_check,
            work_order=work_order,
            operations=ops,
            operation=row.get("operation"),
            quantity_good=row.get("quantity_good"),
            quantity_scrap=row.get("quantity_scrap"),
            reported_at=row.get("reported_at"),
            now=now,
            scrap_reason=row.get("scrap_reason"),
            uom=uoms[work_order.item_id],
            confirmed=row.get("confirmed", True),
            conflict_field="work_order",
        )
        if checked is None:
            continue
        op, good, scrap, reported_at = checked
        slot = errors.check(index, shift_slot_at, reported_at, shifts=shifts)
        if slot is None:
            continue
        if work_order.status == S.RELEASED:
            transition_apply(
                work_order=work_order,
                action="start",
                reason=STARTED_BY_PROGRESS,
                at=reported_at,
                events=events,
                scope=scopes[work_order.pk],
            )
        report, changes = progress_apply(
            work_order=work_order,
            operations=ops,
            operation=op,
            quantity_good=good,
            quantity_scrap=scrap,
            reported_at=reported_at,
            slot=slot,
            actor=events.actor,
            note=row.get("note"),
            scrap_reason=row.get("scrap_reason"),
        )
        bump(work_order)
        events.add(
            verb="work_order.progress_reported",
            subject=work_order,
            work_order=work_order,
            changes=changes,
            reason=report.note,
            at=reported_at,
            scope=[(op.work_center.department_id, op.work_center_id)],
        )
        reports.append(report)
        touched[op.pk] = op
        changed.append(work_order)
        if op is ops[0]:  # material goes in at the first operation: backflushed components are issued
            backflush.append(
                {"row": index, "work_order": work_order, "work_center_id": op.work_center_id, "quantity": good + scrap}
            )
    errors.raise_if_any()
    work_orders_backflush(actor=actor, rows=backflush, at=now)
    if len(reports) == 1:
        reports[0].save(force_insert=True)
    else:
        ProductionReport.objects.bulk_create(reports, batch_size=1000)
    columns_update(Operation, touched.values(), ["quantity_good", "quantity_scrap", "status", "updated_at"])
    work_orders_write(
        changed,
        ["status", "started_at", "quantity_completed", "quantity_scrapped", *current_operation_follow(changed, operations)],
    )
    events.save()
    return reports


def operation_report_progress(
    *,
    work_order,
    actor,
    operation,
    quantity_good=Decimal("0"),
    quantity_scrap=Decimal("0"),
    scrap_reason=None,
    reported_at=None,
    note="",
    version=None,
    confirmed=True,
    shifts=None,
):
    """Record good/scrap made on one operation (given by its sequence number); see ``progress_report``."""
    row = {
        "work_order": work_order,
        "operation": operation,
        "quantity_good": quantity_good,
        "quantity_scrap": quantity_scrap,
        "scrap_reason": scrap_reason,
        "reported_at": reported_at,
        "note": note,
        "version": version,
        "confirmed": confirmed,
    }
    return single(progress_report, row, actor=actor, shifts=shifts)
