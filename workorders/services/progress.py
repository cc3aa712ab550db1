"""Reporting production: good and scrap quantities on an operation."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from plant.shift_calendar import shift_slot_at
from prodcoord.core.exceptions import HoldActiveError, TransitionError
from prodcoord.core.plant_time import plant_tz
from prodcoord.core.quantities import fmt_qty
from prodcoord.events.services import event_record

from ..models import Operation, ProductionReport, WorkOrder
from .work_orders import MAX_FUTURE_SKEW, PROGRESS_STATUSES, _bump, _label, _transition, work_order_lock

S = WorkOrder.Status


def _to_decimal(value, field):
    try:
        number = Decimal(value if value not in (None, "") else 0)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: ["Enter a number."]}) from None
    if not number.is_finite():
        raise ValidationError({field: ["Enter a number."]})
    return number


def progress_check(*, work_order, status, operations, operation, quantity_good, quantity_scrap, reported_at, done=None, now=None):
    """The rules a progress report obeys, for one report or a batch.

    ``operations``: the order's operations by sequence. ``status`` and ``done``
    ({operation pk: (good, scrap)}) let a batch apply its earlier rows first.
    Returns (operation, good, scrap, new cumulative good, new cumulative scrap,
    aware reported_at); raises ValidationError / HoldActiveError / TransitionError.
    """
    done = done or {}
    quantity_good = _to_decimal(quantity_good, "quantity_good")
    quantity_scrap = _to_decimal(quantity_scrap, "quantity_scrap")
    errors = {}
    if quantity_good < 0:
        errors["quantity_good"] = ["Cannot be negative."]
    if quantity_scrap < 0:
        errors["quantity_scrap"] = ["Cannot be negative."]
    if not errors and quantity_good == 0 and quantity_scrap == 0:
        errors["quantity_good"] = ["Report a good or a scrap quantity greater than zero."]
    now = now or timezone.now()
    reported_at = reported_at or now
    if timezone.is_naive(reported_at):
        # A wall-clock time without an offset is read on the plant's clock.
        reported_at = timezone.make_aware(reported_at, plant_tz())
    if reported_at > now + MAX_FUTURE_SKEW:
        errors["reported_at"] = ["Cannot be in the future."]
    if errors:
        raise ValidationError(errors)

    if work_order.active_hold_count:
        raise HoldActiveError(f"Cannot report progress on {work_order.number}: it is on hold. Release the hold first.")
    if status not in PROGRESS_STATUSES:
        raise TransitionError(
            f"Cannot report progress on {work_order.number}: it is {_label(status)}. "
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
    good_so_far, scrap_so_far = done.get(op.pk, (op.quantity_good, op.quantity_scrap))
    new_good = good_so_far + quantity_good
    new_scrap = scrap_so_far + quantity_scrap
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
    else:
        previous = operations[index - 1]
        previous_good = done.get(previous.pk, (previous.quantity_good,))[0]
        if new_good + new_scrap > previous_good:
            raise ValidationError(
                {
                    "quantity_good": [
                        f"Operation {op.sequence} would have processed {fmt_qty(new_good + new_scrap)}, but operation "
                        f"{previous.sequence} has passed on only {fmt_qty(previous_good)} good."
                    ]
                }
            )
    return op, quantity_good, quantity_scrap, new_good, new_scrap, reported_at


def progress_apply(*, work_order, operations, operation, quantity_good, quantity_scrap, reported_at, slot, actor, note):
    """Apply a checked report in memory, for one report or a batch: the unsaved
    ``ProductionReport``, the operation's totals and status, the order's completed
    and scrapped quantities. Returns (report, changes for the event); the caller saves."""
    op = operation
    report = ProductionReport(
        operation=op,
        work_order=work_order,
        work_center_id=op.work_center_id,
        quantity_good=quantity_good,
        quantity_scrap=quantity_scrap,
        reported_at=reported_at,
        shift=slot.shift,
        shift_date=slot.date,
        reported_by=actor if actor is not None and actor.is_authenticated else None,
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
    if old_completed != work_order.quantity_completed:
        changes["quantity_completed"] = [old_completed, work_order.quantity_completed]
    return report, changes


@transaction.atomic
def operation_report_progress(
    *,
    work_order,
    actor,
    operation,
    quantity_good=Decimal("0"),
    quantity_scrap=Decimal("0"),
    reported_at=None,
    note="",
    version=None,
    shifts=None,
):
    """Record good/scrap made on one operation (given by its sequence number).

    The report is attributed to the shift and shift date in plant time that
    ``reported_at`` falls in. A released order starts on its first report; a
    held, draft, completed, closed or cancelled one refuses it. An operation
    cannot pass on more good parts than the previous one gave it, and the
    first cannot make more good parts than the order asks for.
    """
    work_order = work_order_lock(work_order=work_order, version=version)
    operations = list(Operation.objects.select_for_update().filter(work_order=work_order).order_by("sequence"))
    check = progress_check(
        work_order=work_order,
        status=work_order.status,
        operations=operations,
        operation=operation,
        quantity_good=quantity_good,
        quantity_scrap=quantity_scrap,
        reported_at=reported_at,
    )
    op, quantity_good, quantity_scrap, _new_good, _new_scrap, reported_at = check

    slot = shift_slot_at(reported_at, shifts=shifts)
    if work_order.status == S.RELEASED:
        work_order = _transition(
            action="start", work_order=work_order, actor=actor, reason="First progress reported.", at=reported_at
        )

    report, changes = progress_apply(
        work_order=work_order,
        operations=operations,
        operation=op,
        quantity_good=quantity_good,
        quantity_scrap=quantity_scrap,
        reported_at=reported_at,
        slot=slot,
        actor=actor,
        note=note,
    )
    report.save(force_insert=True)
    op.save(update_fields=["quantity_good", "quantity_scrap", "status", "updated_at"])
    _bump(work_order, ["quantity_completed", "quantity_scrapped"])
    event_record(
        actor=actor,
        verb="work_order.progress_reported",
        subject=work_order,
        work_order=work_order,
        changes=changes,
        reason=report.note,
        at=reported_at,
    )
    return report
