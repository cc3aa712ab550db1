"""The floor's rules in a real browser: a report is never refused because the priority changed,
a refused form keeps what was typed, and only quality (or a supervisor) releases a quality
hold — with the disposition of the parts. The page with a scoped hold and a late plan fits a
portrait tablet."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from prodcoord.core.plant_time import plant_today, plant_tz
from tests.e2e.layout import PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts
from workorders import services
from workorders.models import Hold, ProductionReport, WorkOrder

pytestmark = pytest.mark.e2e


@pytest.fixture
def plant(transactional_db):
    standard_shifts()
    users = {
        "olga": UserFactory(username="olga", first_name="Olga", last_name="Berg", role="operator"),
        "dana": UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator"),
        "maria": UserFactory(username="maria", first_name="Maria", last_name="Lopez", role="supervisor"),
        "grace": UserFactory(username="grace", first_name="Grace", last_name="Okafor", role="quality"),
    }
    saw, press = WorkCenterFactory(code="SAW-01", name="Band saw"), WorkCenterFactory(code="PRESS-01", name="Press brake")
    today = plant_today()
    wo = make_work_order(
        item=make_routed_item(sku="FG-BRKT-20", work_centers=[saw, press]),
        status="released",
        quantity=Decimal("40"),
        due_date=today + dt.timedelta(days=2),
        planned_start=dt.datetime.combine(today, dt.time(6), tzinfo=plant_tz()),
        planned_end=dt.datetime.combine(today + dt.timedelta(days=4), dt.time(14), tzinfo=plant_tz()),
    )
    return {"wo": wo, **users}


def test_an_operators_report_after_a_priority_change_goes_through(page, plant):
    wo = plant["wo"]
    page.set_viewport_size(PORTRAIT)
    log_in(page, "olga")
    page.goto(f"/floor/{wo.number}/")  # the operator reads the order in floor mode …
    # … and meanwhile the supervisor makes it the most urgent job
    services.work_order_change_priority(work_order=wo, actor=plant["maria"], priority=1, reason="Customer line down")
    page.fill("#id_floor_quantity_good", "12")
    page.click("button:has-text('Report')")
    expect(page.locator(".messages")).to_contain_text("Reported 12 good")
    assert ProductionReport.objects.get(work_order=wo).quantity_good == 12
    assert WorkOrder.objects.get(pk=wo.pk).priority == 1


def test_a_refused_form_keeps_its_values_and_says_who_changed_what(page, plant):
    wo = plant["wo"]
    log_in(page, "dana")
    page.goto(f"/work-orders/{wo.number}/")
    services.work_order_change_priority(work_order=wo, actor=plant["maria"], priority=1, reason="Customer line down")
    page.click("label[for=id_priority_priority_4]")  # Dana wants 5, from the page as she read it
    page.fill("#id_priority_reason", "Can wait for the next batch")
    page.click("#actions button:text('Change priority')")
    page.wait_for_selector(".form-errors >> text=Maria Lopez changed priority 3 → 1")
    assert page.locator("#id_priority_reason").input_value() == "Can wait for the next batch"
    assert page.locator("#id_priority_priority_4").is_checked()
    assert WorkOrder.objects.get(pk=wo.pk).priority == 1
    # Sent again on purpose, from the page as it now is: it goes through.
    page.click("#actions button:text('Change priority')")
    page.wait_for_selector(".message--success >> text=priority changed from 1 to 5")
    assert WorkOrder.objects.get(pk=wo.pk).priority == 5


def test_a_coordinator_cannot_release_a_quality_hold_but_quality_can_with_a_disposition(page, plant, screenshot_dir):
    wo = plant["wo"]
    page.set_viewport_size(PORTRAIT)
    log_in(page, "dana")
    page.goto(f"/work-orders/{wo.number}/")
    page.select_option("#id_hold_kind", "quality")
    page.select_option("#id_hold_operation", "20")
    page.fill("#id_hold_reason", "Bend angle 91.5° on first article (spec 90 ± 0.5°)")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")
    panel = page.locator(".panel--hold")
    assert "at operation 20 · PRESS-01" in panel.inner_text()
    assert panel.locator("form").count() == 0  # no release button for the coordinator
    assert "Released by quality or a supervisor" in panel.inner_text()
    assert "plan ends after due date" in page.locator(".page-head").inner_text().lower()
    assert_nothing_wider_than_the_viewport(page, "work order with a scoped hold and a late plan")
    page.screenshot(path=str(screenshot_dir / "work-order-scoped-hold-800x1280.png"), full_page=True)

    page.context.clear_cookies()
    log_in(page, "grace")
    page.goto(f"/work-orders/{wo.number}/")
    hold = Hold.objects.get(work_order=wo)
    form = page.locator(".panel--hold form")
    form.locator("textarea").fill("Press brake re-shimmed; 5 parts re-bent and measured 90.1°")
    form.locator("button:text('Release hold')").click()
    page.wait_for_selector(".panel--hold .field--invalid >> text=Say what becomes of the parts")
    assert "re-shimmed" in page.locator(".panel--hold textarea").input_value()  # kept
    page.select_option(f"#id_hold{hold.pk}_disposition", "rework")
    page.locator(".panel--hold button:text('Release hold')").click()
    page.wait_for_selector(".page-head .badge--hold", state="detached")
    hold.refresh_from_db()
    assert (hold.disposition, hold.released_by.username) == ("rework", "grace")
    assert "Rework" in page.locator(".panel:has(h2:text('Released holds'))").inner_text()
