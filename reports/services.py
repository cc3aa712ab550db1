"""Schedule attainment, computed and stored: ``AttainmentSnapshot`` rows per date, shift and
work center, once the shift has ended (definitions: docs/DESIGN.md, "Schedule attainment").

``attainment_snapshots_compute(dates=…)`` recomputes every ended slot of those dates in a
handful of queries (the schedule entries, the good reported per entry, the stored snapshots),
writes only what changed and deletes the snapshot of a slot that has no plan any more: running
it twice leaves identical rows. ``attainment_refresh`` is what the periodic task runs: the
dates of the shifts that ended lately, and the dates that reports, reversals and schedule
changes recorded since the last run touched (read from the event log after a watermark).
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from planning.models import ScheduleEntry
from plant.models import Shift
from plant.shift_calendar import shift_slot_at, shift_window
from prodcoord.core.plant_time import to_plant
from prodcoord.events.models import Event
from workorders.models import ProductionReport

from .models import AttainmentRun, AttainmentSnapshot

ZERO = Decimal("0")
# The verbs that change a slot's plan or actual: the dates they touch are recomputed.
PROGRESS = "work_order.progress_reported"
REVERSAL = "production_report.reversed"
SCHEDULE = ("schedule.entry_created", "schedule.entry_changed", "schedule.entry_removed", "schedule.entry_replanned")
VERBS = (PROGRESS, REVERSAL, *SCHEDULE)
# How far back the periodic run looks for shifts that ended (a missed run is caught up).
ENDED_LOOKBACK = dt.timedelta(hours=36)
# Events are read after the watermark less this many ids: a transaction that committed after
# the last run may hold ids below the highest one that run saw. Re-reading is harmless.
EVENT_OVERLAP = 1000


def slot_figures(entries, good):
    """``{(date, shift_id, work_center_id): (planned, actual, capped_actual, entries)}`` for
    ``entries`` (schedule entries), ``good`` mapping (work_order_id, work_center_id, shift_id,
    date) to the good quantity reported there."""
    figures = defaultdict(lambda: [ZERO, ZERO, ZERO, 0])
    for entry in entries:
        actual = good.get((entry.work_order_id, entry.work_center_id, entry.shift_id, entry.date), ZERO)
        row = figures[(entry.date, entry.shift_id, entry.work_center_id)]
        row[0] += entry.planned_quantity
        row[1] += actual
        row[2] += max(ZERO, min(actual, entry.planned_quantity))
        row[3] += 1
    return {key: tuple(value) for key, value in figures.items()}


@transaction.atomic
def attainment_snapshots_compute(*, dates, now=None):
    """Recompute the snapshots of every ended slot on ``dates``; returns (written, deleted)."""
    dates = sorted(set(dates))
    if not dates:
        return 0, 0
    now = now or timezone.now()
    entries = list(
        ScheduleEntry.objects.filter(date__in=dates).only("date", "shift", "work_center", "work_order", "planned_quantity")
    )
    shifts = {shift.pk: shift for shift in Shift.objects.filter(pk__in={e.shift_id for e in entries})}
    ended = {}

    def has_ended(date, shift_id):
        key = (date, shift_id)
        if key not in ended:
            ended[key] = shift_window(shifts[shift_id], date)[1] <= now
        return ended[key]

    entries = [entry for entry in entries if has_ended(entry.date, entry.shift_id)]
    good = {
        (row["work_order_id"], row["work_center_id"], row["shift_id"], row["shift_date"]): row["good"]
        for row in ProductionReport.objects.filter(
            shift_date__in=dates,
            work_order_id__in={e.work_order_id for e in entries},
        )
        .values("work_order_id", "work_center_id", "shift_id", "shift_date")
        .annotate(good=Sum("quantity_good"))
        .order_by()
    }
    figures = slot_figures(entries, good)
    stored = {
        (s.date, s.shift_id, s.work_center_id): s for s in AttainmentSnapshot.objects.select_for_update().filter(date__in=dates)
    }
    changed = []
    for key, (planned, actual, capped, count) in figures.items():
        snapshot = stored.get(key)
        if snapshot is not None and (snapshot.planned, snapshot.actual, snapshot.capped_actual, snapshot.entries) == (
            planned,
            actual,
            capped,
            count,
        ):
            continue
        date, shift_id, work_center_id = key
        changed.append(
            AttainmentSnapshot(
                date=date,
                shift_id=shift_id,
                work_center_id=work_center_id,
                planned=planned,
                actual=actual,
                capped_actual=capped,
                entries=count,
                computed_at=now,
            )
        )
    if changed:
        AttainmentSnapshot.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["date", "shift", "work_center"],
            update_fields=["planned", "actual", "capped_actual", "entries", "computed_at"],
            batch_size=1000,
        )
    gone = [snapshot.pk for key, snapshot in stored.items() if key not in figures]
    if gone:
        AttainmentSnapshot.objects.filter(pk__in=gone).delete()
    return len(changed), len(gone)


def _touched_dates(events):
    """The shift dates the events changed plan or actual on (one query per kind of subject)."""
    dates = set()
    active = list(Shift.objects.filter(is_active=True)) if any(e.verb == PROGRESS for e in events) else []
    reversed_ids = []
    entry_ids = []
    for event in events:
        if event.verb == PROGRESS:  # the event's time is the report's: its slot is the shift then
            dates.add(to_plant(event.at).date())
            if active:
                dates.add(shift_slot_at(event.at, shifts=active).date)
        elif event.verb == REVERSAL:
            reversed_ids.append(int(event.object_id))
        elif event.verb in SCHEDULE:
            entry_ids.append(int(event.object_id))
            removed_date = (event.changes or {}).get("date")
            if removed_date and removed_date[0]:
                dates.add(dt.date.fromisoformat(str(removed_date[0])[:10]))
    if reversed_ids:
        dates.update(ProductionReport.objects.filter(pk__in=reversed_ids).values_list("shift_date", flat=True))
    if entry_ids:
        dates.update(ScheduleEntry.objects.filter(pk__in=entry_ids).values_list("date", flat=True))
    return dates


@transaction.atomic
def attainment_refresh(*, now=None):
    """The periodic run: snapshots for the shifts that ended lately, and for the dates that
    reports, reversals and schedule changes recorded since the last run touched."""
    now = now or timezone.now()
    run, _ = AttainmentRun.objects.select_for_update().get_or_create(pk=1)
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    events = list(
        Event.objects.filter(pk__gt=run.last_event_id - EVENT_OVERLAP, pk__lte=last, verb__in=VERBS)
        .only("pk", "verb", "at", "object_id", "changes")
        .order_by("pk")
    )
    dates = _touched_dates(events)
    since = min(run.ran_at, now - ENDED_LOOKBACK) if run.ran_at else now - ENDED_LOOKBACK
    day = to_plant(since).date() - dt.timedelta(days=1)
    while day <= to_plant(now).date():
        dates.add(day)
        day += dt.timedelta(days=1)
    written, deleted = attainment_snapshots_compute(dates=dates, now=now)
    run.last_event_id = max(run.last_event_id, last)
    run.ran_at = now
    run.save(update_fields=["last_event_id", "ran_at"])
    return {"dates": len(dates), "written": written, "deleted": deleted}
