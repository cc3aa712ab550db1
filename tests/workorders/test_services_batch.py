"""One write path per rule: every write takes many rows, all or nothing, with row errors in one
shape; the single-object service is a batch of one, so N single writes and one batch of N
leave the same rows and the same events."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from materials import services as materials_services
from materials.models import BOM, BOMLine, Item
from planning import services as planning_services
from planning.models import ScheduleEntry
from plant import services as plant_services
from plant.models import Department, Shift, WorkCenter
from prodcoord.core.exceptions import ConflictError, StaleVersionError, TransitionError
from prodcoord.core.rows import RowsInvalid
from prodcoord.events.models import Event
from tests.factories import ItemFactory, WorkCenterFactory, make_routed_item, scrap_reason
from workorders import services
from workorders.models import Hold, Operation, ProductionReport, Routing, RoutingStep, ScrapReason, WorkOrder

pytestmark = pytest.mark.django_db


# --- all or nothing, row errors in one shape ---------------------------------------------


def test_a_refused_batch_writes_nothing_and_names_each_row_field_and_message(shifts):
    item = make_routed_item()
    unrouted = Item.objects.create(sku="NO-ROUTING", name="Bracket without routing", kind="component")
    events = Event.objects.count()
    with pytest.raises(RowsInvalid) as exc:
        services.work_orders_create(
            actor=None,
            rows=[
                {"item": item, "quantity": Decimal("10")},
                {"item": unrouted, "quantity": Decimal("5")},
                {"item": item, "quantity": Decimal("0"), "number": "WO-X"},
                {"item": item, "quantity": Decimal("1"), "number": "WO-X"},
            ],
        )
    assert exc.value.as_list() == [
        {"row": 1, "field": "item", "message": "NO-ROUTING has no released routing; release one before creating work orders."},
        {"row": 2, "field": "quantity", "message": "Must be greater than zero."},
        {"row": 3, "field": "number", "message": "Work order WO-X already exists."},
    ]
    # …and as a ValidationError (HTTP 400) it reads row by row
    assert exc.value.message_dict == {
        "rows": [
            "Row 1, item: NO-ROUTING has no released routing; release one before creating work orders.",
            "Row 2, quantity: Must be greater than zero.",
            "Row 3, number: Work order WO-X already exists.",
        ]
    }
    assert not WorkOrder.objects.exists()
    assert Event.objects.count() == events


def test_a_batch_of_one_raises_what_a_single_call_raises(shifts):
    wo = services.work_order_create(actor=None, item=make_routed_item(), quantity=10)
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=wo.item, quantity=0)
    assert not isinstance(exc.value, RowsInvalid)
    assert exc.value.message_dict == {"quantity": ["Must be greater than zero."]}
    with pytest.raises(TransitionError):
        services.work_order_start(work_order=wo, actor=None)
    with pytest.raises(StaleVersionError):
        services.work_order_release(work_order=wo, actor=None, version=wo.version + 1)
    # the batch itself reports the same refusals as row errors
    with pytest.raises(RowsInvalid) as exc:
        services.work_orders_transition(actor=None, action="start", rows=[{"work_order": wo}])
    assert exc.value.as_list()[0]["field"] == "work_order"
    assert "only possible from released" in exc.value.as_list()[0]["message"]


def test_rows_apply_in_order_so_a_later_row_sees_an_earlier_one(shifts):
    item = make_routed_item()
    (wo,) = services.work_orders_create(actor=None, rows=[{"item": item, "quantity": Decimal("10")}])
    at = timezone.now() - dt.timedelta(hours=2)
    services.work_orders_transition(actor=None, action="release", rows=[{"work_order": wo, "at": at - dt.timedelta(hours=1)}])
    with pytest.raises(RowsInvalid, match="passed on only 4"):
        services.progress_report(
            actor=None,
            rows=[
                {"work_order": wo, "operation": 10, "quantity_good": 4, "reported_at": at},
                {"work_order": wo, "operation": 20, "quantity_good": 5, "reported_at": at},
            ],
        )
    assert not ProductionReport.objects.exists()
    burr = scrap_reason()
    reports = services.progress_report(
        actor=None,
        rows=[
            {"work_order": wo, "operation": 10, "quantity_good": 9, "quantity_scrap": 1, "scrap_reason": burr, "reported_at": at},
            {"work_order": wo, "operation": 10, "quantity_good": 1, "reported_at": at},
            {"work_order": wo, "operation": 20, "quantity_good": 9, "quantity_scrap": 1, "scrap_reason": burr, "reported_at": at},
        ],
    )
    assert len(reports) == 3
    wo.refresh_from_db()
    assert (wo.status, wo.quantity_completed, wo.quantity_scrapped) == ("in_progress", Decimal("9"), Decimal("2"))
    assert wo.version == 1 + 1 + 1 + 3  # created, released, started by the first report, three reports
    with pytest.raises(RowsInvalid, match="complete .* short"):
        services.work_orders_transition(actor=None, action="complete", rows=[{"work_order": wo}])
    services.holds_place(actor=None, rows=[{"work_order": wo, "kind": "quality", "reason": "Burr on port"}])
    with pytest.raises(RowsInvalid, match="on hold"):
        services.progress_report(
            actor=None, rows=[{"work_order": wo, "operation": 20, "quantity_good": 1, "reported_at": timezone.now()}]
        )
    # the same order twice in one batch: the second sees the first
    with pytest.raises(RowsInvalid) as exc:
        services.work_orders_transition(
            actor=None, action="cancel", rows=[{"work_order": wo, "reason": "x"}, {"work_order": wo, "reason": "y"}]
        )
    assert [e["row"] for e in exc.value.as_list()] == [0, 1]  # in progress cannot be cancelled, twice


def test_batch_revisions_follow_the_single_revision_rules():
    item, raw = ItemFactory(), ItemFactory(kind="raw")
    lines = [{"component": raw, "quantity_per": 1}]
    with pytest.raises(RowsInvalid) as exc:
        materials_services.boms_create(
            actor=None,
            rows=[
                {"item": item, "revision": "A", "lines": lines},
                {"item": item, "revision": "A", "lines": lines},  # the same revision twice
                {"item": item, "revision": "R" * 11, "lines": lines},  # longer than a revision may be
            ],
        )
    assert [(e["row"], e["field"]) for e in exc.value.as_list()] == [(1, "revision"), (2, "revision")]
    assert "already has revision A" in exc.value.as_list()[0]["message"]
    assert "at most 10 characters" in exc.value.as_list()[1]["message"]
    assert not BOM.objects.exists()
    steps = [{"sequence": 10, "work_center": WorkCenterFactory()}]
    with pytest.raises(RowsInvalid) as exc:
        services.routings_create(actor=None, rows=[{"item": item, "revision": "  ", "steps": steps}])
    assert exc.value.as_list() == [{"row": 0, "field": "revision", "message": "This field is required."}]
    assert not Routing.objects.exists()


def test_a_batch_release_checks_cycles_as_if_released_one_after_another():
    a, b, raw = ItemFactory(sku="A"), ItemFactory(sku="B"), ItemFactory(sku="RAW", kind="raw")
    a_uses_b, b_uses_a, b_uses_raw = materials_services.boms_create(
        actor=None,
        rows=[
            {"item": a, "revision": "1", "lines": [{"component": b, "quantity_per": 1}]},
            {"item": b, "revision": "1", "lines": [{"component": a, "quantity_per": 1}]},
            {"item": b, "revision": "2", "lines": [{"component": raw, "quantity_per": 1}]},
        ],
    )
    with pytest.raises(RowsInvalid) as exc:
        materials_services.boms_release(actor=None, rows=[{"record": a_uses_b}, {"record": b_uses_a}])
    assert exc.value.as_list() == [
        {"row": 1, "field": "lines", "message": "Releasing this revision would make B contain itself (a BOM cycle)."}
    ]
    materials_services.boms_release(actor=None, rows=[{"record": b_uses_raw}, {"record": a_uses_b}])
    assert set(BOM.objects.filter(status="released").values_list("item__sku", "revision")) == {("A", "1"), ("B", "2")}


def test_batch_holds_follow_the_single_hold_rules(shifts):
    item = make_routed_item()
    open_wo = services.work_order_create(actor=None, item=item, quantity=10)
    closed_wo = services.work_order_create(actor=None, item=item, quantity=10)
    services.work_order_cancel(work_order=closed_wo, actor=None, reason="customer cancelled")
    with pytest.raises(RowsInvalid) as exc:
        services.holds_place(
            actor=None,
            rows=[
                {"work_order": open_wo, "kind": "quality", "reason": "  "},
                {"work_order": closed_wo, "kind": "quality", "reason": "burr"},
                {"work_order": open_wo, "kind": "rain", "reason": "burr"},
            ],
        )
    messages = [str(e) for e in exc.value.errors]
    assert "Row 0, reason: Say why the work order is held." in messages
    assert f"Row 1, work_order: Cannot place a hold on {closed_wo.number}: it is cancelled." in messages
    assert any(m.startswith("Row 2, kind: Choose one of") for m in messages)
    assert not Hold.objects.exists()

    (hold,) = services.holds_place(actor=None, rows=[{"work_order": open_wo, "kind": "material", "reason": "no resin"}])
    with pytest.raises(RowsInvalid) as exc:
        services.holds_release(
            actor=None,
            rows=[
                {"hold": hold, "release_note": ""},
                {"hold": hold, "release_note": "reworked"},
                {"hold": hold, "release_note": "again"},
            ],
        )
    assert [(e.row, e.field) for e in exc.value.errors] == [(0, "release_note"), (2, "hold")]
    assert "already released" in exc.value.errors[1].message
    hold.refresh_from_db()
    assert hold.released_at is None
    services.holds_release(actor=None, rows=[{"hold": hold, "release_note": "reworked"}])
    with pytest.raises(ConflictError, match="already released"):
        services.hold_release(hold=hold, actor=None, release_note="again")


# --- parity: N single writes and one batch of N leave the same rows and events -------------

T0 = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)  # a Monday, 01:00 in the plant (America/Chicago)
H = dt.timedelta(hours=1)


def _rows(model, fields, order_by):
    return [tuple(row) for row in model.objects.order_by(*order_by).values_list(*fields)]


def snapshot():
    """Every row a write leaves, by natural keys (no primary keys, no created/updated times),
    and every event with its subject, changes, types, reason, time, actor and scope."""
    departments = dict(Department.objects.values_list("pk", "code"))
    centers = dict(WorkCenter.objects.values_list("pk", "code"))
    events = []
    for event in Event.objects.select_related("object_type", "actor", "work_order").prefetch_related("scopes").order_by("id"):
        events.append(
            (
                event.verb,
                event.object_type.model,
                event.object_repr,
                event.work_order.number if event.work_order else None,
                event.changes,
                event.change_types,
                event.reason,
                event.at,
                event.actor.username if event.actor else None,
                sorted((departments.get(s.department_id), centers.get(s.work_center_id) or "") for s in event.scopes.all()),
            )
        )
    wo_fields = [
        "number", "item__sku", "quantity", "quantity_completed", "quantity_scrapped", "status", "priority", "due_date",
        "planned_start", "planned_end", "customer_ref", "bom__revision", "routing__revision", "active_hold_count", "version",
        "released_at", "started_at", "completed_at", "closed_at", "cancelled_at", "is_overdue",
        "current_operation__sequence", "current_work_center__code", "next_work_center__code",
    ]  # fmt: skip
    return {
        "departments": _rows(Department, ["code", "name", "is_active"], ["code"]),
        "work_centers": _rows(WorkCenter, ["code", "name", "department__code", "capacity_hours_per_shift"], ["code"]),
        "shifts": _rows(Shift, ["code", "start_time", "end_time"], ["code"]),
        "items": _rows(Item, ["sku", "name", "kind", "uom", "lead_time_days", "safety_stock", "is_active"], ["sku"]),
        "boms": _rows(BOM, ["item__sku", "revision", "status", "released_at"], ["item__sku", "revision"]),
        "bom_lines": _rows(
            BOMLine, ["bom__item__sku", "bom__revision", "component__sku", "quantity_per"], ["bom__item__sku", "id"]
        ),
        "routings": _rows(Routing, ["item__sku", "revision", "status", "released_at"], ["item__sku", "revision"]),
        "steps": _rows(RoutingStep, ["routing__item__sku", "sequence", "work_center__code"], ["routing__item__sku", "sequence"]),
        "work_orders": _rows(WorkOrder, wo_fields, ["number"]),
        "operations": _rows(
            Operation,
            [
                "work_order__number",
                "sequence",
                "work_center__code",
                "planned_run_minutes",
                "status",
                "quantity_good",
                "quantity_scrap",
            ],
            ["work_order__number", "sequence"],
        ),
        "reports": _rows(
            ProductionReport,
            [
                "work_order__number",
                "operation__sequence",
                "quantity_good",
                "quantity_scrap",
                "reported_at",
                "shift__code",
                "shift_date",
                "reported_by__username",
                "note",
                "scrap_reason__code",
                "reverses__reported_at",
                "reverses__note",
            ],
            # Two reports of one operation at one time: in the order they were written.
            ["reported_at", "work_order__number", "operation__sequence", "pk"],
        ),  # fmt: skip
        "scrap_reasons": _rows(ScrapReason, ["code", "name", "is_active"], ["code"]),
        "holds": _rows(
            Hold,
            ["work_order__number", "kind", "reason", "placed_at", "placed_by__username", "released_at", "release_note"],
            ["work_order__number", "placed_at"],
        ),
        "schedule": _rows(
            ScheduleEntry,
            ["date", "shift__code", "work_center__code", "work_order__number", "planned_quantity", "sequence"],
            ["date", "shift__code", "work_center__code", "work_order__number"],
        ),
        "events": events,
    }


def plant_script(batched, user):
    """A day of a small plant, written either one object at a time or in batches: master data,
    BOMs and routings, work orders through every transition, holds, progress, changes and the plan."""

    def each(batch, single, rows, **kwargs):
        if batched:
            return batch(actor=user, rows=rows, **kwargs)
        return [single(row) for row in rows]

    departments = each(
        plant_services.departments_create,
        lambda row: plant_services.department_create(actor=user, **row),
        [{"code": "FAB", "name": "Fabrication"}, {"code": "ASM", "name": "Assembly"}],
    )
    each(
        plant_services.departments_update,
        lambda row: plant_services.department_update(actor=user, department=row["record"], name=row["name"]),
        [{"record": departments[1], "name": "Final assembly"}],
    )
    centers = each(
        plant_services.work_centers_create,
        lambda row: plant_services.work_center_create(actor=user, **row),
        [
            {"code": "LASER-01", "name": "Laser", "department": departments[0]},
            {"code": "WELD-01", "name": "Weld", "department": departments[0]},
            {"code": "ASM-01", "name": "Assembly", "department": departments[1]},
        ],
    )
    shifts = each(
        plant_services.shifts_create,
        lambda row: plant_services.shift_create(actor=user, **row),
        [
            {"code": "DAY", "name": "Day", "start_time": dt.time(6), "end_time": dt.time(14)},
            {"code": "SWING", "name": "Swing", "start_time": dt.time(14), "end_time": dt.time(22)},
            {"code": "NIGHT", "name": "Night", "start_time": dt.time(22), "end_time": dt.time(6)},
        ],
    )
    raw, frame, cart = each(
        materials_services.items_create,
        lambda row: materials_services.item_create(actor=user, **row),
        [
            {"sku": "STEEL-3", "name": "3 mm sheet", "kind": "raw", "uom": "kg"},
            {"sku": "FRAME-1", "name": "Frame", "kind": "subassembly"},
            {"sku": "CART-1", "name": "Cart", "kind": "finished"},
        ],
    )
    each(
        materials_services.items_update,
        lambda row: materials_services.item_update(actor=user, item=row["record"], lead_time_days=row["lead_time_days"]),
        [{"record": raw, "lead_time_days": 5}],
    )
    boms = each(
        materials_services.boms_create,
        lambda row: materials_services.bom_create(actor=user, **row),
        [
            {"item": frame, "revision": "A", "lines": [{"component": raw, "quantity_per": Decimal("2.5")}]},
            {"item": cart, "revision": "A", "lines": [{"component": frame, "quantity_per": 1}]},
        ],
    )
    each(
        materials_services.boms_release,
        lambda row: materials_services.bom_release(actor=user, bom=row["record"], reason=row["reason"], at=row["at"]),
        [{"record": bom, "reason": "Initial release.", "at": T0} for bom in boms],
    )
    steps = [
        {"sequence": 10, "work_center": centers[0], "setup_minutes": 10, "run_minutes_per_unit": Decimal("2")},
        {"sequence": 20, "work_center": centers[1], "run_minutes_per_unit": Decimal("3")},
    ]
    routings = each(
        services.routings_create,
        lambda row: services.routing_create(actor=user, **row),
        [
            {"item": frame, "revision": "A", "steps": steps},
            {"item": cart, "revision": "A", "steps": [{"sequence": 10, "work_center": centers[2]}]},
        ],
    )
    each(
        services.routings_release,
        lambda row: services.routing_release(actor=user, routing=row["record"], at=row["at"]),
        [{"record": routing, "at": T0} for routing in routings],
    )
    rows = [
        {"item": frame, "quantity": Decimal("10"), "due_date": dt.date(2026, 3, 1), "at": T0 + H},
        {"item": frame, "quantity": Decimal("4"), "priority": 1, "customer_ref": "PO 77", "at": T0 + H},
        {"item": cart, "quantity": Decimal("2"), "number": "WO-CART-1", "at": T0 + H},
        {"item": frame, "quantity": Decimal("6"), "at": T0 + H},
        {"item": cart, "quantity": Decimal("1"), "customer_ref": "entered twice", "at": T0 + H},
    ]
    wos = each(services.work_orders_create, lambda row: services.work_order_create(actor=user, **row), rows)
    each(
        services.work_orders_update,
        lambda row: services.work_order_update(actor=user, **row),
        [
            {"work_order": wos[0], "priority": 2, "reason": "Customer called.", "at": T0 + 2 * H},
            {"work_order": wos[1], "quantity": Decimal("5"), "customer_ref": "PO 78", "at": T0 + 2 * H},
            {"work_order": wos[3], "due_date": dt.date(2026, 4, 1), "reason": "Slipped.", "at": T0 + 2 * H},
        ],
    )
    each(
        lambda **kw: services.work_orders_transition(action="release", **kw),
        lambda row: services.work_order_release(actor=user, **row),
        [{"work_order": wo, "at": T0 + 3 * H} for wo in wos[:3]],
    )
    each(
        services.holds_place,
        lambda row: services.hold_place(actor=user, **row),
        [
            {"work_order": wos[1], "kind": "material", "reason": "Short of sheet.", "at": T0 + 4 * H},
            {"work_order": wos[2], "kind": "quality", "reason": "Check the welds.", "at": T0 + 4 * H},
            {"work_order": wos[2], "kind": "customer", "reason": "Customer review.", "at": T0 + 4 * H},
        ],
    )
    holds = list(Hold.objects.order_by("work_order__number", "kind"))
    each(
        services.holds_release,
        lambda row: services.hold_release(actor=user, hold=row["hold"], release_note=row["release_note"], at=row["at"]),
        [{"hold": holds[0], "release_note": "Sheet arrived.", "at": T0 + 5 * H}],
    )
    burr, weld, _ = each(
        services.scrap_reasons_create,
        lambda row: services.scrap_reason_create(actor=user, **row),
        [{"code": "BURR", "name": "Burr"}, {"code": "WELD", "name": "Weld defect"}, {"code": "OLD", "name": "Retired"}],
    )
    each(
        services.scrap_reasons_update,
        lambda row: services.scrap_reason_update(actor=user, scrap_reason=row["record"], name=row["name"]),
        [{"record": burr, "name": "Burr on edge"}],
    )
    reports = each(
        services.progress_report,
        lambda row: services.operation_report_progress(actor=user, **row),
        [
            {"work_order": wos[0], "operation": 10, "quantity_good": 10, "reported_at": T0 + 6 * H},
            {"work_order": wos[0], "operation": 20, "quantity_good": 8, "quantity_scrap": 1, "scrap_reason": weld,
             "reported_at": T0 + 14 * H},
            {"work_order": wos[1], "operation": 10, "quantity_good": 3, "note": "Half a sheet.", "reported_at": T0 + 15 * H},
            {"work_order": wos[1], "operation": 10, "quantity_good": 2, "quantity_scrap": 1, "scrap_reason": burr,
             "reported_at": T0 + 15 * H},
        ],
    )  # fmt: skip
    each(
        services.production_reports_reverse,
        lambda row: services.production_report_reverse(actor=user, **row),
        [
            {"report": reports[3], "reason": "Counted twice."},
            {"report": reports[1], "reason": "The scrap was on the next order."},
        ],
    )
    each(
        lambda **kw: services.work_orders_transition(action="complete", **kw),
        lambda row: services.work_order_complete(actor=user, **row),
        [{"work_order": wos[0], "reason": "One scrapped, one short.", "at": T0 + 16 * H}],
    )
    each(
        lambda **kw: services.work_orders_transition(action="cancel", **kw),
        lambda row: services.work_order_cancel(actor=user, **row),
        [{"work_order": wos[2], "reason": "Customer withdrew.", "at": T0 + 17 * H}],
    )
    each(
        lambda **kw: planning_services.schedule_entries_upsert(at=T0, **kw),
        lambda row: planning_services.schedule_entry_upsert(actor=user, at=T0, **row),
        [
            {"date": dt.date(2026, 3, 3), "shift": shifts[0], "work_center": centers[0], "work_order": wos[1],
             "planned_quantity": Decimal("2")},
            {"date": dt.date(2026, 3, 3), "shift": shifts[0], "work_center": centers[1], "work_order": wos[1],
             "planned_quantity": Decimal("2"), "sequence": 2},
            {"date": dt.date(2026, 3, 4), "shift": shifts[1], "work_center": centers[0], "work_order": wos[3],
             "planned_quantity": Decimal("6")},
        ],
    )  # fmt: skip
    each(
        services.work_orders_delete,
        lambda row: services.work_order_delete(actor=user, **row),
        [{"work_order": wos[4], "reason": "Entered twice."}],
    )


def test_n_single_writes_and_one_batch_of_n_leave_the_same_rows_and_events(make_user, monkeypatch):
    user = make_user("planner", username="parity")
    monkeypatch.setattr(timezone, "now", lambda: T0 + 20 * H)
    results = {}
    for batched in (False, True):
        with transaction.atomic():
            plant_script(batched, user)
            results[batched] = snapshot()
            transaction.set_rollback(True)
    single, batch = results[False], results[True]
    assert single["events"], "the script wrote events"
    for table in single:
        assert single[table] == batch[table], table
