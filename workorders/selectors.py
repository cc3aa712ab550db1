"""Reads shaped for their consumers (the API, the pages). N+1 fixes live here."""

from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.utils.formats import date_format

from materials.models import BOM, BOMLine, Item
from plant.models import WorkCenter
from prodcoord.core.quantities import fmt_qty

from .models import Hold, Operation, ProductionReport, Routing, RoutingStep, SavedBoardView, ScrapReason, WorkOrder

S = WorkOrder.Status


def work_order_list(*, with_operations=True):
    """Work orders with item, pinned revisions and (optionally) operations loaded."""
    qs = WorkOrder.objects.select_related("item", "bom", "routing")
    if with_operations:
        qs = qs.prefetch_related(
            Prefetch("operations", queryset=Operation.objects.select_related("work_center").order_by("sequence"))
        )
    return qs


def work_order_open_list():
    """Open work orders (draft, released, in progress), most urgent first, each with its item and
    current operation: the home page."""
    return (
        WorkOrder.objects.select_related("item", "current_operation", "current_work_center")
        .filter(status__in=WorkOrder.OPEN_STATUSES)
        .order_by("-active_hold_count", "priority", "due_date", "number")
    )


# --- the board: every open work order, live -------------------------------------------

# Where each grouping of the board takes its key and label from (the current work center).
BOARD_GROUP_FIELDS = {
    "department": ("current_work_center__department__code", "current_work_center__department__name"),
    "work_center": ("current_work_center__code", "current_work_center__name"),
}


def board_list():
    """Open work orders for the board, each with its item, current operation and that operation's
    work center and department joined in (one query for a page), ``progress`` (the share of the
    ordered quantity completed) and ``customer_ref_sort``, which the board sorts by."""
    return (
        WorkOrder.objects.select_related("item", "current_operation", "current_work_center__department")
        .filter(status__in=WorkOrder.OPEN_STATUSES)
        .annotate(
            # an empty customer reference sorts last, either way
            customer_ref_sort=NullIf("customer_ref", Value("")),
            progress=ExpressionWrapper(
                F("quantity_completed") * Value(Decimal("1.000000")) / F("quantity"),
                output_field=DecimalField(max_digits=20, decimal_places=6),
            ),
        )
    )


