"""Benchmark: GET /api/v1/work-orders/?page_size=100 and one work order's detail against a seeded plant.

For each scale N (default 10 and 100 → ~5,000 and ~50,000 work orders):

1. create the PostgreSQL database ``<prefix>_<N>`` (``BENCH_DB_PREFIX``, default
   ``prodcoord_bench``), migrate, ``seed_plant --scale N`` (skipped with --reuse when the
   database already holds that plant);
2. start gunicorn (2 workers) with the production settings and a persistent
   database connection; create an API token for the planner;
3. warm up, then time 30 requests over one keep-alive HTTP connection → p50/p95, for the
   list and then for the detail of an in-progress work order;
4. count the SQL queries the view makes for the same requests (in process,
   test client + CaptureQueriesContext, after one request has warmed the caches);
5. measure PostgreSQL's own floor: one SQL statement that json_aggs the same
   100 rows (work-order columns, item SKU, revisions, nested operations),
   30 runs over one psycopg connection → p50/p95, timed in turn with the API's
   requests (list, detail, floor, list, …) so that a busy machine slows them alike;

then write the results table to docs/PERFORMANCE.md.

Run from the repository root: ``.venv/bin/python bench/list_work_orders.py [--scales 10 100] [--reuse]``.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import statistics
import sys
import time

from common import PYTHON, RESULTS, gunicorn, machine_load, manage_env, pct, prepare, production_env, run, write_table

PATH = "/api/v1/work-orders/?page_size=100"
RUNS = 30
WARMUP = 10

FLOOR_SQL = """
SELECT json_agg(r) FROM (
    SELECT wo.number, i.sku AS item, wo.quantity, wo.quantity_completed, wo.quantity_scrapped, wo.status,
           wo.priority, wo.due_date, wo.planned_start, wo.planned_end, wo.customer_ref,
           b.revision AS bom_revision, rt.revision AS routing_revision, wo.active_hold_count,
           wo.is_overdue, wo.version, wo.created_at, wo.updated_at,
           (SELECT json_agg(json_build_object(
                       'sequence', o.sequence, 'work_center', wc.code, 'description', o.description,
                       'planned_setup_minutes', o.planned_setup_minutes, 'planned_run_minutes', o.planned_run_minutes,
                       'status', o.status, 'quantity_good', o.quantity_good, 'quantity_scrap', o.quantity_scrap)
                       ORDER BY o.sequence)
              FROM workorders_operation o JOIN plant_workcenter wc ON wc.id = o.work_center_id
             WHERE o.work_order_id = wo.id) AS operations
      FROM workorders_workorder wo
      JOIN materials_item i ON i.id = wo.item_id
      LEFT JOIN materials_bom b ON b.id = wo.bom_id
      LEFT JOIN workorders_routing rt ON rt.id = wo.routing_id
     ORDER BY wo.number
     LIMIT 100
) r
"""

COUNT_QUERIES = r"""
import json, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
token = Token.objects.get(user__username="planner").key
client = Client(HTTP_AUTHORIZATION=f"Token {token}")
client.get(PATH)  # warm caches (content types, permissions)
with CaptureQueriesContext(connection) as ctx:
    response = client.get(PATH)
assert response.status_code == 200, response.status_code
print(json.dumps({"queries": len(ctx.captured_queries), "sql": [q["sql"][:300] for q in ctx.captured_queries],
                  "count": response.json().get("count")}))
