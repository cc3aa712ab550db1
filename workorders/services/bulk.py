"""Bulk write paths: the same rules as the single-row services, for thousands of
rows at a time (imports, large plants, benchmarks).

Each function validates every row first with the single-row rules and raises
one ``ValidationError`` listing the failing rows — nothing is written then —
and otherwise writes with ``bulk_create`` and batched ``UPDATE … FROM (VALUES …)`` and records
one event per change (``events_record_bulk``), all in one transaction. Rows are
applied in the order given, so a later row sees the effect of an earlier one
(e.g. two progress reports on the same operation).
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from materials.models import BOM
from plant.shift_calendar import shift_slot_at
from prodcoord.core.exceptions import ConflictError
from prodcoord.events.services import EventBatch

from ..models import Hold, Operation, ProductionReport, Routing, WorkOrder
from .holds import hold_place_check, hold_release_check
from .progress import progress_apply, progress_check
from .work_orders import (
    TIMESTAMP_FIELD,
    TRANSITIONS,
    VERBS,
    next_numbers,
    operations_from_routing,
    transition_check,
    work_order_number_check,
    work_order_refresh_overdue,
    work_order_validate_new,
)

S = WorkOrder.Status
BATCH = 1000
WO_ROW_FIELDS = {"item", "quantity", "priority", "due_date", "planned_start", "planned_end", "customer_ref", "number", "at"}


class _Events(EventBatch):
    def __init__(self, actor):
        super().__init__(actor=actor)
        self.now = self.at


def _raise_row_errors(row_errors, field="rows"):
    if row_errors:
        raise ValidationError(
            {
                field: [
                    f"Row {i}, {name}: {msg}"
                    for i, errs in sorted(row_errors.items())
                    for name, msgs in errs.items()
                    for msg in (msgs if isinstance(msgs, list) else [msgs])
                ]
            }
        )


def _errors_of(exc):
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _set_columns(model, objs, fields, batch=BATCH):
    """Write ``fields`` of many rows in one statement per batch (``UPDATE … FROM (VALUES …)``).

    ``QuerySet.bulk_update`` builds a CASE expression per row and field, which
    costs seconds per thousand rows; this does the same write in milliseconds.
    """
    objs = list(objs)
    if not objs:
        return
    meta = model._meta
    pk = meta.pk
    columns = [pk, *(meta.get_field(f) for f in fields)]
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
    else:
        row = "(" + ", ".join("%s" for _ in columns) + ")"
    table = qn(meta.db_table)
    assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns[1:], start=2))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in columns]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {table}.{qn(pk.column)} = v.column1",
                params,
            )


def _lock_work_orders(ids):
    ids = list(ids)
    locked = {}
    for start in range(0, len(ids), 5000):
        for wo in WorkOrder.objects.select_for_update().filter(pk__in=ids[start : start + 5000]):
            locked[wo.pk] = wo
    return locked


# --- work orders ------------------------------------------------------------------


@transaction.atomic
def work_orders_create_bulk(*, actor, rows):
    """Create draft work orders, as ``work_order_create`` does for one.

    Rows: dicts with ``item``, ``quantity`` and optionally ``priority`` (3),
    ``due_date``, ``planned_start``, ``planned_end``, ``customer_ref``,
    ``number`` (else the next numbers), ``at`` (the event time). Each pins its
    item's released BOM and routing and gets the routing's steps as operations.
    """
    rows = list(rows)
    item_ids = {r["item"].pk for r in rows}
    routings = {
        r.item_id: r
        for r in Routing.objects.filter(item_id__in=item_ids, status=Routing.Status.RELEASED).prefetch_related("steps")
    }
    boms = {b.item_id: b for b in BOM.objects.filter(item_id__in=item_ids, status=BOM.Status.RELEASED)}
    given = [(r.get("number") or "").strip() for r in rows]
    taken = set(WorkOrder.objects.filter(number__in=[n for n in given if n]).values_list("number", flat=True))
    row_errors = {}
    seen = {}
    for i, row in enumerate(rows):
        errs = {f: ["This field cannot be set."] for f in set(row) - WO_ROW_FIELDS}
        try:
            work_order_validate_new(
                item=row["item"],
                quantity=row.get("quantity"),
                priority=row.get("priority", 3),
                planned_start=row.get("planned_start"),
                planned_end=row.get("planned_end"),
                routing=routings.get(row["item"].pk),
            )
        except ValidationError as exc:
            errs.update(exc.message_dict)
        number = given[i]
        if number in seen:
            errs["number"] = [f"Same number as row {seen[number]}."]
        else:
            try:
                work_order_number_check(number, taken=taken)
            except ValidationError as exc:
                errs.update(exc.message_dict)
        if number:
            seen[number] = i
        if errs:
            row_errors[i] = errs
    _raise_row_errors(row_errors)

    fresh = iter(next_numbers(sum(1 for n in given if not n)))
    work_orders = []
    for row, number in zip(rows, given, strict=True):
        item = row["item"]
        work_orders.append(
            WorkOrder(
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
        )
    WorkOrder.objects.bulk_create(work_orders, batch_size=BATCH)
    operations = []
    for wo in work_orders:
        operations.extend(operations_from_routing(wo, wo.routing.steps.all()))
    Operation.objects.bulk_create(operations, batch_size=BATCH * 2)

    events = _Events(actor)
    for wo, row in zip(work_orders, rows, strict=True):
        events.add(
            verb="work_order.created",
            subject=wo,
            work_order=wo,
            at=row.get("at"),
            changes={
                "status": [None, S.DRAFT],
                "item": [None, wo.item.sku],
                "quantity": [None, wo.quantity],
                "bom_revision": [None, wo.bom.revision if wo.bom else None],
                "routing_revision": [None, wo.routing.revision],
            },
        )
    events.save()
    _refresh_overdue([wo.pk for wo in work_orders])
    return work_orders


def _refresh_overdue(ids):
    for start in range(0, len(ids), 5000):
        work_order_refresh_overdue(work_order_ids=ids[start : start + 5000])


def _reason_required(reason):
    return (reason or "").strip()


@transaction.atomic
def work_orders_transition_bulk(*, actor, action, rows):
    """Apply one transition (release, start, complete, close, cancel) to many work orders.

    Rows: dicts ``{work_order, reason="", at=None}``. The single-row rules: the
    state map, an active hold blocks everything but cancel, cancel needs a
    reason, completing short needs a reason; cancelling releases active holds.
    """
    if action not in TRANSITIONS:
        raise ValidationError({"action": [f"Choose one of: {', '.join(TRANSITIONS)}."]})
    sources, target = TRANSITIONS[action]
    rows = list(rows)
    locked = _lock_work_orders(r["work_order"].pk for r in rows)
    row_errors = {}
    seen = set()
    for i, row in enumerate(rows):
        wo = locked[row["work_order"].pk]
        if wo.pk in seen:
            row_errors[i] = {"work_order": [f"{wo.number} appears twice."]}
        else:
            try:
                transition_check(work_order=wo, action=action, reason=row.get("reason"))
            except ValidationError as exc:
                row_errors[i] = exc.message_dict
            except ConflictError as exc:
                row_errors[i] = {"work_order": [exc.message]}
        seen.add(wo.pk)
    _raise_row_errors(row_errors)

    events = _Events(actor)
    fields = ["status", "version", "updated_at"]
    if action in TIMESTAMP_FIELD:
        fields.append(TIMESTAMP_FIELD[action])
    changed, cancelled_with_holds = [], []
    now = timezone.now()
    for row in rows:
        wo = locked[row["work_order"].pk]
        at = row.get("at") or now
        old = wo.status
        wo.status = target
        wo.version += 1
        wo.updated_at = now
        if action in TIMESTAMP_FIELD:
            setattr(wo, TIMESTAMP_FIELD[action], at)
        events.add(
            verb=f"work_order.{VERBS[action]}",
            subject=wo,
            work_order=wo,
            changes={"status": [old, target]},
            reason=_reason_required(row.get("reason")),
            at=at,
        )
        if action == "cancel" and wo.active_hold_count:
            cancelled_with_holds.append((wo, at))
        changed.append(wo)
    _set_columns(WorkOrder, changed, fields)
    if action == "complete":
        # As for one order: no operation is still running on a completed order.
        ids = [wo.pk for wo in changed]
        for start in range(0, len(ids), 5000):
            Operation.objects.filter(work_order_id__in=ids[start : start + 5000]).exclude(status=Operation.Status.DONE).update(
                status=Operation.Status.DONE, updated_at=now
            )
    if cancelled_with_holds:
        holds = []
        for wo, at in cancelled_with_holds:
            active = list(Hold.objects.select_for_update().filter(work_order=wo, released_at__isnull=True))
            for left, hold in enumerate(reversed(active)):
                hold.released_at, hold.released_by, hold.release_note = at, events.actor, "Work order cancelled."
                hold.updated_at = now
                holds.append(hold)
                events.add(
                    verb="hold.released",
                    subject=hold,
                    work_order=wo,
                    changes={"on_hold": [True, left < len(active) - 1]},
                    reason="Work order cancelled.",
                    at=at,
                )
            wo.active_hold_count = 0
        _set_columns(Hold, holds, ["released_at", "released_by", "release_note", "updated_at"])
        _set_columns(WorkOrder, [wo for wo, _ in cancelled_with_holds], ["active_hold_count"])
    events.save()
    _refresh_overdue([wo.pk for wo in changed])
    for row in rows:  # hand the caller the new state
        row["work_order"].__dict__.update({f: getattr(locked[row["work_order"].pk], f) for f in [*fields, "active_hold_count"]})
    return changed


@transaction.atomic
def holds_place_bulk(*, actor, rows):
    """Place holds: rows ``{work_order, kind, reason, at=None, actor=None}``; open work orders only."""
    rows = list(rows)
    locked = _lock_work_orders({r["work_order"].pk for r in rows})
    row_errors = {}
    for i, row in enumerate(rows):
        try:
            hold_place_check(work_order=locked[row["work_order"].pk], kind=row.get("kind"), reason=row.get("reason"))
        except ValidationError as exc:
            row_errors[i] = exc.message_dict
        except ConflictError as exc:
            row_errors[i] = {"work_order": [exc.message]}
    _raise_row_errors(row_errors)

    events = _Events(actor)
    now = timezone.now()
    holds = []
    for row in rows:
        wo = locked[row["work_order"].pk]
        placed_by = row.get("actor") or events.actor
        holds.append(
            Hold(
                work_order=wo,
                kind=row["kind"],
                reason=row["reason"].strip(),
                placed_by=placed_by if placed_by is not None and placed_by.is_authenticated else None,
                placed_at=row.get("at") or now,
            )
        )
    Hold.objects.bulk_create(holds, batch_size=BATCH)
    for hold in holds:
        wo = locked[hold.work_order_id]
        was_held = wo.active_hold_count > 0
        wo.active_hold_count += 1
        wo.version += 1
        wo.updated_at = now
        events.add(
            verb="hold.placed",
            subject=hold,
            work_order=wo,
            changes={"on_hold": [was_held, True], "kind": [None, hold.kind]},
            reason=hold.reason,
            at=hold.placed_at,
            actor=hold.placed_by,
        )
    _set_columns(WorkOrder, list(locked.values()), ["active_hold_count", "version", "updated_at"])
    events.save()
    return holds


@transaction.atomic
def holds_release_bulk(*, actor, rows):
    """Release holds: rows ``{hold, release_note, at=None, actor=None}``."""
    rows = list(rows)
    locked = _lock_work_orders({r["hold"].work_order_id for r in rows})
    holds = {h.pk: h for h in Hold.objects.select_for_update().filter(pk__in=[r["hold"].pk for r in rows])}
    now = timezone.now()
    row_errors = {}
    seen = set()
    for i, row in enumerate(rows):
        hold = holds[row["hold"].pk]
        if hold.pk in seen:
            row_errors[i] = {"hold": ["The same hold appears twice."]}
            continue
        seen.add(hold.pk)
        try:
            hold_release_check(hold=hold, release_note=row.get("release_note"), at=row.get("at") or now)
        except ValidationError as exc:
            row_errors[i] = exc.message_dict
        except ConflictError as exc:
            row_errors[i] = {"hold": [exc.message]}
    _raise_row_errors(row_errors)

    events = _Events(actor)
    for row in rows:
        hold = holds[row["hold"].pk]
        wo = locked[hold.work_order_id]
        by = row.get("actor") or events.actor
        hold.released_at = row.get("at") or now
        hold.released_by = by if by is not None and by.is_authenticated else None
        hold.release_note = row["release_note"].strip()
        hold.updated_at = now
        wo.active_hold_count = max(0, wo.active_hold_count - 1)
        wo.version += 1
        wo.updated_at = now
        events.add(
            verb="hold.released",
            subject=hold,
            work_order=wo,
            changes={"on_hold": [True, wo.active_hold_count > 0]},
            reason=hold.release_note,
            at=hold.released_at,
            actor=hold.released_by,
        )
    _set_columns(Hold, list(holds.values()), ["released_at", "released_by", "release_note", "updated_at"])
    _set_columns(WorkOrder, list(locked.values()), ["active_hold_count", "version", "updated_at"])
    events.save()
    return list(holds.values())


@transaction.atomic
def progress_report_bulk(*, actor, rows, shifts=None):
    """Report good/scrap quantities, as ``operation_report_progress`` does for one.

    Rows: dicts ``{work_order, operation (sequence), quantity_good, quantity_scrap,
    reported_at, note="", actor=None}``, applied in order. The single-row rules:
    positive quantities, not in the future, not on hold, released or in progress
    (a released order starts on its first report), the first operation makes at
    most the order quantity, a later one processes at most what the previous
    one passed on. Each report is attributed to the shift it falls in.
    """
    rows = list(rows)
    if shifts is None:
        from plant.models import Shift

        shifts = list(Shift.objects.filter(is_active=True))
    locked = _lock_work_orders({r["work_order"].pk for r in rows})
    ops_by_wo = defaultdict(list)
    ids = list(locked)
    for start in range(0, len(ids), 5000):
        for op in Operation.objects.select_for_update().filter(work_order_id__in=ids[start : start + 5000]).order_by("sequence"):
            ops_by_wo[op.work_order_id].append(op)
    now = timezone.now()

    row_errors = {}
    plan = []  # (row, wo, op, index, good, scrap, reported_at)
    state = {}  # op pk → [good, scrap] as the rows apply
    status = {pk: wo.status for pk, wo in locked.items()}
    for i, row in enumerate(rows):
        wo = locked[row["work_order"].pk]
        try:
            op, good, scrap, new_good, new_scrap, reported_at = progress_check(
                work_order=wo,
                status=status[wo.pk],
                operations=ops_by_wo[wo.pk],
                operation=row.get("operation"),
                quantity_good=row.get("quantity_good"),
                quantity_scrap=row.get("quantity_scrap"),
                reported_at=row.get("reported_at"),
                done=state,
                now=now,
            )
        except ValidationError as exc:
            row_errors[i] = exc.message_dict
            continue
        except ConflictError as exc:
            row_errors[i] = {"work_order": [exc.message]}
            continue
        cur = state.setdefault(op.pk, [op.quantity_good, op.quantity_scrap])
        cur[0], cur[1] = new_good, new_scrap
        status[wo.pk] = S.IN_PROGRESS
        plan.append((row, wo, op, good, scrap, reported_at))
    _raise_row_errors(row_errors)

    events = _Events(actor)
    reports = []
    touched_ops = {}
    for row, wo, op, good, scrap, reported_at in plan:
        by = row.get("actor") or events.actor
        if wo.status == S.RELEASED:
            wo.status = S.IN_PROGRESS
            wo.started_at = reported_at
            wo.version += 1
            events.add(
                verb="work_order.started",
                subject=wo,
                work_order=wo,
                changes={"status": [S.RELEASED, S.IN_PROGRESS]},
                reason="First progress reported.",
                at=reported_at,
                actor=by,
            )
        report, changes = progress_apply(
            work_order=wo,
            operations=ops_by_wo[wo.pk],
            operation=op,
            quantity_good=good,
            quantity_scrap=scrap,
            reported_at=reported_at,
            slot=shift_slot_at(reported_at, shifts=shifts),
            actor=by,
            note=row.get("note"),
        )
        reports.append(report)
        op.updated_at = now
        touched_ops[op.pk] = op
        wo.version += 1
        wo.updated_at = now
        events.add(
            verb="work_order.progress_reported",
            subject=wo,
            work_order=wo,
            changes=changes,
            reason=report.note,
            at=reported_at,
            actor=by,
        )
    ProductionReport.objects.bulk_create(reports, batch_size=BATCH)
    _set_columns(Operation, list(touched_ops.values()), ["quantity_good", "quantity_scrap", "status", "updated_at"])
    changed = {wo.pk: wo for _, wo, *_ in plan}
    _set_columns(
        WorkOrder,
        list(changed.values()),
        ["status", "started_at", "quantity_completed", "quantity_scrapped", "version", "updated_at"],
    )
    events.save()
    for row in rows:
        wo = changed.get(row["work_order"].pk)
        if wo is not None and wo is not row["work_order"]:
            row["work_order"].__dict__.update(
                {f: getattr(wo, f) for f in ("status", "started_at", "quantity_completed", "quantity_scrapped", "version")}
            )
    return reports


__all__ = [
    "holds_place_bulk",
    "holds_release_bulk",
    "progress_report_bulk",
    "work_orders_create_bulk",
    "work_orders_transition_bulk",
]
