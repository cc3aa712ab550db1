"""Floor mode's material page in a real browser: an operator opens it from the order, issues part of
a component from the line-side rack, and sees what is left to issue; every control is big enough."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from materials.models import StockMove
from prodcoord.core.badges import operator_badge_set
from tests.e2e.layout import PORTRAIT
from tests.e2e.test_floor import sign_in, touch_targets_fit
from tests.factories import UserFactory, standard_shifts
from tests.planning.test_floor_material import build_line
from tests.planning.test_shortages import build_plant

pytestmark = pytest.mark.e2e
D = Decimal


@pytest.fixture
def line(transactional_db):
    standard_shifts()
    operator = UserFactory(username="tomasz", first_name="Tomasz", last_name="Nowak", role="operator")
    operator_badge_set(actor=None, user=operator, badge="1001", pin="2468")
    return {**build_line(build_plant()), "operator": operator}


def test_an_operator_issues_material_from_the_line(page, line, screenshot_dir):
    wo = line["wo"]
    page.set_viewport_size(PORTRAIT)
    page.goto(f"/floor/{wo.number}/")
    sign_in(page)
    page.wait_for_url(f"**/floor/{wo.number}/")
    page.click("a:has-text('Material: issue from the line')")
    page.wait_for_url(f"**/floor/{wo.number}/material/")
    expect(page.locator("h1")).to_have_text(f"Material for {wo.number}")
    expect(page.locator("select[name=source]")).to_contain_text("RACK-1 · 6 ea")
    expect(page.locator("input[name=quantity]")).to_have_value("6")  # what lies there, of the 10 still to issue
    touch_targets_fit(page, "floor material, portrait")
    page.screenshot(path=str(screenshot_dir / "floor-material-800x1280.png"), full_page=True)

    page.fill("input[name=quantity]", "7")  # more than the rack holds
    page.click("button:has-text('Issue BOLT')")
    expect(page.locator(".field__error")).to_contain_text("Only 6 ea of BOLT at RACK-1")
    assert not StockMove.objects.filter(kind="issue").exists()

    page.fill("input[name=quantity]", "4")
    page.click("button:has-text('Issue BOLT')")
    expect(page.locator(".messages")).to_contain_text(f"4 ea BOLT issued to {wo.number}.")
    expect(page.locator(".floor-material")).to_contain_text("Still to issue")
    expect(page.locator("select[name=source]")).to_contain_text("RACK-1 · 2 ea")
    move = StockMove.objects.get(kind="issue")
    assert (move.quantity, move.from_location, move.moved_by) == (D("4"), line["rack"], line["operator"])
