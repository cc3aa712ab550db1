"""The pick list: what to take from where for the work orders scheduled in the next N shifts.

The next N shifts are the plant's active shifts in the order they start, the one running now
first. Each scheduled work order (released or in progress) needs what is still to be staged of
each component (``Requirement.to_stage``); that is picked from usable stock in warehouse locations,
first-expiring lot first, in the order the orders are scheduled, and taken to the line-side location
of the scheduled work center (or the first staging location). Grouped by location; what is not on
hand is listed apart. Read in six queries whatever the size of the schedule.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone

from materials.models import Location, StockBalance
from materials.selectors import active_locations, usable_balance_q
from plant.models import Shift
from plant.shift_calendar import shift_window
from prodcoord.core.plant_time import to_plant

from .models import ScheduleEntry
from .requirements import work_orders_materials
from .shortages import NETTED_STATUSES

ZERO = Decimal("0")
PICK_SHIFTS_MAX = 21


@dataclass
class Slot:
    shift: object
    date: dt.date
    start: dt.datetime
    end: dt.datetime


@dataclass
class PickLine:
    item: object
    quantity: Decimal
    work_order: object
    slot: Slot
    work_center: object
    lot: object = None
    destination: object = None


def next_shifts(count, *, now=None):
    """The next ``count`` shift slots (shift, shift date, start, end), the running one first."""
    now = now or timezone.now()
    shifts = list(Shift.objects.filter(is_active=True))
    if not shifts:
        return []
    today = to_plant(now).date()
    days = count // len(shifts) + 2
    slots = []
    for offset in range(-1, days + 1):
        day = today + dt.timedelta(days=offset)
        for shift in shifts:
            start, end = shift_window(shift, day)
            if end > now:
                slots.append(Slot(shift, day, start, end))
    slots.sort(key=lambda s: (s.start, s.shift.code))
    return slots[:count]


def pick_list(*, shifts, now=None):
    slots = next_shifts(shifts, now=now)
    context = {"slots": slots, "groups": [], "missing": [], "orders": 0}
    if not slots:
        return context
    by_key = {(s.date, s.shift.pk): s for s in slots}
    wanted = Q()
    for slot in slots:
        wanted |= Q(date=slot.date, shift_id=slot.shift.pk)
    entries = list(
        ScheduleEntry.objects.filter(wanted, work_order__status__in=NETTED_STATUSES)
        .select_related("work_order__item", "work_order__bom", "work_center")
        .order_by("date", "shift__start_time", "work_center__code", "sequence", "pk")
    )
    first_entry = {}
    for entry in entries:
        first_entry.setdefault(entry.work_order_id, entry)
    order = sorted(first_entry.values(), key=lambda e: (by_key[(e.date, e.shift_id)].start, e.work_center.code, e.sequence, e.pk))
    materials = work_orders_materials([e.work_order for e in order])
    needs = []
    for entry in order:
        for requirement in materials[entry.work_order_id].requirements:
            if requirement.to_stage > 0:
                needs.append((entry, requirement))
    context["orders"] = len(order)
    if not needs:
        return context
    locations = list(active_locations())
    line_side = {loc.work_center_id: loc for loc in locations if loc.kind == Location.Kind.LINE_SIDE and loc.work_center_id}
    staging = next((loc for loc in locations if loc.kind == Location.Kind.STAGING), None)
    today = to_plant(now or timezone.now()).date()
    balances = defaultdict(list)
    for balance in (
        StockBalance.objects.filter(
            usable_balance_q(today),
            location__kind=Location.Kind.WAREHOUSE,
            quantity__gt=0,
            item_id__in={r.item.pk for _, r in needs},
        )
        .select_related("location", "lot")
        # The lot that expires first is picked first; stock with no expiry date last (on every database).
        .order_by("item_id", F("lot__expires_on").asc(nulls_last=True), "location__code", "lot__code", "pk")
    ):
        balances[balance.item_id].append([balance, balance.quantity])
    groups = defaultdict(list)
    for entry, requirement in needs:
        left = requirement.to_stage
        slot = by_key[(entry.date, entry.shift_id)]
        destination = line_side.get(entry.work_center_id, staging)
        for stock in balances[requirement.item.pk]:
            if left <= 0:
                break
            take = min(left, stock[1])
            if take <= 0:
                continue
            stock[1] -= take
            left -= take
            groups[stock[0].location].append(
                PickLine(requirement.item, take, entry.work_order, slot, entry.work_center, stock[0].lot, destination)
            )
        if left > 0:
            context["missing"].append(
                PickLine(requirement.item, left, entry.work_order, slot, entry.work_center, None, destination)
            )
    context["groups"] = sorted(groups.items(), key=lambda pair: pair[0].code)
    return context
