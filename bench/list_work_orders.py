"""Benchmark: GET /api/v1/work-orders/?page_size=100 against a seeded plant.

For each scale N (default 10 and 100 → ~5,000 and ~50,000 work orders):

1. create the PostgreSQL database ``prodcoord_bench_<N>``, migrate, ``seed_plant --scale N``
   (skipped with --reuse when the database already holds that plant);
2. start gunicorn (2 workers) with the production settings and a persistent
   database connection; create an API token for the planner;
3. warm up, then time 30 requests over one keep-alive HTTP connection → p50/p95;
4. count the SQL queries the view makes for the same request (in process,
   test client + CaptureQueriesContext);
5. measure PostgreSQL's own floor: one SQL statement that json_aggs the same
   100 rows (work-order columns, item SKU, revisions, nested operations),
   30 runs over one psycopg connection → p50/p95;

then write the results table to docs/PERFORMANCE.md.

Run from the repository root: ``.venv/bin/python bench/list_work_orders.py [--scales 10 100] [--reuse]``.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = ROOT / "bench" / "results"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
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
                  "count": response.json()["count"]}))
"""


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, capture_output=True, **kwargs)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not start on port {port}")


def prepare(scale, reuse):
    import psycopg

    db = f"prodcoord_bench_{scale}"
    url = f"{PG}/{db}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "prodcoord.settings.local", "DEBUG": "false"}
    env["PRODCOORD_ALLOW_SEED"] = "1"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{db}"')
    seed_seconds = None
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM workorders_workorder").fetchone()[0]
    if count == 0:
        started = time.monotonic()
        out = run([PYTHON, "manage.py", "seed_plant", "--scale", str(scale)], env).stdout
        seed_seconds = time.monotonic() - started
        print(out.strip().splitlines()[-2], flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    token = run([PYTHON, "manage.py", "drf_create_token", "planner"], env).stdout.split()[2]
    return url, token, seed_seconds


def time_api(url, token):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prodcoord.settings.production",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "SECURE_SSL_REDIRECT": "false",
        "HTTPS_ONLY": "false",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DEBUG", None)
    server = subprocess.Popen(
        [GUNICORN, "prodcoord.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for_port(port)
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Token {token}", "Accept": "application/json", "Connection": "keep-alive"}

        def get():
            conn.request("GET", PATH, headers=headers)
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200, (response.status, body[:500])
            return body

        for _ in range(WARMUP):
            body = get()
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            get()
            timings.append((time.perf_counter() - started) * 1000)
        conn.close()
        payload = json.loads(body)
        assert len(payload["results"]) == 100
        queries = json.loads(run([PYTHON, "-c", COUNT_QUERIES.replace("PATH", repr(PATH))], env).stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)
    return timings, queries, payload["count"], len(body)


def time_floor(url):
    import psycopg

    timings = []
    with psycopg.connect(url) as conn:
        for _ in range(WARMUP):
            conn.execute(FLOOR_SQL).fetchone()
        for _ in range(RUNS):
            started = time.perf_counter()
            (rows,) = conn.execute(FLOOR_SQL).fetchone()
            timings.append((time.perf_counter() - started) * 1000)
        assert len(rows) == 100
    return timings


def bench(scale, reuse):
    print(f"== scale {scale}", flush=True)
    url, token, seed_seconds = prepare(scale, reuse)
    api, queries, count, size = time_api(url, token)
    floor = time_floor(url)
    result = {
        "scale": scale,
        "work_orders": count,
        "api_p50_ms": round(statistics.median(api), 1),
        "api_p95_ms": round(pct(api, 95), 1),
        "queries": queries["queries"],
        "sql": queries["sql"],
        "floor_p50_ms": round(statistics.median(floor), 1),
        "floor_p95_ms": round(pct(floor, 95), 1),
        "response_bytes": size,
        "seed_seconds": round(seed_seconds, 1) if seed_seconds else None,
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
    }
    print(json.dumps({k: v for k, v in result.items() if k != "sql"}), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    previous = RESULTS / f"list_work_orders_{scale}.json"
    if result["seed_seconds"] is None and previous.exists():  # --reuse: keep the seeding time measured before
        result["seed_seconds"] = json.loads(previous.read_text()).get("seed_seconds")
    (RESULTS / f"list_work_orders_{scale}.json").write_text(json.dumps(result, indent=2))
    return result


def write_report():
    results = sorted((json.loads(p.read_text()) for p in RESULTS.glob("list_work_orders_*.json")), key=lambda r: r["scale"])
    lines = [
        "| scale | work orders | API p50 (ms) | API p95 (ms) | SQL queries | PG json_agg floor p50 / p95 (ms) "
        "| seed_plant (s) | date | machine |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {r['work_orders']:,} | {r['api_p50_ms']} | {r['api_p95_ms']} | {r['queries']} | "
            f"{r['floor_p50_ms']} / {r['floor_p95_ms']} | {r['seed_seconds'] or '–'} | {r['date']} | {r['machine']} |"
        )
    doc = ROOT / "docs" / "PERFORMANCE.md"
    text = doc.read_text() if doc.exists() else ""
    start, end = "<!-- results:start -->", "<!-- results:end -->"
    table = start + "\n" + "\n".join(lines) + "\n" + end
    if start in text and end in text:
        text = text[: text.index(start)] + table + text[text.index(end) + len(end) :]
    else:
        text = text + "\n" + table + "\n"
    doc.write_text(text)
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[10, 100])
    parser.add_argument("--reuse", action="store_true", help="Keep an already seeded database instead of rebuilding it.")
    args = parser.parse_args()
    for scale in args.scales:
        bench(scale, args.reuse)
    write_report()


if __name__ == "__main__":
    sys.exit(main())
