"""The plant's master data services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from plant import services as plant_services
from plant.models import Shift
from prodcoord.core.rows import RowsInvalid

pytestmark = pytest.mark.django_db


def test_shift_cannot_end_when_it_starts():
    with pytest.raises(ValidationError) as exc:
        plant_services.shift_create(actor=None, code="X", name="x", start_time=dt.time(6), end_time=dt.time(6))
    assert "end_time" in exc.value.message_dict


# --- shifts may not overlap ---------------------------------------------------------------


def _shift(code, start, end, **extra):
    return plant_services.shift_create(actor=None, code=code, name=code.title(), start_time=start, end_time=end, **extra)


def test_shifts_that_meet_end_to_start_are_fine_across_midnight():
    _shift("DAY", dt.time(6), dt.time(14))
    _shift("SWING", dt.time(14), dt.time(22))
    _shift("NIGHT", dt.time(22), dt.time(6))
    assert Shift.objects.count() == 3


@pytest.mark.parametrize(
    ("start", "end", "overlapped"),
    [
        (dt.time(13), dt.time(15), "DAY"),  # inside the day shift
        (dt.time(5), dt.time(7), "DAY"),  # across the night's end and the day's start: the first one named
        (dt.time(23), dt.time(2), "NIGHT"),  # both cross midnight
        (dt.time(0), dt.time(23, 59), "DAY"),  # around them all
    ],
)
def test_a_shift_that_overlaps_another_is_refused(start, end, overlapped):
    _shift("DAY", dt.time(6), dt.time(14))
    _shift("NIGHT", dt.time(22), dt.time(6))
    with pytest.raises(ValidationError) as exc:
        _shift("EXTRA", start, end)
    [message] = exc.value.message_dict["start_time"]
    assert message.startswith(f"Overlaps shift {overlapped} (")
    assert "shifts may not overlap" in message
    assert not Shift.objects.filter(code="EXTRA").exists()


def test_a_change_that_makes_shifts_overlap_is_refused_and_an_inactive_shift_does_not_count():
    day = _shift("DAY", dt.time(6), dt.time(14))
    swing = _shift("SWING", dt.time(14), dt.time(22))
    with pytest.raises(ValidationError) as exc:
        plant_services.shift_update(actor=None, shift=swing, start_time=dt.time(13))
    assert exc.value.message_dict["start_time"][0].startswith("Overlaps shift DAY (06:00–14:00)")
    swing.refresh_from_db()
    assert swing.start_time == dt.time(14)
    plant_services.shift_update(actor=None, shift=day, is_active=False)
    plant_services.shift_update(actor=None, shift=swing, start_time=dt.time(13))  # the day shift is retired
    with pytest.raises(ValidationError):
        plant_services.shift_update(actor=None, shift=day, is_active=True)  # back on, it would overlap


def test_a_batch_checks_its_rows_against_each_other():
    with pytest.raises(RowsInvalid) as exc:
        plant_services.shifts_create(
            actor=None,
            rows=[
                {"code": "A", "name": "A", "start_time": dt.time(6), "end_time": dt.time(14)},
                {"code": "B", "name": "B", "start_time": dt.time(12), "end_time": dt.time(20)},
            ],
        )
    assert [(e.row, e.field) for e in exc.value.errors] == [(0, "start_time"), (1, "start_time")]
    assert "row 1" in exc.value.errors[0].message and "row 0" in exc.value.errors[1].message
    assert not Shift.objects.exists()


def test_the_api_answers_an_overlap_with_a_field_error(api_as):
    client = api_as("planner")
    day = {"code": "DAY", "name": "Day", "start_time": "06:00", "end_time": "14:00"}
    assert client.post("/api/v1/shifts/", day, format="json").status_code == 201
    response = client.post(
        "/api/v1/shifts/", {"code": "OT", "name": "Overtime", "start_time": "12:00", "end_time": "16:00"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["start_time"][0].startswith("Overlaps shift DAY (06:00–14:00)")