def board_rows(ids):
    """The board's rows for these work-order ids, in their order (one query; an order closed
    meanwhile is left out)."""
    by_pk = {wo.pk: wo for wo in board_list().filter(pk__in=ids)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def board_group_counts(queryset, *, group):
    """``[{"key", "label", "count"}, …]`` for the board's rows (``queryset``, already filtered)
    grouped by ``group`` (``"department"`` or ``"work_center"`` of the current operation), by key;
    the orders with no current operation last (key ``None``). One aggregate query."""
    key, label = BOARD_GROUP_FIELDS[group]
    rows = queryset.order_by().values(key, label).annotate(count=Count("pk"))
    groups = [{"key": row[key], "label": row[label], "count": row["count"]} for row in rows]
    return sorted(groups, key=lambda g: (g["key"] is None, g["key"] or ""))


def work_order_completed_list():
    """Completed work orders, waiting to be closed, with their item (the page orders them)."""
    return WorkOrder.objects.select_related("item").filter(status=S.COMPLETED)


def work_order_history_list():
    """Closed and cancelled work orders with their item, and ``ended_at``: when each was closed
    or cancelled (the page orders them; most recently ended first has an index)."""
    return (
        WorkOrder.objects.select_related("item")
        .filter(status__in=(S.CLOSED, S.CANCELLED))
        .annotate(ended_at=Coalesce("closed_at", "cancelled_at"))
    )


# --- the floor: what is at a work center now and next --------------------------------

# The orders a work center can work on: released or in progress, with no active hold.
FLOOR_STATUSES = (S.RELEASED, S.IN_PROGRESS)
# Most urgent first: priority, then the earliest due date, then the earliest planned start.
FLOOR_ORDER = (
    F("priority").asc(),
    F("due_date").asc(nulls_last=True),
    F("planned_start").asc(nulls_last=True),
    "number",
)


def work_center_now(*, work_center):
    """Orders whose current operation is at ``work_center`` and that can be worked on there now
    (released or in progress, no active hold), most urgent first."""
    return (
        WorkOrder.objects.select_related("item", "current_operation")
        .filter(current_work_center=work_center, status__in=FLOOR_STATUSES, active_hold_count=0)
        .order_by(*FLOOR_ORDER)
    )


def work_center_next(*, work_center):
    """Orders coming to ``work_center`` next: released or in progress, no active hold, their
    current operation at another work center and the operation right after it here. Each has
    ``next_sequence``, the operation it will be worked on here; most urgent first."""
    here = Operation.objects.filter(
        work_order=OuterRef("pk"), work_center=work_center, sequence__gt=OuterRef("current_operation__sequence")
    ).order_by("sequence")
    return (
        WorkOrder.objects.select_related("item", "current_operation", "current_work_center")
        .filter(next_work_center=work_center, status__in=FLOOR_STATUSES, active_hold_count=0)
        .exclude(current_work_center=work_center)
        .annotate(next_sequence=Subquery(here.values("sequence")[:1]))
        .order_by(*FLOOR_ORDER)
    )


def work_center_held_count(*, work_center):
    """How many released or in-progress orders whose current operation is at ``work_center`` are on hold."""
    return WorkOrder.objects.filter(current_work_center=work_center, status__in=FLOOR_STATUSES, active_hold_count__gt=0).count()


# --- floor mode and the wall display ------------------------------------------------------


def work_order_find(*, number):
    """The work order with this number, regardless of case (typed or scanned on the floor), or None."""
    number = (number or "").strip()
    if not number or "\x00" in number:
        return None
    return WorkOrder.objects.filter(number__iexact=number).only("pk", "number").first()


def work_order_active_holds(*, work_order):
    """The work order's active holds, oldest first (why it is stopped, in the order it happened)."""
    return hold_list().filter(work_order=work_order, released_at__isnull=True).order_by("placed_at", "id")


def work_center_floor_queue(*, work_center):
    """Floor mode's pick list: orders whose current operation is at ``work_center``, released or in
    progress, held ones too (they show why), most urgent first, with the item and that operation."""
    return (
        WorkOrder.objects.select_related("item", "current_operation")
        .filter(current_work_center=work_center, status__in=FLOOR_STATUSES)
        .order_by(*FLOOR_ORDER)
    )


def department_display(*, department, per_work_center=4, late_limit=8):
    """What a department's wall display shows, in five queries whatever the number of orders
    (four when no order is on its floor):

    - ``work_centers``: its work centers in use, by code, each with ``orders`` — the first
      ``per_work_center`` orders whose current operation is there (running ones first, then the
      most urgent), each with ``active_holds`` — and ``counts`` (running, waiting, on hold, late);
    - ``late``: the department's overdue orders on the floor (most overdue first), at most ``late_limit``.
    """
    work_centers = list(WorkCenter.objects.filter(department=department, is_active=True).order_by("code"))
    running_first = Case(
        When(current_operation__status=Operation.Status.IN_PROGRESS, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    on_floor = WorkOrder.objects.filter(current_work_center__in=work_centers, status__in=FLOOR_STATUSES)
    ranked = (
        on_floor.select_related("item", "current_operation")
        .annotate(
            running_first=running_first,
            place=Window(
                RowNumber(),
                partition_by=[F("current_work_center_id")],
                order_by=[F("running_first").asc(), *FLOOR_ORDER],
            ),
        )
        .filter(place__lte=per_work_center)
        .order_by("current_work_center_id", "place")
    )
    orders = list(ranked)
    counts = {
        row["current_work_center"]: row
        for row in on_floor.order_by()
        .values("current_work_center")
        .annotate(
            running=Count("pk", filter=Q(current_operation__status=Operation.Status.IN_PROGRESS, active_hold_count=0)),
            total=Count("pk"),
            held=Count("pk", filter=Q(active_hold_count__gt=0)),
            late=Count("pk", filter=Q(is_overdue=True)),
        )
    }
    late = list(
        WorkOrder.objects.select_related("item", "current_work_center")
        .filter(current_work_center__department=department, status__in=FLOOR_STATUSES, is_overdue=True)
        .order_by(F("due_date").asc(nulls_last=True), "number")[:late_limit]
    )
    # The active holds of the orders shown (one query whenever any order is shown, held or not).
    shown = {wo.pk for wo in orders} | {wo.pk for wo in late}
    holds = {}
    if shown:
        for hold in Hold.objects.filter(work_order__in=shown, released_at__isnull=True).order_by("placed_at", "id"):
            holds.setdefault(hold.work_order_id, []).append(hold)
    by_center = {}
    for wo in orders + late:
        wo.active_holds = holds.get(wo.pk, [])
    for wo in orders:
        by_center.setdefault(wo.current_work_center_id, []).append(wo)
    empty = {"running": 0, "total": 0, "held": 0, "late": 0}
    for wc in work_centers:
        wc.orders = by_center.get(wc.pk, [])
        wc.counts = counts.get(wc.pk, empty)
        wc.more = max(0, wc.counts["total"] - len(wc.orders))
    return {"work_centers": work_centers, "late": late}


# --- creating a work order ----------------------------------------------------------------


def items_for_work_orders(*, search="", limit=20):
    """Active items a work order can be created for (they have a released routing) whose SKU or
    name contains ``search``, by SKU: at most ``limit``, for the new-order form's item picker."""
    released = Routing.objects.filter(item=OuterRef("pk"), status=Routing.Status.RELEASED)
    items = Item.objects.filter(Exists(released), is_active=True)
    search = (search or "").strip()
    if search:
        items = items.filter(Q(sku__icontains=search) | Q(name__icontains=search))
    return items.order_by("sku")[:limit]


def item_revisions_to_pin(*, item):
    """What a work order for ``item`` created now pins: ``(routing, bom)``, its released routing
    (steps and their work centers loaded) and its released BOM (lines and their components
    loaded), either None. The create service pins what is released when it runs."""
    routing = (
        Routing.objects.filter(item=item, status=Routing.Status.RELEASED)
        .prefetch_related(Prefetch("steps", queryset=RoutingStep.objects.select_related("work_center").order_by("sequence")))
        .first()
    )
    bom = (
        BOM.objects.filter(item=item, status=BOM.Status.RELEASED)
        .prefetch_related(Prefetch("lines", queryset=BOMLine.objects.select_related("component").order_by("component__sku")))
        .first()
    )
    return routing, bom


def work_order_get(*, number):
    return work_order_list().get(number=number)


def hold_list():
    return Hold.objects.select_related("work_order", "placed_by", "released_by", "operation", "work_center").order_by(
        "-placed_at", "-id"
    )


def work_order_open_counts():
    """Totals for the home page header: open, on hold, overdue (one query)."""
    return WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES).aggregate(
        open=Count("pk"),
        on_hold=Count("pk", filter=Q(active_hold_count__gt=0)),
        overdue=Count("pk", filter=Q(is_overdue=True)),
    )


# --- production reports -----------------------------------------------------------


def production_report_list():
    """Production reports, newest first, with what the API and the pages show of them: the order,
    operation and work center joined in; the shift, reporter, scrap reason and the reversal, if any,
    by id in a query each (none when no report of the page has one). Joining all eight tables made
    PostgreSQL spend 20–60 ms choosing a join order for a page it reads in under a millisecond."""
    return (
        ProductionReport.objects.select_related("work_order", "operation", "work_center")
        .prefetch_related("shift", "reported_by", "scrap_reason", "reversal")
        .order_by("-reported_at", "-id")
    )


def work_order_reports(*, work_order, limit):
    """The work order's newest ``limit`` production reports (newest first) and whether there were more."""
    reports = list(production_report_list().filter(work_order=work_order)[: limit + 1])
    return reports[:limit], len(reports) > limit


def production_report_labels(ids):
    """``{pk: "report 17 · operation 10 · 12 good, 1 scrap · Day shift Mon Jun 15"}`` for the reports
    (one query): how the event log names the report an event is about (a reversal's original)."""
    if not ids:
        return {}
    reports = ProductionReport.objects.filter(pk__in=ids).select_related("operation", "shift")
    labels = {}
    for report in reports:
        made = [f"{fmt_qty(report.quantity_good)} good"] if report.quantity_good else []
        if report.quantity_scrap:
            made.append(f"{fmt_qty(report.quantity_scrap)} scrap")
        labels[report.pk] = (
            f"report {report.pk} · operation {report.operation.sequence} · {', '.join(made)} · "
            f"{report.shift.name} {date_format(report.shift_date, 'D M j')}"
        )
    return labels


def scrap_reason_list():
    return ScrapReason.objects.order_by("code")


def scrap_reason_choices():
    """The active scrap reasons, for a form's select: ``[(id, "BURR · Burr on edge"), …]``."""
    return [(reason.pk, reason.label) for reason in ScrapReason.objects.filter(is_active=True).order_by("code")]


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
    "current_operation__sequence",
    "current_work_center__code",
    "active_hold_count",
    "is_overdue",
    "plan_late",
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


# --- a page of work orders as JSON, built by PostgreSQL (the API's list on PostgreSQL) -------------


TIMESTAMPS = ("planned_start", "planned_end", "created_at", "updated_at")


def _iso_sql(name):
    """SQL for the work order's timestamp ``name`` written as ``work_order_payloads`` writes it:
    ISO 8601 on the current time zone's clock, microseconds only when there are any, ``Z`` for
    UTC; NULL stays NULL. ``t.<name>`` is its wall time there, ``t.<name>_utc`` in UTC (each
    computed once per row: converting between time zones is the dear part)."""
    local, utc = f"t.{name}", f"t.{name}_utc"
    return (
        f"(replace(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
        f" || CASE WHEN {local} = {utc} THEN 'Z'"
        f" WHEN {local} < {utc} THEN '-' || to_char({utc} - {local}, 'HH24:MI')"
        f" ELSE '+' || to_char({local} - {utc}, 'HH24:MI') END)"
    )


def _page_json_sql():
    from materials.models import BOM, Item
    from plant.models import WorkCenter

    wo, op = WorkOrder._meta.db_table, Operation._meta.db_table
    wall_times = ", ".join(f"wo.{n} AT TIME ZONE z.tz AS {n}, wo.{n} AT TIME ZONE 'UTC' AS {n}_utc" for n in TIMESTAMPS)
    return f"""
    SELECT %(count)s, coalesce(json_agg(row_to_json(w) ORDER BY p.ord), '[]')::text
      FROM unnest(ARRAY(%(ids)s)) WITH ORDINALITY AS p(id, ord)
      CROSS JOIN (SELECT %%s::text AS tz) z
      CROSS JOIN LATERAL (
        SELECT wo.number, i.sku AS item, wo.quantity::text AS quantity,
               wo.quantity_completed::text AS quantity_completed, wo.quantity_scrapped::text AS quantity_scrapped,
               wo.status, wo.priority, to_char(wo.due_date, 'YYYY-MM-DD') AS due_date,
               {_iso_sql("planned_start")} AS planned_start, {_iso_sql("planned_end")} AS planned_end,
               wo.customer_ref, b.revision AS bom_revision, rt.revision AS routing_revision,
               coalesce((SELECT json_agg(row_to_json(o) ORDER BY o.sequence) FROM (
                   SELECT op.sequence, wc.code AS work_center, op.description,
                          op.planned_setup_minutes::text AS planned_setup_minutes,
                          op.planned_run_minutes::text AS planned_run_minutes, op.status,
                          op.quantity_good::text AS quantity_good, op.quantity_scrap::text AS quantity_scrap
                     FROM {op} op JOIN {WorkCenter._meta.db_table} wc ON wc.id = op.work_center_id
                    WHERE op.work_order_id = wo.id) o), '[]') AS operations,
               co.sequence AS current_operation, cw.code AS current_work_center,
               wo.active_hold_count > 0 AS on_hold, wo.is_overdue, wo.plan_late, wo.version,
               {_iso_sql("created_at")} AS created_at, {_iso_sql("updated_at")} AS updated_at
          FROM {wo} wo
          JOIN {Item._meta.db_table} i ON i.id = wo.item_id
          LEFT JOIN {BOM._meta.db_table} b ON b.id = wo.bom_id
          LEFT JOIN {Routing._meta.db_table} rt ON rt.id = wo.routing_id
          LEFT JOIN {op} co ON co.id = wo.current_operation_id
          LEFT JOIN {WorkCenter._meta.db_table} cw ON cw.id = wo.current_work_center_id
          -- OFFSET 0 keeps the conversions in this subquery, done once per row, rather than
          -- copied into every expression that uses them.
          CROSS JOIN LATERAL (SELECT {wall_times} OFFSET 0) t
         WHERE wo.id = p.id
      ) w
    """


def work_order_page_json(page, counted=None):
    """The work orders of ``page`` (a sliced, unread queryset of work orders, in the page's order)
    as the JSON text of their API representation — the one ``work_order_payloads`` builds —
    made by PostgreSQL in one statement: no rows, model instances or dicts in Python.

    Returns ``(count, text)``: with ``counted`` (a queryset: the page's whole list) the same
    statement counts its rows, else ``count`` is None."""
    from django.core.exceptions import EmptyResultSet
    from django.utils import timezone

    try:
        ids_sql, ids_params = page.values_list("pk", flat=True).query.sql_with_params()
    except EmptyResultSet:  # a filter no row can match: Django knows without asking
        return (0 if counted is not None else None), "[]"
    count_sql, count_params = "NULL::bigint", []
    if counted is not None:
        inner, count_params = counted.order_by().values("pk").query.sql_with_params()
        count_sql = f"(SELECT count(*) FROM ({inner}) c)"
    sql = _page_json_sql() % {"ids": ids_sql, "count": count_sql}
    with _server_binding_cursor() as cursor:
        cursor.execute(sql, [*count_params, *ids_params, timezone.get_current_timezone_name()])
        count, text = cursor.fetchone()
    return count, text


def _server_binding_cursor():
    """A cursor on the request's connection that sends parameters apart from the statement and,
    with ``DATABASE_PREPARED_STATEMENTS`` on, prepares it: PostgreSQL plans the page statement once
    per connection instead of on every request (a millisecond for the 100-order page). Django's
    own cursors bind on the client and prepare nothing (Django opens its connections with
    prepared statements off); only this statement opts in."""
    import psycopg
    from django.conf import settings
    from django.db import connection

    prepare = settings.DATABASE_PREPARED_STATEMENTS

    class PageCursor(psycopg.Cursor):
        def execute(self, query, params=None, **kwargs):
            return super().execute(query, params, prepare=prepare)

    connection.ensure_connection()
    if prepare and connection.connection.prepare_threshold is None:
        # None switches preparing off altogether, even when asked; Django's own client-side
        # binding cursors never prepare whatever this says.
        connection.connection.prepare_threshold = 5
    raw = PageCursor(connection.connection)
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def saved_views_of(*, user):
    """A person's saved board views, by name."""
    return SavedBoardView.objects.filter(user=user).order_by("name")
