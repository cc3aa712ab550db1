"""The schedule's two heavy requests on a seeded PostgreSQL plant.

    .venv/bin/python bench/schedule.py                          # scale 100: ~50,000 work orders
    .venv/bin/python bench/schedule.py --database h_sched_bench --reuse --keep

Creates (or with ``--reuse`` keeps) the database, migrates and runs ``seed_plant --scale N``, then
gives the plant **a year of schedule**: for each of the last 365 days, each active shift and each
work center, up to two entries of work orders routed through it (inserted set-based once; the
attainment snapshots of that year are then computed by ``attainment_snapshots_compute``, the
service the periodic task runs). Measures in process, with the local settings and DEBUG off
(Django's test client: the whole middleware stack, token authentication, no network):

- ``POST /api/v1/schedule/bulk/`` with 2,000 entries (a planner's upload for the coming days):
  once creating them, once changing every quantity (the same slots again). Target ≤ 3 s.
- ``GET /api/v1/reports/attainment/?group_by=work_center`` over the last 90 days. Target ≤ 300 ms.

Follow-up work is handed to a broker (an in-memory one, unless ``CELERY_BROKER_URL`` names
another), as in production where a worker runs it: the upload is timed as the request the
planner waits for; the notifications of its 2,000 events are fanned out afterwards.

Each is timed ``--runs`` times (the uploads on fresh dates each run) with its SQL query count;
beside the wall-clock time, the CPU time of the Django process. Writes the table into
docs/PERFORMANCE.md; drops the database unless ``--keep``.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, drop_database, machine_load, manage_env, pct, prepare, write_table  # noqa: E402

UPLOAD_ROWS = 2000
PER_SLOT = 2


def year_of_schedule(today):
    """A year of entries (and their snapshots) up to yesterday, unless the plant already has them."""
    import random
    from decimal import Decimal

    from django.db import connection

    from planning.models import ScheduleEntry
    from plant.models import Shift, WorkCenter
    from reports.models import AttainmentSnapshot
    from reports.services import attainment_snapshots_compute
    from workorders.models import Operation

    first = today - dt.timedelta(days=365)
    if ScheduleEntry.objects.filter(date__lt=today - dt.timedelta(days=300)).exists():
        return ScheduleEntry.objects.count(), AttainmentSnapshot.objects.count(), None
    rng = random.Random(7)
    shifts = list(Shift.objects.filter(is_active=True))
    routed = {}
    for work_order_id, work_center_id in Operation.objects.values_list("work_order_id", "work_center_id")[:200_000]:
        routed.setdefault(work_center_id, []).append(work_order_id)
    work_centers = [wc for wc in WorkCenter.objects.filter(is_active=True) if routed.get(wc.pk)]
    rows = []
    day = first
    while day < today:
        for shift in shifts:
            for wc in work_centers:
                for sequence, work_order_id in enumerate(set(rng.sample(routed[wc.pk], PER_SLOT)), start=1):
                    rows.append(
                        ScheduleEntry(
                            date=day,
                            shift=shift,
                            work_center=wc,
                            work_order_id=work_order_id,
                            planned_quantity=Decimal(rng.randint(5, 60)),
                            sequence=sequence,
                        )
                    )
        day += dt.timedelta(days=1)
    started = time.monotonic()
    ScheduleEntry.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    dates = sorted({row.date for row in rows})
    for start in range(0, len(dates), 30):
        attainment_snapshots_compute(dates=dates[start : start + 30])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE planning_scheduleentry")
        cursor.execute("VACUUM ANALYZE reports_attainmentsnapshot")
    return ScheduleEntry.objects.count(), AttainmentSnapshot.objects.count(), time.monotonic() - started


def upload_rows(start_day, *, quantity):
    """2,000 rows on the days from ``start_day``: schedulable work orders at the work centers they are
    routed through, each slot once."""
    from plant.models import Shift
    from workorders.models import Operation

    shifts = list(Shift.objects.filter(is_active=True).values_list("code", flat=True))
    pairs = list(
        Operation.objects.filter(work_order__status__in=["released", "in_progress", "draft"])
        .order_by("work_order_id", "sequence")
        .values_list("work_order__number", "work_center__code")
        .distinct()[:UPLOAD_ROWS]
    )
    rows, day = [], start_day
    while len(rows) < UPLOAD_ROWS:
        for shift in shifts:
            for number, code in pairs:
                rows.append(
                    {
                        "date": day.isoformat(),
                        "shift": shift,
                        "work_center": code,
                        "work_order": number,
                        "planned_quantity": str(quantity),
                    }
                )
                if len(rows) == UPLOAD_ROWS:
                    return rows
        day += dt.timedelta(days=1)
    return rows


def measure(url, *, runs):
    os.environ.update(manage_env(url))
    # Follow-up work (the notifications' fan-out of the upload's events) goes to a broker for a worker,
    # as in production, instead of running inside the request: an in-memory one that nothing reads.
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from prodcoord.core.plant_time import plant_today

    today = plant_today()
    entries, snapshots, built = year_of_schedule(today)
    planner = get_user_model().objects.get(username="planner")
    token, _ = Token.objects.get_or_create(user=planner)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
    date_from = (today - dt.timedelta(days=90)).isoformat()
    date_to = (today - dt.timedelta(days=1)).isoformat()

    def attainment():
        query = {"date_from": date_from, "date_to": date_to, "group_by": "work_center"}
        response = client.get("/api/v1/reports/attainment/", query)
        assert response.status_code == 200, response.content[:300]
        return response

    def upload(rows):
        response = client.post("/api/v1/schedule/bulk/", {"entries": rows}, content_type="application/json")
        assert response.status_code == 200, response.content[:500]
        return response.json()

    names = ("bulk upload, 2,000 new entries", "bulk upload, 2,000 changed entries", "attainment, 90 days by work center")
    results = {name: [] for name in names}
    cpu = {name: [] for name in results}
    queries = {}
    for _ in range(5):
        attainment()
    with CaptureQueriesContext(connection) as captured:
        rows = attainment().json()["rows"]
    queries["attainment, 90 days by work center"] = len(captured.captured_queries)
    from django.db.models import Max

    from planning.models import ScheduleEntry

    for _ in range(runs):
        # Days no entry is on yet (a rerun on a kept database uploads after the last one).
        last = ScheduleEntry.objects.aggregate(last=Max("date"))["last"] or today
        start_day = max(today, last) + dt.timedelta(days=1)
        for name, quantity in (("bulk upload, 2,000 new entries", 10), ("bulk upload, 2,000 changed entries", 12)):
            rows_sent = upload_rows(start_day, quantity=quantity)
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                answer = upload(rows_sent)
                results[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - cpu_started) * 1000)
            queries[name] = len(captured.captured_queries)
            counted = answer["created"] if "new" in name else answer["changed"]
            assert counted == UPLOAD_ROWS, (name, answer["created"], answer["changed"], answer["unchanged"])
    for _ in range(runs * 5):
        started, cpu_started = time.perf_counter(), time.process_time()
        attainment()
        results["attainment, 90 days by work center"].append((time.perf_counter() - started) * 1000)
        cpu["attainment, 90 days by work center"].append((time.process_time() - cpu_started) * 1000)
    from workorders.models import WorkOrder

    return {
        "work_orders": WorkOrder.objects.count(),
        "entries": entries,
        "snapshots": snapshots,
        "built": built,
        "groups": len(rows),
        "results": results,
        "cpu": cpu,
        "queries": queries,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", default="schedule_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url, seed_seconds = prepare(args.scale, args.reuse, name=args.database)
    if seed_seconds:
        print(f"seeded in {seed_seconds:.0f} s", flush=True)
    try:
        found = measure(url, runs=args.runs)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database)
    load = machine_load()
    lines = [
        f"Schedule on PostgreSQL: {found['work_orders']:,} work orders (seed_plant --scale {args.scale}), "
        f"{found['entries']:,} schedule entries (a year of them, before the uploads) and {found['snapshots']:,} attainment "
        f"snapshots; {args.runs} uploads of each kind and {args.runs * 5} attainment requests "
        f"({found['groups']} work centers in the answer), in process, load average {load}.",
        "",
        "| request | target | p50 ms | p95 ms | mean ms | p50 CPU ms (Django process) | SQL queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    targets = {"attainment, 90 days by work center": "300 ms"}
    for name, values in found["results"].items():
        lines.append(
            f"| {name} | {targets.get(name, '3,000 ms')} | {pct(values, 50):.0f} | {pct(values, 95):.0f} | "
            f"{statistics.mean(values):.0f} | {pct(found['cpu'][name], 50):.0f} | {found['queries'][name]} |"
        )
    write_table(lines, marker="schedule")


if __name__ == "__main__":
    main()
