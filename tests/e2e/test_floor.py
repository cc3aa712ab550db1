"""Floor mode and the wall display in a real browser: an operator signs in at a shared tablet with
badge and PIN, reports scrap with its reason, reaches nothing but floor mode and is signed out when
idle; every control is a touch target of at least 48 px; the wall display opens with its token,
refuses without it and stops at its next refresh once revoked."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from plant.services import wall_display_create, wall_display_revoke
from prodcoord.core.badges import operator_badge_set
from tests.e2e.layout import LANDSCAPE, PORTRAIT, assert_nothing_wider_than_the_viewport
from tests.factories import (
    DepartmentFactory,
    UserFactory,
    WorkCenterFactory,
    make_routed_item,
    make_work_order,
    scrap_reason,
    standard_shifts,
)
from workorders.models import ProductionReport

pytestmark = pytest.mark.e2e

TV = {"width": 1920, "height": 1080}

# Every control a finger uses (buttons, fields, the queue's rows): [(what, height), …] under 48 px.
SMALL_TARGETS = """() => {
  const small = [];
  const controls = "button, input:not([type=hidden]), select, textarea, a.button, a.floor-queue__row";
  for (const el of document.querySelectorAll(controls)) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.height < 48 || box.width < 48) {
      const name = el.name ? "[name=" + el.name + "]" : "";
      small.push(`${el.tagName.toLowerCase()}${name} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}"""


@pytest.fixture
def plant(transactional_db):
    standard_shifts()
    mach = DepartmentFactory(code="MACH", name="Machining")
    fab = DepartmentFactory(code="FAB", name="Fabrication")
    lathe = WorkCenterFactory(code="LATHE-01", name="Mazak QT-250 CNC lathe", department=mach)
    cnc = WorkCenterFactory(code="CNC-01", name="Haas VF-4 machining center", department=mach)
    WorkCenterFactory(code="SAW-01", name="Band saw", department=fab)
    item = make_routed_item(sku="ROD-50-200", work_centers=[lathe, cnc])
    item.name = "Piston rod 50 × 200"
    item.save()
    operator = UserFactory(username="tomasz", first_name="Tomasz", last_name="Nowak", role="operator")
    operator_badge_set(actor=None, user=operator, badge="1001", pin="2468")
    scrap_reason(code="BURR", name="Burr on edge")
    orders = [make_work_order(item=item, status="released", quantity=Decimal("40")) for _ in range(3)]
    return {"operator": operator, "orders": orders, "mach": mach, "fab": fab}


def sign_in(page, badge="1001", pin="2468"):
    page.fill("#id_signin_badge", badge)
    page.fill("#id_signin_pin", pin)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


def touch_targets_fit(page, where):
    small = page.evaluate(SMALL_TARGETS)
    assert small == [], f"{where}: touch targets under 48 px: {small}"
    assert_nothing_wider_than_the_viewport(page, where)


def test_an_operator_signs_in_reports_scrap_and_reaches_nothing_else(page, plant, screenshot_dir):
    wo, other = plant["orders"][0], plant["orders"][1]
    page.set_viewport_size(PORTRAIT)
    page.goto(f"/floor/{wo.number}/")  # what the traveler's QR code opens
    expect(page.locator("h1")).to_have_text("Sign in with your badge")
    touch_targets_fit(page, "sign-in")
    sign_in(page, pin="1111")
    expect(page.locator(".field__error")).to_contain_text("That badge and PIN do not match.")
    sign_in(page)
    page.wait_for_url(f"**/floor/{wo.number}/")
    expect(page.locator("h1")).to_have_text(wo.number)
    expect(page.locator(".floor-header__name")).to_have_text("Tomasz Nowak")
    touch_targets_fit(page, "floor order, portrait")
    page.screenshot(path=str(screenshot_dir / "floor-order-800x1280.png"), full_page=True)

    # scrap without its reason: a field error, nothing written; then with it
    page.fill("#id_floor_quantity_good", "5")
    page.fill("#id_floor_quantity_scrap", "1")
    page.click("button:has-text('Report')")
    expect(page.locator(".field__error")).to_contain_text("Say why")
    assert not ProductionReport.objects.exists()
    page.select_option("#id_floor_scrap_reason", label="BURR · Burr on edge")
    page.click("button:has-text('Report')")
    expect(page.locator(".messages")).to_contain_text(f"Reported 5 good and 1 scrap (BURR) on {wo.number}, operation 10.")
    report = ProductionReport.objects.get()
    assert report.reported_by == plant["operator"]  # the person, not the tablet
    assert (report.quantity_good, report.quantity_scrap, report.scrap_reason.code) == (Decimal("5"), Decimal("1"), "BURR")

    # stop work: a quality hold with its reason
    page.fill("#id_floorhold_reason", "Chatter marks on the rod end")
    page.click("button:has-text('Stop: place hold')")
    expect(page.locator(".floor-holds")).to_contain_text("Chatter marks on the rod end")

    # the board, another order's page and the API are out of reach
    for path in ("/", f"/work-orders/{other.number}/", "/history/", "/admin/"):
        page.goto(path)
        page.wait_for_url("**/floor/")
        expect(page.locator("h1")).to_have_text("Open a work order")
    assert page.request.get("/api/v1/work-orders/").status == 403
    response = page.request.post(f"/work-orders/{other.number}/progress/", form={"operation": "10", "quantity_good": "1"})
    assert response.status == 403
    assert ProductionReport.objects.count() == 1

    # another order, by its number (typed or scanned), in landscape
    page.set_viewport_size(LANDSCAPE)
    page.fill("#id_pick_number", other.number.lower())
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/floor/{other.number}/")
    touch_targets_fit(page, "floor order, landscape")
    page.screenshot(path=str(screenshot_dir / "floor-order-1280x800.png"), full_page=True)


def test_the_pick_list_has_big_rows_and_fits_both_ways(page, plant, screenshot_dir):
    page.set_viewport_size(PORTRAIT)
    page.goto("/floor/")
    sign_in(page)
    page.select_option("#id_wc_work_center", "LATHE-01")
    page.click("button:has-text('Show')")
    expect(page.locator(".floor-queue__row")).to_have_count(3)
    for size, name in ((PORTRAIT, "portrait"), (LANDSCAPE, "landscape")):
        page.set_viewport_size(size)
        touch_targets_fit(page, f"pick list, {name}")
        page.screenshot(path=str(screenshot_dir / f"floor-pick-{name}.png"), full_page=True)
    page.locator(".floor-queue__row").first.click()
    page.wait_for_url("**/floor/WO-*/")


def test_an_idle_operator_is_signed_out(page, plant, settings):
    settings.FLOOR_IDLE_TIMEOUT_SECONDS = 3
    page.goto("/floor/")
    sign_in(page)
    expect(page.locator("h1")).to_have_text("Open a work order")
    # nobody touches the tablet: the page goes back to the start and the server signs it out
    expect(page.locator("h1")).to_have_text("Sign in with your badge", timeout=15_000)
    expect(page.locator(".messages")).to_contain_text("Signed out after 3 seconds without activity.")
    page.goto("/floor/")
    expect(page.locator("h1")).to_have_text("Sign in with your badge")


def test_the_wall_display_opens_with_its_token_and_refuses_without(page, plant, settings, screenshot_dir, browser, live_server):
    settings.WALL_DISPLAY_REFRESH_SECONDS = 5
    display = wall_display_create(actor=None, department=plant["mach"], name="North wall")
    page.set_viewport_size(TV)
    page.goto(f"/display/MACH/?token={display.token}")
    page.wait_for_url("**/display/MACH/")  # the token does not stay in the address
    expect(page.locator("h1")).to_contain_text("Machining")
    expect(page.locator(".display-wc")).to_have_count(2)
    expect(page.locator("#display-board")).not_to_contain_text("SAW-01")
    expect(page.locator("form, input")).to_have_count(0)
    assert_nothing_wider_than_the_viewport(page, "wall display")
    page.screenshot(path=str(screenshot_dir / "wall-display-1920x1080.png"))

    # another screen without the link: refused, and no login prompt
    other = browser.new_context(base_url=live_server.url)
    stranger = other.new_page()
    response = stranger.goto("/display/MACH/")
    assert response.status == 403
    expect(stranger.locator("body")).to_contain_text("This screen needs its display link.")
    assert stranger.locator("input[type=password]").count() == 0
    assert stranger.goto(f"/display/FAB/?token={display.token}").status == 404
    other.close()

    # revoked: the display's next refresh turns into the refusal
    wall_display_revoke(actor=None, display=display)
    expect(page.locator("body")).to_contain_text("This display link was revoked.", timeout=15_000)
