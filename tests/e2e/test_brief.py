"""A supervisor opens the morning brief of a busy day, reads it at a glance and prints it: on one or two
A4 or Letter pages, with no sideways scrolling on a 10-inch tablet."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from planning import services as planning
from plant import services as plant_services
from plant.models import DowntimeReason
from prodcoord.core.plant_time import plant_datetime, plant_today
from reports import services
from tests.e2e.layout import PORTRAIT, assert_nothing_wider_than_the_viewport, log_in
from tests.factories import (
    DepartmentFactory,
    UserFactory,
    WorkCenterFactory,
    make_routed_item,
    make_work_order,
    scrap_reason,
    standard_shifts,
)
from workorders import services as wo_services

pytestmark = pytest.mark.e2e

M = plant_today() - dt.timedelta(days=1)
D = M - dt.timedelta(days=1)


def pdf_pages(data):
    """The number of pages of a PDF Chromium printed: its page tree's ``/Count``."""
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)]
    counts += [int(n) for n in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    assert counts, "no page tree found in the PDF"
    return max(counts)


@pytest.fixture
def busy_brief(transactional_db):
    """A busy day in three departments: 24 entries (half short), 20 active holds, downtime of every
    kind, scrap, schedule changes — and a brief the morning before, which a late report restates."""
    shifts = standard_shifts()
    UserFactory(username="sam", first_name="Sam", last_name="Reyes", role="supervisor")
    centers = []
    for dept in ("MACH", "FAB", "ASSY"):
        department = DepartmentFactory(code=dept, name={"MACH": "Machining", "FAB": "Fabrication", "ASSY": "Assembly"}[dept])
        centers += [WorkCenterFactory(code=f"{dept}-{n:02d}", department=department) for n in (1, 2)]
    released = plant_datetime(D - dt.timedelta(days=20), dt.time(8))
    orders = []
    for n, wc in enumerate(centers * 4):
        item = make_routed_item(work_centers=[wc])
        wo = make_work_order(item=item, status="released", moved_at=released, quantity=Decimal(50))
        shift = shifts[n % 3]
        planning.schedule_entry_upsert(
            actor=None, date=D, shift=shift, work_center=wc, work_order=wo, planned_quantity=Decimal(20)
        )
        start = plant_datetime(D, shift.start_time)  # the night shift's report lands after midnight
        good = Decimal(20 if n % 2 else 12)
        wo_services.operation_report_progress(
            work_order=wo,
            actor=None,
            operation=10,
            quantity_good=good,
            quantity_scrap=Decimal(2 if n % 5 == 0 else 0),
            scrap_reason=scrap_reason() if n % 5 == 0 else None,
            reported_at=start + dt.timedelta(hours=3),
        )
        orders.append(wo)
    # The day before, and its brief: a report made after it was generated restates that day.
    before = orders[0]
    planning.schedule_entry_upsert(
        actor=None,
        date=D - dt.timedelta(days=1),
        shift=shifts[0],
        work_center=centers[0],
        work_order=before,
        planned_quantity=Decimal(10),
    )
    services.morning_brief_generate(date=D)
    wo_services.operation_report_progress(
        work_order=before,
        actor=None,
        operation=10,
        quantity_good=Decimal(8),
        reported_at=plant_datetime(D - dt.timedelta(days=1), dt.time(9)),
    )
    for n, wo in enumerate(orders[:20]):
        wo_services.hold_place(
            work_order=wo,
            actor=None,
            kind=["quality", "material", "equipment", "engineering"][n % 4],
            reason=f"Waiting on disposition of lot {n:03d}: first article out of tolerance on the bore position",
        )
    plant_services.downtime_reasons_ensure_defaults(actor=None)  # a flushed database has none
    reasons = {r.code: r for r in DowntimeReason.objects.all()}
    rows = []
    for n, wc in enumerate(centers):
        start = plant_datetime(D, dt.time(7 + n))
        for k, code in enumerate(["BREAKDOWN", "CHANGEOVER", "OTHER"]):
            begin = start + dt.timedelta(hours=4 * k)
            rows.append(
                {
                    "work_center": wc,
                    "reason": reasons[code],
                    "started_at": begin,
                    "ended_at": begin + dt.timedelta(minutes=20 + 7 * n + 5 * k),
                    "note": "Spindle alarm AL 751" if code == "BREAKDOWN" else "",
                }
            )
    plant_services.downtime_events_create(actor=None, rows=rows)
    for wo, wc in zip(orders[:10], centers * 2, strict=False):
        planning.schedule_entry_upsert(
            actor=None, date=M, shift=shifts[0], work_center=wc, work_order=wo, planned_quantity=Decimal(15)
        )
    return services.morning_brief_generate(date=M)


def test_a_supervisor_reads_the_brief_and_prints_it_on_one_or_two_pages(page, busy_brief, screenshot_dir):
    log_in(page, "sam")
    page.click("nav.site-nav >> text=Morning brief")
    page.wait_for_url("**/brief/")
    assert page.locator("h1").inner_text().startswith("Morning brief")
    page.screenshot(path=str(screenshot_dir / "brief.png"), full_page=True)
    tiles = page.locator(".brief-headline").inner_text()
    assert "schedule attainment" in tiles and "unclassified downtime" in tiles and "20\nactive holds" in tiles
    assert "Restated since the brief of" in page.locator("#restated").inner_text()
    assert page.locator("#holds tbody tr").count() == 20  # every active hold, on screen
    assert "Generated" in page.locator(".brief-meta").inner_text()
    assert page.locator("text=Generate again now").count() == 0
    # Every line links to its object.
    first_hold = page.locator("#holds tbody tr a").first
    assert re.fullmatch(r"/work-orders/WO-\d+/#holds", first_hold.get_attribute("href"))

    page.set_viewport_size(PORTRAIT)
    assert_nothing_wider_than_the_viewport(page, "the brief at 800 px")

    page.emulate_media(media="print")
    assert not page.locator(".brief-nav").is_visible()
    assert page.locator("#holds tbody tr:visible").count() == 12  # the oldest twelve on paper
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=False)
        (screenshot_dir / f"brief-{paper}.pdf").write_bytes(pdf)
        assert 1 <= pdf_pages(pdf) <= 2, f"{paper}: {pdf_pages(pdf)} pages"


