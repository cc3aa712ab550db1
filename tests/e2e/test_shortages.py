"""Shortages in a real browser: a coordinator stages material released from quarantine for a work
order and watches its kitting status and the board's shortage badge change; a planner sees the
escalation notification. The shortages board, the item page's chart and the pick list fit a tablet."""

from decimal import Decimal

import pytest

from planning.models import Shortage
from planning.shortages import shortages_net
from tests.e2e.layout import LANDSCAPE, PORTRAIT, log_in
from tests.e2e.test_tablet import fits, plant  # noqa: F401  (plant: the fixture)
from tests.materials.stock_helpers import plant_locations, receive

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
    page.wait_for_selector("#wo-materials .badge--kit-complete")
    assert "Kitted" in page.locator("#wo-materials").inner_text()

    page.goto("/")
    row = page.locator(f"tr[data-number='{held.number}']")
    assert row.locator(".badge--short").count() == 0
    shortage = Shortage.objects.get(work_order=held)
    assert shortage.status == "resolved" and shortage.resolution.startswith("Covered")
    assert Decimal("0") <= shortage.available
