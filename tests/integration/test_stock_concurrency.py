"""Two people taking the same stock at the same moment, on PostgreSQL: the balance's row lock
decides who wins, the loser gets a field error, and the balance never goes below zero."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from materials import stock
from materials.models import StockBalance, StockMove
from tests.integration.support import race
from tests.materials.stock_helpers import plant_locations, raw_item, receive

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_two_transfers_that_together_exceed_the_stock_only_one_is_accepted():
    locs = plant_locations()
    steel = raw_item()
    receive(steel, locs["wh"], "10")

    def take():
        return stock.stock_move_post(
            actor=None, kind="transfer", item=steel, quantity=Decimal("6"), from_location=locs["wh"], to_location=locs["stage"]
        )

    results = race(take, take)

    oks = [value for kind, value in results if kind == "ok"]
    errors = [value for kind, value in results if kind == "error"]
    assert len(oks) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], ValidationError) and "quantity" in errors[0].message_dict
    assert StockBalance.objects.get(item=steel, location=locs["wh"]).quantity == Decimal("4")
    assert StockBalance.objects.get(item=steel, location=locs["stage"]).quantity == Decimal("6")
    assert StockMove.objects.filter(kind="transfer").count() == 1


def test_two_first_receipts_into_an_empty_location_both_count():
    locs = plant_locations()
    steel = raw_item()

    results = race(lambda: receive(steel, locs["wh"], "3"), lambda: receive(steel, locs["wh"], "4"))

    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert StockBalance.objects.get(item=steel, location=locs["wh"]).quantity == Decimal("7")


def test_the_check_constraint_refuses_what_gets_past_the_lock():
    """Two transactions that both read 10 and both write 10 − 6 − 6 without the service's lock:
    the database's CHECK is the last line of defence."""
    locs = plant_locations()
    steel = raw_item()
    receive(steel, locs["wh"], "10")
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {StockBalance._meta.db_table} SET quantity = quantity - 12 WHERE item_id = %s", [steel.pk])
    assert StockBalance.objects.get(item=steel, location=locs["wh"]).quantity == Decimal("10")


def test_twenty_parallel_api_transfers_of_the_last_ten_units_move_exactly_ten(api_as):
    """Twenty people each move one unit of the last ten at the same moment, through the API: ten are
    written (201), ten are refused with a field error (400), and the balances are exact."""
    locs = plant_locations()
    steel = raw_item()
    receive(steel, locs["wh"], "10")
    body = {"kind": "transfer", "item": steel.sku, "quantity": "1", "from_location": "WH-A", "to_location": "STAGE-1"}

    def poster(client):
        def post():
            response = client.post("/api/v1/stock-moves/", body, format="json")
            return response.status_code, response.json()

        return post

    results = race(*(poster(api_as("coordinator")) for _ in range(20)), in_transaction=False)
    assert all(kind == "ok" for kind, _ in results), results
    answers = [value for _, value in results]
    statuses = sorted((status for status, _ in answers), key=str)
    assert statuses == [201] * 10 + [400] * 10, answers
    for status, data in answers:
        if status == 400:
            assert set(data) <= {"quantity", "from_location"}, data  # "Only … at WH-A" or "There is no … at WH-A"
    assert StockBalance.objects.get(item=steel, location=locs["wh"]).quantity == Decimal("0")
    assert StockBalance.objects.get(item=steel, location=locs["stage"]).quantity == Decimal("10")
    assert StockMove.objects.filter(kind="transfer", item=steel).count() == 10
