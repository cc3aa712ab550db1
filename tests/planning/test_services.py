"""The schedule: one entry per (date, shift, work center, work order), validated, upserted."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from planning import services as planning_services
from planning.models import ScheduleEntry
from prodcoord.events.models import Event
from tests.factories import ShiftFactory, WorkCenterFactory, make_routed_item, make_work_order

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def setup(shifts):
    wc1, wc2 = WorkCenterFactory(), WorkCenterFactory()
    item = make_routed_item(work_centers=[wc1, wc2])
    wo = make_work_order(item=item, status="released")
    return {"wo": wo, "wc1": wc1, "wc2": wc2, "day": shifts[0], "swing": shifts[1], "item": item}


def upsert(s, actor=None, **kwargs):
    data = {"date": DAY, "shift": s["day"], "work_center": s["wc1"], "work_order": s["wo"], "planned_quantity": Decimal("40")}
    data.update(kwargs)
    return planning_services.schedule_entry_upsert(actor=actor, **data)


def test_entry_is_created_and_recorded(setup, make_user):
    actor = make_user("planner")
    entry = upsert(setup, actor=actor)
    assert (entry.date, entry.shift, entry.work_center, entry.work_order) == (DAY, setup["day"], setup["wc1"], setup["wo"])
    assert entry.planned_quantity == 40
    event = Event.objects.get(verb="schedule.entry_created")
    assert event.actor == actor
    assert event.work_order_id == setup["wo"].pk
    assert event.object_id == str(entry.pk)
    assert event.changes == {"planned_quantity": [None, "40"]}


def test_upsert_updates_the_same_slot_instead_of_duplicating(setup):
    first = upsert(setup)
    second = upsert(setup, planned_quantity=Decimal("55"), sequence=2)
    assert second.pk == first.pk
    assert ScheduleEntry.objects.count() == 1
    first.refresh_from_db()
    assert (first.planned_quantity, first.sequence) == (55, 2)
    changed = Event.objects.get(verb="schedule.entry_changed")
    assert changed.changes == {"planned_quantity": ["40.000", "55"], "sequence": [1, 2]}


def test_upsert_with_same_values_writes_nothing(setup):
    upsert(setup)
    events = Event.objects.count()
    upsert(setup, planned_quantity=Decimal("40.000"))
    assert Event.objects.count() == events


def test_different_shift_or_work_center_is_a_different_entry(setup):
    upsert(setup)
    upsert(setup, shift=setup["swing"])
    upsert(setup, work_center=setup["wc2"])
    upsert(setup, date=DAY + dt.timedelta(days=1))
    assert ScheduleEntry.objects.count() == 4


def test_work_center_without_operation_is_refused(setup):
    other = WorkCenterFactory()
    with pytest.raises(ValidationError) as exc:
        upsert(setup, work_center=other)
    assert f"no operation at {other.code}" in exc.value.message_dict["work_center"][0]
    assert not ScheduleEntry.objects.exists()
    assert not Event.objects.filter(verb__startswith="schedule.").exists()


@pytest.mark.parametrize("status", ["cancelled", "closed"])
def test_finished_work_order_cannot_be_scheduled(shifts, status):
    wc1, wc2 = WorkCenterFactory(), WorkCenterFactory()
    wo = make_work_order(item=make_routed_item(work_centers=[wc1, wc2]), status=status)
    with pytest.raises(ValidationError) as exc:
        planning_services.schedule_entry_upsert(
            actor=None, date=DAY, shift=shifts[0], work_center=wc1, work_order=wo, planned_quantity=10
        )
    assert "cannot be scheduled" in exc.value.message_dict["work_order"][0]
    assert not ScheduleEntry.objects.exists()


@pytest.mark.parametrize("qty", [0, Decimal("-5"), None, "lots"])
def test_planned_quantity_must_be_positive(setup, qty):
    with pytest.raises(ValidationError) as exc:
        upsert(setup, planned_quantity=qty)
    assert "planned_quantity" in exc.value.message_dict
    assert not ScheduleEntry.objects.exists()


def test_inactive_shift_is_refused(setup):
    old = ShiftFactory(code="OLD", start_time=dt.time(7), end_time=dt.time(15), is_active=False)
    with pytest.raises(ValidationError) as exc:
        upsert(setup, shift=old)
    assert "shift" in exc.value.message_dict


def test_delete_records_event(setup, make_user):
    entry = upsert(setup)
    planning_services.schedule_entry_delete(actor=make_user("planner"), entry=entry, reason="moved to line 2")
    assert not ScheduleEntry.objects.exists()
    event = Event.objects.get(verb="schedule.entry_removed")
    assert event.reason == "moved to line 2"
    assert event.work_order_id == setup["wo"].pk
    old, new = event.changes["planned_quantity"]
    assert (Decimal(old), new) == (40, None)


# --- bulk --------------------------------------------------------------------------


def _row(s, **kwargs):
    row = {"date": DAY, "shift": s["day"], "work_center": s["wc1"], "work_order": s["wo"], "planned_quantity": Decimal("10")}
    row.update(kwargs)
    return row


def test_batch_upsert_writes_every_row(setup):
    existing = upsert(setup, planned_quantity=Decimal("5"))
    rows = [
        _row(setup, planned_quantity=Decimal("12")),  # updates the existing slot
        _row(setup, shift=setup["swing"]),
        _row(setup, work_center=setup["wc2"], planned_quantity=Decimal("8")),
    ]
    entries = planning_services.schedule_entries_upsert(actor=None, rows=rows)
    assert len(entries) == 3
    assert entries[0].pk == existing.pk
    assert ScheduleEntry.objects.count() == 3
    existing.refresh_from_db()
    assert existing.planned_quantity == 12


def test_batch_upsert_is_all_or_nothing_with_per_row_errors(setup):
    cancelled = make_work_order(item=setup["item"], status="cancelled")
    stray = WorkCenterFactory()
    existing = upsert(setup, planned_quantity=Decimal("5"))
    events = Event.objects.count()
    rows = [
        _row(setup, planned_quantity=Decimal("99")),  # fine on its own
        _row(setup, shift=setup["swing"], planned_quantity=0),
        _row(setup, work_center=stray),
        _row(setup, work_order=cancelled),
        _row(setup, planned_quantity=Decimal("7")),  # same slot as row 0
    ]
    with pytest.raises(ValidationError) as exc:
        planning_services.schedule_entries_upsert(actor=None, rows=rows)
    messages = exc.value.message_dict["rows"]
    assert any(m.startswith("Row 1, planned_quantity") for m in messages)
    assert any(m.startswith("Row 2, work_center") for m in messages)
    assert any(m.startswith("Row 3, work_order") for m in messages)
    assert any(m.startswith("Row 4, work_order") and "row 0" in m for m in messages)
    assert not any(m.startswith("Row 0") for m in messages)
    # nothing written, the existing entry untouched
    assert ScheduleEntry.objects.count() == 1
    existing.refresh_from_db()
    assert existing.planned_quantity == 5
    assert Event.objects.count() == events


def test_replan_moves_an_entry_with_a_reason_and_scopes_both_work_centers(setup, make_user):
    planner = make_user("planner")
    entry = upsert(setup)
    moved = planning_services.schedule_entry_replan(
        actor=planner,
        entry=entry,
        reason="  Laser down  ",
        date=DAY + dt.timedelta(days=1),
        work_center=setup["wc2"],
        planned_quantity=Decimal("30"),
    )
    assert (moved.date, moved.work_center, moved.planned_quantity) == (DAY + dt.timedelta(days=1), setup["wc2"], 30)
    event = Event.objects.get(verb="schedule.entry_replanned")
    assert event.reason == "Laser down"
    assert event.changes["date"] == ["2026-12-01", "2026-12-02"]
    assert event.changes["work_center"] == [setup["wc1"].code, setup["wc2"].code]
    assert {s.work_center_id for s in event.scopes.all()} == {setup["wc1"].pk, setup["wc2"].pk}


def test_replan_needs_a_reason_and_a_change(setup):
    entry = upsert(setup)
    with pytest.raises(ValidationError) as blank:
        planning_services.schedule_entry_replan(actor=None, entry=entry, reason=" ", shift=setup["swing"])
    assert "reason" in blank.value.message_dict
    with pytest.raises(ValidationError) as same:
        planning_services.schedule_entry_replan(actor=None, entry=entry, reason="x", planned_quantity=Decimal("40"))
    assert "Nothing changes" in same.value.messages[0]
    with pytest.raises(ValidationError) as zero:
        planning_services.schedule_entry_replan(actor=None, entry=entry, reason="x", planned_quantity=Decimal("0"))
    assert "planned_quantity" in zero.value.message_dict
    assert not Event.objects.filter(verb="schedule.entry_replanned").exists()


def test_a_replanned_date_recomputes_both_dates_attainment(setup):
    from reports.services import _touched_dates

    entry = upsert(setup)
    planning_services.schedule_entry_replan(actor=None, entry=entry, reason="moved", date=DAY + dt.timedelta(days=3))
    events = list(Event.objects.filter(verb="schedule.entry_replanned"))
    assert _touched_dates(events) == {DAY, DAY + dt.timedelta(days=3)}


def test_an_upload_that_changes_entries_costs_no_query_per_row(setup, django_assert_max_num_queries):
    rows = [
        {
            "date": DAY + dt.timedelta(days=n),
            "shift": setup["day"],
            "work_center": setup["wc1"],
            "work_order": setup["wo"],
            "planned_quantity": 5,
        }
        for n in range(30)
    ]
    planning_services.schedule_entries_upsert(actor=None, rows=rows)
    for row in rows:
        row["planned_quantity"] = 6
    with django_assert_max_num_queries(12):
        entries = planning_services.schedule_entries_upsert(actor=None, rows=rows)
    assert {entry.outcome for entry in entries} == {planning_services.CHANGED}
