"""Schedule attainment: the exact definitions, stored per slot once its shift ended, recomputed
when a late report, a reversal or a schedule change touches it; identical rows when run twice."""

import datetime as dt
from decimal import Decimal

import pytest

from planning import services as planning
from prodcoord.core.plant_time import plant_datetime, plant_today
from reports.models import AttainmentRun, AttainmentSnapshot
from reports.services import attainment_refresh, attainment_snapshots_compute
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services

pytestmark = pytest.mark.django_db

D = plant_today() - dt.timedelta(days=3)


@pytest.fixture
def line(shifts):
    """Two work centers, two released orders routed CUT (10) then WELD (20), released days before D."""
    cut, weld = WorkCenterFactory(code="CUT-01"), WorkCenterFactory(code="WELD-01")
    item = make_routed_item(work_centers=[cut, weld])
    released = plant_datetime(D - dt.timedelta(days=10), dt.time(8))
    first = make_work_order(item=item, status="released", moved_at=released, quantity=Decimal("100"))
    second = make_work_order(item=item, status="released", moved_at=released, quantity=Decimal("100"))
    day, swing, night = shifts
    return {"cut": cut, "weld": weld, "first": first, "second": second, "day": day, "swing": swing, "night": night}


def plan(line, wo, shift, planned, *, date=D, wc="cut"):
    return planning.schedule_entry_upsert(
        actor=None, date=date, shift=line[shift], work_center=line[wc], work_order=line[wo], planned_quantity=Decimal(planned)
    )


def report(line, wo, good, when, *, operation=10):
    return services.operation_report_progress(
        work_order=line[wo], actor=None, operation=operation, quantity_good=Decimal(good), reported_at=when
    )


def snapshot(line, shift="day", wc="cut", date=D):
    return AttainmentSnapshot.objects.get(date=date, shift=line[shift], work_center=line[wc])


def test_over_production_on_one_order_does_not_hide_a_miss_on_another(line):
    plan(line, "first", "day", 10)
    plan(line, "second", "day", 10)
    report(line, "first", 15, plant_datetime(D, dt.time(9)))
    report(line, "second", 5, plant_datetime(D, dt.time(10)))
    attainment_snapshots_compute(dates=[D])
    row = snapshot(line)
    assert (row.planned, row.actual, row.capped_actual, row.entries) == (20, 20, 15, 2)


def test_good_made_outside_the_slot_or_without_a_plan_counts_for_nothing(line):
    plan(line, "first", "day", 10)
    report(line, "first", 4, plant_datetime(D, dt.time(15)))  # the swing shift: no plan there
    report(line, "second", 9, plant_datetime(D, dt.time(9)))  # not on the plan at all
    attainment_snapshots_compute(dates=[D])
    assert (snapshot(line).actual, snapshot(line).capped_actual) == (0, 0)
    assert not AttainmentSnapshot.objects.filter(shift=line["swing"]).exists()


def test_a_report_after_midnight_counts_for_the_night_shift_that_started_the_evening_before(line):
    plan(line, "first", "night", 10)
    report(line, "first", 7, plant_datetime(D + dt.timedelta(days=1), dt.time(1, 30)))
    attainment_snapshots_compute(dates=[D])
    assert snapshot(line, shift="night").actual == 7


def test_a_reversal_takes_its_good_back_in_the_original_slot(line):
    plan(line, "first", "day", 10)
    wrong = report(line, "first", 8, plant_datetime(D, dt.time(9)))
    services.production_report_reverse(report=wrong, actor=None, reason="Keyed on the wrong order.")
    attainment_snapshots_compute(dates=[D])
    assert (snapshot(line).actual, snapshot(line).capped_actual) == (0, 0)


def test_only_ended_shifts_get_a_snapshot(line):
    today = plant_today()
    plan(line, "first", "day", 10, date=today + dt.timedelta(days=1))
    attainment_snapshots_compute(dates=[today + dt.timedelta(days=1)])
    assert not AttainmentSnapshot.objects.exists()


def test_running_twice_leaves_identical_rows(line):
    plan(line, "first", "day", 10)
    report(line, "first", 6, plant_datetime(D, dt.time(9)))
    assert attainment_snapshots_compute(dates=[D]) == (1, 0)
    before = list(AttainmentSnapshot.objects.values())
    assert attainment_snapshots_compute(dates=[D]) == (0, 0)
    assert list(AttainmentSnapshot.objects.values()) == before


def test_an_entry_taken_off_the_plan_takes_its_slot_with_it(line):
    entry = plan(line, "first", "day", 10)
    attainment_snapshots_compute(dates=[D])
    planning.schedule_entry_delete(actor=None, entry=entry, reason="moved to next week")
    attainment_refresh()
    assert not AttainmentSnapshot.objects.exists()


def test_the_periodic_run_picks_up_a_late_report_and_a_plan_change(line):
    plan(line, "first", "day", 10, date=D - dt.timedelta(days=5))
    attainment_refresh()
    assert AttainmentRun.objects.get().last_event_id > 0
    # An old slot: the plan's own event told the run to compute it.
    assert snapshot(line, date=D - dt.timedelta(days=5)).actual == 0
    report(line, "first", 3, plant_datetime(D - dt.timedelta(days=5), dt.time(11)))  # a late report
    attainment_refresh()
    row = snapshot(line, date=D - dt.timedelta(days=5))
    assert (row.planned, row.actual) == (10, 3)
    plan(line, "first", "day", 4, date=D - dt.timedelta(days=5))  # the plan changed
    attainment_refresh()
    row.refresh_from_db()
    assert (row.planned, row.capped_actual) == (4, 3)


def test_the_periodic_run_snapshots_the_shifts_that_ended_lately(line):
    yesterday = plant_today() - dt.timedelta(days=1)
    line_first = line["first"]
    planning.schedule_entry_upsert(
        actor=None, date=yesterday, shift=line["day"], work_center=line["cut"], work_order=line_first, planned_quantity=5
    )
    AttainmentRun.objects.create(pk=1, last_event_id=10**9)  # nothing left to read in the log
    attainment_refresh()
    assert snapshot(line, date=yesterday).planned == 5
