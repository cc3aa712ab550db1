"""The board (home page) and its live refresh on a seeded PostgreSQL plant.

    .venv/bin/python bench/board.py                          # scale 100: ~50,000 work orders
    .venv/bin/python bench/board.py --scale 10 --reuse       # keep an already seeded database
    .venv/bin/python bench/board.py --keep                   # do not drop the database afterwards

Creates the database ``--database`` (default ``board_bench``), migrates, runs
``seed_plant --scale N``, then leaves ``--open`` work orders open (the most urgent
by priority and due date; the others closed or cancelled in one set-based statement per
status, as a plant that has worked through its backlog), and measures in process, with the
local settings and DEBUG off, what the server spends on (Django's test client: the whole
middleware stack and the template, no network):

- the board, ungrouped and grouped by department (the first page: 50 rows);
- the board's refresh when nothing changed (``?since=<newest event>``: the 204);
- the refresh after a change (the table again, the changed row marked);
- a work order page's live check when nothing changed (the 204).

Each is timed ``--runs`` times after 10 warm-up requests, interleaved, and its SQL query count
noted; beside the wall-clock time, the CPU time of the Django process (what the request costs
this process, without the database's share and without waiting for a core on a busy machine);
and the smallest of each, what a request costs when nothing else got in its way.
Writes the table into docs/PERFORMANCE.md and drops the database unless ``--keep``.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, drop_database, machine_load, manage_env, pct, prepare, write_table  # noqa: E402


def measure(url, *, runs, open_orders):
    os.environ.update(manage_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from prodcoord.events.models import Event
    from prodcoord.events.selectors import event_last_id
    from workorders import services
    from workorders.models import WorkOrder

    open_statuses = [s.value for s in WorkOrder.OPEN_STATUSES]
    keep = list(
        WorkOrder.objects.filter(status__in=open_statuses)
        .order_by("priority", "due_date", "number")
        .values_list("pk", flat=True)[:open_orders]
    )
    extra = WorkOrder.objects.filter(status__in=open_statuses).exclude(pk__in=keep)
    # A plant that has worked through its backlog: what is not kept open is history.
    gone = {"current_operation": None, "current_work_center": None, "next_work_center": None, "is_overdue": False}
    extra.filter(status="draft").update(status="cancelled", cancelled_at=timezone.now(), **gone)
    extra.update(status="closed", closed_at=timezone.now(), **gone)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE workorders_workorder")
    total = WorkOrder.objects.count()
    n_open = WorkOrder.objects.filter(status__in=open_statuses).count()
    user = get_user_model().objects.get(username="coordinator")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_X_LIVE_POLL": "1"}
    number = WorkOrder.objects.filter(status="in_progress").values_list("number", flat=True).first()
    detail_since = Event.objects.filter(work_order__number=number).order_by("-pk").values_list("pk", flat=True)[0]

    cases = {
        "board, first page (50 rows)": lambda: client.get("/"),
        "board grouped by department": lambda: client.get("/", {"group": "department"}),
        "board refresh, nothing changed (204)": lambda: client.get("/", {"since": since_value[0], "group": "department"}, **htmx),
        "board refresh after a change (table)": lambda: client.get(
            "/", {"since": since_value[0] - 1, "group": "department"}, **htmx
        ),
        "work-order page live check, nothing changed (204)": lambda: client.get(
            f"/work-orders/{number}/live/", {"since": detail_since}, **htmx
        ),
    }
    wo = WorkOrder.objects.filter(status__in=open_statuses, active_hold_count=0).first()
    services.work_order_change_priority(work_order=wo, actor=user, priority=1 if wo.priority != 1 else 2, reason="bench")
    since_value = [event_last_id()]
    expected = {
        "board refresh, nothing changed (204)": 204,
        "work-order page live check, nothing changed (204)": 204,
    }
    timings = {name: [] for name in cases}
    cpu = {name: [] for name in cases}
    queries = {}
    for name, call in cases.items():
        for _ in range(10):
            response = call()
            assert response.status_code == expected.get(name, 200), (name, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            call()
        queries[name] = len(captured.captured_queries)
    for _ in range(runs):
        for name, call in cases.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - cpu_started) * 1000)
    return total, n_open, timings, cpu, queries


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--open", type=int, default=500, help="work orders left open (default 500)")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database", default="board_bench")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url, seed_seconds = prepare(args.scale, args.reuse, name=args.database)
    if seed_seconds:
        print(f"seeded in {seed_seconds:.0f} s", flush=True)
    try:
        total, n_open, timings, cpu, queries = measure(url, runs=args.runs, open_orders=args.open)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            drop_database(args.database)
    lines = [
        f"Board on PostgreSQL: {n_open:,} open work orders out of {total:,} (seed_plant --scale {args.scale}), "
        f"{args.runs} runs each, in process, load average {machine_load()}.",
        "",
        "| request | p50 ms | p95 ms | min ms | p50 CPU ms (Django process) | min CPU ms | SQL queries |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, values in timings.items():
        lines.append(
            f"| {name} | {pct(values, 50):.1f} | {pct(values, 95):.1f} | {min(values):.1f} "
            f"| {pct(cpu[name], 50):.1f} | {min(cpu[name]):.1f} | {queries[name]} |"
        )
    write_table(lines, marker="board")


if __name__ == "__main__":
    main()
