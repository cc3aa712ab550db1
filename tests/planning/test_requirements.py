"""Material requirements from the pinned BOM revision, staged and issued from the ledger, kitting."""

from decimal import Decimal

import pytest

from materials import stock
from materials.services import bom_create, bom_release
from planning.requirements import Kitting, required_quantity, work_order_materials, work_orders_materials
from tests.factories import make_routed_item, make_work_order
from tests.materials.stock_helpers import plant_locations, raw_item, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def kit():
    """A finished item whose BOM needs 0.5 kg steel (+10 % scrap) and 4 bolts per unit."""
    locs = plant_locations()
    steel, bolt = raw_item("STEEL"), raw_item("BOLT", uom="ea")
    item = make_routed_item(with_bom=False)
    bom = bom_create(
        actor=None,
        item=item,
        revision="A",
        lines=[
            {"component": steel, "quantity_per": D("0.5"), "scrap_pct": D("10")},
            {"component": bolt, "quantity_per": D("4")},
        ],
    )
    bom_release(actor=None, bom=bom)
    receive(steel, locs["wh"], "1000")
    receive(bolt, locs["wh"], "1000")
    return {"item": item, "steel": steel, "bolt": bolt, **locs}


def test_required_is_quantity_times_per_times_scrap_rounded_up_to_the_unit():
    assert required_quantity(order_quantity=D("10"), quantity_per=D("0.5"), scrap_pct=D("10"), uom="kg") == D("5.500")
    assert required_quantity(order_quantity=D("3"), quantity_per=D("0.333"), scrap_pct=D("0"), uom="kg") == D("0.999")
    assert required_quantity(order_quantity=D("3"), quantity_per=D("1.1"), scrap_pct=D("5"), uom="ea") == D("4")


def test_requirements_come_from_the_pinned_bom_and_kitting_follows_the_ledger(kit):
    wo = make_work_order(item=kit["item"], quantity=D("10"), status="released")
    materials = work_order_materials(wo)
    assert [(r.item.sku, r.required) for r in materials.requirements] == [("BOLT", D("40")), ("STEEL", D("5.500"))]
    assert materials.kitting == Kitting.NOT_STAGED

    stock.stock_move_post(
        actor=None,
        kind="transfer",
        item=kit["steel"],
        quantity=D("5.5"),
        from_location=kit["wh"],
        to_location=kit["stage"],
        work_order=wo,
    )
    materials = work_order_materials(wo)
    steel = next(r for r in materials.requirements if r.item == kit["steel"])
    assert (steel.staged, steel.issued, steel.kitting) == (D("5.5"), D("0"), Kitting.COMPLETE)
    assert materials.kitting == Kitting.PARTIAL

    # Issued from staging: no longer staged, issued instead; a return takes it back off.
    stock.stock_move_post(
        actor=None, kind="issue", item=kit["steel"], quantity=D("5.5"), from_location=kit["stage"], work_order=wo
    )
    stock.stock_move_post(actor=None, kind="issue", item=kit["bolt"], quantity=D("40"), from_location=kit["wh"], work_order=wo)
    materials = work_order_materials(wo)
    assert {r.item.sku: (r.staged, r.issued) for r in materials.requirements} == {
        "STEEL": (D("0"), D("5.5")),
        "BOLT": (D("0"), D("40")),
    }
    assert materials.kitting == Kitting.COMPLETE
    stock.stock_move_post(actor=None, kind="return", item=kit["bolt"], quantity=D("10"), to_location=kit["wh"], work_order=wo)
    bolt = next(r for r in work_order_materials(wo).requirements if r.item == kit["bolt"])
    assert (bolt.issued, bolt.to_stage, bolt.kitting) == (D("30"), D("10"), Kitting.PARTIAL)


def test_a_reversed_issue_is_no_longer_issued(kit):
    wo = make_work_order(item=kit["item"], quantity=D("10"), status="released")
    move = stock.stock_move_post(
        actor=None, kind="issue", item=kit["bolt"], quantity=D("40"), from_location=kit["wh"], work_order=wo
    )
    stock.stock_move_reverse(actor=None, move=move, reason="Issued to the wrong order")
    bolt = next(r for r in work_order_materials(wo).requirements if r.item == kit["bolt"])
    assert bolt.issued == D("0")


def test_an_order_without_a_bom_needs_nothing():
    wo = make_work_order(item=make_routed_item(with_bom=False))
    assert work_order_materials(wo).kitting == Kitting.NONE


def test_many_orders_in_a_fixed_number_of_queries(kit, django_assert_num_queries):
    orders = [make_work_order(item=kit["item"], quantity=D(n), status="released") for n in (1, 2, 3)]
    with django_assert_num_queries(2):
        result = work_orders_materials(orders)
    assert [len(result[wo.pk].requirements) for wo in orders] == [2, 2, 2]
