"""Reporting good and scrap quantities on operations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from plant.models import Shift
from prodcoord.core.exceptions import TransitionError
from prodcoord.events.models import Event
from tests.factories import ShiftFactory, make_work_order, scrap_reason
from workorders import services
from workorders.models import ProductionReport

pytestmark = pytest.mark.django_db
# Released long before any report these tests date: a report cannot precede the release.
LONG_AGO = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
UTC = dt.UTC


@pytest.fixture(autouse=True)
def chicago(settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"


def report(wo, op=10, good=0, scrap=0, actor=None, **kwargs):
    """A report; one with scrap names the scrap reason BURR unless the test says otherwise."""
    if scrap and "scrap_reason" not in kwargs:
        kwargs["scrap_reason"] = scrap_reason()
    return services.operation_report_progress(
        work_order=wo, actor=actor, operation=op, quantity_good=good, quantity_scrap=scrap, **kwargs
    )


def _state(wo):
    wo.refresh_from_db()
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


# --- validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("good", "scrap", "field"),
    [
        (Decimal("-1"), 0, "quantity_good"),
        (0, Decimal("-0.5"), "quantity_scrap"),
        (0, 0, "quantity_good"),
        (None, None, "quantity_good"),
    ],
)
def test_bad_quantities_are_field_errors_and_write_nothing(shifts, good, scrap, field):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        report(wo, good=good, scrap=scrap)
    assert field in exc.value.message_dict
    assert _state(wo) == before


def test_future_report_is_refused(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        report(wo, good=1, reported_at=timezone.now() + dt.timedelta(hours=1))
    assert "reported_at" in exc.value.message_dict
    assert _state(wo) == before


def test_small_clock_skew_is_tolerated(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    r = report(wo, good=1, reported_at=timezone.now() + dt.timedelta(minutes=2))
    assert r.pk


@pytest.mark.parametrize("op", [15, 99, "abc", None])
def test_unknown_operation_is_a_field_error_on_operation(shifts, op):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        report(wo, op=op, good=1)
    message = exc.value.message_dict["operation"][0]
    assert "10, 20" in message
    assert wo.number in message
    assert _state(wo) == before


def test_operation_may_be_given_as_text(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    r = report(wo, op="10", good=2)
    assert r.operation.sequence == 10
    assert wo.operations.get(sequence=10).quantity_good == 2


# --- state rules -----------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "completed", "closed", "cancelled"])
def test_progress_refused_unless_released_or_in_progress(shifts, status):
    wo = make_work_order(moved_at=LONG_AGO, status=status)
    before = _state(wo)
    with pytest.raises(TransitionError) as exc:
        report(wo, good=1)
    assert "Cannot report progress" in str(exc.value)
    assert wo.get_status_display().lower() in str(exc.value)
    assert _state(wo) == before


def test_first_report_starts_a_released_order(shifts, make_user):
    actor = make_user("operator")
    wo = make_work_order(moved_at=LONG_AGO, status="released")
    at = timezone.now() - dt.timedelta(minutes=10)
    report(wo, good=3, actor=actor, reported_at=at)
    wo.refresh_from_db()
    assert wo.status == "in_progress"
    assert wo.started_at == at
    started = Event.objects.get(verb="work_order.started", work_order=wo)
    assert started.actor == actor
    assert started.changes == {"status": ["released", "in_progress"]}
    assert started.reason == "First progress reported."


def test_failed_first_report_does_not_start_the_order(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="released", quantity=Decimal("5"))
    before = _state(wo)
    with pytest.raises(ValidationError):
        report(wo, good=6)
    assert _state(wo) == before
    assert not Event.objects.filter(verb="work_order.started").exists()


# --- flow rule ------------------------------------------------------------------


def test_first_operation_cannot_exceed_order_quantity(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    report(wo, op=10, good=8)
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        report(wo, op=10, good=3)
    assert "more than the order quantity" in exc.value.message_dict["quantity_good"][0]
    assert _state(wo) == before
    report(wo, op=10, good=2)  # exactly the order quantity is fine
    assert wo.operations.get(sequence=10).quantity_good == 10


def test_later_operation_cannot_process_more_than_previous_passed_on(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        report(wo, op=20, good=1)
    assert "passed on only" in exc.value.message_dict["quantity_good"][0]

    report(wo, op=10, good=6, scrap=1)
    report(wo, op=20, good=4, scrap=1)
    before = _state(wo)
    # 5 already processed at op 20; op 10 passed on 6 good: 2 more would make 7 — the scrap is one too many.
    with pytest.raises(ValidationError) as exc:
        report(wo, op=20, good=1, scrap=1)
    assert exc.value.message_dict == {
        "quantity_scrap": [
            "Operation 20 has nothing left to scrap besides the 1 good: operation 10 has passed on 6 good and "
            "operation 20 has already processed 5. It cannot scrap more than it was passed."
        ]
    }
    assert _state(wo) == before
    report(wo, op=20, scrap=1)  # exactly 6 processed
    op20 = wo.operations.get(sequence=20)
    assert (op20.quantity_good, op20.quantity_scrap) == (4, 2)


# --- what changes -----------------------------------------------------------------


def test_progress_updates_operations_order_totals_and_report(shifts, make_user):
    actor = make_user("operator")
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    version = wo.version

    r1 = report(wo, op=10, good=Decimal("7"), scrap=Decimal("1"), actor=actor, note="  first batch ")
    wo.refresh_from_db()
    op10, op20 = wo.operations.order_by("sequence")
    assert (op10.quantity_good, op10.quantity_scrap, op10.status) == (7, 1, "in_progress")
    assert op20.status == "pending"
    assert wo.quantity_completed == 0  # nothing through the last operation yet
    assert wo.quantity_scrapped == 1
    assert wo.version == version + 1
    assert r1.reported_by == actor
    assert r1.note == "first batch"
    assert r1.work_center_id == op10.work_center_id
    assert r1.work_order_id == wo.pk

    report(wo, op=10, good=3)
    report(wo, op=20, good=Decimal("9"), scrap=Decimal("1"))
    wo.refresh_from_db()
    op10, op20 = wo.operations.order_by("sequence")
    assert op10.status == "done"
    assert op20.status == "in_progress"
    assert wo.quantity_completed == 9
    assert wo.quantity_scrapped == 2
    assert ProductionReport.objects.filter(work_order=wo).count() == 3


def test_progress_event_records_old_and_new(shifts, make_user):
    actor = make_user("operator")
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress", quantity=Decimal("10"))
    report(wo, op=10, good=5)
    report(wo, op=20, good=4, scrap=1, actor=actor, note="bent pin")
    event = Event.objects.filter(verb="work_order.progress_reported").order_by("id").last()
    assert event.actor == actor
    assert event.work_order_id == wo.pk
    assert event.reason == "bent pin"
    assert event.changes.pop("scrap reason") == [None, "BURR · Burr on edge"]
    changes = {k: [Decimal(v) for v in pair] for k, pair in event.changes.items()}
    assert changes == {
        "operation 20 good": [0, 4],
        "operation 20 scrap": [0, 1],
        "quantity_completed": [0, 4],
    }


def test_a_report_is_an_addition_an_older_version_does_not_refuse_it(shifts):
    """Only a version the order never had is refused; an older one is not (the report adds to the
    order and is checked against it as it stands)."""
    from prodcoord.core.exceptions import StaleVersionError

    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    before = _state(wo)
    with pytest.raises(StaleVersionError):
        report(wo, good=1, version=wo.version + 1)
    assert _state(wo) == before
    report(wo, good=1, version=wo.version - 1)
    assert _state(wo) != before


# --- shift attribution through the service ---------------------------------------------


@pytest.mark.parametrize(
    ("instant", "shift", "date"),
    [
        (dt.datetime(2026, 6, 15, 6, 30, tzinfo=UTC), "NIGHT", dt.date(2026, 6, 14)),  # 01:30 CDT
        (dt.datetime(2026, 6, 15, 10, 59, tzinfo=UTC), "NIGHT", dt.date(2026, 6, 14)),  # 05:59
        (dt.datetime(2026, 6, 15, 11, 0, tzinfo=UTC), "DAY", dt.date(2026, 6, 15)),  # 06:00 exactly
        (dt.datetime(2026, 6, 16, 2, 59, tzinfo=UTC), "SWING", dt.date(2026, 6, 15)),  # 21:59
        (dt.datetime(2026, 6, 16, 3, 0, tzinfo=UTC), "NIGHT", dt.date(2026, 6, 15)),  # 22:00
        (dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC), "NIGHT", dt.date(2026, 10, 31)),  # 01:30 CDT, fold 0
        (dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC), "NIGHT", dt.date(2026, 10, 31)),  # 01:30 CST, fold 1
        (dt.datetime(2026, 11, 1, 11, 59, tzinfo=UTC), "NIGHT", dt.date(2026, 10, 31)),  # 05:59 CST
        (dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC), "DAY", dt.date(2026, 11, 1)),  # 06:00 CST
        (dt.datetime(2026, 3, 8, 8, 30, tzinfo=UTC), "NIGHT", dt.date(2026, 3, 7)),  # 03:30 CDT
        (dt.datetime(2026, 3, 8, 11, 0, tzinfo=UTC), "DAY", dt.date(2026, 3, 8)),  # 06:00 CDT
    ],
)
def test_report_is_attributed_to_plant_shift_and_shift_date(shifts, instant, shift, date):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    r = report(wo, good=1, reported_at=instant)
    r.refresh_from_db()
    assert (r.shift.code, r.shift_date) == (shift, date)
    assert r.reported_at == instant


def test_both_fall_back_reports_count_once_each_on_the_night_shift(shifts):
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    report(wo, good=1, reported_at=dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC))
    report(wo, good=2, reported_at=dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC))
    night = Shift.objects.get(code="NIGHT")
    rows = ProductionReport.objects.filter(shift=night, shift_date=dt.date(2026, 10, 31))
    assert sorted(r.quantity_good for r in rows) == [1, 2]


def test_report_in_gap_between_shifts_goes_to_earlier_shift():
    ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(14))
    ShiftFactory(code="SWING", start_time=dt.time(15), end_time=dt.time(23))
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    r = report(wo, good=1, reported_at=dt.datetime(2026, 6, 15, 19, 30, tzinfo=UTC))  # 14:30 CDT
    assert (r.shift.code, r.shift_date) == ("DAY", dt.date(2026, 6, 15))


def test_berlin_plant(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    ShiftFactory(code="NIGHT", start_time=dt.time(22), end_time=dt.time(6))
    ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(22))
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    # 2026-10-25 01:30 UTC is 02:30 CET, the second 02:30 of the Berlin fall-back night.
    r = report(wo, good=1, reported_at=dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert (r.shift.code, r.shift_date) == ("NIGHT", dt.date(2026, 10, 24))


def test_no_shifts_configured_is_a_field_error_and_nothing_written():
    wo = make_work_order(moved_at=LONG_AGO, status="released")
    before = _state(wo)
    with pytest.raises(ValidationError) as exc:
        report(wo, good=1)
    assert "shift" in exc.value.message_dict
    assert _state(wo) == before


def test_naive_reported_at_is_read_on_the_plant_clock(shifts, settings):
    import datetime as dt

    from workorders.services import operation_report_progress

    settings.PLANT_TIME_ZONE = "America/Chicago"
    wo = make_work_order(moved_at=LONG_AGO, status="in_progress")
    # 2026-11-10 01:30 on the plant clock: the night shift of the 9th.
    report = operation_report_progress(
        work_order=wo, actor=None, operation=10, quantity_good=1, reported_at=dt.datetime(2026, 11, 10, 1, 30)
    )
    assert report.shift.code == "NIGHT"
    assert report.shift_date == dt.date(2026, 11, 9)
    assert report.reported_at == dt.datetime(2026, 11, 10, 7, 30, tzinfo=dt.UTC)
