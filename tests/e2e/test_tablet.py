"""On a 10-inch floor tablet held upright (800×1280): every page fits, nothing clipped or
scrolled sideways; a planner creates a work order and a person at a station works from their work center, in a
real browser. Screenshots of each page go to the test's temporary directory."""

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.e2e.layout import PORTRAIT, log_in
from tests.factories import UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.e2e


# Every element inside the viewport's width, and no box that scrolls or cuts its content sideways
# (a table cut off at the tablet's edge is clipped, even if it could be scrolled): [what sticks out, …].
# Text for screen readers only (.visually-hidden: a 1 px box that clips on purpose) is left out.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  const named = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/ +/).join(".") : "");
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || el.closest(".visually-hidden")) {
      continue;
    }
    if (box.right > width + 0.5) {
      found.push(`${named(el)} ends at ${Math.round(box.right)}px`);
    }
    const clips = ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(el).overflowX);
    if (clips && !["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${named(el)} hides ${el.scrollWidth - el.clientWidth}px sideways`);
    }
  }
  return found;
}"""


@pytest.fixture
def plant(transactional_db):
    """A coordinator, a planner and an operator; orders in every state, with long names and references."""
    standard_shifts()
    people = {
        "dana": UserFactory(username="dana", first_name="Dana", last_name="Ortiz", role="coordinator"),
        "priya": UserFactory(username="priya", first_name="Priya", last_name="Raman", role="planner"),
        # a coordinator at a station's tablet (operators themselves use floor mode: test_floor.py)
        "tomasz": UserFactory(username="tomasz", first_name="Tomasz", last_name="Nowak", role="coordinator"),
    }
    centers = [WorkCenterFactory(code=code, name=name) for code, name in (
        ("SAW-01", "Band saw, automatic bar feed"),
        ("CNC-01", "Haas VF-4 vertical machining center"),
        ("PACK-01", "Packing and dispatch"),
    )]  # fmt: skip
    item = make_routed_item(sku="CV-800-1500", work_centers=centers)
    item.name = "Belt conveyor section 800 × 1500 mm, galvanised frame"
    item.save()
    ref = "Baltic Conveyor Systems PO 4500359694"
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=6)
    orders = {
        "draft": make_work_order(item=item, customer_ref=ref, due_date=dt.date(2026, 12, 18)),
        "held": make_work_order(item=item, status="released", customer_ref=ref, moved_at=long_ago),
        "running": make_work_order(item=item, status="in_progress", quantity=Decimal("40"), moved_at=long_ago),
        "completed": make_work_order(item=item, status="completed", customer_ref=ref, moved_at=long_ago),
        "closed": make_work_order(item=item, status="closed", customer_ref=ref, moved_at=long_ago),
        "cancelled": make_work_order(item=item, status="cancelled", customer_ref=ref),
    }
    services.hold_place(
        work_order=orders["held"], actor=people["dana"], kind="quality", reason="Weld porosity on the first article"
    )
    services.operation_report_progress(
        work_order=orders["running"], actor=people["dana"], operation=10, quantity_good=Decimal("40")
    )
    services.operation_report_progress(
        work_order=orders["running"], actor=people["dana"], operation=20, quantity_good=Decimal("12")
    )
    make_work_order(item=item, status="released", moved_at=long_ago)  # at the saw, next for CNC-01
    return {"people": people, "orders": orders, "item": item}


def fits(page, name, screenshot_dir):
    """The page at ``page.url`` fits the tablet; its screenshot is kept as ``name``.png."""
    page.screenshot(path=str(screenshot_dir / f"{name}.png"), full_page=True)
    problems = page.evaluate(OVERFLOW)
    assert problems == [], f"{name} ({page.url}) does not fit 800 px:\n" + "\n".join(problems[:20])


def test_every_page_fits_a_portrait_tablet(page, plant, screenshot_dir):
    page.set_viewport_size(PORTRAIT)
    orders = plant["orders"]
    page.goto("/accounts/login/")
    fits(page, "login", screenshot_dir)
    log_in(page, "dana")  # a coordinator sees every form a page can hold
    pages = {
        "home": "/",
        "home-filtered": "/?search=CV-800&on_hold=false",
        "to-close": "/completed/",
        "history": "/history/?ordering=customer_ref",
        "work-order-with-hold": f"/work-orders/{orders['held'].number}/",
        "work-order-progress-form": f"/work-orders/{orders['running'].number}/",
        "work-order-draft": f"/work-orders/{orders['draft'].number}/",
        "work-order-completed": f"/work-orders/{orders['completed'].number}/",
        "edit-draft": f"/work-orders/{orders['draft'].number}/edit/",
        "new-work-order": "/new/",
        "my-work-center-choose": "/my-work-center/",
        "work-center-now-and-next": "/work-centers/CNC-01/",
        "not-found": "/no-such-page/",
    }
    for name, path in pages.items():
        page.goto(path)
        fits(page, name, screenshot_dir)
    # the progress form open on the tablet, with its errors
    page.goto(f"/work-orders/{orders['running'].number}/")
    page.fill("#id_progress_quantity_good", "999")
    page.click("button:has-text('Report')")
    page.wait_for_selector(".field__error")
    fits(page, "progress-form-refused", screenshot_dir)
    # the new work order with what it will pin
    page.goto("/new/")
    page.fill("#id_new_item", "CV-800-1500")
    page.locator("#id_new_item").blur()
    expect(page.locator("#pinned")).to_contain_text("Routing rev A")
    fits(page, "new-work-order-pinned", screenshot_dir)


def test_the_fit_check_sees_what_sticks_out(page, plant):
    """The check above is not blind: a box wider than the tablet, or a table scrolled sideways, is reported."""
    page.set_viewport_size(PORTRAIT)
    page.goto("/accounts/login/")
    page.evaluate("document.querySelector('.login').style.minWidth = '900px'")
    assert "section.login ends at" in " ".join(page.evaluate(OVERFLOW))
    page.goto("/accounts/login/")
    page.evaluate(
        "const box = document.createElement('div'); box.className = 'table-scroll';"
        "box.innerHTML = '<table><tr><td>' + 'x'.repeat(400) + '</td></tr></table>';"
        "document.querySelector('main').append(box)"
    )
    assert any("div.table-scroll hides" in problem for problem in page.evaluate(OVERFLOW))


def test_a_planner_creates_a_work_order_in_the_browser(page, plant, screenshot_dir):
    page.set_viewport_size(PORTRAIT)
    log_in(page, "priya")
    page.click('.site-nav >> summary:has-text("More")')
    page.click(".site-nav >> text=New order")
    page.wait_for_url("**/new/")
    # typing part of the name suggests the item; choosing it shows what will be pinned
    page.locator("#id_new_item").press_sequentially("conveyor", delay=30)
    expect(page.locator("#item-options option")).to_have_count(1)
    assert page.locator("#item-options option").get_attribute("value") == "CV-800-1500"
    page.fill("#id_new_item", "CV-800-1500")
    pinned = page.locator("#pinned")
    expect(pinned).to_contain_text("Routing rev A")
    expect(pinned).to_contain_text("BOM rev A")
    for code in ("SAW-01", "CNC-01", "PACK-01"):
        expect(pinned).to_contain_text(code)
    page.fill("#id_new_quantity", "25")
    page.fill("#id_new_due_date", "2026-12-22")
    page.click("label[for=id_new_priority_1]")  # priority 2
    page.fill("#id_new_customer_ref", "Northfield Hydraulics PO 4500399649")
    page.screenshot(path=str(screenshot_dir / "new-work-order-filled.png"), full_page=True)
    page.click("text=Create draft")
    page.wait_for_url("**/work-orders/WO-*/")

    created = WorkOrder.objects.get(customer_ref="Northfield Hydraulics PO 4500399649")
    assert (created.item, created.quantity, created.priority) == (plant["item"], Decimal("25"), 2)
    assert created.due_date == dt.date(2026, 12, 22)
    assert created.status == WorkOrder.Status.DRAFT
    assert page.locator("h1").inner_text().startswith(created.number)
    expect(page.locator(".messages")).to_contain_text(f"{created.number} created as a draft, with routing rev A and BOM rev A.")
    fits(page, "created-work-order", screenshot_dir)


def test_a_wrong_item_is_said_next_to_it(page, plant):
    page.set_viewport_size(PORTRAIT)
    log_in(page, "priya")
    page.goto("/new/")
    page.fill("#id_new_item", "NO-SUCH-PART")
    page.fill("#id_new_quantity", "0")
    page.click("text=Create draft")
    expect(page.locator(".field--invalid .field__error").first).to_contain_text("No item NO-SUCH-PART.")
    assert page.locator("#id_new_item").input_value() == "NO-SUCH-PART"


def test_a_person_at_a_station_reports_from_their_work_center(page, plant, screenshot_dir):
    page.set_viewport_size(PORTRAIT)
    running = plant["orders"]["running"]
    log_in(page, "tomasz")
    page.goto("/my-work-center/")
    page.select_option("#id_work_center", "CNC-01")
    page.click("text=Work here")
    expect(page.locator("#now-title")).to_contain_text("Now at CNC-01")
    now = page.locator("section.queue").first
    expect(now.locator("tbody tr")).to_have_count(1)
    expect(now).to_contain_text(running.number)
    expect(now).to_contain_text("12 of 40")
    upcoming = page.locator("section.queue").nth(1)
    expect(upcoming.locator("tbody tr")).to_have_count(1)  # the order at the saw comes here next
    fits(page, "operator-my-work-center", screenshot_dir)

    now.locator("a", has_text="Report").click()
    page.wait_for_url(lambda url: f"/work-orders/{running.number}/" in url)
    assert page.locator("#id_progress_operation").input_value() == "20"  # the current operation, chosen
    page.fill("#id_progress_quantity_good", "28")
    page.click("button:has-text('Report')")
    expect(page.locator(".messages")).to_contain_text(f"{running.number}: 28 good reported on operation 20.")

    # it has left CNC-01 for packing: the operator's list says so
    page.click('.site-nav >> summary:has-text("More")')
    page.click(".site-nav >> text=My work center")
    expect(page.locator("section.queue").first).to_contain_text("Nothing to work on at CNC-01 right now.")
    # and the next time they log in, they land there again
    page.context.clear_cookies()
    log_in(page, "tomasz")
    page.goto("/my-work-center/")
    expect(page.locator("h1")).to_contain_text("CNC-01")
