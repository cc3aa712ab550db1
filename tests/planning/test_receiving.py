"""Receiving in the browser: the open expected receipts by due date, received as the delivery arrives."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from materials import stock
from materials.models import ExpectedReceipt, Location, Lot, StockBalance, StockMove
from prodcoord.core.plant_time import plant_today
from tests.materials.stock_helpers import plant_locations, raw_item
from tests.planning.test_views import login

pytestmark = pytest.mark.django_db
D = Decimal
PAGE = reverse("receiving")


@pytest.fixture
def dock(db):
    locs = plant_locations()
    steel = raw_item()
    today = plant_today()
    late = stock.expected_receipt_create(
        actor=None, item=steel, quantity=D("100"), due_date=today - dt.timedelta(days=2), reference="PO-1", supplier="Acme Steel"
    )
    later = stock.expected_receipt_create(
        actor=None,
        item=steel,
        quantity=D("40"),
        due_date=today + dt.timedelta(days=5),
        reference="PO-2",
        supplier="Nordic Metals",
    )
    gone = stock.expected_receipt_create(actor=None, item=steel, quantity=D("5"), due_date=today, reference="PO-3")
    stock.expected_receipt_cancel(actor=None, receipt=gone)
    return {**locs, "steel": steel, "late": late, "later": later, "gone": gone}


def receive_url(receipt):
    return reverse("receipt-receive", args=[receipt.pk])


def form(receipt, **data):
    return {f"r{receipt.pk}-{key}": value for key, value in data.items()}


def test_the_open_receipts_by_due_date_late_ones_marked(client, make_user, dock, assert_query_baseline):
    login(client, make_user, "materials_handler")
    with assert_query_baseline("page: receiving"):
        response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("PO-1") < html.index("PO-2") and "PO-3" not in html  # cancelled: nothing to come
    assert "Late" in html and "Acme Steel" in html
    assert f'action="{receive_url(dock["late"])}"' in html
    assert 'value="100"' in html  # all of it, by default


def test_finding_a_receipt_by_supplier(client, make_user, dock):
    login(client, make_user, "viewer")
    html = client.get(PAGE, {"q": "nordic"}).content.decode()
    assert "PO-2" in html and "PO-1" not in html
    assert "receive-form" not in html  # viewers read


def test_receiving_part_into_a_new_lot(client, make_user, dock):
    login(client, make_user, "materials_handler")
    receipt = dock["late"]
    body = form(receipt, quantity="60", location=dock["wh"].pk, lot="H-771", expires_on="2027-06-30") | {"next": f"{PAGE}?q=acme"}
    response = client.post(receive_url(receipt), body)
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?q=acme"
    lot = Lot.objects.get(item=dock["steel"], code="H-771")
    assert lot.expires_on == dt.date(2027, 6, 30)
    move = StockMove.objects.get(kind="receipt")
    assert (move.quantity, move.to_location, move.lot, move.expected_receipt) == (D("60"), dock["wh"], lot, receipt)
    receipt.refresh_from_db()
    assert (receipt.status, receipt.quantity_received) == ("open", D("60"))
    assert "40 still to come" in client.get(PAGE).content.decode()
    # the rest, into an existing lot by its code in any case
    client.post(receive_url(receipt), form(receipt, quantity="40", location=dock["wh"].pk, lot="h-771"))
    receipt.refresh_from_db()
    assert receipt.status == "received" and Lot.objects.filter(code__iexact="H-771").count() == 1
    assert StockBalance.objects.get(item=dock["steel"], location=dock["wh"], lot=lot).quantity == D("100")


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"quantity": "101"}, "quantity", "Only 100 kg are still expected"),
        ({"quantity": "0"}, "quantity", "greater than or equal to 0.001"),
        ({"quantity": "x"}, "quantity", "Enter a number"),
        ({"location": "line"}, "location", "Select a valid choice"),  # line-side: not where deliveries go
        ({"lot": "L" * 41}, "lot", "at most 40 characters"),
        ({"expires_on": "someday"}, "expires_on", "Enter a valid date"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_written(client, make_user, dock, data, field, words):
    login(client, make_user, "coordinator")
    receipt = dock["late"]
    values = {"quantity": "10", "location": dock["wh"].pk, "lot": "H-1"} | data
    if values["location"] == "line":
        values["location"] = dock["line"].pk
    response = client.post(receive_url(receipt), form(receipt, **values))
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not StockMove.objects.exists() and not Lot.objects.exists()


def test_a_cancelled_receipt_is_a_conflict(client, make_user, dock):
    login(client, make_user, "materials_handler")
    receipt = dock["gone"]
    response = client.post(receive_url(receipt), form(receipt, quantity="1", location=dock["wh"].pk))
    assert response.status_code == 409 and "This receipt is cancelled." in response.content.decode()
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "supervisor", "quality"])
def test_people_who_do_not_receive_are_refused(client, make_user, dock, role):
    login(client, make_user, role)
    receipt = dock["late"]
    assert client.post(receive_url(receipt), form(receipt, quantity="1", location=dock["wh"].pk)).status_code == 403
    assert ExpectedReceipt.objects.get(pk=receipt.pk).quantity_received == 0


def test_only_locations_deliveries_go_to_are_offered(client, make_user, dock):
    login(client, make_user, "planner")
    html = client.get(PAGE).content.decode()
    assert "WH-A" in html and "STAGE-1" in html and "QUAR" in html and "LINE-1" not in html
    assert Location.objects.filter(kind="line_side").exists()


def test_after_a_refused_receive_the_next_one_goes_back_to_the_same_list(client, make_user, dock):
    login(client, make_user, "materials_handler")
    receipt = dock["late"]
    listed = f"{PAGE}?q=acme"
    refused = client.post(receive_url(receipt), form(receipt, quantity="500", location=dock["wh"].pk) | {"next": listed})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert f'name="next" value="{listed}"' in html  # not the receive address the refusal was drawn at
    assert "PO-2" not in html  # still the list as it was filtered
    accepted = client.post(receive_url(receipt), form(receipt, quantity="5", location=dock["wh"].pk) | {"next": listed})
    assert accepted.status_code == 302 and accepted["Location"] == listed
    # a next that is not the list itself is not followed
    other = client.post(
        receive_url(receipt), form(receipt, quantity="5", location=dock["wh"].pk) | {"next": receive_url(receipt)}
    )
    assert other["Location"] == PAGE


def test_a_search_with_odd_characters_survives_paging(client, make_user, dock):
    for n in range(51):
        stock.expected_receipt_create(
            actor=None, item=dock["steel"], quantity=D("1"), due_date=plant_today(), reference=f"A&B #{n}", supplier="X"
        )
    login(client, make_user, "viewer")
    html = client.get(PAGE, {"q": "A&B #"}).content.decode()
    assert "q=A%26B+%23&amp;page=2" in html


@pytest.mark.parametrize(
    ("lot", "expires_on", "words"),
    [
        ("", "2027-01-31", "An expiry date belongs to a lot"),
        ("H-1", "2027-01-31", "Lot H-1 expires on 2030-01-01"),  # not what the lot says
    ],
)
def test_an_expiry_date_that_cannot_be_kept_is_a_field_error(client, make_user, dock, lot, expires_on, words):
    stock.lot_create(actor=None, item=dock["steel"], code="H-1", expires_on=dt.date(2030, 1, 1))
    login(client, make_user, "materials_handler")
    receipt = dock["late"]
    response = client.post(
        receive_url(receipt), form(receipt, quantity="5", location=dock["wh"].pk, lot=lot, expires_on=expires_on)
    )
    assert response.status_code == 400 and words in response.content.decode()
    assert not StockMove.objects.exists()
    assert Lot.objects.get(code="H-1").expires_on == dt.date(2030, 1, 1)
