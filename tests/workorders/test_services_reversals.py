"""Reversing a wrong production report: a report with the opposite quantities that points at the
original, in the original's shift; totals, statuses and events follow; never an edit or a delete."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError, StaleVersionError
from prodcoord.core.rows import RowsInvalid
from prodcoord.events.models import Event
from prodcoord.events.presenters import present
from tests.factories import make_work_order, scrap_reason
from workorders import services
from workorders.models import ProductionReport, WorkOrder

pytestmark = pytest.mark.django_db
UTC = dt.UTC
LONG_AGO = dt.datetime(2024, 1, 1, tzinfo=UTC)
# 2026-06-15 01:30 in Chicago: the night shift of the 14th.
NIGHT_OF_THE_14TH = dt.datetime(2026, 6, 15, 6, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def chicago(settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"


def report(wo, op=10, good=0, scrap=0, **kwargs):
    if scrap and "scrap_reason" not in kwargs:
        kwargs["scrap_reason"] = scrap_reason()
    return services.operation_report_progress(
        work_order=wo, actor=None, operation=op, quantity_good=good, quantity_scrap=scrap, **kwargs
    )


def reverse(original, reason="Keyed in twice.", actor=None, **kwargs):
    return services.production_report_reverse(report=original, actor=actor, reason=reason, **kwargs)


def _state(wo):
    wo = WorkOrder.objects.get(pk=wo.pk)
    ops = [(o.sequence, o.quantity_good, o.quantity_scrap, o.status) for o in wo.operations.order_by("sequence")]
    return (
        wo.status,
        wo.version,
        wo.quantity_completed,
        wo.quantity_scrapped,
        ops,
        ProductionReport.objects.count(),
        Event.objects.count(),
    )


def running(quantity=Decimal("10")):
    return make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=quantity)


# --- what a reversal writes -------------------------------------------------------------------------------


def test_a_reversal_is_the_opposite_report_pointing_at_the_original(shifts, make_user):
    supervisor = make_user("supervisor")
    wo = running()
    burr = scrap_reason()
    original = report(wo, good=4, scrap=1, scrap_reason=burr, reported_at=NIGHT_OF_THE_14TH, note="first box")
    before = timezone.now()
    reversal = reverse(original, reason="  Counted twice at shift change. ", actor=supervisor)
    reversal = ProductionReport.objects.get(pk=reversal.pk)
    assert reversal.reverses == original and original.reversal == reversal
    assert (reversal.quantity_good, reversal.quantity_scrap) == (Decimal("-4"), Decimal("-1"))
    assert reversal.scrap_reason == burr  # scrap counted by reason corrects too
    assert (reversal.operation, reversal.work_order, reversal.work_center) == (
        original.operation,
        original.work_order,
        original.work_center,
    )
    # Attributed to the original's shift and shift date; recorded when and by whom it was made.
    assert (reversal.shift.code, reversal.shift_date) == ("NIGHT", dt.date(2026, 6, 14))
    assert reversal.reported_at >= before and reversal.created_at >= before
    assert reversal.reported_by == supervisor
    assert reversal.note == "Counted twice at shift change."
    original.refresh_from_db()
    assert (original.quantity_good, original.quantity_scrap, original.note) == (4, 1, "first box")  # never edited


def test_totals_follow_a_reversal(shifts):
    wo = running()
    report(wo, op=10, good=6, scrap=1)
    twice = report(wo, op=10, good=3)
    report(wo, op=20, good=5, scrap=1)
    last = report(wo, op=20, good=2)
    reverse(last)
    reverse(twice)
    wo.refresh_from_db()
    op10, op20 = wo.operations.order_by("sequence")
    assert (op10.quantity_good, op10.quantity_scrap) == (6, 1)
    assert (op20.quantity_good, op20.quantity_scrap) == (5, 1)
    assert (wo.quantity_completed, wo.quantity_scrapped) == (5, 2)
    # Every total is the sum of the reports, reversals included.
    sums = ProductionReport.objects.filter(work_order=wo).aggregate(good=Sum("quantity_good"), scrap=Sum("quantity_scrap"))
    assert (sums["good"], sums["scrap"]) == (op10.quantity_good + op20.quantity_good, wo.quantity_scrapped)


def test_reversing_scrap_takes_it_off_the_order(shifts):
    wo = running()
    scrapped = report(wo, good=2, scrap=3)
    reverse(scrapped)
    wo.refresh_from_db()
    assert wo.quantity_scrapped == 0
    assert wo.operations.get(sequence=10).quantity_scrap == 0


def test_the_shift_of_the_original_loses_what_was_reversed(shifts):
    """Attainment reads good per work order, work center, shift and shift date: it corrects."""
    wo = running()
    night = report(wo, good=4, reported_at=NIGHT_OF_THE_14TH)
    report(wo, good=3, reported_at=NIGHT_OF_THE_14TH + dt.timedelta(hours=6))  # the day shift of the 15th
    reverse(night)

    def actual(shift, date):
        rows = ProductionReport.objects.filter(
            work_order=wo, work_center=night.work_center, shift__code=shift, shift_date=date
        ).aggregate(good=Sum("quantity_good"))
        return rows["good"] or 0

    assert actual("NIGHT", dt.date(2026, 6, 14)) == 0
    assert actual("DAY", dt.date(2026, 6, 15)) == 3
    # The reversal was made today, but counts in the night shift of the 14th.
    reversal = night.reversal
    assert reversal.shift_date == dt.date(2026, 6, 14) and timezone.localtime(reversal.reported_at).date() > reversal.shift_date


def test_an_operation_goes_back_from_done(shifts):
    wo = running(quantity=Decimal("5"))
    first = report(wo, good=3)
    second = report(wo, good=2)
    assert wo.operations.get(sequence=10).status == "done"
    reverse(second)
    assert wo.operations.get(sequence=10).status == "in_progress"
    reverse(first)
    assert wo.operations.get(sequence=10).status == "pending"  # nothing left on it
    wo.refresh_from_db()
    assert wo.status == "in_progress"  # the order stays started


def test_the_event_names_the_report_and_the_reason(shifts, make_user):
    coordinator = make_user("coordinator")
    wo = running()
    report(wo, op=10, good=5)
    last = report(wo, op=20, good=4, scrap=1, reported_at=NIGHT_OF_THE_14TH)
    reverse(last, reason="Wrong order number on the tablet.", actor=coordinator)
    event = Event.objects.get(verb="production_report.reversed")
    assert (event.actor, event.work_order_id, event.reason) == (coordinator, wo.pk, "Wrong order number on the tablet.")
    assert event.object_id == str(last.pk)
    assert event.changes == {
        "operation 20 good": ["4.000", "0.000"],
        "operation 20 scrap": ["1.000", "0.000"],
        "operation 20 status": ["In progress", "Pending"],
        "quantity_completed": ["4.000", "0.000"],
        "quantity_scrapped": ["1.000", "0.000"],
    }
    assert [(s.department_id, s.work_center_id) for s in event.scopes.all()] == [
        (last.work_center.department_id, last.work_center_id)
    ]
    [row] = present([event])
    assert row["label"] == "Report reversed"
    assert row["subject"] == f"report {last.pk} · operation 20 · 4 good, 1 scrap · Night Sun Jun 14"
    assert row["reason"] == "Wrong order number on the tablet."


def test_a_reversal_raises_the_version(shifts):
    wo = running()
    original = report(wo, good=2)
    version = WorkOrder.objects.get(pk=wo.pk).version
    reverse(original, version=version)
    assert WorkOrder.objects.get(pk=wo.pk).version == version + 1


# --- what is refused ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_reason_is_required(shifts, reason):
    wo = running()
    original = report(wo, good=2)
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        reverse(original, reason=reason)
    assert exc.value.message_dict == {"reason": ["Say why: a reason is required to reverse a report."]}
    assert _state(wo) == before


def test_a_reason_longer_than_a_note_is_a_field_error(shifts):
    wo = running()
    original = report(wo, good=2)
    with pytest.raises(ValidationError) as exc:
        reverse(original, reason="x" * 501)
    assert exc.value.message_dict == {"reason": ["Use at most 500 characters."]}


def test_a_report_is_reversed_once(shifts):
    wo = running()
    original = report(wo, good=2)
    reversal = reverse(original)
    before = _state(wo)
    with pytest.raises(ConflictError) as exc:
        reverse(original)
    assert exc.value.code == "already_reversed"
    assert str(exc.value) == f"Report {original.pk} has already been reversed (by report {reversal.pk})."
    assert _state(wo) == before


def test_a_reversal_is_not_reversed(shifts):
    wo = running()
    reversal = reverse(report(wo, good=2))
    before = _state(wo)
    with pytest.raises(ConflictError) as exc:
        reverse(reversal)
    assert exc.value.code == "not_reversible"
    assert "a reversal cannot be reversed" in str(exc.value)
    assert _state(wo) == before


def test_good_a_later_operation_processed_cannot_be_taken_back(shifts):
    wo = running()
    first = report(wo, op=10, good=6)
    second = report(wo, op=10, good=4)
    report(wo, op=20, good=7, scrap=1)
    before = _state(wo)
    with pytest.raises(ConflictError) as exc:
        reverse(second)
    assert exc.value.code == "processed_downstream"
    assert str(exc.value) == (
        f"Cannot reverse report {second.pk}: operation 20 has already processed 8 of the 10 good operation 10 passed on, "
        "and taking back 4 would leave only 6. Reverse operation 20's reports first."
    )
    assert _state(wo) == before
    with pytest.raises(ConflictError):
        reverse(first)
    # Taking back what operation 20 has not processed yet is fine once it is less.
    later = ProductionReport.objects.get(operation__sequence=20)
    reverse(later)
    reverse(second)
    assert wo.operations.get(sequence=10).quantity_good == 6


def test_scrap_only_report_at_an_earlier_operation_can_be_reversed(shifts):
    wo = running()
    scrapped = report(wo, op=10, good=5, scrap=2)
    report(wo, op=20, good=5)
    with pytest.raises(ConflictError):
        reverse(scrapped)  # its 5 good went on to operation 20
    scrap_only = report(wo, op=10, scrap=1)
    reverse(scrap_only)  # no good taken back: nothing downstream to check
    assert wo.operations.get(sequence=10).quantity_scrap == 2


def test_a_completed_order_can_have_a_report_reversed_and_its_operations_stay_done(shifts):
    wo = running(quantity=Decimal("5"))
    report(wo, op=10, good=5)
    last = report(wo, op=20, good=5)
    services.work_order_complete(work_order=wo, actor=None)
    reverse(last, reason="The last five were another order's.")
    wo.refresh_from_db()
    assert (wo.status, wo.quantity_completed) == ("completed", 0)
    assert set(wo.operations.values_list("status", flat=True)) == {"done"}


@pytest.mark.parametrize("status", ["closed"])
def test_a_closed_order_refuses_a_reversal(shifts, status):
    wo = running(quantity=Decimal("5"))
    report(wo, op=10, good=5)
    last = report(wo, op=20, good=5)
    services.work_order_complete(work_order=wo, actor=None)
    services.work_order_close(work_order=wo, actor=None)
    before = _state(wo)
    with pytest.raises(ConflictError) as exc:
        reverse(last)
    assert exc.value.code == "not_reversible"
    assert f"Cannot reverse a report of {wo.number}: it is closed." in str(exc.value)
    assert _state(wo) == before


def test_a_held_order_can_have_a_report_reversed(shifts):
    """A hold stops work on the floor; correcting the record of work already done is not work."""
    wo = running()
    original = report(wo, good=3)
    services.hold_place(work_order=wo, actor=None, kind="quality", reason="Count the bin again")
    reverse(original)
    assert wo.operations.get(sequence=10).quantity_good == 0


def test_a_reversal_is_checked_against_the_report_not_the_version(shifts):
    """A reversal adds to the order: an older version does not refuse it, one the order never had does."""
    wo = running()
    original = report(wo, good=3)
    before = _state(wo)
    with pytest.raises(StaleVersionError):
        reverse(original, version=999)
    assert _state(wo) == before
    reverse(original, version=1)
    assert _state(wo) != before


# --- many at once ---------------------------------------------------------------------------------------


def test_a_batch_applies_in_order_and_names_each_refused_row(shifts):
    wo = running()
    a = report(wo, good=2)
    b = report(wo, good=3)
    before = _state(wo)
    with pytest.raises(RowsInvalid) as exc:
        services.production_reports_reverse(
            actor=None,
            rows=[
                {"report": a, "reason": "twice"},
                {"report": a, "reason": "again"},
                {"report": b, "reason": ""},
            ],
        )
    assert [(e.row, e.field) for e in exc.value.errors] == [(1, "report"), (2, "reason")]
    assert "already been reversed (by an earlier row)" in exc.value.errors[0].message
    assert _state(wo) == before  # all or nothing
    reversals = services.production_reports_reverse(
        actor=None, rows=[{"report": a, "reason": "twice"}, {"report": b, "reason": "wrong order"}]
    )
    assert [r.reverses_id for r in reversals] == [a.pk, b.pk]
    assert wo.operations.get(sequence=10).quantity_good == 0
    assert Event.objects.filter(verb="production_report.reversed").count() == 2
