"""The batch writes are set-based: a batch of many rows costs the same statements as a batch of
a few, so seed_plant, imports and the schedule upload never run a query per row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from materials import services as materials_services
from planning import services as planning_services
from plant import services as plant_services
from tests.factories import ItemFactory, WorkCenterFactory, make_routed_item
from workorders import services

pytestmark = pytest.mark.django_db


def statements(write):
    with CaptureQueriesContext(connection) as ctx:
        write()
    return len(ctx.captured_queries)


@pytest.fixture
def plant(shifts):
    centers = [WorkCenterFactory(), WorkCenterFactory()]
    return {"item": make_routed_item(work_centers=centers), "centers": centers, "shifts": shifts}


def orders(plant, n, status="draft"):
    rows = [{"item": plant["item"], "quantity": Decimal("10")} for _ in range(n)]
    wos = services.work_orders_create(actor=None, rows=rows)
    if status != "draft":
        released = timezone.now() - dt.timedelta(hours=3)
        wos = services.work_orders_transition(
            actor=None, action="release", rows=[{"work_order": wo, "at": released} for wo in wos]
        )
    return wos


def production_costs(plant, n):
    """Statements each production write takes for ``n`` work orders."""
    counts = {}
    rows = [{"item": plant["item"], "quantity": Decimal("10")} for _ in range(n)]
    counts["create"] = statements(lambda: services.work_orders_create(actor=None, rows=rows))
    wos = orders(plant, n)
    released = timezone.now() - dt.timedelta(hours=3)
    counts["release"] = statements(
        lambda: services.work_orders_transition(
            actor=None, action="release", rows=[{"work_order": wo, "at": released} for wo in wos]
        )
    )
    counts["hold"] = statements(
        lambda: services.holds_place(actor=None, rows=[{"work_order": wo, "kind": "material", "reason": "r"} for wo in wos])
    )
    holds = [hold for wo in wos for hold in wo.holds.all()]
    counts["release hold"] = statements(
        lambda: services.holds_release(actor=None, rows=[{"hold": hold, "release_note": "ok"} for hold in holds])
    )
    at = timezone.now() - dt.timedelta(hours=1)
    reports = [{"work_order": wo, "operation": seq, "quantity_good": 5, "reported_at": at} for wo in wos for seq in (10, 20)]
    counts["progress"] = statements(lambda: services.progress_report(actor=None, rows=reports))
    counts["priority"] = statements(
        lambda: services.work_orders_update(actor=None, rows=[{"work_order": wo, "priority": 1, "reason": "Rush."} for wo in wos])
    )
    held = orders(plant, n, "released")
    services.holds_place(actor=None, rows=[{"work_order": wo, "kind": "customer", "reason": "r"} for wo in held])
    counts["cancel, releasing holds"] = statements(
        lambda: services.work_orders_transition(
            actor=None, action="cancel", rows=[{"work_order": wo, "reason": "Not needed."} for wo in held]
        )
    )
    return counts


def test_creating_and_moving_many_orders_costs_what_a_few_cost(plant):
    production_costs(plant, 1)  # once, so one-off lookups (content types) are not counted
    few, many = production_costs(plant, 3), production_costs(plant, 30)
    assert few == many
    # a handful of statements, whatever the rows (with the outbox's one row, and its savepoint, for
    # the follow-up work: notifications, shortage netting)
    assert max(many.values()) <= 24, many


def test_master_data_in_batches_costs_what_a_few_cost(db):
    def build(n, tag):
        counts = {}
        counts["departments"] = statements(
            lambda: plant_services.departments_create(
                actor=None, rows=[{"code": f"D{tag}{i}", "name": f"Dept {i}"} for i in range(n)]
            )
        )
        counts["items"] = statements(
            lambda: materials_services.items_create(
                actor=None, rows=[{"sku": f"I{tag}{i}", "name": f"Item {i}", "kind": "raw"} for i in range(n)]
            )
        )
        raw = ItemFactory(kind="raw")
        items = [ItemFactory() for _ in range(n)]
        boms = []
        counts["boms"] = statements(
            lambda: boms.extend(
                materials_services.boms_create(
                    actor=None,
                    rows=[{"item": it, "revision": "A", "lines": [{"component": raw, "quantity_per": 1}]} for it in items],
                )
            )
        )
        counts["release boms"] = statements(
            lambda: materials_services.boms_release(actor=None, rows=[{"record": bom} for bom in boms])
        )
        return counts

    build(1, "warm")
    assert build(3, "a") == build(30, "b")


def test_the_schedule_upload_costs_what_a_few_rows_cost(plant):
    wos = orders(plant, 30, "released")
    shift = plant["shifts"][0]

    def upload(work_orders, day):
        rows = [
            {"date": day, "shift": shift, "work_center": plant["centers"][0], "work_order": wo, "planned_quantity": 5}
            for wo in work_orders
        ]
        return statements(lambda: planning_services.schedule_entries_upsert(actor=None, rows=rows))

    upload(wos[:1], dt.date(2026, 11, 30))
    assert upload(wos[:3], dt.date(2026, 12, 1)) == upload(wos, dt.date(2026, 12, 2))
