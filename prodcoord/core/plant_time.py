"""The plant's clock.

Timestamps are stored in UTC. The plant has one configured time zone
(``PLANT_TIME_ZONE``); shift attribution and "today" are decided on the plant's
wall clock. Conversions go through ``zoneinfo`` so a DST change neither loses
nor doubles an hour: every UTC instant maps to exactly one wall-clock time.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def plant_tz():
    return ZoneInfo(settings.PLANT_TIME_ZONE)


def to_plant(value):
    """An aware datetime expressed on the plant's wall clock."""
    return value.astimezone(plant_tz())


def plant_now():
    return to_plant(timezone.now())


def plant_today():
    return plant_now().date()


def plant_datetime(day, time, *, fold=0):
    """The aware instant at wall-clock ``time`` on ``day`` in the plant.

    For a wall-clock time that does not exist (the spring-forward gap) the
    result is normalised through UTC: it is read with the offset in force
    before the gap, so 02:30 on a night the clocks jump from 02:00 to 03:00
    becomes 03:30. For an ambiguous time (fall-back) ``fold`` chooses the
    occurrence.
    """
    naive = dt.datetime.combine(day, time)
    local = naive.replace(tzinfo=plant_tz(), fold=fold)
    return local.astimezone(dt.UTC).astimezone(plant_tz())


# Every instant taken from outside must be representable in UTC and on the plant's clock, with a
# day to spare on each side (the shift calendar looks at the day before and after).
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC) + dt.timedelta(days=2)
LATEST = dt.datetime.max.replace(tzinfo=dt.UTC) - dt.timedelta(days=2)
CALENDAR_MESSAGE = "Give a date and time between 0001-01-03 and 9999-12-29."


def within_calendar(value):
    """``value`` (naive: on the plant's clock) as an aware datetime, if it and its UTC and plant
    wall-clock equivalents are inside the calendar with a day to spare; ``None`` if not."""
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value, plant_tz())
        if not EARLIEST <= value.astimezone(dt.UTC) <= LATEST:
            return None
        value.astimezone(plant_tz())
    except (OverflowError, ValueError):
        return None
    return value
