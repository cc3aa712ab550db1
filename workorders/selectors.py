"""Reads shaped for their consumers (the API, the pages). N+1 fixes live here."""

from django.db.models import Prefetch

from .models import Hold, Operation, Routing, RoutingStep, WorkOrder


def work_order_list(*, with_operations=True):
    """Work orders with item, pinned revisions and (optionally) operations loaded."""
    qs = WorkOrder.objects.select_related("item", "bom", "routing")
    if with_operations:
        qs = qs.prefetch_related(
            Prefetch("operations", queryset=Operation.objects.select_related("work_center").order_by("sequence"))
        )
    return qs


def work_order_open_list():
    """Open work orders (draft, released, in progress), most urgent first: the home page."""
    return (
        work_order_list(with_operations=True)
        .filter(status__in=WorkOrder.OPEN_STATUSES)
        .order_by("-active_hold_count", "priority", "due_date", "number")
    )


def work_order_get(*, number):
    return work_order_list().get(number=number)


def hold_list():
    return Hold.objects.select_related("work_order", "placed_by", "released_by").order_by("-placed_at", "-id")


def work_order_open_counts():
    """Totals for the home page header: open, on hold, overdue (one query)."""
    from django.db.models import Count, Q

    return WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES).aggregate(
        open=Count("pk"),
        on_hold=Count("pk", filter=Q(active_hold_count__gt=0)),
        overdue=Count("pk", filter=Q(is_overdue=True)),
    )


# --- master data ----------------------------------------------------------------


def routing_list():
    """Routing revisions with their item and steps (work centers loaded) in three queries."""
    return (
        Routing.objects.select_related("item")
        .prefetch_related(Prefetch("steps", queryset=RoutingStep.objects.select_related("work_center").order_by("sequence")))
        .order_by("item__sku", "revision", "id")
    )


# --- work orders as plain rows (the API's list path) -------------------------------

WORK_ORDER_ROW_FIELDS = (
    "id",
    "number",
    "item__sku",
    "quantity",
    "quantity_completed",
    "quantity_scrapped",
    "status",
    "priority",
    "due_date",
    "planned_start",
    "planned_end",
    "customer_ref",
    "bom__revision",
    "routing__revision",
    "active_hold_count",
    "is_overdue",
    "version",
    "created_at",
    "updated_at",
)
OPERATION_ROW_FIELDS = (
    "work_order_id",
    "sequence",
    "work_center__code",
    "description",
    "planned_setup_minutes",
    "planned_run_minutes",
    "status",
    "quantity_good",
    "quantity_scrap",
)


def work_order_rows(queryset):
    """The work orders of ``queryset`` as dicts (no model instances): one query with the item and revisions joined."""
    return queryset.values(*WORK_ORDER_ROW_FIELDS)


def operation_rows_by_work_order(work_order_ids):
    """``{work_order_id: [operation tuple in OPERATION_ROW_FIELDS order, ...]}`` in sequence order, one query."""
    result = {}
    if not work_order_ids:
        return result
    rows = (
        Operation.objects.filter(work_order_id__in=work_order_ids)
        .order_by("work_order_id", "sequence")
        .values_list(*OPERATION_ROW_FIELDS)
    )
    for row in rows:
        result.setdefault(row[0], []).append(row)
    return result


# --- a work order's page ------------------------------------------------------------


def work_order_holds(*, work_order):
    """The work order's holds, newest first, with who placed and released them."""
    return hold_list().filter(work_order=work_order)


def work_order_read(items):
    """Work orders as rows plus their operations, for the API's representation.

    ``items``: rows from ``work_order_rows`` or WorkOrder instances (read back as
    rows, in the same order). Returns (rows, {work_order_id: [operation tuple]}):
    one query for the operations, one more when instances were given.
    """
    rows = list(items)
    if rows and not isinstance(rows[0], dict):
        by_pk = {row["id"]: row for row in work_order_rows(WorkOrder.objects.filter(pk__in=[wo.pk for wo in rows]))}
        rows = [by_pk[wo.pk] for wo in rows]
    return rows, operation_rows_by_work_order([row["id"] for row in rows])
