"""The schedule page's read side: one shift's plan against what was made, per work center.

**Behind plan** (docs/DESIGN.md, "The schedule page"): the shift's elapsed fraction is
``f = (now − start) / (end − start)`` between the shift's real start and end instants (0 before
it starts, 1 once it has ended; a DST night counts its real 7 or 9 hours). The **pro-rated plan**
of an entry is ``planned × f``. An entry is behind when its good so far is less than its
pro-rated plan rounded down to whole units (so the first minutes of a shift, when the
pro-rated plan is under one unit, never read "behind"); once the shift has ended, when its good
is less than its plan. A work center is behind when the sum over its entries of
``min(good, planned)`` is less than the sum of their pro-rated plans, rounded down the same way:
over-production on one order does not hide a miss on another (as capped attainment).

"Good so far" is the good quantity of the production reports of the entry's work order at its
work center in that shift on that date (reversals included), the slot attainment counts.
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from plant.models import Shift
from plant.selectors import work_centers_with_downtime
from plant.shift_calendar import shift_slot_at, shift_window
from prodcoord.core.plant_time import plant_today
from workorders.models import ProductionReport

from .models import ScheduleEntry

ZERO = Decimal("0")


@dataclass(frozen=True)
class Slot:
    """A shift on a shift date, with its real start and end instants (UTC)."""

    date: dt.date
    shift: Shift
    start: dt.datetime
    end: dt.datetime

    def fraction(self, now):
        """How much of the shift has passed at ``now``: 0 before it starts, 1 once it has ended."""
        if now <= self.start:
            return 0.0
        if now >= self.end:
            return 1.0
        return (now - self.start) / (self.end - self.start)

    def state(self, now):
        if now < self.start:
            return "upcoming"
        return "ended" if now >= self.end else "running"


def slot_for(shift, date):
    start, end = shift_window(shift, date)
    return Slot(date=date, shift=shift, start=start, end=end)


def active_shifts():
    return list(Shift.objects.filter(is_active=True).order_by("start_time", "code"))


def current_slot(*, now, shifts):
    """The shift running at ``now`` (the one that most recently started), or None with no shifts."""
    if not shifts:
        return None
    found = shift_slot_at(now, shifts=shifts)
    return slot_for(found.shift, found.date) if found is not None else slot_for(shifts[0], plant_today())


def neighbours(slot, shifts):
    """The (previous, next) slots: the shifts of a date in the order they start, the first of
    the next date after the last (a night shift belongs to the date it starts)."""
    ordered = [shift.pk for shift in shifts]
    if slot.shift.pk not in ordered:  # an inactive shift, opened by its link: step by date
        return slot_for(slot.shift, slot.date - dt.timedelta(days=1)), slot_for(slot.shift, slot.date + dt.timedelta(days=1))
    index = ordered.index(slot.shift.pk)
    if index > 0:
        previous = slot_for(shifts[index - 1], slot.date)
    else:
        previous = slot_for(shifts[-1], slot.date - dt.timedelta(days=1))
    if index < len(shifts) - 1:
        following = slot_for(shifts[index + 1], slot.date)
    else:
        following = slot_for(shifts[0], slot.date + dt.timedelta(days=1))
    return previous, following


def _whole(value):
    """The pro-rated plan in whole units, rounded down."""
    return Decimal(math.floor(value))


@dataclass
class EntryRow:
    entry: ScheduleEntry
    good: Decimal
    expected: Decimal  # the pro-rated plan, unrounded
    behind: bool

    @property
    def short(self):
        """Units short of the pro-rated plan (whole units, rounded down), 0 when not behind."""
        return max(ZERO, _whole(self.expected) - self.good) if self.behind else ZERO

    @property
    def percent(self):
        planned = self.entry.planned_quantity
        return int(min(self.good, planned) * 100 / planned) if planned > 0 else 0


@dataclass
class WorkCenterRow:
    work_center: object
    open_downtime: object = None
    entries: list = field(default_factory=list)
    planned: Decimal = ZERO
    good: Decimal = ZERO
    capped_good: Decimal = ZERO
    expected: Decimal = ZERO
    behind: bool = False

    @property
    def short(self):
        return max(ZERO, _whole(self.expected) - self.capped_good) if self.behind else ZERO

    @property
    def behind_count(self):
        return sum(1 for row in self.entries if row.behind)


def shift_plan(*, slot, now, department=None):
    """The work centers (of ``department``, or all) that have entries in ``slot`` or are down now,
    by department and code, each with its entries (in sequence) and their figures; four queries."""
    entries = list(
        ScheduleEntry.objects.filter(date=slot.date, shift=slot.shift)
        .select_related("work_center__department", "work_order__item")
        .order_by("work_center__department__code", "work_center__code", "sequence", "work_order__number")
    )
    if department is not None:
        entries = [entry for entry in entries if entry.work_center.department_id == department.pk]
    good = defaultdict(lambda: ZERO)
    if entries:
        reports = (
            ProductionReport.objects.filter(
                shift_date=slot.date,
                shift=slot.shift,
                work_center_id__in={entry.work_center_id for entry in entries},
                work_order_id__in={entry.work_order_id for entry in entries},
            )
            .values("work_order_id", "work_center_id")
            .annotate(good=Sum("quantity_good"))
            .order_by()
        )
        for row in reports:
            good[(row["work_order_id"], row["work_center_id"])] = row["good"] or ZERO
    fraction = Decimal(str(slot.fraction(now)))
    ended = now >= slot.end
    rows = {}
    for work_center in work_centers_with_downtime(department=department):
        if work_center.open_downtime is not None:
            rows[work_center.pk] = WorkCenterRow(work_center=work_center, open_downtime=work_center.open_downtime)
    down = {pk: row.open_downtime for pk, row in rows.items()}
    for entry in entries:
        row = rows.get(entry.work_center_id)
        if row is None:
            row = WorkCenterRow(work_center=entry.work_center, open_downtime=down.get(entry.work_center_id))
            rows[entry.work_center_id] = row
        made = good[(entry.work_order_id, entry.work_center_id)]
        expected = entry.planned_quantity * fraction
        behind = made < entry.planned_quantity if ended else made < _whole(expected)
        row.entries.append(EntryRow(entry=entry, good=made, expected=expected, behind=behind))
        row.planned += entry.planned_quantity
        row.good += made
        row.capped_good += max(ZERO, min(made, entry.planned_quantity))
        row.expected += expected
    for row in rows.values():
        if row.entries:
            row.behind = row.capped_good < row.planned if ended else row.capped_good < _whole(row.expected)
    return sorted(rows.values(), key=lambda row: (row.work_center.department.code, row.work_center.code))
