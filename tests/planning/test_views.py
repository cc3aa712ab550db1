"""The item page and a work order's materials section."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from materials import stock
from materials.models import StockMove
from prodcoord.core.plant_time import plant_today
from tests.factories import ItemFactory, make_routed_item, make_work_order
from tests.materials.stock_helpers import plant_locations, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup():
    locs = plant_locations()
    item = make_routed_item()
    raw = item.boms.get().lines.get().component
    wo = make_work_order(item=item, quantity=D("10"), status="released")
    return {"locs": locs, "item": item, "raw": raw, "wo": wo}


def login(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    return client


def test_item_page_shows_on_hand_requirements_receipts_and_ledger(client, make_user, setup, assert_query_baseline):
    raw, locs = setup["raw"], setup["locs"]
    lot = stock.lot_create(actor=None, item=raw, code="HEAT-9", expires_on=plant_today() - dt.timedelta(days=1))
    receive(raw, locs["wh"], "20")
    receive(raw, locs["quar"], "7")
    receive(raw, locs["wh"], "3", lot=lot)
    stock.expected_receipt_create(actor=None, item=raw, quantity=D("50"), due_date=plant_today(), reference="PO-123")
    login(client, make_user, "viewer")
    with assert_query_baseline("page: item"):
        response = client.get(reverse("item-detail", args=[raw.sku.lower()]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "PO-123" in page and "HEAT-9" in page and setup["wo"].number in page
    assert response.context["usable"] == D("20")  # quarantine and the expired lot are not usable
    assert response.context["total"] == D("30")
    assert "Expired" in page and "Not usable" in page
    assert client.get(reverse("item-detail", args=["NOPE"])).status_code == 404


def test_item_page_of_an_item_no_open_order_needs_or_makes(client, make_user, setup, assert_query_baseline):
    """A stocked part on no open order's BOM and made by none: its requirements and its projection
    are read from nothing, and the page says so."""
    lonely = ItemFactory(sku="SPARE-1", kind="component")
    receive(lonely, setup["locs"]["wh"], "4")
    login(client, make_user, "viewer")
    with assert_query_baseline("page: item no open order needs or makes"):
        response = client.get(reverse("item-detail", args=[lonely.sku]))
    assert response.status_code == 200
    assert response.context["requirements"] == []
    assert response.context["usable"] == response.context["total"] == D("4")
    assert setup["wo"].number not in response.content.decode()


def test_work_order_page_has_the_materials_section(client, make_user, setup):
    login(client, make_user, "viewer")
    response = client.get(reverse("work-order-detail", args=[setup["wo"].number]))
    page = response.content.decode()
    assert 'id="wo-materials"' in page and "Not staged" in page and setup["raw"].sku in page
    assert "Post the move" not in page  # a viewer reads only


@pytest.mark.parametrize("role", ["coordinator", "materials_handler"])
def test_stage_and_issue_from_the_section(client, make_user, setup, role):
    raw, locs, wo = setup["raw"], setup["locs"], setup["wo"]
    receive(raw, locs["wh"], "20")
    login(client, make_user, role)
    url = reverse("work-order-material-move", args=[wo.number])
    page = client.get(reverse("work-order-detail", args=[wo.number])).content.decode()
    assert "Post the move" in page
    data = {"kind": "stage", "item": raw.pk, "quantity": "5", "from_location": locs["wh"].pk, "to_location": locs["line"].pk}
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Kitted" in response.content.decode()
    data = {"kind": "issue", "item": raw.pk, "quantity": "2", "from_location": locs["line"].pk}
    response = client.post(url, data)
    assert response.status_code == 302
    assert StockMove.objects.filter(kind="issue", work_order=wo, quantity=D("2")).exists()
    history = client.get(reverse("work-order-detail", args=[wo.number])).content.decode()
    assert "Material moved" in history and "Material issued" in history


def test_refused_move_shows_the_field_error_and_writes_nothing(client, make_user, setup):
    raw, locs, wo = setup["raw"], setup["locs"], setup["wo"]
    login(client, make_user, "coordinator")
    data = {"kind": "stage", "item": raw.pk, "quantity": "5", "from_location": locs["wh"].pk, "to_location": locs["line"].pk}
    response = client.post(reverse("work-order-material-move", args=[wo.number]), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert f"There is no {raw.sku} at WH-A" in response.content.decode()
    assert not StockMove.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "operator", "supervisor", "quality"])
def test_other_roles_cannot_move_from_the_page(client, make_user, setup, role):
    login(client, make_user, role)
    response = client.post(reverse("work-order-material-move", args=[setup["wo"].number]), {"kind": "stage"})
    assert response.status_code == 403
