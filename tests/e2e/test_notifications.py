"""A coordinator shifts the priority of a job and puts it on hold; a supervisor of a department the
job's remaining operations pass through sees it at once: the unread count in the header, the entries in
their notifications, mark read. The activity feed shows the same changes, marked new."""

from decimal import Decimal

import pytest

from prodcoord.notifications.models import NotificationSettings
from prodcoord.notifications.services import notification_settings_update
from tests.e2e.layout import LANDSCAPE, PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts
from workorders import services

pytestmark = pytest.mark.e2e


@pytest.fixture
def job(transactional_db):
    standard_shifts()
    fab, asm, paint = (
        DepartmentFactory(code=code, name=name)
        for code, name in [("FAB", "Fabrication"), ("ASM", "Assembly"), ("PAINT", "Paint")]
    )
    laser = WorkCenterFactory(code="LASER-01", name="Laser cutter", department=fab)
    bench = WorkCenterFactory(code="ASM-01", name="Assembly bench", department=asm)
    booth = WorkCenterFactory(code="BOOTH-01", name="Paint booth", department=paint)
    UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator")
    sam = UserFactory(username="sam", first_name="Sam", last_name="Reyes", role="supervisor")
    notification_settings_update(user=sam, department=paint)  # Sam supervises Paint: holds there reach him
    order = make_work_order(item=make_routed_item(work_centers=[laser, bench, booth]), status="released", quantity=Decimal("20"))
    # The first operation is done: what remains passes through ASM and PAINT.
    services.operation_report_progress(work_order=order, actor=None, operation=10, quantity_good=Decimal("20"))
    assert NotificationSettings.objects.get(user=sam).department == paint
    return order


def test_a_downstream_supervisor_sees_a_coordinators_hold_and_priority_shift(page, browser, live_server, job, screenshot_dir):
    log_in(page, "dana")
    page.goto(f"/work-orders/{job.number}/")
    page.click("#actions label.segmented__option:has(input[value='1'])")
    page.locator("#actions section[aria-labelledby='priority-title'] textarea").fill("Customer line is down")
    page.click("text=Change priority")
    page.wait_for_selector(".message--success")
    page.select_option("#id_hold_kind", "quality")
    page.fill("#id_hold_reason", "Weld spatter on the flange")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")
    assert page.locator(".inbox__count").inner_text() == "0"  # one's own changes are no news

    # Sam, in another browser, on another tablet.
    context = browser.new_context(viewport=LANDSCAPE, base_url=live_server.url)
    sam = context.new_page()
    try:
        log_in(sam, "sam")
        sam.goto("/")
        assert sam.locator(".inbox__count").inner_text() == "1"  # the hold: Sam follows holds in Paint
        sam.click(".site-nav >> text=Notifications")
        sam.wait_for_url("**/notifications/")
        entries = sam.locator(".inbox-item")
        assert entries.count() == 1
        text = entries.first.inner_text()
        assert "Hold placed" in text and job.number in text and "Weld spatter on the flange" in text and "Dana Ortiz" in text

        # Sam also wants every priority shift in Paint: he widens what he follows.
        sam.goto("/notifications/settings/")
        sam.click(".subscriptions tr:has-text('PAINT') >> text=Stop following")
        sam.select_option("#id_kind", "department")
        sam.fill("#id_target", "PAINT")
        sam.select_option("#id_email", "immediate")
        sam.click("button:text-is('Follow')")
        sam.wait_for_selector(".message--success")
        assert "PAINT" in sam.locator(".subscriptions").inner_text()

        sam.goto("/notifications/")
        sam.click(".inbox-item >> text=Mark read")
        sam.wait_for_selector(".inbox-item--unread", state="detached")
        assert sam.locator(".inbox__count").inner_text() == "0"
    finally:
        sam_context = context

    # Dana shifts the priority again: now Sam hears of it too.
    page.goto(f"/work-orders/{job.number}/")
    page.click("#actions label.segmented__option:has(input[value='2'])")
    page.locator("#actions section[aria-labelledby='priority-title'] textarea").fill("Line restarted")
    page.click("text=Change priority")
    page.wait_for_selector(".message--success")

    sam.goto("/notifications/")
    assert sam.locator(".inbox__count").inner_text() == "1"
    assert "Priority changed" in sam.locator(".inbox-item--unread").inner_text()
    assert "Line restarted" in sam.locator(".inbox-item--unread").inner_text()
    sam.click("text=Mark all read")
    sam.wait_for_selector(".inbox-item--unread", state="detached")
    assert sam.locator(".inbox__count").inner_text() == "0"
    sam.screenshot(path=str(screenshot_dir / "notifications-1280x800.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(sam, "notifications at 1280×800")
    sam.set_viewport_size(PORTRAIT)
    sam.screenshot(path=str(screenshot_dir / "notifications-800x1280.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(sam, "notifications at 800×1280")

    # The activity feed: Dana's changes, new to Sam on his first visit, each linking to the order.
    sam.goto("/activity/?department=PAINT")
    first = sam.locator(".feed__item").first
    assert "Priority changed" in first.inner_text() and first.locator(".badge--new").count() == 1
    assert first.locator(f"a[href='/work-orders/{job.number}/']").count() == 1
    sam.screenshot(path=str(screenshot_dir / "activity-800x1280.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(sam, "activity at 800×1280")
    sam.set_viewport_size(LANDSCAPE)
    sam.goto("/activity/")
    assert sam.locator(".feed__item .badge--new").count() == 0  # seen on the visit before
    sam.screenshot(path=str(screenshot_dir / "activity-1280x800.png"), full_page=True)
    assert_nothing_wider_than_the_viewport(sam, "activity at 1280×800")
    sam.goto("/notifications/settings/")
    sam.screenshot(path=str(screenshot_dir / "notification-settings-1280x800.png"), full_page=True)
    sam_context.close()
