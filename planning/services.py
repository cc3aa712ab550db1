"""The plan that attainment is measured against: schedule entries, one per
(date, shift, work center, work order).

``schedule_entries_upsert`` takes many rows — a planner's whole upload — and is
the one path for writing the plan, all or nothing; ``schedule_entry_upsert`` is
a batch of one.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch
from workorders.models import Operation, WorkOrder

from .models import ScheduleEntry

SCHEDULABLE = (WorkOrder.Status.DRAFT, WorkOrder.Status.RELEASED, WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.COMPLETED)
ROW_FIELDS = {"date", "shift", "work_center", "work_order", "planned_quantity", "sequence", "reason"}
# What a row's upsert did to its slot (``entry.outcome`` on the entries returned).
CREATED, CHANGED, UNCHANGED = "created", "changed", "unchanged"


def entry_scope(entry):
    return [(entry.work_center.department_id, entry.work_center_id)]


def schedule_entry_check(*, shift, work_center, work_order, planned_quantity, routed_pairs):
    """Field errors for one entry. ``routed_pairs``: the {(work_order_id, work_center_id)} of the
    work orders' operations."""
    errors = {}
    try:
        quantity_ok = planned_quantity is not None and Decimal(planned_quantity) > 0
    except (TypeError, ValueError, ArithmeticError):
        quantity_ok = False
    if not quantity_ok:
        errors["planned_quantity"] = ["Must be greater than zero."]
    if work_order.status not in SCHEDULABLE:
        errors["work_order"] = [f"{work_order.number} is {work_order.get_status_display().lower()}; it cannot be scheduled."]
    elif (work_order.pk, work_center.pk) not in routed_pairs:
        errors["work_center"] = [f"{work_order.number} has no operation at {work_center.code}."]
    if not shift.is_active:
        errors["shift"] = [f"Shift {shift.code} is inactive."]
    if errors:
        raise ValidationError(errors)


def _slot(row):
    return (row["date"], row["shift"].pk, row["work_center"].pk, row["work_order"].pk)


@transaction.atomic
def schedule_entries_upsert(*, actor, rows, at=None):
    """Create or change schedule entries, all or nothing: rows ``{"date", "shift", "work_center",
    "work_order", "planned_quantity", "sequence"? (1), "reason"? ("")}``; one row per slot. An entry
    whose quantity and sequence stay the same records nothing. Returns the entries in row order,
    each with ``outcome``: ``CREATED``, ``CHANGED`` or ``UNCHANGED``."""
    rows = list(rows)
    now = at or timezone.now()
    work_order_ids = {row["work_order"].pk for row in rows}
    routed = set()
    for chunk in chunks(work_order_ids):
        routed |= set(Operation.objects.filter(work_order_id__in=chunk).values_list("work_order_id", "work_center_id"))
    errors = RowErrors()
    seen = {}
    for index, row in enumerate(rows):
        for field in sorted(set(row) - ROW_FIELDS):
            errors.add(index, field, "This field cannot be set.")
        errors.check(
            index,
            schedule_entry_check,
            shift=row["shift"],
            work_center=row["work_center"],
            work_order=row["work_order"],
            planned_quantity=row["planned_quantity"],
            routed_pairs=routed,
        )
        if _slot(row) in seen:
            errors.add(index, "work_order", f"Same slot as row {seen[_slot(row)]}.")
        seen.setdefault(_slot(row), index)
    errors.raise_if_any()

    # The entries already in these slots, locked: read by the slots' dates and work orders (a
    # superset, narrowed here), not by one OR per slot, which costs seconds to build for thousands.
    existing = {}
    dates = sorted({slot[0] for slot in seen})
    for chunk in chunks(sorted({slot[3] for slot in seen}), 2000):
        candidates = ScheduleEntry.objects.select_for_update().filter(date__in=dates, work_order_id__in=chunk).order_by("pk")
        for entry in candidates:
            key = (entry.date, entry.shift_id, entry.work_center_id, entry.work_order_id)
            if key in seen:
                existing[key] = entry
    events = EventBatch(actor=actor, at=now)
    created, changed, entries = [], [], []
    for row in rows:
        quantity, sequence = Decimal(row["planned_quantity"]), row.get("sequence", 1)
        entry = existing.get(_slot(row))
        if entry is None:
            entry = ScheduleEntry(
                date=row["date"],
                shift=row["shift"],
                work_center=row["work_center"],
                work_order=row["work_order"],
                planned_quantity=quantity,
                sequence=sequence,
            )
            created.append(entry)
        else:
            # The rows' own records: naming the entry in its event reads no shift, work center or order.
            entry.shift, entry.work_center, entry.work_order = row["shift"], row["work_center"], row["work_order"]
            changes = {}
            if entry.planned_quantity != quantity:
                changes["planned_quantity"] = [entry.planned_quantity, row["planned_quantity"]]
            if entry.sequence != sequence:
                changes["sequence"] = [entry.sequence, sequence]
            if changes:
                entry.planned_quantity, entry.sequence = quantity, sequence
                changed.append((entry, changes))
        entries.append(entry)
    ScheduleEntry.objects.bulk_create(created, batch_size=1000)
    columns_update(ScheduleEntry, [entry for entry, _ in changed], ["planned_quantity", "sequence", "updated_at"])
    changed_changes = {id(entry): changes for entry, changes in changed}
    created_ids = {id(entry) for entry in created}
    for row, entry in zip(rows, entries, strict=True):
        if id(entry) in created_ids:
            verb, changes = "schedule.entry_created", {"planned_quantity": [None, row["planned_quantity"]]}
        elif id(entry) in changed_changes:
            verb, changes = "schedule.entry_changed", changed_changes[id(entry)]
        else:
            entry.outcome = UNCHANGED
            continue
        entry.outcome = CREATED if verb == "schedule.entry_created" else CHANGED
        events.add(
            verb=verb,
            subject=entry,
            work_order=entry.work_order,
            changes=changes,
            reason=row.get("reason", ""),
            scope=entry_scope(entry),
        )
    events.save()
    return entries


