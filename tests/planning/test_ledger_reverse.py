"""Reversing a wrong move from the item page's ledger."""

from decimal import Decimal

import pytest
from django.urls import reverse

from materials import stock
from materials.models import StockBalance, StockMove
from tests.materials.stock_helpers import plant_locations, raw_item, receive
from tests.planning.test_views import login

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ledger(db):
    locs = plant_locations()
    steel = raw_item()
    received = receive(steel, locs["wh"], "10")
    moved = stock.stock_move_post(
        actor=None, kind="transfer", item=steel, quantity=D("4"), from_location=locs["wh"], to_location=locs["stage"]
    )
    return {**locs, "steel": steel, "received": received, "moved": moved}


def url(move):
    return reverse("stock-move-reverse", args=[move.pk])


def page(client, ledger):
    return client.get(reverse("item-detail", args=[ledger["steel"].sku])).content.decode()


def test_a_wrong_transfer_is_reversed_from_the_ledger(client, make_user, ledger):
    login(client, make_user, "materials_handler")
    assert f'action="{url(ledger["moved"])}"' in page(client, ledger)
    response = client.post(url(ledger["moved"]), {"reason": "Went to the wrong lane"})
    assert response.status_code == 302 and response["Location"].endswith("#ledger-title")
    reversal = StockMove.objects.get(reverses=ledger["moved"])
    assert (reversal.from_location, reversal.to_location, reversal.note) == (
        ledger["stage"],
        ledger["wh"],
        "Went to the wrong lane",
    )
    assert StockBalance.objects.get(item=ledger["steel"], location=ledger["wh"]).quantity == D("10")
    html = page(client, ledger)
    assert f"Move #{ledger['moved'].pk} reversed by #{reversal.pk}." in html
    assert f"Reversed by #{reversal.pk}" in html and f'action="{url(reversal)}"' not in html  # a reversal is not reversed


def test_without_a_reason_nothing_is_reversed(client, make_user, ledger):
    login(client, make_user, "coordinator")
    response = client.post(url(ledger["moved"]), {"reason": "  "})
    assert response.status_code == 400 and "Say why the move is reversed." in response.content.decode()
    assert not StockMove.objects.filter(reverses__isnull=False).exists()


def test_a_reason_too_long_is_refused_not_cut(client, make_user, ledger):
    login(client, make_user, "coordinator")
    response = client.post(url(ledger["moved"]), {"reason": "x" * 501})
    assert response.status_code == 400 and "At most 500 characters" in response.content.decode()
    assert not StockMove.objects.filter(reverses__isnull=False).exists()


def test_stock_that_has_moved_on_cannot_be_taken_back(client, make_user, ledger):
    # The receipt's 10 are partly at the staging lane now: only 6 are left to take back.
    login(client, make_user, "materials_handler")
    response = client.post(url(ledger["received"]), {"reason": "Never arrived"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only 6 kg of STEEL at WH-A" in html and 'value="Never arrived"' in html  # the row stays open with it
    assert not StockMove.objects.filter(reverses__isnull=False).exists()


def test_reversing_twice_is_a_conflict(client, make_user, ledger):
    login(client, make_user, "materials_handler")
    client.post(url(ledger["moved"]), {"reason": "Wrong lane"})
    again = client.post(url(ledger["moved"]), {"reason": "Again"})
    assert again.status_code == 409 and "already been reversed" in again.content.decode()
    assert StockMove.objects.filter(reverses=ledger["moved"]).count() == 1


@pytest.mark.parametrize("role", ["viewer", "supervisor", "quality", "operator"])
def test_people_who_do_not_move_stock_cannot_reverse(client, make_user, ledger, role):
    login(client, make_user, role)
    assert client.post(url(ledger["moved"]), {"reason": "x"}).status_code in (302, 403)
    assert not StockMove.objects.filter(reverses__isnull=False).exists()
    if role != "operator":  # operators reach floor mode only
        assert "Reverse…" not in page(client, ledger)


def test_an_unknown_move_is_not_found(client, make_user, ledger):
    login(client, make_user, "materials_handler")
    assert client.post(reverse("stock-move-reverse", args=[999999]), {"reason": "x"}).status_code == 404
