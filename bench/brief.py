"""The morning brief's generation on a seeded PostgreSQL plant with a year of schedule.

    .venv/bin/python bench/brief.py                               # scale 100: ~50,000 work orders
    .venv/bin/python bench/brief.py --database brief_bench --reuse --keep

Creates (or with ``--reuse`` keeps) the database ``--database``, migrates, runs
``seed_plant --scale N`` when it is empty, then gives the plant what the brief reads and
``seed_plant`` does not make (once; a database that has them is left as it is):

- **a year of schedule**: one entry per slot where good was reported (work order, work center,
  shift, shift date), planned at what was made × 0.8–1.3 (so some slots miss and some
  over-produce), and one in twenty more entries for slots that made nothing — written in bulk,
  a benchmark's reshaping of history (the schedule service refuses closed orders, which most of
  the history is by now), then the attainment snapshots of every day computed by the service;
- **a year of downtime**: 0–3 stops a day per work center, 10–150 minutes, reasons at random
  (about one in ten "other"), written in bulk;
- **schedule changes**: after the previous morning's brief is generated, 300 entries upserted
  through the schedule service, so this morning's brief has changes since the last one to count.

Then, in process with the local settings and DEBUG off, it generates the brief of the previous
morning once (the "previous brief" the next one compares with), and times ``--runs``
generations of this morning's brief through ``morning_brief_generate`` (each replaces the
stored one) and the brief page rendered from the snapshot: wall-clock p50/p95, the Django
process's CPU time, the SQL queries of each. Writes the table into docs/PERFORMANCE.md
("The morning brief") and drops the database unless ``--keep``.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, drop_database, machine_load, manage_env, pct, prepare, write_table  # noqa: E402


def shape(rng, log=print):
    """Give the plant a year of schedule and downtime (see above), once."""
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from planning.models import ScheduleEntry
    from plant.models import DowntimeEvent, DowntimeReason, Shift, WorkCenter
    from prodcoord.core.plant_time import plant_datetime, plant_today
    from reports.services import attainment_snapshots_compute
    from workorders.models import ProductionReport

    today = plant_today()
    first = today - dt.timedelta(days=365)
    if not ScheduleEntry.objects.filter(date__lt=today - dt.timedelta(days=30)).exists():
        started = time.monotonic()
        slots = (
            ProductionReport.objects.filter(shift_date__gte=first, shift_date__lt=today, reverses__isnull=True)
            .values("work_order_id", "work_center_id", "shift_id", "shift_date")
            .annotate(good=Sum("quantity_good"))
            .order_by()
        )
        now = timezone.now()
        entries, seen = [], set()
        shifts = list(Shift.objects.filter(is_active=True).values_list("pk", flat=True))
        for slot in slots.iterator(chunk_size=5000):
            key = (slot["shift_date"], slot["shift_id"], slot["work_center_id"], slot["work_order_id"])
            seen.add(key)
            planned = max(Decimal(1), (slot["good"] * Decimal(rng.uniform(0.8, 1.3))).quantize(Decimal(1)))
            entries.append(
                ScheduleEntry(
                    date=key[0],
                    shift_id=key[1],
                    work_center_id=key[2],
                    work_order_id=key[3],
                    planned_quantity=planned,
                    created_at=now,
                    updated_at=now,
                )
            )
        # Slots that made nothing: the same orders at their work centers, in another shift.
        for entry in rng.sample(entries, len(entries) // 20):
            other = rng.choice(shifts)
            key = (entry.date, other, entry.work_center_id, entry.work_order_id)
            if key in seen:
                continue
            seen.add(key)
            entries.append(
                ScheduleEntry(
                    date=key[0],
                    shift_id=other,
                    work_center_id=key[2],
                    work_order_id=key[3],
                    planned_quantity=entry.planned_quantity,
                    created_at=now,
                    updated_at=now,
                )
            )
        ScheduleEntry.objects.bulk_create(entries, batch_size=5000, ignore_conflicts=True)
        log(f"  schedule: {len(entries):,} entries over a year in {time.monotonic() - started:.0f} s")
    if not DowntimeEvent.objects.filter(started_at__lt=timezone.now() - dt.timedelta(days=30)).exists():
        started = time.monotonic()
        reasons = list(DowntimeReason.objects.filter(is_active=True))
        other = next(r for r in reasons if r.code.upper() == "OTHER")
        named = [r for r in reasons if r.pk != other.pk]
        events = []
        for wc in WorkCenter.objects.filter(is_active=True):
            day = first
            while day < today:
                at = plant_datetime(day, dt.time(6)).astimezone(dt.UTC)
                for _ in range(rng.choice([0, 1, 1, 2, 3])):
                    at += dt.timedelta(minutes=rng.randint(30, 400))
                    length = dt.timedelta(minutes=rng.randint(10, 150))
                    reason = other if rng.random() < 0.1 else rng.choice(named)
                    events.append(
                        DowntimeEvent(
                            work_center=wc,
                            reason=reason,
                            started_at=at,
                            ended_at=at + length,
                            note="",
                            created_at=at + length,
                            updated_at=at + length,
                        )
                    )
                    at += length
                day += dt.timedelta(days=1)
        DowntimeEvent.objects.bulk_create(events, batch_size=5000)
        log(f"  downtime: {len(events):,} stops over a year in {time.monotonic() - started:.0f} s")
    started = time.monotonic()
    day = first
    while day < today:
        chunk = [day + dt.timedelta(days=i) for i in range(30) if day + dt.timedelta(days=i) < today]
        attainment_snapshots_compute(dates=chunk)
        day += dt.timedelta(days=30)
    log(f"  attainment snapshots of the year in {time.monotonic() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return ScheduleEntry.objects.count(), DowntimeEvent.objects.count()


def schedule_changes(rng):
    """300 entries for tomorrow, for open orders at their current work center, through the schedule
    service: the changes since the last brief that the next one counts."""
    from django.db import transaction
    from django.db.models import F

    from planning.services import schedule_entries_upsert
    from plant.models import Shift
    from prodcoord.core.plant_time import plant_today
    from workorders.models import Operation, WorkOrder

    today = plant_today()
    open_ops = list(
        Operation.objects.filter(
            work_order__status__in=[WorkOrder.Status.RELEASED, WorkOrder.Status.IN_PROGRESS],
            work_order__current_operation=F("pk"),
        )
        .select_related("work_order", "work_center")
        .order_by("work_order__priority", "work_order__number")[:300]
    )
    day_shift = Shift.objects.filter(is_active=True).order_by("start_time").first()
    with transaction.atomic():
        schedule_entries_upsert(
            actor=None,
            rows=[
                {
                    "date": today + dt.timedelta(days=1),
                    "shift": day_shift,
                    "work_center": op.work_center,
                    "work_order": op.work_order,
                    "planned_quantity": Decimal(rng.randint(5, 40)),
                }
                for op in open_ops
            ],
        )


def measure(url, *, runs, seed):
    os.environ.update(manage_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from prodcoord.core.plant_time import plant_today
    from reports.models import MorningBrief
    from reports.services import morning_brief_generate
    from workorders.models import Hold, WorkOrder

    rng = random.Random(seed)
    entries, stops = shape(rng)
    today = plant_today()
    user = get_user_model().objects.get(username="coordinator")
    morning_brief_generate(date=today - dt.timedelta(days=1), actor=user)
    schedule_changes(rng)
    morning_brief_generate(date=today, actor=user)  # warm-up
    with CaptureQueriesContext(connection) as captured:
        brief = morning_brief_generate(date=today, actor=user)
    generate_queries = len(captured.captured_queries)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="supervisor"))
    page = f"/brief/{today.isoformat()}/"
    for _ in range(5):
        assert client.get(page).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(page)
    page_queries = len(captured.captured_queries)
    timings = {"generate": [], "page": []}
    cpu = {"generate": [], "page": []}
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        morning_brief_generate(date=today, actor=user)
        timings["generate"].append((time.perf_counter() - started) * 1000)
        cpu["generate"].append((time.process_time() - cpu_started) * 1000)
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(page)
        timings["page"].append((time.perf_counter() - started) * 1000)
        cpu["page"].append((time.process_time() - cpu_started) * 1000)
    brief = MorningBrief.objects.get(pk=brief.pk)
    facts = {
        "work_orders": WorkOrder.objects.count(),
        "entries": entries,
        "stops": stops,
        "active_holds": Hold.objects.filter(released_at__isnull=True).count(),
        "payload_kb": len(str(brief.payload).encode()) / 1024,
        "headline": brief.payload["headline"],
        "queries": {"generate": generate_queries, "page": page_queries},
    }
    return facts, timings, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", default="brief_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url, seed_seconds = prepare(args.scale, args.reuse, name=args.database)
    if seed_seconds:
        print(f"seeded in {seed_seconds:.0f} s", flush=True)
    load_before = machine_load()
    try:
        facts, timings, cpu = measure(url, runs=args.runs, seed=args.seed)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database)
    head = facts["headline"]
    lines = [
        f"Morning brief on PostgreSQL: {facts['work_orders']:,} work orders (seed_plant --scale {args.scale}), "
        f"{facts['entries']:,} schedule entries over a year, {facts['stops']:,} downtime stops, "
        f"{facts['active_holds']:,} active holds; {args.runs} runs each, in process, "
        f"load average {load_before} before and {machine_load()} after (2 cores shared).",
        f"The brief: attainment {head['attainment_pct']} %, {head['carry_over_entries']} entries carried over, "
        f"{head['schedule_changes']} schedule changes, {head['restated']} figures restated; "
        f"stored payload {facts['payload_kb']:.0f} KB.",
        "",
        "| what | p50 ms | p95 ms | mean ms | p50 CPU ms (Django process) | SQL queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {"generate": "generate this morning's brief (service, replaces it)", "page": "the brief page, from the snapshot"}
    for key, values in timings.items():
        lines.append(
            f"| {names[key]} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | {statistics.mean(values):.1f} "
            f"| {pct(cpu[key], 50):.1f} | {facts['queries'][key]} |"
        )
    write_table(lines, marker="brief")


if __name__ == "__main__":
    main()
