"""Floor quantities in a real browser: scrap with its reason, the confirmation of a report of more
than was left, a supervisor reversing a wrong report — and the pages fit a portrait tablet."""

from decimal import Decimal

import pytest

from tests.e2e.layout import PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import UserFactory, make_work_order, scrap_reason, standard_shifts
from workorders import services
from workorders.models import ProductionReport, WorkOrder

pytestmark = pytest.mark.e2e


@pytest.fixture
def floor(transactional_db):
    """An order in progress: 30 of 40 made at operation 10, then the same 6 keyed in twice."""
    standard_shifts()
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", role="supervisor")
    # a coordinator on the work order's page (operators report in floor mode: test_floor.py)
    UserFactory(username="olga", first_name="Olga", last_name="Berg", role="coordinator")
    burr = scrap_reason(code="BURR", name="Burr on edge")
    scrap_reason(code="DIM", name="Dimension out of tolerance")
    wo = make_work_order(status="released", quantity=Decimal("40"))
    first = services.operation_report_progress(
        work_order=wo, actor=None, operation=10, quantity_good=24, quantity_scrap=2, scrap_reason=burr
    )
    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=6, note="bin 2")
    twice = services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=6, note="bin 2")
    return {"wo": WorkOrder.objects.get(pk=wo.pk), "first": first, "twice": twice}


def test_a_supervisor_reverses_a_report_and_the_totals_and_history_follow(page, floor, screenshot_dir):
    wo, twice = floor["wo"], floor["twice"]
    page.set_viewport_size(PORTRAIT)
    log_in(page, "sam")
    page.goto(f"/work-orders/{wo.number}/")
    page.evaluate("window.__marker = 'same page'")
    row = page.locator(f"#report-{twice.pk}")
    assert "6 good" in row.inner_text()
    assert page.locator(".panel:has(h2:text('Operations')) tbody tr").first.locator("td.num").nth(1).inner_text() == "36"

    row.locator("summary").click()
    row.locator("button:text('Reverse report')").click()  # no reason yet
    page.wait_for_selector(f"#report-{twice.pk} .field__error >> text=a reason is required")
    assert page.locator(f"#report-{twice.pk} details[open]").count() == 1  # still open, with the error

    page.locator(f"#report-{twice.pk} textarea").fill("Bin 2 keyed in twice")
    page.locator(f"#report-{twice.pk} button:text('Reverse report')").click()
    page.wait_for_selector(f".message--success >> text=Report {twice.pk} reversed: 6 good taken off operation 10.")
    assert page.locator(".panel:has(h2:text('Operations')) tbody tr").first.locator("td.num").nth(1).inner_text() == "30"
    assert "Reversed by report" in page.locator(f"#report-{twice.pk}").inner_text()
    assert page.locator(f"#report-{twice.pk} summary").count() == 0  # reversed once only
    newest = page.locator(".report").first
    assert "Reversal" in newest.inner_text() and "-6 good" in newest.inner_text()
    event = page.locator(".history__item").first
    assert event.locator(".history__label").inner_text().startswith("Report reversed")
    assert "Bin 2 keyed in twice" in event.inner_text()
    assert "operation 10 good: 36 → 30" in event.inner_text()
    assert page.evaluate("window.__marker") == "same page"  # htmx swaps, no reload
    assert_nothing_wider_than_the_viewport(page, "work order after a reversal")
    page.screenshot(path=str(screenshot_dir / "work-order-reversed-800x1280.png"), full_page=True)

    reversal = ProductionReport.objects.get(reverses=twice)
    assert (reversal.quantity_good, reversal.shift_id, reversal.shift_date) == (-6, twice.shift_id, twice.shift_date)
    assert WorkOrder.objects.get(pk=wo.pk).operations.get(sequence=10).quantity_good == 30


def test_scrap_is_reported_with_its_reason_and_more_than_was_left_is_confirmed(page, floor, screenshot_dir):
    wo = floor["wo"]
    page.set_viewport_size(PORTRAIT)
    log_in(page, "olga")
    page.goto(f"/work-orders/{wo.number}/")
    assert_nothing_wider_than_the_viewport(page, "work order page")
    page.screenshot(path=str(screenshot_dir / "work-order-800x1280.png"), full_page=True)
    # A full-page screenshot leaves empty style="" attributes behind, which htmx's next swap
    # would copy (and the page's policy refuse): start again from a fresh page, as a person would.
    page.reload()

    # 36 of 40 made at operation 10: 4 left. Scrap without its reason is refused, the numbers kept.
    page.fill("#id_progress_quantity_good", "4")
    page.fill("#id_progress_quantity_scrap", "2")
    page.click("#actions button:text('Report')")
    page.wait_for_selector(".field--invalid >> text=choose a scrap reason")
    assert page.input_value("#id_progress_quantity_good") == "4"
    assert page.input_value("#id_progress_quantity_scrap") == "2"

    page.select_option("#id_progress_scrap_reason", label="DIM · Dimension out of tolerance")
    page.click("#actions button:text('Report')")
    page.wait_for_selector(".confirm-box >> text=only 4 were left to make there")
    assert_nothing_wider_than_the_viewport(page, "progress form asking for confirmation")
    page.locator("#actions").screenshot(path=str(screenshot_dir / "progress-confirm-800x1280.png"), caret="initial")
    assert WorkOrder.objects.get(pk=wo.pk).operations.get(sequence=10).quantity_good == 36  # nothing yet

    page.check("#id_progress_confirm")
    page.click("#actions button:text('Report')")
    page.wait_for_selector(".message--success >> text=4 good and 2 scrap (DIM) reported on operation 10")
    op = WorkOrder.objects.get(pk=wo.pk).operations.get(sequence=10)
    assert (op.quantity_good, op.quantity_scrap, op.status) == (40, 4, "done")
    assert "DIM · Dimension out of tolerance" in page.locator(".report").first.inner_text()
    assert_nothing_wider_than_the_viewport(page, "work order after progress")


def test_the_progress_form_and_reports_fit_a_landscape_tablet(page, floor):
    log_in(page, "sam")
    page.goto(f"/work-orders/{floor['wo'].number}/")
    page.locator(f"#report-{floor['first'].pk} summary").click()
    assert_nothing_wider_than_the_viewport(page, "1280 × 800 with a reverse form open")
    page.set_viewport_size(PORTRAIT)
    assert_nothing_wider_than_the_viewport(page, "800 × 1280 with a reverse form open")
