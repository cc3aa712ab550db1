"""Reads of the coordination app, shaped for their pages, the API and the morning brief.

- ``action_item_list`` / ``action_items_for``: action items with what the pages show of them
  selected along; ``action_items_overdue`` and ``action_items_due_on`` for the brief.
- ``shift_handover_list`` / ``shift_handover_detail`` / ``handovers_unacknowledged``.
- ``handover_figures``: a shift's own figures for one department, compiled from the schedule,
  the production reports, downtime and holds of its window (``plant.shift_calendar``).
- ``pending_handover_for``: the banner's one indexed query.
- ``action_item_source_records``: the hold, downtime event or work order a new item comes from.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone

from planning.models import ScheduleEntry
from plant.models import DowntimeEvent, Shift
from plant.shift_calendar import shift_window
from prodcoord.core.plant_time import plant_today
from prodcoord.core.quantities import fmt_qty
from workorders.models import Hold, ProductionReport, WorkOrder

from .models import ActionItem, HandoverItem, RosterEntry, ShiftHandover

S = ActionItem.Status
UNCLASSIFIED_REASONS = {"OTHER"}


# --- action items -----------------------------------------------------------------------------


def action_item_list():
    """Every action item, with what the pages and the API show of it."""
    return ActionItem.objects.select_related(
        "owner", "department", "work_order", "hold", "downtime_event__work_center", "created_by", "closed_by"
    )


def action_items_for(*, owner=None, status=None, overdue=None, source=None, department=None, today=None):
    """Action items narrowed as the "my actions" page and the API filter them."""
    today = today or plant_today()
    queryset = action_item_list()
    if owner is not None:
        queryset = queryset.filter(owner=owner)
    if status:
        queryset = queryset.filter(status=status)
    if source:
        queryset = queryset.filter(source=source)
    if department is not None:
        queryset = queryset.filter(department=department)
    if overdue is True:
        queryset = queryset.filter(status=S.OPEN, due_date__lt=today)
    elif overdue is False:
        queryset = queryset.exclude(status=S.OPEN, due_date__lt=today)
    return queryset


def action_items_overdue(*, on=None):
    """Open items due before ``on`` (today, plant time): the brief's overdue list."""
    return action_item_list().filter(status=S.OPEN, due_date__lt=on or plant_today()).order_by("due_date", "pk")


def action_items_due_on(day):
    """Open items due on ``day``."""
    return action_item_list().filter(status=S.OPEN, due_date=day).order_by("pk")


def action_items_by_source(*, hold_ids=(), downtime_ids=(), source_references=()):
    """Items made from these holds, downtime events or references (``"brief:2026-12-07:holds"``):
    what became of a line the brief showed."""
    wanted = Q(pk__in=[])
    if hold_ids:
        wanted |= Q(hold_id__in=list(hold_ids))
    if downtime_ids:
        wanted |= Q(downtime_event_id__in=list(downtime_ids))
    if source_references:
        wanted |= Q(source_reference__in=list(source_references))
    return action_item_list().filter(wanted)


def department_open_items(department):
    """The open items a department's handover carries: those of the department, and those of no
    department whose owner is rostered in it."""
    return (
        action_item_list()
        .filter(status=S.OPEN)
        .filter(Q(department=department) | Q(department__isnull=True, owner__roster__department=department))
        .order_by("due_date", "pk")
    )


def action_item_source_records(*, hold_id=None, downtime_event_id=None, work_order_number=""):
    """What a new action item is made from, with what its suggested title and description show of
    it: ``{"hold": …, "downtime_event": …, "work_order": …}``, each only when asked for. One asked
    for that is not there raises its model's ``DoesNotExist``."""
    found = {}
    if hold_id is not None:
        found["hold"] = Hold.objects.select_related("work_order", "work_center__department").get(pk=hold_id)
    if downtime_event_id is not None:
        found["downtime_event"] = DowntimeEvent.objects.select_related("work_center__department", "reason").get(
            pk=downtime_event_id
        )
    if work_order_number:
        found["work_order"] = WorkOrder.objects.select_related("current_work_center__department").get(number=work_order_number)
    return found


def owner_choices():
    """The people an action item can be given to: active users, by username."""
    return get_user_model().objects.filter(is_active=True).order_by("username")


# --- the roster -------------------------------------------------------------------------------


