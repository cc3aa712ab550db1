import datetime as dt
from decimal import Decimal

import pytest

from tests.e2e.layout import log_in
from tests.factories import UserFactory, make_routed_item, make_work_order, standard_shifts
from workorders import services

pytestmark = pytest.mark.e2e


@pytest.fixture
def plant(transactional_db):
    """A coordinator and a few open orders, one on hold and one overdue."""
    standard_shifts()
    user = UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator")
    item = make_routed_item(sku="FG-ENC-1200")
    orders = [make_work_order(item=item, status="released", quantity=Decimal("40")) for _ in range(3)]
    services.hold_place(work_order=orders[0], actor=user, kind="quality", reason="Weld porosity on first article")
    late = make_work_order(item=item, status="draft", due_date=dt.date.today() - dt.timedelta(days=60))
    services.work_order_refresh_overdue()
    make_work_order(item=item, status="closed")
    return {"user": user, "orders": orders, "late": late}


def test_log_in_see_open_orders_and_open_one(page, plant, screenshot_dir):
    page.goto("/")
    assert "/accounts/login/" in page.url  # an anonymous visitor is sent to the login page
    log_in(page, "dana", "wrong")
    assert page.locator(".alert--error").is_visible()

    log_in(page, "dana")
    page.wait_for_selector("#work-order-table table")
    rows = page.locator("#work-order-table tbody tr")
    assert rows.count() == 4  # three released + one draft; the closed one is not listed
    assert page.locator(".counts").inner_text().split() == ["4", "open", "1", "on", "hold", "1", "late"]
    held = plant["orders"][0]
    held_row = page.locator("tbody tr", has=page.locator(f"text={held.number}"))
    assert "On hold" in held_row.inner_text()
    assert "Dana Ortiz" in page.locator(".site-header").inner_text()
    page.screenshot(path=str(screenshot_dir / "home.png"))

    page.click(f"text={held.number}")
    page.wait_for_url(f"**/work-orders/{held.number}/")
    assert page.locator("h1").inner_text().startswith(held.number)
    assert "Weld porosity on first article" in page.locator(".panel--hold").inner_text()
    history = page.locator(".history").inner_text()
    assert "Hold placed" in history and "Released" in history and "Created" in history
    page.screenshot(path=str(screenshot_dir / "detail.png"), full_page=True)
    assert (screenshot_dir / "detail.png").stat().st_size > 0


def test_filter_swaps_the_table_without_reloading(page, plant):
    from playwright.sync_api import expect

    log_in(page, "dana")
    page.wait_for_selector("#work-order-table table")
    page.evaluate("window.__marker = 'same page'")
    page.select_option("#id_on_hold", "true")
    # A locator, not wait_for_function: polling a JavaScript string needs eval, which the page's policy refuses.
    expect(page.locator("#work-order-table tbody tr")).to_have_count(1)
    assert plant["orders"][0].number in page.locator("#work-order-table").inner_text()
    assert page.evaluate("window.__marker") == "same page"  # swapped by htmx, not a full reload
    assert "on_hold=true" in page.url  # the filtered view can be bookmarked


def test_log_out(page, plant):
    log_in(page, "dana")
    page.wait_for_selector("#work-order-table")
    page.click("text=Log out")
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_filter_after_the_session_expired_opens_the_login_page(page, plant):
    log_in(page, "dana")
    page.wait_for_selector("#work-order-table table")
    page.context.clear_cookies()
    page.select_option("#id_on_hold", "true")
    page.wait_for_url(lambda url: "/accounts/login/?next=" in url)
    assert page.locator("#id_username").is_visible()
    assert page.locator("#work-order-table").count() == 0  # the whole page went to login, not the table
