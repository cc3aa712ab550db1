"""The item page and a work order's materials section in a real browser, on a portrait tablet:
they fit 800 px, and staging from the section posts the move and shows the order kitted."""

from decimal import Decimal

import pytest

from materials import stock
from tests.e2e.layout import PORTRAIT, log_in
from tests.e2e.test_tablet import fits, plant  # noqa: F401  (plant: the fixture)
from tests.materials.stock_helpers import plant_locations, receive

pytestmark = pytest.mark.e2e


def test_item_page_and_materials_section_fit_and_stage(page, plant, screenshot_dir):  # noqa: F811
    page.set_viewport_size(PORTRAIT)
    locs = plant_locations()
    held = plant["orders"]["held"]  # released, with no production reports
    component = plant["item"].boms.get().lines.get().component
    lot = stock.lot_create(actor=None, item=component, code="HEAT-2291")
    receive(component, locs["wh"], "100", lot=lot)
    receive(component, locs["quar"], "5")
    stock.expected_receipt_create(actor=None, item=component, quantity=Decimal("40"), due_date=held.created_at.date())
    log_in(page, "dana")

    page.goto(f"/items/{component.sku}/")
    fits(page, "item", screenshot_dir)
    assert page.locator("text=Not usable").count() == 1

    page.goto(f"/work-orders/{held.number}/")
    section = page.locator("#wo-materials")
    assert section.locator(".badge--kit-not_staged").count() >= 1
    section.locator("summary").click()
    fits(page, "work-order-materials-open", screenshot_dir)
    section.locator("#id_from_location").select_option(label="WH-A")
    section.locator("#id_to_location").select_option(label="STAGE-1")
    section.locator("#id_lot").fill("HEAT-2291")
    section.locator("button:has-text('Post the move')").click()
    page.wait_for_load_state()
    page.wait_for_selector("#wo-materials .badge--kit-complete")
    assert "Kitted" in page.locator("#wo-materials").inner_text()

    # The staging went to the wrong lane: reversed from the item's ledger, with the reason.
    page.goto(f"/items/{component.sku}/")
    row = page.locator(".table--ledger tbody tr").first  # the newest move: the staging
    row.locator("summary:has-text('Reverse…')").click()
    fits(page, "item-ledger-reverse", screenshot_dir)
    row.locator("input[name=reason]").fill("Staged for the wrong order")
    row.locator("button:has-text('Reverse')").click()
    page.wait_for_load_state()
    assert "reversed by" in page.locator(".messages").inner_text()
    assert page.locator(".badge--reversal").count() == 1
