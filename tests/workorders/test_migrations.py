"""Migrations that change data already there: scrap reported before scrap reasons existed."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workorders", "0002_natural_keys")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _plant_with_reports(old, *quantities):
    """An order with one report per (good, scrap) in ``quantities``, written with the models as they were."""
    department = old.get_model("plant", "Department").objects.create(code="FAB", name="Fabrication")
    center = old.get_model("plant", "WorkCenter").objects.create(code="LASER-01", name="Laser", department=department)
    shift = old.get_model("plant", "Shift").objects.create(code="DAY", name="Day", start_time=dt.time(6), end_time=dt.time(14))
    item = old.get_model("materials", "Item").objects.create(sku="FRAME-1", name="Frame", kind="finished")
    order = old.get_model("workorders", "WorkOrder").objects.create(number="WO-1", item=item, quantity=Decimal("10"))
    operation = old.get_model("workorders", "Operation").objects.create(work_order=order, sequence=10, work_center=center)
    reports = old.get_model("workorders", "ProductionReport").objects
    return [
        reports.create(
            operation=operation,
            work_order=order,
            work_center=center,
            shift=shift,
            reported_at=dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC),
            shift_date=dt.date(2026, 3, 2),
            quantity_good=Decimal(good),
            quantity_scrap=Decimal(scrap),
        )
        for good, scrap in quantities
    ]


def migrate_forward():
    return migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_scrap_reported_before_reasons_gets_the_inactive_unrecorded_reason():
    try:
        scrapped, good_only = _plant_with_reports(migrate(BEFORE), ("4", "1"), ("2", "0"))
    finally:
        new = migrate_forward()
    ProductionReport = new.get_model("workorders", "ProductionReport")
    reason = ProductionReport.objects.get(pk=scrapped.pk).scrap_reason
    assert (reason.code, reason.is_active) == ("UNRECORDED", False)
    assert ProductionReport.objects.get(pk=good_only.pk).scrap_reason is None


@pytest.mark.django_db(transaction=True)
def test_a_plant_without_earlier_scrap_gets_no_unrecorded_reason():
    try:
        _plant_with_reports(migrate(BEFORE), ("4", "0"))
    finally:
        new = migrate_forward()
    assert not new.get_model("workorders", "ScrapReason").objects.exists()
