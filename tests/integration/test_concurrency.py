"""Two people (or a person and a script) acting on the same work order at the same moment, on PostgreSQL.

Each racing call runs in its own thread and database connection; the row
lock in the services decides who wins, and the loser gets a clear error —
never a lost update or a double-counted event.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from prodcoord.core.exceptions import HoldActiveError, StaleVersionError, TransitionError
from prodcoord.events.models import Event
from tests.factories import make_routed_item, make_work_order
from tests.integration.support import one_waits_for_the_other, race
from workorders import services
from workorders.models import Operation, ProductionReport, WorkOrder

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def outcomes(results):
    oks = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    return oks, errors


def verbs(work_order):
    return list(Event.objects.filter(work_order_id=work_order.pk).order_by("id").values_list("verb", flat=True))


def test_two_starts_at_once_one_wins_one_is_refused():
    wo = make_work_order(status="released")

    results = race(
        lambda: services.work_order_start(work_order=wo, actor=None),
        lambda: services.work_order_start(work_order=wo, actor=None),
    )

    oks, errors = outcomes(results)
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], TransitionError)
    assert "in progress" in str(errors[0])
    wo.refresh_from_db()
    assert wo.status == WorkOrder.Status.IN_PROGRESS
    assert verbs(wo).count("work_order.started") == 1


def test_start_and_cancel_at_once_exactly_one_happens():
    wo = make_work_order(status="released")
    version = wo.version

    results = race(
        lambda: services.work_order_start(work_order=wo, actor=None),
        lambda: services.work_order_cancel(work_order=wo, actor=None, reason="Customer withdrew the order."),
    )

    oks, errors = outcomes(results)
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], TransitionError)
    wo.refresh_from_db()
    assert wo.status in (WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.CANCELLED)
    happened = [v for v in verbs(wo) if v in ("work_order.started", "work_order.cancelled")]
    assert len(happened) == 1
    assert happened[0] == {"in_progress": "work_order.started", "cancelled": "work_order.cancelled"}[wo.status]
    assert wo.version == version + 1


def test_two_edits_from_the_same_version_the_second_is_refused_not_lost():
    wo = make_work_order(status="released")
    version = wo.version

    def change(priority, reason):
        return lambda: services.work_order_change_priority(
            work_order=wo, actor=None, priority=priority, reason=reason, version=version
        )

    results = race(change(1, "Hot customer."), change(5, "Can wait."))

    oks, errors = outcomes(results)
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], StaleVersionError)
    wo.refresh_from_db()
    assert wo.priority == oks[0].priority
    assert wo.version == version + 1
    assert verbs(wo).count("work_order.priority_changed") == 1


def test_two_progress_reports_that_together_exceed_the_order_only_one_is_accepted(shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))

    def report():
        return services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal("6"))

    results = race(report, report)

    oks, errors = outcomes(results)
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError)
    assert "quantity_good" in errors[0].message_dict
    first = Operation.objects.get(work_order=wo, sequence=10)
    assert first.quantity_good == Decimal("6")
    assert ProductionReport.objects.filter(work_order=wo).count() == 1
    assert verbs(wo).count("work_order.progress_reported") == 1


def test_a_report_that_waits_for_a_hold_being_placed_is_refused_and_records_nothing(shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    version = wo.version

    hold, report = one_waits_for_the_other(
        lambda: services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr on the edge."),
        lambda: services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal("2")),
    )

    assert hold[0] == "ok", hold
    assert report[0] == "error" and isinstance(report[1], HoldActiveError), report
    assert "on hold" in str(report[1])
    wo.refresh_from_db()
    assert (wo.status, wo.active_hold_count, wo.quantity_completed) == ("in_progress", 1, Decimal("0"))
    assert wo.version == version + 1
    assert Operation.objects.get(work_order=wo, sequence=10).quantity_good == Decimal("0")
    assert not ProductionReport.objects.filter(work_order=wo).exists()
    assert verbs(wo)[-1] == "hold.placed"
    assert "work_order.progress_reported" not in verbs(wo)


def test_a_hold_that_waits_for_a_report_being_recorded_lands_after_it(shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    version = wo.version

    report, hold = one_waits_for_the_other(
        lambda: services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal("2")),
        lambda: services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr on the edge."),
    )

    assert report[0] == "ok" and hold[0] == "ok", (report, hold)
    wo.refresh_from_db()
    assert (wo.status, wo.active_hold_count) == ("in_progress", 1)
    assert Operation.objects.get(work_order=wo, sequence=10).quantity_good == Decimal("2")
    assert list(ProductionReport.objects.filter(work_order=wo).values_list("quantity_good", flat=True)) == [Decimal("2")]
    assert verbs(wo)[-2:] == ["work_order.progress_reported", "hold.placed"]
    assert wo.version == version + 2  # the hold saw the report's change; neither write was lost


def test_concurrent_creation_never_duplicates_numbers():
    item = make_routed_item()
    per_thread = 5

    def create_batch():
        return [
            services.work_order_create(actor=None, item=item, quantity=Decimal("5"), due_date=dt.date(2030, 1, 1)).number
            for _ in range(per_thread)
        ]

    results = race(*[create_batch] * 4, hold_lock_for=0.05)

    oks, errors = outcomes(results)
    assert errors == []
    numbers = [n for batch in oks for n in batch]
    assert len(numbers) == 4 * per_thread
    assert len(set(numbers)) == len(numbers)
    assert WorkOrder.objects.filter(item=item).count() == len(numbers)


def test_the_same_explicit_number_twice_at_once_creates_one_and_refuses_the_other():
    item = make_routed_item()

    def create():
        return services.work_order_create(actor=None, item=item, quantity=Decimal("5"), number="WO-RUSH-1")

    results = race(create, create)

    oks, errors = outcomes(results)
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError), f"expected a field error, got {errors[0]!r}"
    assert "number" in errors[0].message_dict
    assert WorkOrder.objects.filter(number="WO-RUSH-1").count() == 1


def test_a_stale_edit_cannot_change_a_field_the_role_does_not_own(make_user, api_as):
    """A coordinator may change the priority, not the quantity (a planner's field). The coordinator
    read the order (quantity 10) just before a planner raised it to 25; sending back the quantity
    as read, with a new priority, must not revert the planner's change under the coordinator's name."""
    wo = make_work_order(status="released", quantity=Decimal("10"))
    planner = make_user("planner")
    coordinator = api_as("coordinator")

    def planner_raises_the_quantity():
        return services.work_order_update(work_order=wo, actor=planner, quantity=Decimal("25"))

    def coordinator_sends_what_they_read():
        response = coordinator.patch(
            f"/api/v1/work-orders/{wo.number}/",
            {"quantity": "10", "priority": 1, "reason": "Customer rang."},
            format="json",
        )
        return response.status_code, response.json()

    results = one_waits_for_the_other(planner_raises_the_quantity, coordinator_sends_what_they_read)

    assert results[0][0] == "ok"
    assert results[1][0] == "ok", results
    status, body = results[1][1]
    assert status == 403, body
    assert body == {"detail": "Your role does not allow changing: quantity."}
    wo.refresh_from_db()
    assert (wo.quantity, wo.priority) == (Decimal("25"), 3)
    assert verbs(wo).count("work_order.updated") == 1  # the planner's; nothing under the coordinator's name
    assert "work_order.priority_changed" not in verbs(wo)
