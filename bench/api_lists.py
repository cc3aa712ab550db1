"""The API's list endpoints on a large plant: time, queries, and how long PostgreSQL spends planning them.

    .venv/bin/python bench/api_lists.py --url postgres://postgres@127.0.0.1:5432/some_plant

Runs in process with the production settings (Django test client, token authentication as the
demo coordinator, DEBUG off) against a plant built by ``seed_plant`` (bench/shortages.py builds
one: ``--scale 100 --open-share 0.45``). For each endpoint, the first page (50 rows): p50 and max of
15 requests after 3 warm-ups, the number of queries, and the planning time PostgreSQL reports for
those queries (``EXPLAIN (SUMMARY)``) — a query that joins many tables can spend far longer
choosing a join order than reading the page. Figures go to docs/PERFORMANCE.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DB_PREFIX, PG, ROOT, machine_load, pct, production_env, write_table  # noqa: E402

ENDPOINTS = [
    "events",
    "departments",
    "work-centers",
    "downtime-events",
    "items",
    "boms",
    "locations",
    "lots",
    "stock",
    "stock-moves",
    "expected-receipts",
    "schedule",
    "shortages",
    "routings",
    "work-orders",
    "holds",
    "production-reports",
    "action-items",
    "shift-handovers",
]
RUNS, WARM_UP = 15, 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_SHORTAGES_URL", f"{PG}/{DB_PREFIX}_shortages_100"))
    parser.add_argument("--user", default="coordinator", help="Whose token (a demo login).")
    args = parser.parse_args()

    os.environ.update(production_env(args.url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    token, _ = Token.objects.get_or_create(user=User.objects.get(username=args.user))
    client = Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_HOST="127.0.0.1")
    load_before = machine_load()
    rows = []
    for name in ENDPOINTS:
        path = f"/api/v1/{name}/"
        for _ in range(WARM_UP):
            client.get(path)
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(path)
        planning = 0.0
        with connection.cursor() as cursor:
            for query in ctx.captured_queries:
                if query["sql"].startswith("SELECT"):
                    cursor.execute("EXPLAIN (SUMMARY, FORMAT JSON) " + query["sql"])
                    planning += cursor.fetchone()[0][0]["Planning Time"]
        rows.append((path, pct(timings, 50), max(timings), len(ctx.captured_queries), planning))
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 1-minute load average {load_before} before "
        f"and {machine_load()} after (2 cores shared with other work); as `{args.user}`, first page of 50.",
        "",
        "| endpoint | p50 ms | max ms | queries | PostgreSQL planning ms |",
        "|---|---:|---:|---:|---:|",
        *(f"| `{path}` | {p50:.1f} | {top:.1f} | {queries} | {plan:.1f} |" for path, p50, top, queries, plan in rows),
    ]
    write_table(lines, marker="api-lists")


if __name__ == "__main__":
    main()