def schedule_entry_upsert(*, actor, date, shift, work_center, work_order, planned_quantity, sequence=1, reason="", at=None):
    row = {
        "date": date,
        "shift": shift,
        "work_center": work_center,
        "work_order": work_order,
        "planned_quantity": planned_quantity,
        "sequence": sequence,
        "reason": reason,
    }
    return single(schedule_entries_upsert, row, actor=actor, at=at)


@transaction.atomic
def schedule_entries_delete(*, actor, rows):
    """Take entries off the plan: rows ``{"entry", "reason"?}``."""
    rows = list(rows)
    events = EventBatch(actor=actor)
    for row in rows:
        entry = row["entry"]
        events.add(
            verb="schedule.entry_removed",
            subject=entry,
            work_order=entry.work_order,
            reason=row.get("reason", ""),
            # The slot it leaves, for what is computed from the plan (attainment).
            changes={"planned_quantity": [entry.planned_quantity, None], "date": [entry.date, None]},
            scope=entry_scope(entry),
        )
    events.save()
    ScheduleEntry.objects.filter(pk__in=[row["entry"].pk for row in rows]).delete()


def schedule_entry_delete(*, actor, entry, reason=""):
    schedule_entries_delete(actor=actor, rows=[{"entry": entry, "reason": reason}])


REPLAN_FIELDS = ("date", "shift", "work_center", "planned_quantity")


@transaction.atomic
def schedule_entry_replan(*, actor, entry, reason, date=None, shift=None, work_center=None, planned_quantity=None, at=None):
    """Move an entry to another date, shift or work center, or change its quantity, with a reason:
    a schedule change made while the plan is being worked to, recorded as ``schedule.entry_replanned``
    with the reason, scoped to the old and the new work center (so both departments hear of it).

    Arguments left ``None`` keep their value. The work order stays (another work order is another
    entry). The new slot must be free for this work order, and the check of a new entry holds
    (the work order is routed through the new work center, the shift is active, the quantity > 0).
    Returns the entry as it is now."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = ["Say why the plan changes."]
    elif len(reason) > 500:
        errors["reason"] = ["At most 500 characters."]
    entry = ScheduleEntry.objects.select_for_update().select_related("shift", "work_center", "work_order").get(pk=entry.pk)
    new = {
        "date": entry.date if date is None else date,
        "shift": entry.shift if shift is None else shift,
        "work_center": entry.work_center if work_center is None else work_center,
        "planned_quantity": entry.planned_quantity if planned_quantity is None else planned_quantity,
    }
    try:
        routed = set(
            Operation.objects.filter(work_order_id=entry.work_order_id, work_center=new["work_center"]).values_list(
                "work_order_id", "work_center_id"
            )
        )
        schedule_entry_check(
            shift=new["shift"],
            work_center=new["work_center"],
            work_order=entry.work_order,
            planned_quantity=new["planned_quantity"],
            routed_pairs=routed,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    new["planned_quantity"] = Decimal(new["planned_quantity"])
    old = {field: getattr(entry, field) for field in REPLAN_FIELDS}
    changes = {field: [old[field], new[field]] for field in REPLAN_FIELDS if old[field] != new[field]}
    if not changes:
        raise ValidationError("Nothing changes: pick another shift, date, work center or quantity.")
    slot_moves = any(field in changes for field in ("date", "shift", "work_center"))
    if slot_moves:
        taken = (
            ScheduleEntry.objects.filter(
                date=new["date"], shift=new["shift"], work_center=new["work_center"], work_order_id=entry.work_order_id
            )
            .exclude(pk=entry.pk)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "work_center": [
                        f"{entry.work_order.number} is already planned at {new['work_center'].code} in that shift "
                        f"({taken.planned_quantity.normalize():f}); change that entry instead."
                    ]
                }
            )
    old_scope = entry_scope(entry)
    for field in REPLAN_FIELDS:
        setattr(entry, field, new[field])
    entry.save(update_fields=[*REPLAN_FIELDS, "updated_at"])
    # A changed date stays in the changes: what is computed from the plan (attainment) reads the
    # date the entry left from there, and the entry's own for the date it is on now.
    event_changes = {
        field: [value.code, new_value.code] if field in ("shift", "work_center") else [value, new_value]
        for field, (value, new_value) in changes.items()
    }
    events = EventBatch(actor=actor, at=at or timezone.now())
    events.add(
        verb="schedule.entry_replanned",
        subject=entry,
        work_order=entry.work_order,
        changes=event_changes,
        reason=reason,
        scope=[*old_scope, *entry_scope(entry)],
    )
    events.save()
    return entry