def test_a_coordinator_gives_an_action_item_from_a_brief_line_without_leaving_the_page(page, busy_brief, screenshot_dir):
    from coordination.models import ActionItem

    UserFactory(username="cora", first_name="Cora", last_name="Lee", role="coordinator")
    log_in(page, "cora")
    page.goto(f"/brief/{M.isoformat()}/")
    line = page.locator("#holds tbody tr").nth(7)  # a line well down the section: its form opens at the top
    number = line.locator("a").first.inner_text()
    line.locator("a.brief-action").click()
    form = page.locator("#ai-holds form")
    form.wait_for()
    assert page.url.endswith(f"/brief/{M.isoformat()}/")  # still on the brief
    # brought into view, heading and all, however far up the section's slot is from the line
    top = form.evaluate("e => e.closest('.brief-slot').getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2, top
    assert f"hold on {number}" in form.inner_text()
    form.locator("input[name=title]").fill(f"{number}: get the disposition signed")
    form.locator("button[type=submit]").click()
    page.locator("#ai-holds .action-item-created").wait_for()
    assert page.url.endswith(f"/brief/{M.isoformat()}/")
    page.screenshot(path=str(screenshot_dir / "brief-meeting.png"))
    item = ActionItem.objects.get()
    assert (item.source, item.work_order.number) == ("brief", number)
    assert item.source_reference.startswith(f"brief:{M.isoformat()}:holds:")