def roster_entry_of(user):
    if user is None or not user.is_authenticated:
        return None
    return RosterEntry.objects.select_related("department", "shift").filter(user=user).first()


def roster_list():
    return RosterEntry.objects.select_related("user", "department", "shift")


# --- shift handovers --------------------------------------------------------------------------


def shift_handover_list():
    return ShiftHandover.objects.select_related(
        "department", "shift", "incoming_shift", "submitted_by", "acknowledged_by"
    ).order_by("-date", "-shift__start_time", "department__code", "pk")


def handover_items(handover):
    return (
        HandoverItem.objects.filter(handover=handover)
        .select_related("action_item__owner", "action_item__work_order", "action_item__hold", "carried_from__handover__shift")
        .order_by("-is_critical", "action_item__due_date", "action_item_id")
    )


def shift_handover_detail():
    """Handovers with their items (for the page and the API)."""
    items = HandoverItem.objects.select_related(
        "action_item__owner", "action_item__work_order", "action_item__hold", "carried_from__handover__shift"
    ).order_by("-is_critical", "action_item__due_date", "action_item_id")
    return shift_handover_list().prefetch_related(Prefetch("items", queryset=items))


def handovers_unacknowledged():
    """Submitted handovers nobody of the incoming shift has acknowledged yet (the brief lists them)."""
    return shift_handover_list().filter(status=ShiftHandover.Status.SUBMITTED)


def pending_handover_for(user):
    """The oldest submitted, unacknowledged handover for the shift and department ``user`` is
    rostered on: one query on the handovers' partial index, joined to the person's roster row."""
    if user is None or not user.is_authenticated:
        return None
    return (
        ShiftHandover.objects.filter(
            status=ShiftHandover.Status.SUBMITTED,
            department__roster_entries__user_id=user.pk,
            incoming_shift__roster_entries__user_id=user.pk,
        )
        .select_related("department", "shift")
        .order_by("date", "shift__start_time", "pk")
        .first()
    )


def first_handed_over(action_item_ids):
    """``{action item id: (date, shift code)}``: the first handover that carried each item."""
    first = {}
    rows = (
        HandoverItem.objects.filter(action_item_id__in=list(action_item_ids))
        .order_by("handover__date", "handover__shift__start_time")
        .values_list("action_item_id", "handover__date", "handover__shift__code")
    )
    for item_id, day, shift_code in rows:
        first.setdefault(item_id, (day, shift_code))
    return first


def previous_handover_lines(handover, action_item_ids):
    """``{action item id: HandoverItem}``: each item's line in the latest handover of the department
    before ``handover`` that carried it."""
    start, _ = shift_window(handover.shift, handover.date)
    lines = {}
    candidates = (
        HandoverItem.objects.filter(action_item_id__in=list(action_item_ids), handover__department_id=handover.department_id)
        .exclude(handover=handover)
        .filter(handover__date__lte=handover.date)
        .select_related("handover__shift")
        .order_by("-handover__date", "-handover__shift__start_time", "-pk")
    )
    for line in candidates:
        if shift_window(line.handover.shift, line.handover.date)[0] >= start:
            continue
        lines.setdefault(line.action_item_id, line)
    return lines


# --- a shift's figures ------------------------------------------------------------------------


