"""The schedule page: a shift's plan per work center against the good made, behind plan defined
and visible, moves with a reason that reach both departments, downtime in one tap."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import services as planning_services
from planning.models import ScheduleEntry
from planning.shift_plan import active_shifts, current_slot, neighbours, shift_plan, slot_for
from plant.models import DowntimeEvent
from prodcoord.events.models import Event
from prodcoord.notifications.models import Notification
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders.services import operation_report_progress

pytestmark = pytest.mark.django_db
PAGE = "/schedule/"


@pytest.fixture
def plant(shifts):
    laser = WorkCenterFactory(code="LASER-01", department=DepartmentFactory(code="CUT"))
    brake = WorkCenterFactory(code="BRAKE-01", department=DepartmentFactory(code="FORM"))
    item = make_routed_item(work_centers=[laser, brake])
    long_ago = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)  # released before the shifts the tests report in
    wo1 = make_work_order(item=item, status="in_progress", number="WO-1", quantity=Decimal("200"), moved_at=long_ago)
    wo2 = make_work_order(item=item, status="released", number="WO-2", moved_at=long_ago)
    return {"laser": laser, "brake": brake, "wo1": wo1, "wo2": wo2, "shifts": {s.code: s for s in shifts}}


def plan(plant, *, slot, work_center="laser", work_order="wo1", quantity="80", sequence=1):
    return planning_services.schedule_entry_upsert(
        actor=None,
        date=slot.date,
        shift=slot.shift,
        work_center=plant[work_center],
        work_order=plant[work_order],
        planned_quantity=Decimal(quantity),
        sequence=sequence,
    )


def login(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    return user


# --- the figures: pro-rated plan and "behind" -----------------------------------------------------


def test_behind_plan_is_good_below_the_pro_rated_plan_in_whole_units(plant):
    slot = slot_for(plant["shifts"]["DAY"], dt.date(2026, 12, 1))  # 06:00–14:00 plant time, 8 h
    plan(plant, slot=slot, quantity="80")
    plan(plant, slot=slot, work_order="wo2", quantity="40", sequence=2)
    quarter = slot.start + (slot.end - slot.start) / 4  # 2 h in: pro-rated 20 and 10
    operation_report_progress(work_order=plant["wo1"], actor=None, operation=10, quantity_good=Decimal("25"), reported_at=quarter)
    (row,) = shift_plan(slot=slot, now=quarter)
    first, second = row.entries
    assert (first.good, first.expected, first.behind) == (25, 20, False)
    assert (second.good, second.expected, second.behind, second.short) == (0, 10, True, 10)
    # 25 made on an entry of 20 due does not hide the other's 10: capped, 20 of 30 → behind, 10 short.
    assert (row.planned, row.good, row.capped_good, row.expected, row.behind, row.short) == (120, 25, 25, 30, True, 5)
    # In the first minutes nothing is "behind": the pro-rated plan is under one unit.
    (early,) = shift_plan(slot=slot, now=slot.start + dt.timedelta(minutes=3))
    assert not early.behind and not any(e.behind for e in early.entries)
    # Once ended: behind when short of the whole plan.
    (ended,) = shift_plan(slot=slot, now=slot.end + dt.timedelta(minutes=1))
    assert ended.behind and [e.behind for e in ended.entries] == [True, True]
    # Before it starts: nothing due.
    (upcoming,) = shift_plan(slot=slot, now=slot.start - dt.timedelta(hours=1))
    assert upcoming.expected == 0 and not upcoming.behind


def test_a_night_shift_counts_reports_after_midnight(plant):
    night = slot_for(plant["shifts"]["NIGHT"], dt.date(2026, 12, 1))  # 22:00 on the 1st to 06:00 on the 2nd
    plan(plant, slot=night, quantity="16")
    after_midnight = night.start + dt.timedelta(hours=3)
    operation_report_progress(
        work_order=plant["wo1"], actor=None, operation=10, quantity_good=Decimal("6"), reported_at=after_midnight
    )
    (row,) = shift_plan(slot=night, now=night.start + dt.timedelta(hours=4))  # half way: 8 due
    assert (row.good, row.expected, row.behind) == (6, 8, True)


def test_previous_and_next_shift_cross_midnight(plant):
    shifts = active_shifts()
    s = plant["shifts"]
    day = dt.date(2026, 12, 1)
    previous, following = neighbours(slot_for(s["DAY"], day), shifts)
    assert (previous.shift.code, previous.date) == ("NIGHT", day - dt.timedelta(days=1))
    assert (following.shift.code, following.date) == ("SWING", day)
    previous, following = neighbours(slot_for(s["NIGHT"], day), shifts)
    assert (previous.shift.code, following.shift.code, following.date) == ("SWING", "DAY", day + dt.timedelta(days=1))


# --- the page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "supervisor", "coordinator", "planner", "quality"])
def test_every_role_reads_it_and_only_planners_get_the_move_form(client, make_user, plant, role):
    slot = current_slot(now=timezone.now(), shifts=active_shifts())
    plan(plant, slot=slot)
    login(client, make_user, role)
    response = client.get(PAGE)  # the current shift by default
    assert response.status_code == 200
    html = response.content.decode()
    assert "LASER-01" in html and "WO-1" in html and "Current shift" in html
    assert ("Move or change WO-1" in html) == (role == "planner")
    assert ('action="/downtime/start/"' in html) == (role in ("supervisor", "coordinator"))


def test_operators_stay_in_floor_mode(client, make_user, plant):
    login(client, make_user, "operator")
    assert client.get(PAGE)["Location"].startswith("/floor/")


def test_a_past_shift_shows_behind_in_words(client, make_user, plant, assert_query_baseline):
    slot = slot_for(plant["shifts"]["DAY"], dt.date(2026, 11, 2))
    plan(plant, slot=slot, quantity="80")
    plan(plant, slot=slot, work_center="brake", work_order="wo2", quantity="10")
    operation_report_progress(
        work_order=plant["wo1"],
        actor=None,
        operation=10,
        quantity_good=Decimal("30"),
        reported_at=slot.start + dt.timedelta(hours=1),
    )
    login(client, make_user, "planner")
    with assert_query_baseline("page: schedule"):
        response = client.get(f"{PAGE}?date=2026-11-02&shift=DAY")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ended" in html and "▼ Behind plan" in html and "50 short" in html
    assert 'href="/schedule/?date=2026-11-01&amp;shift=NIGHT"' in html
    assert 'href="/schedule/?date=2026-11-02&amp;shift=SWING"' in html
    filtered = client.get(f"{PAGE}?date=2026-11-02&shift=DAY&department=FORM").content.decode()
    assert 'id="wc-BRAKE-01"' in filtered and 'id="wc-LASER-01"' not in filtered


@pytest.mark.parametrize(
    "query", ["?date=2026-13-01&shift=DAY", "?date=2026-11-02&shift=NOPE", "?department=NOPE", "?shift=DAY%00"]
)
def test_bad_slot_is_a_404(client, make_user, plant, query):
    login(client, make_user, "viewer")
    assert client.get(f"{PAGE}{query}").status_code == 404


def test_the_live_fragment_answers_204_until_something_happens(client, make_user, plant):
    import time

    slot = current_slot(now=timezone.now(), shifts=active_shifts())
    plan(plant, slot=slot)
    login(client, make_user, "viewer")
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first()
    query = f"date={slot.date.isoformat()}&shift={slot.shift.code}&since={last}&at={int(time.time())}"
    assert client.get(f"{PAGE}?{query}", headers={"HX-Request": "true"}).status_code == 204
    operation_report_progress(work_order=plant["wo1"], actor=None, operation=10, quantity_good=Decimal("3"))
    fresh = client.get(f"{PAGE}?{query}", headers={"HX-Request": "true"})
    assert fresh.status_code == 200 and 'id="shift-plan"' in fresh.content.decode()
    assert "<html" not in fresh.content.decode()
    stale = f"date={slot.date.isoformat()}&shift={slot.shift.code}&since={last + 100}&at={int(time.time()) - 600}"
    assert client.get(f"{PAGE}?{stale}", headers={"HX-Request": "true"}).status_code == 200


def test_a_planner_moves_an_entry_with_a_reason_and_both_departments_hear(
    client, make_user, plant, django_capture_on_commit_callbacks
):
    slot = slot_for(plant["shifts"]["DAY"], dt.date(2026, 12, 1))
    entry = plan(plant, slot=slot)
    follower = make_user("coordinator")
    from prodcoord.notifications.services import subscriptions_create

    subscriptions_create(user=follower, rows=[{"kind": "department", "target": "FORM"}])
    planner = login(client, make_user, "planner")
    page = f"{PAGE}?date=2026-12-01&shift=DAY"
    url = reverse("schedule-entry-replan", args=[entry.pk])
    body = {"date": "2026-12-01", "shift": "SWING", "work_center": "BRAKE-01", "planned_quantity": "60", "next": page}
    refused = client.post(url, {**body, "reason": ""})
    assert refused.status_code == 400
    assert "Say why the plan changes." in refused.content.decode()
    entry.refresh_from_db()
    assert entry.shift.code == "DAY"
    with django_capture_on_commit_callbacks(execute=True):
        moved = client.post(url, {**body, "reason": "Laser lens changed"})
    assert moved.status_code == 302 and moved["Location"] == page
    entry.refresh_from_db()
    assert (entry.shift.code, entry.work_center.code, entry.planned_quantity) == ("SWING", "BRAKE-01", 60)
    event = Event.objects.get(verb="schedule.entry_replanned")
    assert (event.actor, event.reason) == (planner, "Laser lens changed")
    assert Notification.objects.filter(user=follower, verb="schedule.entry_replanned").exists()


def test_a_refused_move_says_why(client, make_user, plant):
    slot = slot_for(plant["shifts"]["DAY"], dt.date(2026, 12, 1))
    entry = plan(plant, slot=slot)
    plan(plant, slot=slot_for(plant["shifts"]["SWING"], slot.date))
    login(client, make_user, "planner")
    response = client.post(
        reverse("schedule-entry-replan", args=[entry.pk]),
        {"date": "2026-12-01", "shift": "SWING", "work_center": "LASER-01", "planned_quantity": "80", "reason": "x"},
    )
    assert response.status_code == 400
    assert "already planned at LASER-01 in that shift" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "coordinator", "supervisor"])
def test_only_planners_move_entries(client, make_user, plant, role):
    entry = plan(plant, slot=slot_for(plant["shifts"]["DAY"], dt.date(2026, 12, 1)))
    login(client, make_user, role)
    response = client.post(
        reverse("schedule-entry-replan", args=[entry.pk]),
        {"date": "2026-12-01", "shift": "SWING", "work_center": "LASER-01", "planned_quantity": "80", "reason": "x"},
    )
    assert response.status_code == 403
    assert ScheduleEntry.objects.get().shift.code == "DAY"


def test_downtime_from_the_schedule_page_comes_back_to_it(client, make_user, plant):
    slot = slot_for(plant["shifts"]["DAY"], dt.date(2026, 12, 1))
    plan(plant, slot=slot)
    login(client, make_user, "coordinator")
    page = f"{PAGE}?date=2026-12-01&shift=DAY"
    started = client.post("/downtime/start/", {"work_center": "LASER-01", "reason": "BREAKDOWN", "note": "", "next": page})
    assert started.status_code == 302 and started["Location"] == page
    html = client.get(page).content.decode()
    assert "DOWN" in html and "Running again" in html
    # A second start overlaps: refused, said plainly on the page it came from.
    again = client.post("/downtime/start/", {"work_center": "LASER-01", "reason": "QUALITY", "next": page}, follow=True)
    assert "LASER-01 not marked down" in again.content.decode()
    assert DowntimeEvent.objects.count() == 1
    event = DowntimeEvent.objects.get()
    stopped = client.post(reverse("downtime-stop", args=[event.pk]), {"note": "", "next": page})
    assert stopped.status_code == 302 and stopped["Location"] == page
    event.refresh_from_db()
    assert event.ended_at is not None
    # Somewhere else is not followed.
    elsewhere = client.post(
        "/downtime/start/", {"work_center": "LASER-01", "reason": "BREAKDOWN", "next": "https://evil.example/"}
    )
    assert elsewhere["Location"].startswith("/downtime/")
