"""A coordinator works a job from its page in a real browser: hold, release, report."""

from decimal import Decimal

import pytest

from tests.e2e.layout import log_in
from tests.factories import UserFactory, make_work_order, scrap_reason, standard_shifts
from workorders.models import WorkOrder

pytestmark = pytest.mark.e2e


@pytest.fixture
def job(transactional_db):
    standard_shifts()
    UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator")
    scrap_reason(code="BURR", name="Burr on edge")
    return make_work_order(status="released", quantity=Decimal("40"))


def test_hold_release_and_report_progress_without_leaving_the_page(page, job, screenshot_dir):
    log_in(page, "dana")
    page.goto(f"/work-orders/{job.number}/")
    page.evaluate("window.__marker = 'same page'")
    assert page.locator(".page-head .badge--hold").count() == 0

    page.select_option("#id_hold_kind", "material")
    page.fill("#id_hold_reason", "Sheet steel not staged")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")
    assert f"{job.number} is on hold (material)." in page.locator(".messages").inner_text()
    assert "Sheet steel not staged" in page.locator(".panel--hold").inner_text()
    assert "Hold placed" in page.locator(".history").inner_text()
    assert "once the hold is released" in page.locator("#actions").inner_text()  # no progress while held

    hold_note = page.locator(".panel--hold textarea")
    hold_note.fill("Steel staged at line 2")
    page.click("text=Release hold")
    page.wait_for_selector(".page-head .badge--hold", state="detached")
    assert "hold on" in page.locator(".messages").inner_text() and "released" in page.locator(".messages").inner_text()

    page.fill("#id_progress_quantity_good", "-2")
    page.click("#actions button:text('Report')")
    page.wait_for_selector(".field--invalid >> text=Cannot be negative")

    page.fill("#id_progress_quantity_good", "12")
    page.fill("#id_progress_quantity_scrap", "1")
    page.select_option("#id_progress_scrap_reason", label="BURR · Burr on edge")
    page.click("#actions button:text('Report')")
    page.wait_for_selector(".message--success >> text=12 good and 1 scrap (BURR) reported on operation 10")
    ops = page.locator(".panel:has(h2:text('Operations')) tbody tr").first.inner_text()
    assert "12" in ops and "1" in ops
    assert page.locator(".page-head .badge--in_progress").is_visible()  # the first report started it
    assert page.locator(".history__item").first.locator(".history__label").inner_text() == "Progress reported"
    assert page.evaluate("window.__marker") == "same page"  # every step was an htmx swap, not a reload
    page.screenshot(path=str(screenshot_dir / "after-progress.png"), full_page=True)

    job = WorkOrder.objects.get(pk=job.pk)
    assert job.status == "in_progress" and job.active_hold_count == 0
    assert job.operations.get(sequence=10).quantity_good == Decimal("12")


def test_stale_page_is_refused_with_a_reload_message(page, job):
    log_in(page, "dana")
    page.goto(f"/work-orders/{job.number}/")
    from workorders import services

    services.work_order_change_priority(work_order=job, actor=None, priority=1, reason="Someone else, meanwhile")
    page.locator("#actions label.segmented__option:has-text('2')").click()
    page.fill("#id_priority_reason", "Customer call")
    page.click("text=Change priority")
    page.wait_for_selector(".message--error")
    assert "the system changed priority 3 → 1" in page.locator(".message--error").inner_text()
    assert page.locator("#id_priority_reason").input_value() == "Customer call"  # kept
    assert WorkOrder.objects.get(pk=job.pk).priority == 1
