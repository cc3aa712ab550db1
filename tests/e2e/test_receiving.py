"""Receiving in a real browser: a materials handler finds the delivery's receipt, receives part of it
into the delivery's new lot, and the page fits a tablet both ways."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from materials import stock
from materials.models import StockMove
from prodcoord.core.plant_time import plant_today
from tests.e2e.layout import LANDSCAPE, PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import UserFactory
from tests.materials.stock_helpers import plant_locations, raw_item

pytestmark = pytest.mark.e2e
D = Decimal


@pytest.fixture
def dock(transactional_db):
    locs = plant_locations()
    steel = raw_item(name="S355 plate 20 mm")
    today = plant_today()
    for n, (days, supplier) in enumerate([(-2, "Acme Steel"), (1, "Nordic Metals"), (6, "Acme Steel")], start=1):
        stock.expected_receipt_create(
            actor=None,
            item=steel,
            quantity=D(40 * n),
            due_date=today + dt.timedelta(days=days),
            reference=f"PO-{n}",
            supplier=supplier,
        )
    UserFactory(username="mara", first_name="Mara", last_name="Lind", role="materials_handler")
    return {**locs, "steel": steel}


def test_a_materials_handler_receives_part_of_a_delivery(page, dock, screenshot_dir):
    page.set_viewport_size(LANDSCAPE)
    log_in(page, "mara")
    page.goto("/receiving/")
    expect(page.locator("h1")).to_have_text("Receiving")
    assert_nothing_wider_than_the_viewport(page, "receiving, landscape")
    page.screenshot(path=str(screenshot_dir / "receiving-1280x800.png"), full_page=True)
    page.set_viewport_size(PORTRAIT)
    assert_nothing_wider_than_the_viewport(page, "receiving, portrait")
    page.screenshot(path=str(screenshot_dir / "receiving-800x1280.png"), full_page=True)

    page.fill("input[name=q]", "PO-1")
    page.click("button:has-text('Find')")
    row = page.locator("tr", has_text="PO-1")
    row.locator("input[name$=quantity]").fill("25")
    row.locator("input[name$=lot]").fill("H-771")
    row.locator("button:has-text('Receive')").click()
    expect(page.locator(".messages")).to_contain_text("25 kg STEEL received into WH-A (lot H-771): PO-1 15 still to come.")
    assert page.url.endswith("/receiving/?q=PO-1")
    move = StockMove.objects.get(kind="receipt")
    assert (move.quantity, move.lot.code, move.moved_by.username) == (D("25"), "H-771", "mara")
