"""Where an open order stands on the floor: ``current_operation`` (its first operation not yet
done), ``current_work_center`` and ``next_work_center`` (the operation after it), kept by every
write that moves it, in the same write."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def centers(db):
    return [WorkCenterFactory(code=code) for code in ("SAW-01", "CNC-01", "PACK-01")]


@pytest.fixture
def item(centers):
    return make_routed_item(work_centers=centers)


def where(work_order):
    """(sequence, work center code) of its current operation as stored, or None; and checks that
    the stored next work center is the work center of the operation after it."""
    work_order = WorkOrder.objects.select_related("current_operation", "current_work_center", "next_work_center").get(
        pk=work_order.pk
    )
    if work_order.current_operation is None:
        assert work_order.current_work_center is None and work_order.next_work_center is None
        return None
    assert work_order.current_operation.work_center_id == work_order.current_work_center_id
    after = work_order.operations.filter(sequence__gt=work_order.current_operation.sequence).order_by("sequence").first()
    assert work_order.next_work_center_id == (after.work_center_id if after else None)
    return work_order.current_operation.sequence, work_order.current_work_center.code


def going_to(work_order):
    """The code of the work center it goes to next, as stored."""
    work_order = WorkOrder.objects.select_related("next_work_center").get(pk=work_order.pk)
    return work_order.next_work_center.code if work_order.next_work_center else None


def report(work_order, operation, good, scrap=0):
    return services.operation_report_progress(
        work_order=work_order,
        actor=None,
        operation=operation,
        quantity_good=Decimal(good),
        quantity_scrap=Decimal(scrap),
        scrap_reason=scrap_reason() if Decimal(scrap) else None,
    )


def test_a_new_order_stands_at_its_first_operation(item, shifts):
    wo = services.work_order_create(actor=None, item=item, quantity=Decimal("10"))
    assert (wo.current_operation.sequence, wo.current_work_center.code) == (10, "SAW-01")  # the returned order too
    assert where(wo) == (10, "SAW-01")
    assert going_to(wo) == "CNC-01"
    many = services.work_orders_create(actor=None, rows=[{"item": item, "quantity": Decimal("5")} for _ in range(3)])
    assert [where(w) for w in many] == [(10, "SAW-01")] * 3


def test_release_and_start_leave_it_where_it_is(item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    assert where(wo) == (10, "SAW-01")


def test_progress_moves_it_on_when_its_operation_is_done(item, shifts):
    wo = make_work_order(item=item, status="released", quantity=Decimal("10"))
    report(wo, 10, 4)  # starts the order; the saw is not done yet
    assert where(wo) == (10, "SAW-01")
    report(wo, 10, 6)
    assert where(wo) == (20, "CNC-01")
    assert going_to(wo) == "PACK-01"
    # a later operation can run ahead of the current one; the current one is still the first not done
    report(wo, 20, 3, scrap=1)
    assert where(wo) == (20, "CNC-01")
    report(wo, 20, 6)
    report(wo, 30, 6)
    assert where(wo) == (20, "CNC-01")  # 9 good + 1 scrap of 10 made: not done
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS


def test_when_every_operation_is_done_it_has_none_until_completed(item, shifts):
    wo = make_work_order(item=item, status="released", quantity=Decimal("2"))
    for sequence in (10, 20, 30):
        report(wo, sequence, 2)
    assert where(wo) is None
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS


def test_a_batch_of_reports_leaves_each_order_where_its_last_report_took_it(item, shifts):
    first, second = (make_work_order(item=item, status="released", quantity=Decimal("5")) for _ in range(2))
    services.progress_report(
        actor=None,
        rows=[
            {"work_order": first, "operation": 10, "quantity_good": Decimal("5")},
            {"work_order": first, "operation": 20, "quantity_good": Decimal("5")},
            {"work_order": second, "operation": 10, "quantity_good": Decimal("1")},
        ],
    )
    assert where(first) == (30, "PACK-01")
    assert going_to(first) is None  # packing is the last operation
    assert where(second) == (10, "SAW-01")


def test_a_refused_report_changes_nothing(item, shifts):
    wo = make_work_order(item=item, status="released", quantity=Decimal("5"))
    with pytest.raises(ValidationError):  # the batch refuses the second row: nothing is written
        services.progress_report(
            actor=None,
            rows=[
                {"work_order": wo, "operation": 10, "quantity_good": Decimal("5")},
                {"work_order": wo, "operation": 20, "quantity_good": Decimal("50")},
            ],
        )
    assert where(wo) == (10, "SAW-01")


@pytest.mark.parametrize(("status", "action"), [("in_progress", "complete"), ("released", "cancel"), ("draft", "cancel")])
def test_completing_or_cancelling_leaves_it_nowhere(item, shifts, status, action):
    wo = make_work_order(item=item, status=status, quantity=Decimal("10"))
    services.work_order_transition(action=action, work_order=wo, actor=None, reason="Demand moved")
    assert where(wo) is None


def test_closing_keeps_it_nowhere(item, shifts):
    wo = make_work_order(item=item, status="closed")
    assert where(wo) is None


def test_cancelling_records_when(item, shifts):
    wo = make_work_order(item=item, status="released")
    at = timezone.now() - dt.timedelta(minutes=5)
    services.work_order_cancel(work_order=wo, actor=None, reason="Customer withdrew", at=at)
    wo.refresh_from_db()
    assert wo.cancelled_at == at
    assert wo.closed_at is None


def test_a_draft_with_its_operations_can_still_be_deleted(item, shifts):
    wo = make_work_order(item=item)
    services.work_order_delete(actor=None, work_order=wo)
    assert not WorkOrder.objects.filter(pk=wo.pk).exists()


def test_the_migration_fills_both_for_existing_orders(item, shifts):
    """What the migration does for a database written before these columns existed."""
    fill = importlib.import_module("workorders.migrations.0003_current_operation_cancelled_at").fill
    moved = make_work_order(item=item, status="released", quantity=Decimal("3"))
    report(moved, 10, 3)
    draft = make_work_order(item=item)
    closed = make_work_order(item=item, status="closed")
    cancelled = make_work_order(item=item, status="released")
    at = timezone.now() - dt.timedelta(hours=2)
    services.work_order_cancel(work_order=cancelled, actor=None, reason="Customer withdrew", at=at)
    # a cancelled order with no cancel event to read (written behind the services' back): its last change stands in
    orphan = make_work_order(item=item)
    WorkOrder.objects.filter(pk=orphan.pk).update(status="cancelled")
    assert not Event.objects.filter(work_order=orphan, verb="work_order.cancelled").exists()
    WorkOrder.objects.update(current_operation=None, current_work_center=None, next_work_center=None, cancelled_at=None)

    fill(apps, None)

    assert where(moved) == (20, "CNC-01")  # where() checks the next work center too
    assert going_to(moved) == "PACK-01"
    assert where(draft) == (10, "SAW-01")
    assert where(closed) is None
    assert WorkOrder.objects.get(pk=cancelled.pk).cancelled_at == at
    orphan.refresh_from_db()
    assert orphan.cancelled_at == orphan.updated_at
