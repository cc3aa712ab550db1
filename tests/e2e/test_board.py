"""The board in a real browser: a coordinator filters and groups it, saves the view, opens a late
order and places a hold; a second person's board, open meanwhile, shows the row change and the
hold badge appear without reloading. A work order's page says who else changed it, and keeps
what its reader was typing."""

import datetime as dt
from decimal import Decimal

import pytest

from prodcoord.core.plant_time import plant_today
from tests.e2e.layout import PORTRAIT, log_in
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts
from workorders import services

pytestmark = pytest.mark.e2e


@pytest.fixture
def plant(transactional_db, settings):
    settings.BOARD_REFRESH_SECONDS = 1
    standard_shifts()
    UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator")
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", role="supervisor")
    machining = DepartmentFactory(code="MACH", name="Machining")
    assembly = DepartmentFactory(code="ASM", name="Assembly")
    mill = WorkCenterFactory(code="MILL", department=machining)
    lathe = WorkCenterFactory(code="LATHE", department=machining)
    assy = WorkCenterFactory(code="ASSY", department=assembly)
    milled = make_routed_item(sku="FG-MILLED", work_centers=[mill, assy])
    turned = make_routed_item(sku="FG-TURNED", work_centers=[lathe, assy])
    kit = make_routed_item(sku="FG-KIT", work_centers=[assy])
    orders = {
        "late": make_work_order(
            item=milled, status="released", due_date=plant_today() - dt.timedelta(days=20), quantity=Decimal("40")
        ),
        "lathe": make_work_order(item=turned, status="in_progress", due_date=plant_today() + dt.timedelta(days=60)),
        "kit": make_work_order(item=kit, status="released"),
    }
    services.work_order_refresh_overdue()
    return orders


@pytest.fixture
def second_page(browser, live_server):
    """Another person's browser, at the same time (its own cookies)."""
    context = browser.new_context(viewport=PORTRAIT, base_url=live_server.url)
    context.set_default_timeout(10_000)
    other = context.new_page()
    violations = []
    other.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    yield other
    context.close()
    assert not violations, violations


def row(page, wo):
    return page.locator(f'#work-order-table tr[data-number="{wo.number}"]')


def test_filter_group_save_hold_and_a_second_board_sees_it_live(page, second_page, plant, screenshot_dir):
    late, lathe, kit = plant["late"], plant["lathe"], plant["kit"]
    log_in(page, "dana")
    page.select_option("#id_department", "MACH")
    page.wait_for_url("**department=MACH**")
    row(page, kit).wait_for(state="detached")
    page.select_option("#id_group", "work_center")
    page.wait_for_selector("#work-order-table .group-row")
    assert [" ".join(t.split()) for t in page.locator(".group-row th").all_inner_texts()] == [
        "Work center LATHE LATHE 1 order",
        "Work center MILL MILL 1 order",
    ]
    assert "group=work_center" in page.url and "department=MACH" in page.url

    # Save the view; it is one click away afterwards.
    page.click("text=Save this view")
    page.fill("#id_name", "")
    page.click(".saved-views__form button[type=submit]")
    page.wait_for_selector(".field-error >> text=Give the view a name.")
    page.click("text=Save this view") if not page.locator(".saved-views__form").is_visible() else None
    page.fill("#id_name", "Machining by machine")
    page.click(".saved-views__form button[type=submit]")
    page.wait_for_selector(".saved-view__link >> text=Machining by machine")
    assert "department=MACH" in page.url and "group=work_center" in page.url

    # A second person has the same view open (a shared link).
    log_in(second_page, "sam")
    second_page.goto(page.url)
    second_page.evaluate("window.__marker = 'not reloaded'")
    assert row(second_page, late).locator(".badge--late").inner_text() == "Late"
    assert row(second_page, late).locator(".badge--hold").count() == 0

    # The coordinator opens the late order and places a hold.
    row(page, late).locator("a.wo-link").click()
    page.wait_for_url(f"**/work-orders/{late.number}/")
    page.select_option("#id_hold_kind", "quality")
    page.fill("#id_hold_reason", "Chatter marks on the bore")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")

    # The second board shows it within a refresh or two, the row marked as changed.
    row(second_page, late).locator(".badge--hold").wait_for()
    assert row(second_page, late).locator(".badge--changed").is_visible()
    assert row(second_page, lathe).locator(".badge--changed").count() == 0
    assert second_page.evaluate("window.__marker") == "not reloaded"
    assert "department=MACH" in second_page.url
    second_page.screenshot(path=str(screenshot_dir / "board-after-change.png"), full_page=True)


