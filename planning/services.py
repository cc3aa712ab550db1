"""The plan that attainment is measured against: schedule entries."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from prodcoord.events.services import event_record
from workorders.models import Operation, WorkOrder

from .models import ScheduleEntry

SCHEDULABLE = (WorkOrder.Status.DRAFT, WorkOrder.Status.RELEASED, WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.COMPLETED)


def schedule_entry_validate(*, date, shift, work_center, work_order, planned_quantity, routed_pairs=None):
    """Field errors for one entry. ``routed_pairs``: optional preloaded {(work_order_id, work_center_id)}."""
    errors = {}
    try:
        quantity_ok = planned_quantity is not None and Decimal(planned_quantity) > 0
    except (TypeError, ValueError, ArithmeticError):
        quantity_ok = False
    if not quantity_ok:
        errors["planned_quantity"] = ["Must be greater than zero."]
    if work_order.status not in SCHEDULABLE:
        errors["work_order"] = [f"{work_order.number} is {work_order.get_status_display().lower()}; it cannot be scheduled."]
    else:
        if routed_pairs is not None:
            routed = (work_order.pk, work_center.pk) in routed_pairs
        else:
            routed = Operation.objects.filter(work_order=work_order, work_center=work_center).exists()
        if not routed:
            errors["work_center"] = [f"{work_order.number} has no operation at {work_center.code}."]
    if not shift.is_active:
        errors["shift"] = [f"Shift {shift.code} is inactive."]
    return errors


@transaction.atomic
def schedule_entry_upsert(*, actor, date, shift, work_center, work_order, planned_quantity, sequence=1, at=None):
    errors = schedule_entry_validate(
        date=date, shift=shift, work_center=work_center, work_order=work_order, planned_quantity=planned_quantity
    )
    if errors:
        raise ValidationError(errors)
    entry = (
        ScheduleEntry.objects.select_for_update()
        .filter(date=date, shift=shift, work_center=work_center, work_order=work_order)
        .first()
    )
    if entry is None:
        entry = ScheduleEntry.objects.create(
            date=date,
            shift=shift,
            work_center=work_center,
            work_order=work_order,
            planned_quantity=planned_quantity,
            sequence=sequence,
        )
        changes = {"planned_quantity": [None, planned_quantity]}
        verb = "schedule.entry_created"
    else:
        changes = {}
        if entry.planned_quantity != Decimal(planned_quantity):
            changes["planned_quantity"] = [entry.planned_quantity, planned_quantity]
        if entry.sequence != sequence:
            changes["sequence"] = [entry.sequence, sequence]
        if not changes:
            return entry
        entry.planned_quantity = planned_quantity
        entry.sequence = sequence
        entry.save(update_fields=["planned_quantity", "sequence", "updated_at"])
        verb = "schedule.entry_changed"
    event_record(actor=actor, verb=verb, subject=entry, work_order=work_order, changes=changes, at=at)
    return entry


@transaction.atomic
def schedule_entry_delete(*, actor, entry, reason=""):
    event_record(
        actor=actor,
        verb="schedule.entry_removed",
        subject=entry,
        work_order=entry.work_order,
        reason=reason,
        changes={"planned_quantity": [entry.planned_quantity, None]},
    )
    entry.delete()


@transaction.atomic
def schedule_bulk_upsert(*, actor, rows, at=None):
    """Upsert many entries all-or-nothing. ``rows``: dicts as for ``schedule_entry_upsert``.

    Every row is validated first; if any fails, nothing is written and the
    errors come back per row index.
    """
    rows = list(rows)
    pairs = set(
        Operation.objects.filter(work_order__in={r["work_order"].pk for r in rows}).values_list("work_order_id", "work_center_id")
    )
    row_errors = {}
    seen = {}
    for i, row in enumerate(rows):
        errs = schedule_entry_validate(
            date=row["date"],
            shift=row["shift"],
            work_center=row["work_center"],
            work_order=row["work_order"],
            planned_quantity=row["planned_quantity"],
            routed_pairs=pairs,
        )
        key = (row["date"], row["shift"].pk, row["work_center"].pk, row["work_order"].pk)
        if key in seen:
            errs.setdefault("work_order", []).append(f"Same slot as row {seen[key]}.")
        seen[key] = i
        if errs:
            row_errors[i] = errs
    if row_errors:
        raise ValidationError(
            {"rows": [f"Row {i}, {field}: {msgs[0]}" for i, errs in sorted(row_errors.items()) for field, msgs in errs.items()]}
        )
    return [schedule_entry_upsert(actor=actor, at=at, **{k: row[k] for k in row if k != "routed_pairs"}) for row in rows]
