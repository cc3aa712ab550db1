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
