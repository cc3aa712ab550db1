"""Locations, lots, stock, stock moves and expected receipts over the API."""

import datetime as dt
from decimal import Decimal

import pytest

from materials import stock
from materials.models import ExpectedReceipt, Location, StockMove
from prodcoord.core.plant_time import plant_today
from tests.factories import make_routed_item, make_work_order
from tests.materials.stock_helpers import plant_locations, raw_item, receive

pytestmark = pytest.mark.django_db
D = Decimal
MOVERS = ["coordinator", "materials_handler", "planner"]
NOT_MOVERS = ["viewer", "operator", "supervisor", "quality"]


@pytest.fixture
def locs():
    return plant_locations()


@pytest.fixture
def steel():
    return raw_item()


# --- locations and lots ---------------------------------------------------------------------


def test_planner_creates_a_line_side_location_by_work_center_code(api_as, locs):
    wc = locs["line"].work_center
    body = {"code": "LINE-2", "name": "Rack 2", "kind": "line_side", "work_center": wc.code}
    response = api_as("planner").post("/api/v1/locations/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["work_center"] == wc.code
    assert Location.objects.get(code="LINE-2").work_center == wc


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"kind": "attic"}, "kind"), ({"code": ""}, "code"), ({"code": "WH-A"}, "code"), ({"work_center": "NOPE"}, "work_center")],
)
def test_location_bad_input_is_a_field_error(api_as, locs, payload, field):
    body = {"code": "NEW", "name": "New", "kind": "warehouse"} | payload
    response = api_as("planner").post("/api/v1/locations/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data


@pytest.mark.parametrize("role", ["viewer", "operator", "supervisor", "coordinator", "materials_handler"])
def test_only_planners_create_locations(api_as, role):
    response = api_as(role).post("/api/v1/locations/", {"code": "X", "name": "X", "kind": "warehouse"}, format="json")
    assert response.status_code == 403


def test_lots_created_and_filtered(api_as, steel):
    client = api_as("materials_handler")
    response = client.post("/api/v1/lots/", {"item": "STEEL", "code": "H-1", "expires_on": "2027-01-31"}, format="json")
    assert response.status_code == 201, response.data
    response = client.post("/api/v1/lots/", {"item": "STEEL", "code": "h-1"}, format="json")
    assert response.status_code == 400 and "code" in response.data
    assert api_as("viewer").get("/api/v1/lots/?item=STEEL").data["count"] == 1


def test_location_and_lot_lists_query_counts(api_as, locs, steel, assert_query_baseline):
    for n in range(3):
        stock.lot_create(actor=None, item=steel, code=f"L{n}")
    client = api_as("viewer")
    with assert_query_baseline("api: locations list"):
        assert client.get("/api/v1/locations/").data["count"] == 4
    with assert_query_baseline("api: lots list"):
        assert client.get("/api/v1/lots/").data["count"] == 3


@pytest.mark.parametrize(
    ("role", "may_change", "may_delete"),
    [
        ("planner", True, True),
        ("materials_handler", True, False),
        ("coordinator", False, False),
        ("supervisor", False, False),
        ("quality", False, False),
        ("viewer", False, False),
        ("operator", False, False),
    ],
)
def test_who_changes_and_deletes_lots(api_as, steel, role, may_change, may_delete):
    lot = stock.lot_create(actor=None, item=steel, code="H-1")
    client = api_as(role)
    changed = client.patch(f"/api/v1/lots/{lot.pk}/", {"expires_on": "2027-03-31"}, format="json")
    assert changed.status_code == (200 if may_change else 403), changed.data
    deleted = client.delete(f"/api/v1/lots/{lot.pk}/")
    assert deleted.status_code == (204 if may_delete else 403)


# --- stock moves -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", MOVERS)
def test_movers_post_a_move_and_the_balance_follows(api_as, locs, steel, role):
    client = api_as(role)
    lot = stock.lot_create(actor=None, item=steel, code="H-7")
    response = client.post(
        "/api/v1/stock-moves/",
        {"kind": "receipt", "item": "STEEL", "quantity": "12.5", "to_location": "WH-A", "lot": "H-7"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["quantity"] == "12.500" and response.data["lot"] == "H-7"
    assert response.data["moved_by"] == client.user.username
    stock_rows = client.get("/api/v1/stock/?item=STEEL").data["results"]
    assert [(r["location"], r["lot"], r["quantity"]) for r in stock_rows] == [("WH-A", "H-7", "12.500")]
    assert lot.pk


@pytest.mark.parametrize("role", NOT_MOVERS)
def test_others_may_not_move_stock(api_as, locs, steel, role):
    response = api_as(role).post(
        "/api/v1/stock-moves/", {"kind": "receipt", "item": "STEEL", "quantity": "1", "to_location": "WH-A"}, format="json"
    )
    assert response.status_code == 403
    assert not StockMove.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "-3"}, "quantity"),
        ({"quantity": "lots"}, "quantity"),
        ({"kind": "teleport"}, "kind"),
        ({"item": "NOPE"}, "item"),
        ({"to_location": "NOPE"}, "to_location"),
        ({"to_location": "LINE-1"}, "to_location"),
        ({"from_location": "WH-A"}, "from_location"),
        ({"lot": "ALU-1"}, "lot"),
        ({"lot": "MISSING"}, "lot"),
        ({"work_order": "WO-NOPE"}, "work_order"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_move_is_a_400_on_the_field_and_writes_nothing(api_as, locs, steel, payload, field):
    stock.lot_create(actor=None, item=raw_item("ALU"), code="ALU-1")
    body = {"kind": "receipt", "item": "STEEL", "quantity": "5", "to_location": "WH-A"} | payload
    response = api_as("coordinator").post("/api/v1/stock-moves/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data, response.data
    assert not StockMove.objects.exists()


def test_a_transfer_finds_both_locations_in_one_query_and_names_the_one_missing(api_as, locs, steel):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    receive(steel, locs["wh"], "5")
    client = api_as("coordinator")
    body = {"kind": "transfer", "item": "STEEL", "quantity": "2", "from_location": "WH-A", "to_location": "STAGE-1"}
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/stock-moves/", body, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["from_location"], response.data["to_location"]) == ("WH-A", "STAGE-1")
    location_reads = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('SELECT "materials_location"')]
    assert len(location_reads) == 1, location_reads

    for payload, field in [({"to_location": "STAGE-9"}, "to_location"), ({"from_location": "wh-a"}, "from_location")]:
        response = client.post("/api/v1/stock-moves/", body | payload, format="json")
        assert response.status_code == 400
        assert set(response.data) == {field}, response.data
        assert "No location with code" in response.data[field][0]
    same = client.post("/api/v1/stock-moves/", body | {"to_location": "WH-A"}, format="json")  # one key named twice
    assert same.status_code == 400, same.data
    assert StockMove.objects.filter(kind="transfer").count() == 1


def test_taking_more_than_is_there_is_a_400(api_as, locs, steel):
    receive(steel, locs["wh"], "5")
    body = {"kind": "transfer", "item": "STEEL", "quantity": "6", "from_location": "WH-A", "to_location": "STAGE-1"}
    response = api_as("coordinator").post("/api/v1/stock-moves/", body, format="json")
    assert response.status_code == 400
    assert "Only 5 kg" in response.data["quantity"][0]


def test_issue_to_a_work_order_by_number(api_as, locs, steel):
    receive(steel, locs["wh"], "5")
    wo = make_work_order(status="released")
    body = {"kind": "issue", "item": "STEEL", "quantity": "2", "from_location": "WH-A", "work_order": wo.number.lower()}
    response = api_as("materials_handler").post("/api/v1/stock-moves/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["work_order"] == wo.number
    assert api_as("viewer").get(f"/api/v1/stock-moves/?work_order={wo.number}&kind=issue").data["count"] == 1


def test_reverse_a_move_then_409_on_the_second_reversal(api_as, locs, steel):
    move = receive(steel, locs["wh"], "5")
    client = api_as("coordinator")
    response = client.post(f"/api/v1/stock-moves/{move.pk}/reverse/", {"reason": "Booked twice"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["reverses"] == move.pk and response.data["from_location"] == "WH-A"
    original = client.get(f"/api/v1/stock-moves/{move.pk}/").data
    assert original["reversed_by"] == response.data["id"]
    again = client.post(f"/api/v1/stock-moves/{move.pk}/reverse/", {"reason": "again"}, format="json")
    assert again.status_code == 409 and again.data["code"] == "already_reversed"
    missing = client.post(f"/api/v1/stock-moves/{move.pk}/reverse/", {}, format="json")
    assert missing.status_code in (400, 409)
    assert api_as("viewer").post(f"/api/v1/stock-moves/{move.pk}/reverse/", {"reason": "x"}, format="json").status_code == 403


def test_moves_cannot_be_changed_or_deleted(api_as, locs, steel):
    move = receive(steel, locs["wh"], "5")
    client = api_as("coordinator")
    assert client.patch(f"/api/v1/stock-moves/{move.pk}/", {"quantity": "1"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/stock-moves/{move.pk}/").status_code == 405


def test_idempotent_post_moves_once(api_as, locs, steel):
    client = api_as("coordinator")
    body = {"kind": "receipt", "item": "STEEL", "quantity": "5", "to_location": "WH-A"}
    first = client.post("/api/v1/stock-moves/", body, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")
    second = client.post("/api/v1/stock-moves/", body, format="json", HTTP_IDEMPOTENCY_KEY="rcv-1")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert StockMove.objects.count() == 1


def test_stock_and_moves_lists_query_counts(api_as, locs, steel, assert_query_baseline):
    wo = make_work_order(status="released")
    for n in range(3):
        item = raw_item(f"RAW-{n}")
        lot = stock.lot_create(actor=None, item=item, code=f"L{n}")
        receive(item, locs["wh"], "10", lot=lot)
        stock.stock_move_post(
            actor=None, kind="issue", item=item, quantity=D("1"), from_location=locs["wh"], lot=lot, work_order=wo
        )
    client = api_as("viewer")
    with assert_query_baseline("api: stock list"):
        assert client.get("/api/v1/stock/").data["count"] == 3
    with assert_query_baseline("api: stock-moves list"):
        assert client.get("/api/v1/stock-moves/").data["count"] == 6


# --- expected receipts -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["materials_handler", "coordinator", "supervisor", "quality", "viewer", "operator"])
def test_only_planners_change_cancel_and_delete_expected_receipts(api_as, steel, role):
    receipt = stock.expected_receipt_create(actor=None, item=steel, quantity=D("10"), due_date=plant_today())
    client = api_as(role)
    assert client.patch(f"/api/v1/expected-receipts/{receipt.pk}/", {"quantity": "12"}, format="json").status_code == 403
    assert client.post(f"/api/v1/expected-receipts/{receipt.pk}/cancel/", {}, format="json").status_code == 403
    assert client.delete(f"/api/v1/expected-receipts/{receipt.pk}/").status_code == 403
    receipt.refresh_from_db()
    assert (receipt.quantity, receipt.status) == (D("10"), "open")


def test_a_planner_changes_cancels_and_deletes_expected_receipts(api_as, steel):
    client = api_as("planner")
    receipt = stock.expected_receipt_create(actor=None, item=steel, quantity=D("10"), due_date=plant_today())
    changed = client.patch(f"/api/v1/expected-receipts/{receipt.pk}/", {"quantity": "12"}, format="json")
    assert changed.status_code == 200 and changed.data["quantity"] == "12.000"
    cancelled = client.post(f"/api/v1/expected-receipts/{receipt.pk}/cancel/", {"reason": "Supplier dropped it"}, format="json")
    assert cancelled.status_code == 200 and cancelled.data["status"] == "cancelled"
    again = client.post(f"/api/v1/expected-receipts/{receipt.pk}/cancel/", {}, format="json")
    assert again.status_code == 409
    assert client.delete(f"/api/v1/expected-receipts/{receipt.pk}/").status_code == 204
    assert not ExpectedReceipt.objects.exists()


def test_planner_creates_expected_receipt_and_a_handler_receives_part(api_as, locs, steel):
    due = (plant_today() + dt.timedelta(days=3)).isoformat()
    body = {"item": "STEEL", "quantity": "100", "due_date": due, "reference": "PO-77", "supplier": "Acme Steel"}
    created = api_as("planner").post("/api/v1/expected-receipts/", body, format="json")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    handler = api_as("materials_handler")
    assert handler.post("/api/v1/expected-receipts/", body, format="json").status_code == 403
    response = handler.post(f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "30", "location": "WH-A"}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["quantity_received"], response.data["quantity_open"], response.data["status"]) == (
        "30.000",
        "70.000",
        "open",
    )
    too_much = handler.post(f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "71", "location": "WH-A"}, format="json")
    assert too_much.status_code == 400 and "quantity" in too_much.data
    wrong = handler.post(f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "1", "location": "LINE-1"}, format="json")
    assert wrong.status_code == 400 and "location" in wrong.data
    rest = handler.post(f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "70", "location": "WH-A"}, format="json")
    assert rest.data["status"] == "received"
    closed = handler.post(f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "1", "location": "WH-A"}, format="json")
    assert closed.status_code == 409
    for role in ("viewer", "operator", "supervisor", "quality"):
        refused = api_as(role).post(
            f"/api/v1/expected-receipts/{pk}/receive/", {"quantity": "1", "location": "WH-A"}, format="json"
        )
        assert refused.status_code == 403, role


def test_expected_receipts_filters_and_query_count(api_as, locs, steel, assert_query_baseline):
    today = plant_today()
    for n in range(3):
        stock.expected_receipt_create(
            actor=None, item=raw_item(f"R-{n}"), quantity=D("5"), due_date=today + dt.timedelta(days=n), reference=f"PO-{n}"
        )
    client = api_as("viewer")
    with assert_query_baseline("api: expected-receipts list"):
        assert client.get("/api/v1/expected-receipts/").data["count"] == 3
    before = client.get(f"/api/v1/expected-receipts/?due_before={(today + dt.timedelta(days=1)).isoformat()}")
    assert before.data["count"] == 2
    assert client.get("/api/v1/expected-receipts/?status=received").data["count"] == 0


def test_expected_receipt_bad_input(api_as, steel):
    client = api_as("planner")
    for payload, field in [({"quantity": "0"}, "quantity"), ({"due_date": "soon"}, "due_date"), ({"item": "NOPE"}, "item")]:
        body = {"item": "STEEL", "quantity": "5", "due_date": "2027-01-01"} | payload
        response = client.post("/api/v1/expected-receipts/", body, format="json")
        assert response.status_code == 400 and field in response.data, response.data
    assert not ExpectedReceipt.objects.exists()


# --- work-order requirements ----------------------------------------------------------------------


def test_work_order_requirements_endpoint(api_as, locs, assert_query_baseline):
    item = make_routed_item()
    wo = make_work_order(item=item, quantity=D("10"), status="released")
    client = api_as("viewer")
    with assert_query_baseline("api: work-order requirements"):
        response = client.get(f"/api/v1/work-orders/{wo.number}/requirements/")
    assert response.status_code == 200, response.data
    assert response.data["kitting"] == "not_staged"
    [line] = response.data["requirements"]
    assert (line["required"], line["staged"], line["issued"]) == ("5.000", "0.000", "0.000")
    assert client.get("/api/v1/work-orders/NOPE/requirements/").status_code == 404
    # The contract's name for it answers the same.
    assert client.get(f"/api/v1/work-orders/{wo.number.lower()}/materials/").data == response.data
    assert client.get("/api/v1/work-orders/NOPE/materials/").status_code == 404
