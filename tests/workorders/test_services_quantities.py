"""Quantities a supervisor can trust: whole numbers for counted units, scrap that the operation
could have processed and that names its reason, and a confirmation for a report of more than
was left at the operation."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from materials.units import is_counted, whole_units_problem
from prodcoord.core.rows import RowsInvalid
from prodcoord.events.models import Event
from tests.factories import make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import ProductionReport, WorkOrder

pytestmark = pytest.mark.django_db
LONG_AGO = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def report(wo, op=10, good=0, scrap=0, **kwargs):
    return services.operation_report_progress(
        work_order=wo, actor=None, operation=op, quantity_good=good, quantity_scrap=scrap, **kwargs
    )


def _state(wo):
    wo = WorkOrder.objects.get(pk=wo.pk)
    ops = [(o.quantity_good, o.quantity_scrap, o.status) for o in wo.operations.order_by("sequence")]
    return wo.version, wo.quantity, wo.quantity_completed, wo.quantity_scrapped, ops, ProductionReport.objects.count()


def refused(call):
    """The field errors ``call`` raised (a ValidationError), the state checked unchanged by the caller."""
    with pytest.raises(ValidationError) as exc:
        call()
    return exc.value.message_dict


# --- units: counted items take whole numbers ----------------------------------------------------------


@pytest.mark.parametrize(("uom", "counted"), [("ea", True), ("box", True), ("roll", True), ("kg", False), ("m", False)])
def test_which_units_are_counted(uom, counted):
    assert is_counted(uom) is counted
    assert (whole_units_problem(uom, Decimal("2.5")) is not None) is counted
    assert whole_units_problem(uom, Decimal("2.000")) is None


def test_whole_units_message_names_the_unit_and_the_value():
    assert whole_units_problem("box", Decimal("1.250")) == "Counted in whole boxes (box): enter a whole number, not 1.25."


@pytest.mark.parametrize("uom", ["ea", "box", "roll"])
def test_a_work_order_for_a_counted_item_is_a_whole_number(uom):
    item = make_routed_item(uom=uom)
    message = refused(lambda: services.work_order_create(actor=None, item=item, quantity=Decimal("12.5")))
    assert message == {"quantity": [whole_units_problem(uom, Decimal("12.5"))]}
    assert not WorkOrder.objects.exists()
    assert services.work_order_create(actor=None, item=item, quantity=Decimal("12.000")).quantity == 12


def test_a_work_order_for_a_measured_item_keeps_its_decimals():
    wo = services.work_order_create(actor=None, item=make_routed_item(uom="kg"), quantity=Decimal("12.5"))
    assert wo.quantity == Decimal("12.5")


def test_changing_the_quantity_of_a_counted_item_to_a_fraction_is_refused():
    wo = make_work_order(status="released", quantity=Decimal("10"))
    before = _state(wo)
    message = refused(lambda: services.work_order_update(work_order=wo, actor=None, quantity=Decimal("10.5")))
    assert message == {"quantity": ["Counted in whole pieces (ea): enter a whole number, not 10.5."]}
    assert _state(wo) == before
    assert services.work_order_update(work_order=wo, actor=None, quantity=Decimal("11")).quantity == 11


def test_a_batch_names_the_row_with_the_fraction():
    item = make_routed_item()
    rows = [{"item": item, "quantity": Decimal("4")}, {"item": item, "quantity": Decimal("0.5")}]
    with pytest.raises(RowsInvalid) as exc:
        services.work_orders_create(actor=None, rows=rows)
    assert [(e.row, e.field) for e in exc.value.errors] == [(1, "quantity")]


@pytest.mark.parametrize(("good", "scrap", "field"), [("2.5", "0", "quantity_good"), ("2", "0.5", "quantity_scrap")])
def test_progress_on_a_counted_item_is_whole_numbers(shifts, good, scrap, field):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    before = _state(wo)
    reason = scrap_reason() if Decimal(scrap) else None
    message = refused(lambda: report(wo, good=Decimal(good), scrap=Decimal(scrap), scrap_reason=reason))
    assert message == {field: [whole_units_problem("ea", Decimal(good if field == "quantity_good" else scrap))]}
    assert _state(wo) == before


def test_progress_on_a_measured_item_keeps_its_decimals(shifts):
    wo = make_work_order(item=make_routed_item(uom="kg"), moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    report(wo, good=Decimal("2.5"), scrap=Decimal("0.25"), scrap_reason=scrap_reason())
    op = wo.operations.get(sequence=10)
    assert (op.quantity_good, op.quantity_scrap) == (Decimal("2.5"), Decimal("0.25"))


# --- scrap names a reason ------------------------------------------------------------------------------


def test_scrap_without_a_reason_is_refused_on_scrap_reason(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    before = _state(wo)
    assert refused(lambda: report(wo, good=2, scrap=1)) == {
        "scrap_reason": ["Say why they were scrapped: choose a scrap reason."]
    }
    assert _state(wo) == before


def test_an_inactive_scrap_reason_is_refused(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    retired = scrap_reason(code="OLD")
    services.scrap_reason_update(actor=None, scrap_reason=retired, is_active=False)
    retired.refresh_from_db()
    before = _state(wo)
    assert refused(lambda: report(wo, scrap=1, scrap_reason=retired)) == {
        "scrap_reason": ["OLD is no longer in use; choose another scrap reason."]
    }
    assert _state(wo) == before


def test_a_scrap_reason_without_scrap_is_refused(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    before = _state(wo)
    message = refused(lambda: report(wo, good=2, scrap_reason=scrap_reason()))
    assert "scrap_reason" in message and "enter the scrap" in message["scrap_reason"][0]
    assert _state(wo) == before


def test_the_reason_is_stored_and_shown_in_the_event(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    weld = scrap_reason(code="WELD", name="Weld defect")
    stored = report(wo, good=3, scrap=1, scrap_reason=weld)
    assert ProductionReport.objects.get(pk=stored.pk).scrap_reason == weld
    event = Event.objects.filter(verb="work_order.progress_reported").latest("id")
    assert event.changes["scrap reason"] == [None, "WELD · Weld defect"]
    good_only = report(wo, good=1)
    assert ProductionReport.objects.get(pk=good_only.pk).scrap_reason is None


def test_every_field_error_comes_at_once(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    message = refused(lambda: report(wo, good=Decimal("1.5"), scrap=Decimal("-1")))
    assert set(message) == {"quantity_good", "quantity_scrap"}


# --- scrap cannot exceed what the operation could have processed -----------------------------------------


def test_first_operation_scraps_at_most_what_it_still_had_to_make(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    burr = scrap_reason()
    report(wo, good=7, scrap=1, scrap_reason=burr)
    before = _state(wo)
    assert refused(lambda: report(wo, scrap=4, scrap_reason=burr)) == {
        "quantity_scrap": ["Operation 10 can scrap at most 3: that is what it still had to make (10 ordered, 7 good so far)."]
    }
    assert _state(wo) == before
    report(wo, scrap=3, scrap_reason=burr)  # exactly what was left: extra blanks cover scrap
    report(wo, good=3)
    assert refused(lambda: report(wo, scrap=1, scrap_reason=burr)) == {
        "quantity_scrap": ["Operation 10 has nothing left to scrap: it has made all 10 ordered."]
    }


def test_later_operation_scraps_at_most_what_it_was_passed(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    burr = scrap_reason()
    report(wo, op=10, good=6)
    report(wo, op=20, good=2)
    before = _state(wo)
    assert refused(lambda: report(wo, op=20, good=1, scrap=4, scrap_reason=burr)) == {
        "quantity_scrap": [
            "Operation 20 can scrap at most 3 besides the 1 good: operation 10 has passed on 6 good and operation 20 "
            "has already processed 2. It cannot scrap more than it was passed."
        ]
    }
    assert _state(wo) == before
    # Good alone beyond what was passed on stays a refusal of the good quantity.
    assert "quantity_good" in refused(lambda: report(wo, op=20, good=5, scrap=1, scrap_reason=burr))
    report(wo, op=20, good=1, scrap=3, scrap_reason=burr)
    op20 = wo.operations.get(sequence=20)
    assert (op20.quantity_good, op20.quantity_scrap) == (3, 3)


# --- a report of more than was left asks for confirmation -------------------------------------------


def test_progress_left_at_each_operation(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    report(wo, op=10, good=6, scrap=2, scrap_reason=scrap_reason())
    report(wo, op=20, good=2, scrap=1, scrap_reason=scrap_reason())
    wo.refresh_from_db()
    ops = list(wo.operations.order_by("sequence"))
    assert services.progress_left(work_order=wo, operations=ops, op=ops[0]) == 4  # 10 ordered, 6 good
    assert services.progress_left(work_order=wo, operations=ops, op=ops[1]) == 3  # 6 passed on, 3 processed


def test_more_than_was_left_needs_confirmation_when_asked_for(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    burr = scrap_reason()
    report(wo, good=6)
    before = _state(wo)
    # 4 left at operation 10: 4 good and 2 scrap is 6 processed (extra blanks), within the hard limits.
    message = refused(lambda: report(wo, good=4, scrap=2, scrap_reason=burr, confirmed=False))
    assert message == {
        "confirm": [
            "This reports 6 processed at operation 10 (4 good, 2 scrap), but only 4 were left to make there. "
            "Check the numbers, or confirm them."
        ]
    }
    assert _state(wo) == before
    report(wo, good=4, scrap=2, scrap_reason=burr, confirmed=True)
    op = wo.operations.get(sequence=10)
    assert (op.quantity_good, op.quantity_scrap) == (10, 2)


def test_a_report_within_what_is_left_needs_no_confirmation(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    report(wo, good=3, scrap=1, scrap_reason=scrap_reason(), confirmed=False)
    report(wo, op=20, good=3, confirmed=False)
    assert wo.operations.get(sequence=20).quantity_good == 3


def test_hard_limits_come_before_the_confirmation(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    message = refused(lambda: report(wo, good=11, confirmed=True))
    assert "more than the order quantity" in message["quantity_good"][0]
