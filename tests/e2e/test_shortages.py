"""Shortages in a real browser: a coordinator stages material released from quarantine for a work
order and watches its kitting status and the board's shortage badge change; a planner sees the
escalation notification. The shortages board, the item page's chart and the pick list fit a tablet."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from materials import stock
from planning.models import ScheduleEntry, Shortage
from planning.pick_list import next_shifts
from planning.shortages import shortages_net
from tests.e2e.layout import LANDSCAPE, PORTRAIT, log_in
from tests.e2e.test_brief import pdf_pages
from tests.e2e.test_tablet import fits, plant  # noqa: F401  (plant: the fixture)
from tests.materials.stock_helpers import plant_locations, receive
from tests.planning.test_shortages import build_plant, order

pytestmark = pytest.mark.e2e


def test_staging_clears_the_shortage_badge_and_the_planner_is_notified(page, plant, settings, screenshot_dir):  # noqa: F811
    settings.SHORTAGE_ESCALATION_HORIZON_DAYS = 3
    locs = plant_locations()
    held = plant["orders"]["held"]  # released, needs 50 kg of its component today
    component = plant["item"].boms.get().lines.get().component
    receive(component, locs["quar"], "200", lot=None)  # all of it in quarantine: not usable
    shortages_net()
    assert Shortage.objects.filter(work_order=held, status="escalated").exists()

    log_in(page, "priya")  # the planner: the escalation reached her inbox
    page.goto("/notifications/")
    assert page.locator("text=Shortage escalated").count() >= 1
    page.goto("/shortages/")
    assert page.locator(f"#shortage-{Shortage.objects.get(work_order=held).pk}").count() == 1
    page.set_viewport_size(PORTRAIT)
    fits(page, "shortages-board", screenshot_dir)
    page.goto(f"/items/{component.sku}/")
    page.wait_for_selector("#projection-chart")
    fits(page, "item-with-chart", screenshot_dir)
    page.context.clear_cookies()

    page.set_viewport_size(LANDSCAPE)
    log_in(page, "dana")  # a coordinator
    page.goto("/")
    row = page.locator(f"tr[data-number='{held.number}']")
    assert row.locator(".badge--short").inner_text().strip() == "▲ Short 1"

    page.goto(f"/work-orders/{held.number}/")
    section = page.locator("#wo-materials")
    assert section.locator(".badge--kit-not_staged").count() >= 1
    section.locator("summary").click()
    section.locator("#id_quantity").fill("50")
    section.locator("#id_from_location").select_option(label="QUAR")
    section.locator("#id_to_location").select_option(label="STAGE-1")
    section.locator("button:has-text('Post the move')").click()
    # out of quarantine only with the inspection's result
    expect(section.locator("#id_note").locator("xpath=..").locator(".field__error")).to_contain_text("leaves quarantine QUAR")
    section.locator("#id_note").fill("Inspected: dimensions OK, released")
    section.locator("button:has-text('Post the move')").click()
    page.wait_for_selector("#wo-materials .badge--kit-complete")
    assert "Kitted" in page.locator("#wo-materials").inner_text()

    page.goto("/")
    row = page.locator(f"tr[data-number='{held.number}']")
    assert row.locator(".badge--short").count() == 0
    shortage = Shortage.objects.get(work_order=held)
    assert shortage.status == "resolved" and shortage.resolution.startswith("Covered")
    assert Decimal("0") <= shortage.available


def test_the_pick_list_prints_compactly_from_its_first_page(page, plant, screenshot_dir):  # noqa: F811
    # Forty lines at one location: more than a page. The location's group starts on the first page
    # (it is not pushed whole to a page of its own), rows are as tall as their text, the header
    # row repeats on each page.
    built = build_plant()
    stock.stock_move_post(actor=None, kind="receipt", item=built["bolt"], quantity=Decimal("400"), to_location=built["wh"])
    slot = next_shifts(1)[0]
    for _ in range(40):
        wo = order(built, 5, 0)
        ScheduleEntry.objects.create(
            date=slot.date, shift=slot.shift, work_center=built["wc"], work_order=wo, planned_quantity=Decimal("5")
        )
    log_in(page, "dana")
    page.goto("/pick-list/?shifts=1")
    assert page.locator(".pick-group tbody tr").count() == 40
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=False)
    (screenshot_dir / "pick-list-a4.pdf").write_bytes(pdf)
    # about twenty rows a page: three pages (a group kept whole went to a fresh page after the heading,
    # leaving the first page blank: four)
    assert pdf_pages(pdf) <= 3, f"{pdf_pages(pdf)} pages"