def test_work_order_page_tells_of_someone_elses_change_and_keeps_what_is_typed(page, second_page, plant):
    late, lathe = plant["late"], plant["lathe"]
    log_in(page, "dana")
    log_in(second_page, "sam")

    # Nothing typed: the page shows the change by itself.
    second_page.goto(f"/work-orders/{lathe.number}/")
    second_page.evaluate("window.__marker = 'not reloaded'")
    page.goto(f"/work-orders/{lathe.number}/")
    page.select_option("#id_hold_kind", "material")
    page.fill("#id_hold_reason", "Bar stock missing")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")
    second_page.wait_for_selector(".live-notice >> text=Someone else just changed this work order")
    assert "Dana Ortiz" in second_page.locator(".live-notice").inner_text()
    second_page.wait_for_selector(".page-head .badge--hold")
    assert second_page.evaluate("window.__marker") == "not reloaded"

    # Typing: the notice says who changed what, and what is typed stays.
    second_page.goto(f"/work-orders/{late.number}/")
    second_page.fill("#id_hold_reason", "Half-typed note")
    page.goto(f"/work-orders/{late.number}/")
    page.select_option("#id_hold_kind", "quality")
    page.fill("#id_hold_reason", "Chatter marks")
    page.click("text=Place hold")
    page.wait_for_selector(".page-head .badge--hold")
    second_page.wait_for_selector(".live-notice [data-live-dirty]:visible")
    assert "Chatter marks" in second_page.locator(".live-notice").inner_text()
    assert second_page.input_value("#id_hold_reason") == "Half-typed note"
    assert second_page.locator(".page-head .badge--hold").count() == 0
    second_page.click("#work-order-live button[data-live-refresh]")
    second_page.wait_for_selector(".page-head .badge--hold")


def test_a_work_center_marked_down_elsewhere_reaches_an_open_board_and_its_half_filled_form_stays(
    page, second_page, plant, screenshot_dir
):
    from plant.services import downtime_reasons_ensure_defaults

    downtime_reasons_ensure_defaults(actor=None)  # the migration's, which the browser tests' flush removed
    log_in(page, "dana")
    log_in(second_page, "sam")
    second_page.evaluate("window.__marker = 'not reloaded'")
    assert second_page.locator("#down-strip .down-strip__title").inner_text() == "All work centers running"
    # Sam has started to mark a work center down, and has not sent it yet.
    second_page.click("#down-strip summary")
    second_page.select_option("#id_down_wc", "MILL")
    second_page.fill("#id_down_note", "Coolant pump noisy")

    # Dana marks the lathe down from her own board.
    page.click("#down-strip summary")
    page.select_option("#id_down_wc", "LATHE")
    page.select_option("#id_down_reason", "BREAKDOWN")
    page.click("#down-strip form.downtime-wc__form button[type=submit]")
    page.wait_for_selector("#down-strip .down-strip__item >> text=LATHE")

    # Sam's board shows it within a refresh or two, beside the lathe's order too; what he typed stays.
    second_page.wait_for_selector("#down-strip .down-strip__item >> text=LATHE")
    row(second_page, plant["lathe"]).locator(".badge--down").wait_for(state="attached")  # its column folds away at 800 px
    assert second_page.locator("#down-strip-start").get_attribute("open") is not None
    assert second_page.input_value("#id_down_wc") == "MILL"
    assert second_page.input_value("#id_down_note") == "Coolant pump noisy"
    assert second_page.evaluate("window.__marker") == "not reloaded"

    # Running again, from Dana's board: Sam's strip says so by itself.
    page.click("#down-strip .down-strip__item button:has-text('Running again')")
    page.wait_for_selector("#down-strip .down-strip__title >> text=All work centers running")
    second_page.wait_for_selector("#down-strip .down-strip__title >> text=All work centers running")
    assert second_page.input_value("#id_down_note") == "Coolant pump noisy"
    assert second_page.evaluate("window.__marker") == "not reloaded"
    # last: a screenshot leaves style="" on the inputs, which a later swap would copy (refused by the CSP)
    second_page.screenshot(path=str(screenshot_dir / "board-down-strip-live.png"), full_page=True)
