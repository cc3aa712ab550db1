"""Shift attribution on the plant's wall clock: midnight, DST, boundaries and gaps."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from plant.shift_calendar import shift_slot_at, shift_window
from tests.factories import ShiftFactory

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = dt.UTC


@pytest.fixture(autouse=True)
def chicago(settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"


def local(y, m, d, h, minute=0, tz=CHICAGO, fold=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=tz, fold=fold)


def slot(instant, shifts):
    s = shift_slot_at(instant, shifts=shifts)
    return s.shift.code, s.date


# An ordinary day: 2026-06-15 (CDT).
@pytest.mark.parametrize(
    ("hour", "minute", "expected"),
    [
        (0, 0, ("NIGHT", dt.date(2026, 6, 14))),
        (1, 30, ("NIGHT", dt.date(2026, 6, 14))),
        (5, 59, ("NIGHT", dt.date(2026, 6, 14))),
        (6, 0, ("DAY", dt.date(2026, 6, 15))),
        (13, 59, ("DAY", dt.date(2026, 6, 15))),
        (14, 0, ("SWING", dt.date(2026, 6, 15))),
        (21, 59, ("SWING", dt.date(2026, 6, 15))),
        (22, 0, ("NIGHT", dt.date(2026, 6, 15))),
        (23, 59, ("NIGHT", dt.date(2026, 6, 15))),
    ],
)
def test_ordinary_day_attribution(shifts, hour, minute, expected):
    assert slot(local(2026, 6, 15, hour, minute), shifts) == expected


def test_instant_given_in_utc_is_read_on_plant_clock(shifts):
    # 06:30 UTC on 2026-06-15 is 01:30 CDT: night shift of the 14th.
    assert slot(dt.datetime(2026, 6, 15, 6, 30, tzinfo=UTC), shifts) == ("NIGHT", dt.date(2026, 6, 14))
    # 11:00 UTC is 06:00 CDT exactly: the day shift starts.
    assert slot(dt.datetime(2026, 6, 15, 11, 0, tzinfo=UTC), shifts) == ("DAY", dt.date(2026, 6, 15))
    # 10:59:59 UTC is still night.
    assert slot(dt.datetime(2026, 6, 15, 10, 59, 59, tzinfo=UTC), shifts) == ("NIGHT", dt.date(2026, 6, 14))


def test_slot_window_is_reported(shifts):
    s = shift_slot_at(local(2026, 6, 15, 1, 30), shifts=shifts)
    assert s.start == local(2026, 6, 14, 22)
    assert s.end == local(2026, 6, 15, 6)
    assert s.end - s.start == dt.timedelta(hours=8)


# --- fall back: 2026-11-01, 02:00 CDT → 01:00 CST ------------------------------------


def test_fall_back_both_0130s_go_to_night_of_previous_day(shifts):
    first = dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 CDT (fold 0)
    second = dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC)  # 01:30 CST (fold 1)
    assert first.astimezone(CHICAGO).replace(tzinfo=None) == second.astimezone(CHICAGO).replace(tzinfo=None)
    assert slot(first, shifts) == ("NIGHT", dt.date(2026, 10, 31))
    assert slot(second, shifts) == ("NIGHT", dt.date(2026, 10, 31))


def test_fall_back_with_wall_clock_instants_and_fold(shifts):
    assert slot(local(2026, 11, 1, 1, 30, fold=0), shifts) == ("NIGHT", dt.date(2026, 10, 31))
    assert slot(local(2026, 11, 1, 1, 30, fold=1), shifts) == ("NIGHT", dt.date(2026, 10, 31))
    assert slot(local(2026, 11, 1, 5, 59), shifts) == ("NIGHT", dt.date(2026, 10, 31))
    assert slot(local(2026, 11, 1, 6, 0), shifts) == ("DAY", dt.date(2026, 11, 1))


def test_fall_back_night_shift_lasts_nine_real_hours(shifts):
    night = next(s for s in shifts if s.code == "NIGHT")
    start, end = shift_window(night, dt.date(2026, 10, 31))
    assert start == dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # 22:00 CDT
    assert end == dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 06:00 CST
    assert end - start == dt.timedelta(hours=9)
    s = shift_slot_at(dt.datetime(2026, 11, 1, 7, 30, tzinfo=UTC), shifts=shifts)
    assert s.end - s.start == dt.timedelta(hours=9)
    # the other shifts that day are 8 hours
    day = next(s for s in shifts if s.code == "DAY")
    start, end = shift_window(day, dt.date(2026, 11, 1))
    assert end - start == dt.timedelta(hours=8)


def test_fall_back_every_minute_of_the_night_lands_on_the_night_shift(shifts):
    start = dt.datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
    minutes = [start + dt.timedelta(minutes=m) for m in range(0, 9 * 60)]
    assert {slot(m, shifts) for m in minutes} == {("NIGHT", dt.date(2026, 10, 31))}
    assert slot(start + dt.timedelta(hours=9), shifts) == ("DAY", dt.date(2026, 11, 1))


# --- spring forward: 2026-03-08, 02:00 CST → 03:00 CDT -------------------------------


def test_spring_forward_night_shift_lasts_seven_real_hours(shifts):
    night = next(s for s in shifts if s.code == "NIGHT")
    start, end = shift_window(night, dt.date(2026, 3, 7))
    assert start == dt.datetime(2026, 3, 8, 4, 0, tzinfo=UTC)  # 22:00 CST
    assert end == dt.datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # 06:00 CDT
    assert end - start == dt.timedelta(hours=7)


def test_spring_forward_attribution(shifts):
    assert slot(dt.datetime(2026, 3, 8, 7, 59, tzinfo=UTC), shifts) == ("NIGHT", dt.date(2026, 3, 7))  # 01:59 CST
    assert slot(dt.datetime(2026, 3, 8, 8, 0, tzinfo=UTC), shifts) == ("NIGHT", dt.date(2026, 3, 7))  # 03:00 CDT
    assert slot(dt.datetime(2026, 3, 8, 10, 59, tzinfo=UTC), shifts) == ("NIGHT", dt.date(2026, 3, 7))  # 05:59 CDT
    assert slot(dt.datetime(2026, 3, 8, 11, 0, tzinfo=UTC), shifts) == ("DAY", dt.date(2026, 3, 8))  # 06:00 CDT


def test_berlin_fall_back(settings):
    settings.PLANT_TIME_ZONE = "Europe/Berlin"
    shifts = [
        ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(14)),
        ShiftFactory(code="SWING", start_time=dt.time(14), end_time=dt.time(22)),
        ShiftFactory(code="NIGHT", start_time=dt.time(22), end_time=dt.time(6)),
    ]
    # Berlin falls back on 2026-10-25 at 03:00 CEST → 02:00 CET.
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert slot(first, shifts) == ("NIGHT", dt.date(2026, 10, 24))
    assert slot(second, shifts) == ("NIGHT", dt.date(2026, 10, 24))
    s = shift_slot_at(second, shifts=shifts)
    assert s.end - s.start == dt.timedelta(hours=9)
    # The same UTC instant seen from Chicago would be a different shift date and shift.
    settings.PLANT_TIME_ZONE = "America/Chicago"
    assert slot(second, shifts) == ("SWING", dt.date(2026, 10, 24))


# --- gaps, overlaps, configuration ---------------------------------------------------


def test_gap_between_shifts_goes_to_the_shift_that_last_started():
    shifts = [
        ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(14)),
        ShiftFactory(code="SWING", start_time=dt.time(15), end_time=dt.time(23)),
    ]
    assert slot(local(2026, 6, 15, 14, 30), shifts) == ("DAY", dt.date(2026, 6, 15))
    assert slot(local(2026, 6, 15, 15, 0), shifts) == ("SWING", dt.date(2026, 6, 15))
    assert slot(local(2026, 6, 15, 23, 30), shifts) == ("SWING", dt.date(2026, 6, 15))
    assert slot(local(2026, 6, 16, 3, 0), shifts) == ("SWING", dt.date(2026, 6, 15))


def test_no_shifts_configured_is_a_field_error():
    with pytest.raises(ValidationError) as exc:
        shift_slot_at(local(2026, 6, 15, 8))
    assert "shift" in exc.value.message_dict


def test_inactive_shifts_are_ignored():
    ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(14))
    ShiftFactory(code="SWING", start_time=dt.time(14), end_time=dt.time(22), is_active=False)
    s = shift_slot_at(local(2026, 6, 15, 15))
    assert s.shift.code == "DAY"


def test_only_inactive_shifts_is_a_field_error():
    ShiftFactory(code="DAY", start_time=dt.time(6), end_time=dt.time(14), is_active=False)
    with pytest.raises(ValidationError):
        shift_slot_at(local(2026, 6, 15, 8))


def test_loads_active_shifts_from_database_when_none_given(shifts):
    assert shift_slot_at(local(2026, 6, 15, 1, 30)).shift.code == "NIGHT"


def test_boundary_inside_the_repeated_hour_is_decided_on_real_time():
    """Shifts changing over at 01:30: on the fall-back night the second 01:15 (CST)
    comes after the first 01:30 (CDT), so the new shift has already started."""
    shifts = [
        ShiftFactory(code="A", start_time=dt.time(1, 30), end_time=dt.time(13, 30)),
        ShiftFactory(code="B", start_time=dt.time(13, 30), end_time=dt.time(1, 30)),
    ]
    assert slot(local(2026, 11, 1, 1, 15, fold=0), shifts) == ("B", dt.date(2026, 10, 31))
    assert slot(local(2026, 11, 1, 1, 15, fold=1), shifts) == ("A", dt.date(2026, 11, 1))
    assert slot(dt.datetime(2026, 11, 1, 7, 15, tzinfo=UTC), shifts) == ("A", dt.date(2026, 11, 1))
