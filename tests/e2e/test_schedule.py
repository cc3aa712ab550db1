"""The schedule page in a browser: a coordinator marks a work center down and running again from it;
a planner moves an entry with a reason and a coordinator of the department it moves to sees the
notification. Screenshots at 1280 and 800 px, nothing wider than the viewport."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from planning.services import schedule_entry_upsert
from planning.shift_plan import active_shifts, current_slot
from plant.models import DowntimeEvent
from plant.services import downtime_reasons_ensure_defaults
from prodcoord.notifications.services import notification_settings_update
from tests.e2e.layout import LANDSCAPE, PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts

pytestmark = pytest.mark.e2e


@pytest.fixture
def plan(transactional_db):
    standard_shifts()
    downtime_reasons_ensure_defaults(actor=None)  # an earlier browser test's flush removed the migration's
    cut, form = DepartmentFactory(code="CUT", name="Cutting"), DepartmentFactory(code="FORM", name="Forming")
    laser = WorkCenterFactory(code="LASER-01", name="Laser cutter", department=cut)
    brake = WorkCenterFactory(code="BRAKE-01", name="Press brake", department=form)
    UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator")
    UserFactory(username="pat", first_name="Pat", last_name="Kim", role="planner")
    lee = UserFactory(username="lee", first_name="Lee", last_name="Novak", role="coordinator")
    notification_settings_update(user=lee, department=form)  # Lee coordinates Forming
    item = make_routed_item(work_centers=[laser, brake])
    released = timezone.now() - dt.timedelta(days=2)
    orders = [make_work_order(item=item, status="released", number=f"WO-{n}", moved_at=released) for n in (1, 2)]
    slot = current_slot(now=timezone.now(), shifts=active_shifts())
    for sequence, order in enumerate(orders, start=1):
        schedule_entry_upsert(
            actor=None,
            date=slot.date,
            shift=slot.shift,
            work_center=laser,
            work_order=order,
            planned_quantity=Decimal("40"),
            sequence=sequence,
        )
    return slot


def test_a_coordinator_starts_and_stops_downtime_from_the_schedule_page(page, plan):
    log_in(page, "dana")
    page.goto("/schedule/")
    row = page.locator("#wc-LASER-01")
    assert "Current shift" in page.locator(".shift-nav").inner_text()
    assert "WO-1" in row.inner_text() and "Running" in row.inner_text()
    row.locator("summary:has-text('Down')").click()
    row.locator("select[name=reason]").select_option("BREAKDOWN")
    row.locator("input[name=note]").fill("Lens cracked")
    row.locator("button:has-text('Mark LASER-01 down')").click()
    page.wait_for_selector(".message--success")
    assert "LASER-01 is down" in page.locator(".messages").inner_text()
    row = page.locator("#wc-LASER-01")
    assert row.locator(".badge--down").count() == 1 and "Breakdown" in row.inner_text()
    assert DowntimeEvent.objects.get().ended_at is None
    row.locator("button:has-text('Running again')").click()
    page.wait_for_selector(".message--success")
    assert "LASER-01 is running again" in page.locator(".messages").inner_text()
    assert page.locator("#wc-LASER-01 .badge--down").count() == 0
    assert DowntimeEvent.objects.get().ended_at is not None


def test_a_planner_moves_an_entry_and_a_follower_is_notified(page, browser, live_server, plan, screenshot_dir):
    log_in(page, "pat")
    page.goto("/schedule/")
    page.screenshot(path=str(screenshot_dir / "schedule-1280x800.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(page, "schedule at 1280×800")
    page.set_viewport_size(PORTRAIT)
    page.screenshot(path=str(screenshot_dir / "schedule-800x1280.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(page, "schedule at 800×1280")
    page.set_viewport_size(LANDSCAPE)

    move = page.locator("details.plan-move:has-text('Move or change WO-2')")
    move.locator("summary").click()
    move.locator("select[name=work_center]").select_option("BRAKE-01")
    move.locator("input[name=planned_quantity]").fill("30")
    move.locator("button:has-text('Change the plan')").click()
    # No reason: the browser asks for one (the server would refuse too), the form stays open as filled.
    assert move.locator("input[name=reason]:invalid").count() == 1
    assert move.locator("input[name=planned_quantity]").input_value() == "30"
    move.locator("input[name=reason]").fill("Laser down until noon")
    move.locator("button:has-text('Change the plan')").click()
    page.wait_for_selector(".message--success")
    assert "now 30 at BRAKE-01" in page.locator(".messages").inner_text()
    assert "WO-2" in page.locator("#wc-BRAKE-01").inner_text()

    context = browser.new_context(viewport=LANDSCAPE, base_url=live_server.url)
    lee = context.new_page()
    try:
        log_in(lee, "lee")
        lee.goto("/notifications/")
        assert lee.locator(".inbox__count").inner_text() == "1"
        text = lee.locator(".inbox-item").first.inner_text()
        assert "Replanned" in text and "Laser down until noon" in text and "Pat Kim" in text
    finally:
        context.close()
