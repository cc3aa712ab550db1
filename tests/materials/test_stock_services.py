"""The stock ledger's rules: every move legal or refused with a field error, balances kept in
the same transaction, never negative, reversals, expected receipts received in parts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from materials import selectors, stock
from materials.models import ExpectedReceipt, StockBalance, StockMove
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_today
from prodcoord.events.models import Event
from tests.factories import make_routed_item, make_work_order
from tests.materials.stock_helpers import location, plant_locations, raw_item, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def locs():
    return plant_locations()


def on_hand(item, loc, lot=None):
    row = StockBalance.objects.filter(item=item, location=loc, lot=lot).first()
    return row.quantity if row else D("0")


def field_error(exc_info):
    return exc_info.value.message_dict


# --- locations and lots -------------------------------------------------------------------


def test_only_line_side_belongs_to_a_work_center(locs):
    with pytest.raises(ValidationError) as exc:
        location("WH-B", work_center=locs["line"].work_center)
    assert "Only a line-side location" in str(exc.value)


def test_one_location_receives_output(locs):
    with pytest.raises(ValidationError) as exc:
        location("WH-B", receives_output=True)
    assert "receives_output" in field_error(exc)


def test_lot_code_unique_per_item_regardless_of_case():
    steel = raw_item()
    stock.lot_create(actor=None, item=steel, code="L-1")
    with pytest.raises(ValidationError) as exc:
        stock.lot_create(actor=None, item=steel, code="l-1")
    assert "code" in field_error(exc)
    stock.lot_create(actor=None, item=raw_item("ALU"), code="L-1")  # another item's lot may share the code


# --- moves --------------------------------------------------------------------------------


def test_receipt_then_transfer_changes_balances_and_records_events(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "100")
    move = stock.stock_move_post(
        actor=None, kind="transfer", item=steel, quantity=D("30"), from_location=locs["wh"], to_location=locs["line"]
    )
    assert on_hand(steel, locs["wh"]) == D("70")
    assert on_hand(steel, locs["line"]) == D("30")
    event = Event.objects.get(verb="stock.transferred")
    assert event.object_id == str(move.pk)
    wc = locs["line"].work_center
    assert list(event.scopes.values_list("department_id", "work_center_id")) == [(wc.department_id, wc.pk)]
    assert Event.objects.filter(verb="stock.received").count() == 1


def test_move_of_more_than_is_there_is_refused_and_writes_nothing(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "10")
    before = StockMove.objects.count()
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(
            actor=None, kind="transfer", item=steel, quantity=D("10.5"), from_location=locs["wh"], to_location=locs["stage"]
        )
    assert "Only 10 kg of STEEL at WH-A" in field_error(exc)["quantity"][0]
    assert on_hand(steel, locs["wh"]) == D("10")
    assert on_hand(steel, locs["stage"]) == D("0")
    assert StockMove.objects.count() == before


def test_move_from_a_location_without_the_item_names_the_location(locs):
    steel = raw_item()
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="scrap", item=steel, quantity=D("1"), from_location=locs["wh"], note="rust")
    assert "There is no STEEL at WH-A" in field_error(exc)["from_location"][0]


@pytest.mark.parametrize("quantity", ["0", "-1", "abc", "1.0005", "1e20"])
def test_non_positive_or_bad_quantity_is_refused(locs, quantity):
    steel = raw_item()
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="receipt", item=steel, quantity=quantity, to_location=locs["wh"])
    assert "quantity" in field_error(exc)
    assert not StockMove.objects.exists()


def test_counted_item_moves_whole_pieces(locs):
    bolt = raw_item("BOLT", uom="ea")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="receipt", item=bolt, quantity=D("1.5"), to_location=locs["wh"])
    assert "whole" in field_error(exc)["quantity"][0]


def test_lot_of_another_item_is_refused(locs):
    steel, alu = raw_item(), raw_item("ALU")
    lot = stock.lot_create(actor=None, item=alu, code="A-1")
    with pytest.raises(ValidationError) as exc:
        receive(steel, locs["wh"], "5", lot=lot)
    assert "belongs to another item" in field_error(exc)["lot"][0]


@pytest.mark.parametrize(
    ("kind", "frm", "to", "field"),
    [
        ("receipt", None, "line", "to_location"),  # receipts go to warehouse, staging or quarantine
        ("receipt", "wh", "stage", "from_location"),  # a receipt has no from
        ("issue", "quar", None, "from_location"),  # quarantined stock is not issued
        ("transfer", "wh", None, "to_location"),
        ("transfer", "wh", "wh", "to_location"),
        ("scrap", "wh", "stage", "to_location"),
        ("adjust", "wh", "stage", "to_location"),
    ],
)
def test_move_of_the_wrong_shape_is_refused_on_the_field(locs, kind, frm, to, field):
    steel = raw_item()
    receive(steel, locs["wh"], "50")
    receive(steel, locs["quar"], "50")
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(
            actor=None,
            kind=kind,
            item=steel,
            quantity=D("1"),
            from_location=locs[frm] if frm else None,
            to_location=locs[to] if to else None,
            work_order=wo if kind == "issue" else None,
            note="count",
        )
    assert field in field_error(exc), field_error(exc)


def test_issue_needs_an_open_work_order_and_adjust_a_reason(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "50")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="issue", item=steel, quantity=D("1"), from_location=locs["wh"])
    assert "work_order" in field_error(exc)
    draft = make_work_order()
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="issue", item=steel, quantity=D("1"), from_location=locs["wh"], work_order=draft)
    assert "is draft" in field_error(exc)["work_order"][0]
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(actor=None, kind="adjust", item=steel, quantity=D("1"), from_location=locs["wh"])
    assert "note" in field_error(exc)
    stock.stock_move_post(actor=None, kind="adjust", item=steel, quantity=D("1"), from_location=locs["wh"], note="Count: 49")
    assert on_hand(steel, locs["wh"]) == D("49")


def test_expired_lot_is_not_issued_and_not_usable(locs):
    steel = raw_item()
    old = stock.lot_create(actor=None, item=steel, code="OLD", expires_on=plant_today() - dt.timedelta(days=1))
    fresh = stock.lot_create(actor=None, item=steel, code="NEW", expires_on=plant_today() + dt.timedelta(days=30))
    receive(steel, locs["wh"], "10", lot=old)
    receive(steel, locs["wh"], "20", lot=fresh)
    receive(steel, locs["quar"], "5", lot=fresh)
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(
            actor=None, kind="issue", item=steel, quantity=D("1"), from_location=locs["wh"], lot=old, work_order=wo
        )
    assert "expired" in field_error(exc)["lot"][0]
    assert selectors.usable_on_hand([steel.pk], today=plant_today()) == {steel.pk: D("20")}


def test_a_batch_sees_its_earlier_rows_and_is_all_or_nothing(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "10")
    row = {"kind": "transfer", "item": steel, "quantity": D("6"), "from_location": locs["wh"], "to_location": locs["stage"]}
    with pytest.raises(ValidationError):
        stock.stock_moves_post(actor=None, rows=[row, dict(row)])
    assert on_hand(steel, locs["wh"]) == D("10")
    assert StockMove.objects.count() == 1


def test_the_database_refuses_a_negative_balance(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "1")
    with pytest.raises(IntegrityError), transaction.atomic():
        StockBalance.objects.filter(item=steel).update(quantity=D("-1"))


# --- reversal -----------------------------------------------------------------------------


def test_reversal_points_at_the_original_and_restores_balances(locs):
    steel = raw_item()
    receive(steel, locs["wh"], "10")
    move = stock.stock_move_post(
        actor=None, kind="transfer", item=steel, quantity=D("4"), from_location=locs["wh"], to_location=locs["stage"]
    )
    reversal = stock.stock_move_reverse(actor=None, move=move, reason="Wrong lane")
    assert reversal.reverses_id == move.pk
    assert (reversal.from_location, reversal.to_location) == (locs["stage"], locs["wh"])
    assert on_hand(steel, locs["wh"]) == D("10")
    assert on_hand(steel, locs["stage"]) == D("0")
    assert Event.objects.filter(verb="stock.move_reversed", reason="Wrong lane").exists()
    with pytest.raises(ConflictError):
        stock.stock_move_reverse(actor=None, move=move, reason="again")
    with pytest.raises(ConflictError):
        stock.stock_move_reverse(actor=None, move=reversal, reason="undo the undo")


def test_reversal_needs_a_reason_and_the_stock_still_there(locs):
    steel = raw_item()
    receipt = receive(steel, locs["wh"], "10")
    stock.stock_move_post(actor=None, kind="scrap", item=steel, quantity=D("8"), from_location=locs["wh"], note="wet")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_reverse(actor=None, move=receipt, reason="")
    assert "reason" in field_error(exc)
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_reverse(actor=None, move=receipt, reason="Never arrived")
    assert "quantity" in field_error(exc)
    assert on_hand(steel, locs["wh"]) == D("2")
    assert not StockMove.objects.filter(reverses=receipt).exists()


# --- expected receipts ----------------------------------------------------------------------


def test_expected_receipt_received_in_parts(locs):
    steel = raw_item()
    er = stock.expected_receipt_create(actor=None, item=steel, quantity=D("100"), due_date=plant_today(), reference="PO-1")
    stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("40"), location=locs["wh"])
    er.refresh_from_db()
    assert (er.quantity_received, er.status, er.quantity_open) == (D("40"), "open", D("60"))
    with pytest.raises(ValidationError) as exc:
        stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("61"), location=locs["wh"])
    assert "Only 60 kg" in field_error(exc)["quantity"][0]
    move = stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("60"), location=locs["quar"])
    er.refresh_from_db()
    assert er.status == ExpectedReceipt.Status.RECEIVED
    assert move.expected_receipt_id == er.pk and move.kind == "receipt"
    assert on_hand(steel, locs["wh"]) == D("40") and on_hand(steel, locs["quar"]) == D("60")
    with pytest.raises(ConflictError):
        stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("1"), location=locs["wh"])
    # Reversing a receipt reopens what it received.
    stock.stock_move_reverse(actor=None, move=move, reason="Rejected at inspection")
    er.refresh_from_db()
    assert (er.status, er.quantity_received) == ("open", D("40"))
    event = Event.objects.get(verb="expected_receipt.receipt_reversed")
    assert event.object_id == str(er.pk)


def test_reversing_a_receipt_of_a_cancelled_expected_receipt_keeps_it_cancelled(locs):
    # 100 ordered, 40 came, the rest was cancelled; the 40 are sent back: nothing more is coming.
    steel = raw_item()
    er = stock.expected_receipt_create(actor=None, item=steel, quantity=D("100"), due_date=plant_today(), reference="PO-2")
    move = stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("40"), location=locs["wh"])
    stock.expected_receipt_cancel(actor=None, receipt=er, reason="Supplier cannot deliver the rest")
    stock.stock_move_reverse(actor=None, move=move, reason="Wrong grade")
    er.refresh_from_db()
    assert (er.status, er.quantity_received, er.quantity_open) == ("cancelled", D("0"), D("0"))
    assert on_hand(steel, locs["wh"]) == D("0")


def test_expected_receipt_into_a_line_side_location_is_a_field_error(locs):
    steel = raw_item()
    er = stock.expected_receipt_create(actor=None, item=steel, quantity=D("10"), due_date=plant_today())
    with pytest.raises(ValidationError) as exc:
        stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("1"), location=locs["line"])
    assert "location" in field_error(exc)
    er.refresh_from_db()
    assert er.quantity_received == 0


def test_expected_receipt_quantity_cannot_drop_below_received(locs):
    steel = raw_item()
    er = stock.expected_receipt_create(actor=None, item=steel, quantity=D("10"), due_date=plant_today())
    stock.expected_receipt_receive(actor=None, receipt=er, quantity=D("6"), location=locs["wh"])
    with pytest.raises(ValidationError) as exc:
        stock.expected_receipt_update(actor=None, receipt=er, quantity=D("5"))
    assert "quantity" in field_error(exc)


# --- work orders: produce ---------------------------------------------------------------------


def test_completing_a_work_order_receives_its_good_output(locs, shifts):
    from workorders import services

    item = make_routed_item()
    wo = make_work_order(item=item, status="in_progress", quantity=D("10"))
    for seq in (10, 20):
        services.operation_report_progress(work_order=wo, actor=None, operation=seq, quantity_good=D("8"))
    services.work_order_complete(work_order=wo, actor=None, reason="Two short")
    move = StockMove.objects.get(kind="produce")
    assert (move.item, move.quantity, move.to_location, move.work_order_id) == (item, D("8"), locs["wh"], wo.pk)
    assert on_hand(item, locs["wh"]) == D("8")
    assert Event.objects.filter(verb="stock.produced", work_order=wo).exists()


def test_completing_without_an_output_location_moves_nothing(shifts):
    wo = make_work_order(status="in_progress", quantity=D("10"))
    from workorders import services

    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=D("10"))
    services.operation_report_progress(work_order=wo, actor=None, operation=20, quantity_good=D("10"))
    services.work_order_complete(work_order=wo, actor=None)
    assert not StockMove.objects.exists()


# --- backflush ------------------------------------------------------------------------------------


@pytest.fixture
def backflushed(locs):
    """An item made at the line-side location's work center first, whose BOM needs 0.5 kg of a
    backflushed raw material per unit (+10 % scrap) and 2 bolts (not backflushed)."""
    from materials.services import bom_create, bom_release
    from tests.factories import WorkCenterFactory

    wc = locs["line"].work_center
    item = make_routed_item(with_bom=False, work_centers=[wc, WorkCenterFactory()])
    resin = raw_item("RESIN", backflush=True)
    bolt = raw_item("BOLT", uom="ea")
    bom = bom_create(
        actor=None,
        item=item,
        revision="A",
        lines=[{"component": resin, "quantity_per": D("0.5"), "scrap_pct": D("10")}, {"component": bolt, "quantity_per": D("2")}],
    )
    bom_release(actor=None, bom=bom)
    soon = stock.lot_create(actor=None, item=resin, code="SOON", expires_on=plant_today() + dt.timedelta(days=2))
    later = stock.lot_create(actor=None, item=resin, code="LATER", expires_on=plant_today() + dt.timedelta(days=90))
    receive(resin, locs["wh"], "10", lot=later)
    receive(resin, locs["wh"], "1", lot=soon)
    for lot, qty in ((later, "10"), (soon, "1")):
        stock.stock_move_post(
            actor=None, kind="transfer", item=resin, quantity=D(qty), from_location=locs["wh"], to_location=locs["line"], lot=lot
        )
    return {"item": item, "resin": resin, "soon": soon, "later": later}


def test_progress_at_the_first_operation_backflushes_first_expiring_lots_first(locs, backflushed, shifts):
    from workorders import services

    wo = make_work_order(item=backflushed["item"], status="released", quantity=D("10"))
    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=D("4"))
    issues = list(StockMove.objects.filter(kind="issue", work_order=wo).order_by("id"))
    # 4 × 0.5 × 1.1 = 2.2 kg: the lot expiring soonest (1 kg) first, then 1.2 from the next.
    assert [(m.lot.code, m.quantity, m.note) for m in issues] == [
        ("SOON", D("1"), "Backflushed"),
        ("LATER", D("1.2"), "Backflushed"),
    ]
    assert on_hand(backflushed["resin"], locs["line"], backflushed["later"]) == D("8.8")
    # A later operation does not backflush again.
    services.operation_report_progress(work_order=wo, actor=None, operation=20, quantity_good=D("4"))
    assert StockMove.objects.filter(kind="issue", work_order=wo).count() == 2


def test_backflush_short_of_stock_refuses_the_report(locs, backflushed, shifts):
    from workorders import services
    from workorders.models import ProductionReport

    wo = make_work_order(item=backflushed["item"], status="released", quantity=D("100"))
    with pytest.raises(ValidationError) as exc:
        services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=D("30"))
    assert "Backflushing needs 16.5 kg of RESIN at LINE-1; only 11 there" in field_error(exc)["quantity_good"][0]
    assert not ProductionReport.objects.filter(work_order=wo).exists()
    assert not StockMove.objects.filter(kind="issue").exists()


def test_stock_leaves_quarantine_only_with_the_reason(locs):
    steel = raw_item()
    receive(steel, locs["quar"], "10")
    with pytest.raises(ValidationError) as exc:
        stock.stock_move_post(
            actor=None, kind="transfer", item=steel, quantity=D("4"), from_location=locs["quar"], to_location=locs["wh"]
        )
    assert "leaves quarantine QUAR" in field_error(exc)["note"][0]
    assert on_hand(steel, locs["quar"]) == D("10")
    move = stock.stock_move_post(
        actor=None,
        kind="transfer",
        item=steel,
        quantity=D("4"),
        from_location=locs["quar"],
        to_location=locs["wh"],
        note="Incoming inspection passed",
    )
    assert on_hand(steel, locs["wh"]) == D("4") and move.note == "Incoming inspection passed"
    # a wrong release is reversed with its own reason, back into quarantine
    stock.stock_move_reverse(actor=None, move=move, reason="Released the wrong heat")
    assert on_hand(steel, locs["quar"]) == D("10")