"""


def detail_path(url):
    """A work order in the middle of the plant, with operations (the detail the benchmark reads)."""
    import psycopg

    with psycopg.connect(url) as conn:
        (number,) = conn.execute(
            "SELECT number FROM workorders_workorder WHERE status = 'in_progress' ORDER BY number OFFSET 10 LIMIT 1"
        ).fetchone()
    return f"/api/v1/work-orders/{number}/"


def time_api(url, token):
    detail = detail_path(url)
    with gunicorn(url, workers=2) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Token {token}", "Accept": "application/json", "Connection": "keep-alive"}

        def get(path):
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (response.status, body[:500])
            return body

        import psycopg

        floor_conn = psycopg.connect(url)

        def floor():
            (rows,) = floor_conn.execute(FLOOR_SQL).fetchone()
            assert len(rows) == 100

        # The list, the detail and PostgreSQL's floor are timed in turn, request by request, so a
        # busy machine slows all three alike and their ratio holds.
        calls = {"list": lambda: get(PATH), "detail": lambda: get(detail), "floor": floor}
        timings = {name: [] for name in calls}
        bodies = {}
        for _ in range(WARMUP):
            bodies = {"list": get(PATH), "detail": get(detail)}
            floor()
        for _ in range(RUNS):
            for name, call in calls.items():
                started = time.perf_counter()
                call()
                timings[name].append((time.perf_counter() - started) * 1000)
        floor_conn.close()
        conn.close()
        payload = json.loads(bodies["list"])
        assert len(payload["results"]) == 100
        assert json.loads(bodies["detail"])["operations"]
        counted = {}
        for name, path in (("list", PATH), ("detail", detail)):
            script = COUNT_QUERIES.replace("PATH", repr(path))
            counted[name] = json.loads(run([PYTHON, "-c", script], production_env_for(url)).stdout.strip().splitlines()[-1])
    return timings, counted, payload["count"], len(bodies["list"])


def production_env_for(url):
    return production_env(url)


def bench(scale, reuse):
    print(f"== scale {scale}", flush=True)
    url, seed_seconds = prepare(scale, reuse)
    token = run([PYTHON, "manage.py", "createtoken", "planner"], manage_env(url)).stdout.split()[-1]
    load = machine_load()
    api, queries, count, size = time_api(url, token)
    floor = api["floor"]
    result = {
        "scale": scale,
        "work_orders": count,
        "api_p50_ms": round(statistics.median(api["list"]), 1),
        "api_p95_ms": round(pct(api["list"], 95), 1),
        "detail_p50_ms": round(statistics.median(api["detail"]), 1),
        "detail_p95_ms": round(pct(api["detail"], 95), 1),
        "queries": queries["list"]["queries"],
        "detail_queries": queries["detail"]["queries"],
        "sql": queries["list"]["sql"],
        "detail_sql": queries["detail"]["sql"],
        "floor_p50_ms": round(statistics.median(floor), 1),
        "floor_p95_ms": round(pct(floor, 95), 1),
        "response_bytes": size,
        "seed_seconds": round(seed_seconds, 1) if seed_seconds else None,
        "load_before": load,
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
    }
    print(json.dumps({k: v for k, v in result.items() if k not in ("sql", "detail_sql")}), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    previous = RESULTS / f"list_work_orders_{scale}.json"
    if result["seed_seconds"] is None and previous.exists():  # --reuse: keep the seeding time measured before
        result["seed_seconds"] = json.loads(previous.read_text()).get("seed_seconds")
    (RESULTS / f"list_work_orders_{scale}.json").write_text(json.dumps(result, indent=2))
    return result


def write_report():
    results = sorted((json.loads(p.read_text()) for p in RESULTS.glob("list_work_orders_*.json")), key=lambda r: r["scale"])
    lines = [
        "| scale | work orders | list p50 (ms) | list p95 (ms) | list ÷ floor (p50) | list SQL queries "
        "| PG json_agg floor p50 / p95 (ms) | detail p50 / p95 (ms) | detail SQL queries | seed_plant (s) "
        "| load avg | date | machine |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        ratio = r["api_p50_ms"] / r["floor_p50_ms"] if r["floor_p50_ms"] else float("nan")
        lines.append(
            f"| {r['scale']} | {r['work_orders']:,} | {r['api_p50_ms']} | {r['api_p95_ms']} | {ratio:.1f}× | {r['queries']} | "
            f"{r['floor_p50_ms']} / {r['floor_p95_ms']} | {r.get('detail_p50_ms', '–')} / {r.get('detail_p95_ms', '–')} | "
            f"{r.get('detail_queries', '–')} | {r['seed_seconds'] or '–'} | {r.get('load_before', '–')} | {r['date']} | "
            f"{r['machine']} |"
        )
    write_table(lines, marker="results")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--reuse", action="store_true", help="Keep an already seeded database instead of rebuilding it.")
    parser.add_argument("--no-report", action="store_true", help="Do not write docs/PERFORMANCE.md.")
    args = parser.parse_args()
    for scale in args.scales:
        bench(scale, args.reuse)
    if not args.no_report:
        write_report()


if __name__ == "__main__":
    sys.exit(main())
