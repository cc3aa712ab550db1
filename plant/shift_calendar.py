"""Which shift, and which shift date, an instant belongs to.

Shifts are defined on the plant's wall clock. A shift that crosses midnight
(22:00–06:00) belongs to the date it started: a report at 01:30 on the 15th
belongs to the night shift of the 14th. The rule is "the shift that most
recently started": it covers overlapping shifts and gaps between shifts
alike. All comparisons are between real instants, so on a DST night the
night shift is 7 or 9 hours long and no report is lost or counted twice.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from prodcoord.core.plant_time import plant_datetime, to_plant

from .models import Shift


@dataclass(frozen=True)
class ShiftSlot:
    shift: Shift
    date: dt.date
    start: dt.datetime
    end: dt.datetime


def shift_window(shift, day):
    """The real start and end instants of ``shift`` on shift date ``day``, in UTC.

    UTC, not plant time: Python compares and subtracts two datetimes that share
    a tzinfo on their wall clocks, so on a DST night a plant-time window would
    measure 8 hours instead of 7 or 9 and misorder the repeated hour.
    """
    start = plant_datetime(day, shift.start_time).astimezone(dt.UTC)
    end_day = day + dt.timedelta(days=1) if shift.end_time <= shift.start_time else day
    end = plant_datetime(end_day, shift.end_time).astimezone(dt.UTC)
    return start, end


def shift_slot_at(instant, *, shifts=None):
    """The (shift, shift date) an aware instant belongs to."""
    if shifts is None:
        shifts = list(Shift.objects.filter(is_active=True))
    if not shifts:
        raise ValidationError({"shift": ["No shifts are configured; define the plant's shifts first."]})
    local_day = to_plant(instant).date()
    best = None
    for shift in shifts:
        for day in (local_day - dt.timedelta(days=1), local_day):
            start, end = shift_window(shift, day)
            if start <= instant and (best is None or start > best.start):
                best = ShiftSlot(shift=shift, date=day, start=start, end=end)
    return best