def _clip_minutes(start, end, lo, hi):
    start, end = max(start, lo), min(end, hi)
    return max(0, int((end - start).total_seconds() // 60))


def _pct(actual, planned):
    if not planned:
        return None
    return round(float(actual / planned * 100), 1)


def handover_figures(*, department, date, shift, now=None):
    """What one shift of one department did, from its own data: production against the plan per
    work center (schedule entries of that date and shift; production reports attributed to it),
    downtime in its window (clipped to it; unclassified — no reason, or "other" — as a headline),
    holds placed and released in it. Plain JSON: quantities as decimal strings, times ISO 8601."""
    now = now or timezone.now()
    start, end = shift_window(shift, date)
    until = min(end, now)

    plan = defaultdict(Decimal)
    centers = {}
    for wc_id, code, name, planned in (
        ScheduleEntry.objects.filter(date=date, shift=shift, work_center__department=department)
        .values_list("work_center_id", "work_center__code", "work_center__name")
        .annotate(planned=Sum("planned_quantity"))
    ):
        plan[wc_id] += planned
        centers[wc_id] = (code, name)
    good, scrap = defaultdict(Decimal), defaultdict(Decimal)
    for wc_id, code, name, g, s in (
        ProductionReport.objects.filter(shift_date=date, shift=shift, work_center__department=department)
        .values_list("work_center_id", "work_center__code", "work_center__name")
        .annotate(good=Sum("quantity_good"), scrap=Sum("quantity_scrap"))
    ):
        good[wc_id] += g or 0
        scrap[wc_id] += s or 0
        centers[wc_id] = (code, name)
    production = []
    for wc_id, (code, name) in sorted(centers.items(), key=lambda kv: kv[1][0]):
        planned_qty, good_qty = plan.get(wc_id, Decimal(0)), good.get(wc_id, Decimal(0))
        production.append(
            {
                "work_center": code,
                "name": name,
                "planned": fmt_qty(planned_qty),
                "good": fmt_qty(good_qty),
                "scrap": fmt_qty(scrap.get(wc_id, Decimal(0))),
                "attainment_pct": _pct(min(good_qty, planned_qty), planned_qty),
                "behind": bool(planned_qty) and good_qty < planned_qty,
            }
        )
    total_planned, total_good = sum(plan.values(), Decimal(0)), sum(good.values(), Decimal(0))

    by_reason = defaultdict(int)
    names = {}
    total_minutes = unclassified = 0
    events = []
    for event in (
        DowntimeEvent.objects.filter(work_center__department=department, started_at__lt=until)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .select_related("work_center", "reason")
        .order_by("started_at", "pk")
    ):
        minutes = _clip_minutes(event.started_at, event.ended_at or until, start, until)
        code = event.reason.code if event.reason_id is not None else ""
        names[code] = event.reason.name if event.reason_id is not None else "No reason"
        by_reason[code] += minutes
        total_minutes += minutes
        if not code or code.upper() in UNCLASSIFIED_REASONS:
            unclassified += minutes
        events.append(
            {
                "id": event.pk,
                "work_center": event.work_center.code,
                "reason": code,
                "started_at": event.started_at.isoformat(),
                "ended_at": event.ended_at.isoformat() if event.ended_at else None,
                "minutes_in_shift": minutes,
                "note": event.note[:200],
            }
        )
    downtime = {
        "minutes": total_minutes,
        "unclassified_minutes": unclassified,
        "events": events,
        "by_reason": [
            {"reason": code, "name": names[code], "minutes": minutes}
            for code, minutes in sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }

    concerns = Q(work_center__department=department) | Q(
        work_center__isnull=True, work_order__operations__work_center__department=department
    )
    held = Hold.objects.filter(concerns).select_related("work_order")

    def hold_row(hold):
        return {
            "id": hold.pk,
            "work_order": hold.work_order.number,
            "kind": hold.kind,
            "reason": hold.reason[:200],
            "placed_at": hold.placed_at.isoformat(),
            "released_at": hold.released_at.isoformat() if hold.released_at else None,
        }

    opened = list(held.filter(placed_at__gte=start, placed_at__lt=until).distinct().order_by("placed_at", "pk"))
    released = list(held.filter(released_at__gte=start, released_at__lt=until).distinct().order_by("released_at", "pk"))
    still_active = held.filter(released_at__isnull=True).values("pk").distinct().count()

    return {
        "window": {"start": start.isoformat(), "end": end.isoformat(), "compiled_until": until.isoformat()},
        "production": production,
        "totals": {
            "planned": fmt_qty(total_planned),
            "good": fmt_qty(total_good),
            "scrap": fmt_qty(sum(scrap.values(), Decimal(0))),
            "attainment_pct": _pct(sum((min(good.get(k, 0), v) for k, v in plan.items()), Decimal(0)), total_planned),
        },
        "downtime": downtime,
        "holds": {
            "opened": [hold_row(h) for h in opened],
            "released": [hold_row(h) for h in released],
            "active": still_active,
        },
    }


def shift_slots_around(now=None, *, days_back=1):
    """The (date, shift) slots of the last ``days_back`` days up to now, newest first: the handovers a
    coordinator may compose."""
    now = now or timezone.now()
    today = plant_today()
    slots = []
    for shift in Shift.objects.filter(is_active=True):
        for offset in range(-days_back, 1):
            day = today + dt.timedelta(days=offset)
            start, _ = shift_window(shift, day)
            if start <= now:
                slots.append((start, day, shift))
    slots.sort(key=lambda s: s[0], reverse=True)
    return [(day, shift) for _, day, shift in slots]
