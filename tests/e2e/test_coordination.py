"""The shift loop in a browser: the incoming coordinator finds the night's handover first, reads it and
acknowledges it; a coordinator gives an action item straight from a hold on the work order's page and
finds it on "my actions". Both pages fit a 10-inch tablet both ways, and the handover prints."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest

from coordination.models import ActionItem, ShiftHandover
from coordination.services import action_item_create, roster_entry_set, shift_handover_open, shift_handover_submit
from planning.models import ScheduleEntry
from plant.models import DowntimeEvent, DowntimeReason
from prodcoord.core.plant_time import plant_datetime, plant_today
from tests.e2e.layout import LANDSCAPE, PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order, standard_shifts
from workorders.models import Hold, ProductionReport
from workorders.services import hold_place

pytestmark = pytest.mark.e2e


@pytest.fixture
def plant(transactional_db):
    from plant.services import downtime_reasons_ensure_defaults

    downtime_reasons_ensure_defaults(actor=None)  # a flushed database has lost the migration's list
    shifts = {s.code: s for s in standard_shifts()}
    form = DepartmentFactory(code="FORM", name="Forming")
    press = WorkCenterFactory(code="PRESS-01", name="Press brake", department=form)
    press2 = WorkCenterFactory(code="PRESS-02", name="Turret punch", department=form)
    nina = UserFactory(username="nina", first_name="Nina", last_name="Park", role="coordinator")
    dave = UserFactory(username="dave", first_name="Dave", last_name="Okafor", role="coordinator")
    sue = UserFactory(username="sue", first_name="Sue", last_name="Lindqvist", role="supervisor")
    roster_entry_set(actor=None, user=nina, department=form, shift=shifts["NIGHT"])
    roster_entry_set(actor=None, user=dave, department=form, shift=shifts["DAY"])
    roster_entry_set(actor=None, user=sue, department=form, shift=shifts["DAY"])
    order = make_work_order(item=make_routed_item(work_centers=[press, press2]), status="released", quantity=Decimal("200"))
    return {
        "shifts": shifts,
        "form": form,
        "press": press,
        "press2": press2,
        "nina": nina,
        "dave": dave,
        "sue": sue,
        "order": order,
    }


@pytest.fixture
def night_handover(plant):
    """A night's FORM handover, submitted by Nina: a plan, reports after midnight, a breakdown, an
    unclassified stop, a hold placed in the night, and open items — one of them critical and overdue."""
    night, form, order = plant["shifts"]["NIGHT"], plant["form"], plant["order"]
    today = plant_today()
    # The night before last: over at any time of day this runs (last night is still going on
    # until 06:00, and its events after now would be in the future).
    d, d1 = today - dt.timedelta(days=2), today - dt.timedelta(days=1)
    op10, op20 = order.operations.order_by("sequence")
    ScheduleEntry.objects.create(date=d, shift=night, work_center=plant["press"], work_order=order, planned_quantity=Decimal(120))
    ScheduleEntry.objects.create(date=d, shift=night, work_center=plant["press2"], work_order=order, planned_quantity=Decimal(80))
    for op, wc, good, hour in ((op10, plant["press"], 70, 23), (op10, plant["press"], 40, 3), (op20, plant["press2"], 35, 4)):
        day = d if hour >= 22 else d1
        ProductionReport.objects.create(
            operation=op,
            work_order=order,
            work_center=wc,
            quantity_good=Decimal(good),
            reported_at=plant_datetime(day, dt.time(hour, 15)),
            shift=night,
            shift_date=d,
        )
    DowntimeEvent.objects.create(
        work_center=plant["press"],
        reason=DowntimeReason.objects.get(code="BREAKDOWN"),
        started_at=plant_datetime(d1, dt.time(0, 40)),
        ended_at=plant_datetime(d1, dt.time(1, 35)),
        note="Hydraulic hose burst",
    )
    DowntimeEvent.objects.create(
        work_center=plant["press2"],
        reason=DowntimeReason.objects.get(code="OTHER"),
        started_at=plant_datetime(d1, dt.time(4, 10)),
        ended_at=plant_datetime(d1, dt.time(4, 32)),
    )
    Hold.objects.create(
        work_order=order, kind="quality", reason="Bend angle out of tolerance", work_center=plant["press"],
        placed_at=plant_datetime(d1, dt.time(2, 5)), placed_by=plant["nina"],
    )  # fmt: skip
    late = action_item_create(
        actor=plant["nina"], title="Replace the hydraulic hose on PRESS-01", owner=plant["sue"], due_date=today,
        department=form, is_critical=True, source="downtime",
        downtime_event=DowntimeEvent.objects.order_by("started_at").first(),
    )  # fmt: skip
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    action_item_create(
        actor=plant["nina"], title="Check the bend angle with quality before restarting", owner=plant["dave"],
        due_date=today, department=form,
    )  # fmt: skip
    handover = shift_handover_open(actor=plant["nina"], department=form, date=d, shift=night)
    from coordination.services import shift_handover_update

    shift_handover_update(
        actor=plant["nina"],
        handover=handover,
        notes="PRESS-01 lost an hour to a burst hose; the spare is in the crib.\nHold on the bends: talk to quality first.",
    )
    return shift_handover_submit(actor=plant["nina"], handover=handover)


def test_an_incoming_coordinator_acknowledges_the_handover(page, browser, live_server, plant, night_handover, screenshot_dir):
    log_in(page, "dave")
    banner = page.locator(".handover-banner")
    assert "Handover waiting for your shift" in banner.inner_text()  # the first thing on whatever page they land
    page.goto("/actions/")
    assert page.locator(".handover-banner").count() == 1
    page.click(".handover-banner >> text=Open the handover")
    page.wait_for_selector("text=Acknowledge the handover")
    text = page.locator("main").inner_text()
    assert "unclassified downtime" in text.lower() and "Bend angle out of tolerance" in text
    assert "Replace the hydraulic hose" in text
    for name, viewport in (("1280", LANDSCAPE), ("800", PORTRAIT)):
        page.set_viewport_size(viewport)
        assert_nothing_wider_than_the_viewport(page, f"handover at {name}")
        page.screenshot(path=str(screenshot_dir / f"handover-{name}.png"), full_page=True)
    page.set_viewport_size(LANDSCAPE)
    pdf = screenshot_dir / "handover-print.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.emulate_media(media="screen")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(screenshot_dir / "handover-print")], check=True)
        assert list(screenshot_dir.glob("handover-print*.png"))

    page.click("text=Acknowledge the handover")
    page.wait_for_selector(".message--success")
    assert page.locator(".handover-banner").count() == 0
    night_handover.refresh_from_db()
    assert night_handover.status == ShiftHandover.Status.ACKNOWLEDGED and night_handover.acknowledged_by == plant["dave"]

    # Nina, the outgoing coordinator, never had the banner and cannot acknowledge her own handover.
    context = browser.new_context(viewport=LANDSCAPE, base_url=live_server.url)
    try:
        nina = context.new_page()
        log_in(nina, "nina")
        assert nina.locator(".handover-banner").count() == 0
    finally:
        context.close()


def test_a_coordinator_gives_an_action_item_from_a_hold(page, plant, screenshot_dir):
    order = plant["order"]
    hold = hold_place(
        actor=plant["sue"], work_order=order, kind="material", reason="No coil for the next run", work_center=plant["press"]
    )
    today = plant_today()
    for title, days in (("Confirm the coil delivery with purchasing", -2), ("Update the changeover checklist", 3)):
        item = action_item_create(actor=plant["nina"], title=title, owner=plant["dave"], due_date=today)
        ActionItem.objects.filter(pk=item.pk).update(due_date=today + dt.timedelta(days=days))
    log_in(page, "dave")
    page.goto(f"/work-orders/{order.number}/")
    page.click(f"#ai-hold-{hold.pk} >> text=Action item")
    form = page.locator(f"#ai-hold-{hold.pk} form")
    form.wait_for()
    assert "No coil for the next run" in form.inner_text()
    form.locator("input[name=title]").fill("   ")
    form.locator("text=Give this action").click()  # refused: the form comes back in place, saying why
    page.wait_for_selector(f"#ai-hold-{hold.pk} form .field__error")
    form = page.locator(f"#ai-hold-{hold.pk} form")
    form.locator("input[name=title]").fill("Chase the coil with the warehouse")
    form.locator("select[name=owner]").select_option(label="Dave Okafor (dave)")
    form.locator("input[name=is_critical]").check()
    form.locator("text=Give this action").click()
    page.wait_for_selector(f"#ai-hold-{hold.pk} .action-item-created")
    item = ActionItem.objects.get(title="Chase the coil with the warehouse")
    assert (item.hold_id, item.work_order_id, item.source, item.owner, item.is_critical) == (
        hold.pk,
        order.pk,
        "hold",
        plant["dave"],
        True,
    )

    page.goto("/actions/")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "overdue 2 days" in rows.first.inner_text().lower()  # in words, not colour alone
    for name, viewport in (("1280", LANDSCAPE), ("800", PORTRAIT)):
        page.set_viewport_size(viewport)
        assert_nothing_wider_than_the_viewport(page, f"my actions at {name}")
        page.screenshot(path=str(screenshot_dir / f"my-actions-{name}.png"), full_page=True)
    page.click(f"#action-{item.pk} >> text=Done")
    page.wait_for_selector(".message--success")
    item.refresh_from_db()
    assert item.status == "done"
