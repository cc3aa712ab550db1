"""Reversing a wrong production report: never an edit or a delete.

A supervisor or coordinator reverses a report, with a reason, by writing a
report with the opposite quantities that points at it (``reverses``):

- attributed to the original's shift and shift date, so that shift's totals and
  attainment correct; its ``reported_at`` (and ``created_at``) is when it was made,
  its ``reported_by`` who made it, its ``note`` the reason; it keeps the original's
  scrap reason, so scrap counted by reason corrects too;
- the operation's and the order's totals drop by the original's quantities; on an
  order in progress the operation's status follows (done → in progress, or pending
  once nothing is left on it);
- refused (409) for a report already reversed, for a reversal itself, on an order
  that is not in progress or completed (a closed order's books are closed), and
  when a later operation has already processed the good being taken back.

``production_reports_reverse`` takes many rows and is the one path;
``production_report_reverse`` is a batch of one.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch

from ..models import Operation, ProductionReport, WorkOrder
from .common import ADDITION, bump, label, require_reason, version_check, work_orders_lock, work_orders_write

S = WorkOrder.Status
# A report is reversed on an order still in progress, or completed (its totals correct; its
# operations stay done, as completing left them). A closed order is shipped and booked.
REVERSIBLE_STATUSES = (S.IN_PROGRESS, S.COMPLETED)
# The reason is the reversal's note.
REASON_MAX_LENGTH = ProductionReport._meta.get_field("note").max_length


def operation_status(op, order_quantity):
    """An operation's status from its totals: done once its good reaches the order quantity,
    in progress while anything was processed, pending when nothing was."""
    if op.quantity_good >= order_quantity:
        return Operation.Status.DONE
    if op.quantity_good or op.quantity_scrap:
        return Operation.Status.IN_PROGRESS
    return Operation.Status.PENDING


def reversal_check(*, report, work_order, operations, reversed_by, reason):
    """Whether ``report`` may be reversed now, against the order and its operations as they
    stand (a batch's earlier reversals applied). ``reversed_by``: ``{report id: its reversal's
    id}``. Returns (the cleaned reason, the report's operation); raises a field error on
    ``reason`` or a ``ConflictError``."""
    reason = require_reason(reason, "reverse a report")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [f"Use at most {REASON_MAX_LENGTH} characters."]})
    if report.reverses_id is not None:
        raise ConflictError(
            f"Report {report.pk} is itself the reversal of report {report.reverses_id}; a reversal cannot be reversed. "
            "Report the quantity again instead.",
            code="not_reversible",
        )
    if report.pk in reversed_by:
        by = reversed_by[report.pk]
        raise ConflictError(
            f"Report {report.pk} has already been reversed ({f'by report {by}' if by else 'by an earlier row'}).",
            code="already_reversed",
        )
    if work_order.status not in REVERSIBLE_STATUSES:
        raise ConflictError(
            f"Cannot reverse a report of {work_order.number}: it is {label(work_order.status)}. "
            "Reports are reversed while the order is in progress or completed.",
            code="not_reversible",
        )
    op = next(op for op in operations if op.pk == report.operation_id)
    index = operations.index(op)
    if report.quantity_good and index + 1 < len(operations):
        following = operations[index + 1]
        processed = following.quantity_good + following.quantity_scrap
        remaining = op.quantity_good - report.quantity_good
        if processed > remaining:
            raise ConflictError(
                f"Cannot reverse report {report.pk}: operation {following.sequence} has already processed "
                f"{fmt_qty(processed)} of the {fmt_qty(op.quantity_good)} good operation {op.sequence} passed on, and "
                f"taking back {fmt_qty(report.quantity_good)} would leave only {fmt_qty(remaining)}. "
                f"Reverse operation {following.sequence}'s reports first.",
                code="processed_downstream",
            )
    return reason, op


def reversal_apply(*, report, work_order, operations, op, actor, reason, at):
    """Apply a checked reversal in memory: the unsaved reversing report, the operation's totals
    and status, the order's completed and scrapped quantities. Returns (reversal, changes for
    the event); the caller saves."""
    reversal = ProductionReport(
        operation=op,
        work_order=work_order,
        work_center_id=report.work_center_id,
        quantity_good=-report.quantity_good,
        quantity_scrap=-report.quantity_scrap,
        scrap_reason_id=report.scrap_reason_id,
        reported_at=at,
        shift_id=report.shift_id,
        shift_date=report.shift_date,
        reported_by=actor,
        note=reason,
        reverses=report,
    )
    old_good, old_scrap, old_status = op.quantity_good, op.quantity_scrap, op.status
    old_completed, old_scrapped = work_order.quantity_completed, work_order.quantity_scrapped
    op.quantity_good -= report.quantity_good
    op.quantity_scrap -= report.quantity_scrap
    if work_order.status == S.IN_PROGRESS:
        op.status = operation_status(op, work_order.quantity)
    work_order.quantity_completed = operations[-1].quantity_good
    work_order.quantity_scrapped -= report.quantity_scrap
    changes = {}
    if report.quantity_good:
        changes[f"operation {op.sequence} good"] = [old_good, op.quantity_good]
    if report.quantity_scrap:
        changes[f"operation {op.sequence} scrap"] = [old_scrap, op.quantity_scrap]
    if op.status != old_status:
        changes[f"operation {op.sequence} status"] = [Operation.Status(old_status).label, Operation.Status(op.status).label]
    if old_completed != work_order.quantity_completed:
        changes["quantity_completed"] = [old_completed, work_order.quantity_completed]
    if old_scrapped != work_order.quantity_scrapped:
        changes["quantity_scrapped"] = [old_scrapped, work_order.quantity_scrapped]
    return reversal, changes


@transaction.atomic
def production_reports_reverse(*, actor, rows, at=None):
    """Reverse production reports: rows ``{"report", "reason", "version"? (of the report's work
    order)}``, in order; a later row sees an earlier one's effect. Returns the reversing reports."""
    rows = list(rows)
    now = at or timezone.now()
    ids = [row["report"].pk for row in rows]
    locked = work_orders_lock(row["report"].work_order_id for row in rows)
    reports = {}
    for chunk in chunks(ids):
        reports.update(ProductionReport.objects.select_related("work_order", "operation").in_bulk(chunk))
    reversed_by = {}
    for chunk in chunks(ids):
        reversed_by.update(ProductionReport.objects.filter(reverses_id__in=chunk).values_list("reverses_id", "pk"))
    operations = defaultdict(list)
    for chunk in chunks(list(locked)):
        for op in (
            Operation.objects.select_for_update()
            .filter(work_order_id__in=chunk)
            .select_related("work_center")
            .order_by("work_order_id", "sequence")
        ):
            operations[op.work_order_id].append(op)
    errors = RowErrors()
    events = EventBatch(actor=actor, at=now)
    reversals, touched, changed = [], {}, []
    for index, row in enumerate(rows):
        report = reports[row["report"].pk]
        work_order = locked[report.work_order_id]
        ops = operations[work_order.pk]
        errors.check(index, version_check, work_order, row.get("version"), ADDITION, conflict_field="report")
        if index in errors:
            continue
        checked = errors.check(
            index,
            reversal_check,
            report=report,
            work_order=work_order,
            operations=ops,
            reversed_by=reversed_by,
            reason=row.get("reason"),
            conflict_field="report",
        )
        if checked is None:
            continue
        reason, op = checked
        reversal, changes = reversal_apply(
            report=report, work_order=work_order, operations=ops, op=op, actor=events.actor, reason=reason, at=now
        )
        reversed_by[report.pk] = None  # a later row of this batch sees it reversed
        bump(work_order)
        events.add(
            verb="production_report.reversed",
            subject=report,
            work_order=work_order,
            changes=changes,
            reason=reason,
            scope=[(op.work_center.department_id, op.work_center_id)],
        )
        reversals.append(reversal)
        touched[op.pk] = op
        changed.append(work_order)
    errors.raise_if_any()
    if len(reversals) == 1:
        reversals[0].save(force_insert=True)
    else:
        ProductionReport.objects.bulk_create(reversals, batch_size=1000)
    columns_update(Operation, touched.values(), ["quantity_good", "quantity_scrap", "status", "updated_at"])
    work_orders_write(changed, ["quantity_completed", "quantity_scrapped"])
    events.save()
    return reversals


def production_report_reverse(*, report, actor, reason, version=None, at=None):
    """Reverse one production report, with a reason; see ``production_reports_reverse``."""
    return single(production_reports_reverse, {"report": report, "reason": reason, "version": version}, actor=actor, at=at)
