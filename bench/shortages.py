"""Shortage netting on a large plant, and a stock move through the API.

    .venv/bin/python bench/shortages.py                      # builds <prefix>_shortages_100 if it is empty
    .venv/bin/python bench/shortages.py --url postgres://postgres@127.0.0.1:5432/some_plant

The plant is ``seed_plant --scale 100 --open-share 0.45`` (about 50,000 work orders of which
~25,000 released or in progress, ~5,000 items, BOMs three levels deep under the finished goods,
opening stock with lots, quarantine and expired stock, and expected receipts). Measured, in process
with the local settings (DEBUG off):

- the full netting run (``shortages_net()``): the first one, which writes every shortage, and then
  steady runs that find nothing changed (p50 of 5);
- the incremental run after one stock move: a receipt of one component, then what the outbox runs
  for it — ``shortages_mark`` (the items the move touched) and ``shortages_net_marked`` (netting those
  items) — p50 of 15;

and through gunicorn with the production settings (2 workers, a Redis broker so the follow-up work is
handed over and not run in the request): ``POST /api/v1/stock-moves/`` transfers of one unit back and
forth, p50 / p95 of 60 after 10 warm-up requests, beside a read of the item (``GET
/api/v1/items/<sku>/``, p50 of 60): the floor under any request on the machine that day. A CPU
yardstick (``common.cpu_yardstick``) says how fast the machine was. Figures go to docs/PERFORMANCE.md.
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    DB_PREFIX,
    PG,
    PYTHON,
    RESULTS,
    ROOT,
    cpu_yardstick,
    gunicorn,
    machine_load,
    manage_env,
    pct,
    run,
    write_table,
)

BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/1")


def ensure_plant(url):
    import psycopg

    db = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone():
            conn.execute(f'CREATE DATABASE "{db}"')
    env = manage_env(url)
    run([PYTHON, "manage.py", "migrate", "-v0"], env)
    with psycopg.connect(url) as conn:
        count = conn.execute("SELECT count(*) FROM workorders_workorder").fetchone()[0]
    if count == 0:
        print("seeding (this takes long)…", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", "seed_plant", "--scale", "100", "--open-share", "0.45"], env=env, cwd=ROOT, check=True
        )
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def in_process(url, fresh):
    """The netting figures, measured in this process (``fresh``: the stored shortages of this benchmark
    plant are deleted first, so the first run writes them all)."""
    os.environ.update({k: v for k, v in manage_env(url).items() if k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DEBUG")})
    # Follow-up work is handed to a broker no worker reads: what is timed is exactly the call, never
    # the notifications' fan-out or a run the outbox would otherwise start in this process.
    os.environ["CELERY_BROKER_URL"] = BROKER
    import django

    django.setup()
    from decimal import Decimal

    from django.db import connection, transaction
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext

    from materials import stock
    from materials.models import BOM, BOMLine, ExpectedReceipt, Item, Location, StockBalance
    from planning.models import Shortage
    from planning.shortages import NETTED_STATUSES, net, shortages_mark, shortages_net, shortages_net_marked
    from prodcoord.events.models import Event
    from workorders.models import WorkOrder

    figures = {
        "open work orders": WorkOrder.objects.filter(status__in=NETTED_STATUSES).count(),
        "items": Item.objects.count(),
        "BOM lines": BOMLine.objects.filter(bom__status=BOM.Status.RELEASED).count(),
        "stock balances": StockBalance.objects.filter(quantity__gt=0).count(),
        "open expected receipts": ExpectedReceipt.objects.filter(status="open").count(),
    }
    # BOM depth: levels below the deepest finished good.
    children = {}
    for parent, component in BOMLine.objects.filter(bom__status=BOM.Status.RELEASED).values_list("bom__item_id", "component_id"):
        children.setdefault(parent, []).append(component)
    depth_cache = {}

    def depth(item_id):
        if item_id not in depth_cache:
            depth_cache[item_id] = 0
            depth_cache[item_id] = 1 + max((depth(c) for c in children.get(item_id, ())), default=-1)
        return depth_cache[item_id]

    figures["BOM levels"] = max(depth(i) for i in children)

    if fresh:
        with transaction.atomic():
            Shortage.objects.all().delete()
            WorkOrder.objects.filter(shortage_count__gt=0).update(shortage_count=0)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        found, _, _ = net()
    compute = (time.perf_counter() - started) * 1000
    figures["netting queries (read)"] = len(ctx.captured_queries)
    started = time.perf_counter()
    first = shortages_net()
    first_ms = (time.perf_counter() - started) * 1000
    steady = []
    for _ in range(5):
        started = time.perf_counter()
        result = shortages_net()
        steady.append((time.perf_counter() - started) * 1000)
        assert result == {"raised": 0, "updated": 0, "resolved": 0, "escalated": 0}, result
    figures["shortages found"] = len(found)
    figures["unresolved shortages stored"] = Shortage.objects.exclude(status="resolved").count()

    # One stock move, then the outbox's two steps for it, as a worker runs them.
    short_item = Shortage.objects.exclude(status="resolved").order_by("needed_by").values_list("item_id", flat=True).first()
    item = Item.objects.get(pk=short_item)
    warehouse = Location.objects.filter(kind="warehouse").order_by("code").first()
    incremental, marked_items, incremental_queries = [], [], []
    for n in range(15):
        with transaction.atomic():
            move = stock.stock_move_post(
                actor=None, kind="receipt", item=item, quantity=Decimal("1"), to_location=warehouse, note=f"bench {n}"
            )
            event_id = Event.objects.filter(verb="stock.received", object_id=str(move.pk)).values_list("pk", flat=True).get()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            marked_items.append(shortages_mark(event_ids=[event_id]))
            shortages_net_marked()
        incremental.append((time.perf_counter() - started) * 1000)
        incremental_queries.append(len(ctx.captured_queries))
    on_hand = StockBalance.objects.filter(item=item).aggregate(total=Sum("quantity"))["total"]
    return {
        **figures,
        "net() read + compute (ms)": round(compute),
        "full run, first (writes every shortage) (ms)": round(first_ms),
        "first run raised": first["raised"],
        "full run, steady p50 (ms)": round(pct(steady, 50)),
        "full run, steady max (ms)": round(max(steady)),
        "incremental after one move p50 (ms)": round(pct(incremental, 50)),
        "incremental after one move max (ms)": round(max(incremental)),
        "items netted per incremental run": max(marked_items),
        "queries per incremental run (mark + net)": max(incremental_queries),
        "_item": item.sku,
        "_on_hand": str(on_hand),
    }


def api_moves(url):
    """p50/p95 of POST /api/v1/stock-moves/ through gunicorn (production settings, Redis broker)."""
    env = {**manage_env(url), "DJANGO_SETTINGS_MODULE": "prodcoord.settings.local"}
    script = (
        "import django, json; django.setup()\n"
        "from rest_framework.authtoken.models import Token\n"
        "from django.contrib.auth.models import User\n"
        "from materials.models import StockBalance\n"
        "user = User.objects.get(username='materials')\n"
        "token, _ = Token.objects.get_or_create(user=user)\n"
        "b = StockBalance.objects.filter(location__kind='warehouse', quantity__gte=10)"
        ".select_related('item', 'location', 'lot').order_by('-quantity', 'pk').first()\n"
        "lot = b.lot.code if b.lot else None\n"
        "print(json.dumps({'token': token.key, 'item': b.item.sku, 'wh': b.location.code, 'lot': lot}))\n"
    )
    info = json.loads(run([PYTHON, "-c", script], env).stdout.strip().splitlines()[-1])
    timings, reads = [], []
    with gunicorn(url, workers=2, env={"CELERY_BROKER_URL": BROKER}) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        headers = {"Authorization": f"Token {info['token']}", "Content-Type": "application/json", "Connection": "keep-alive"}
        # The floor under any API request on this machine that day: the move's item, read.
        for n in range(70):
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/items/{info['item']}/", headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            if n >= 10:
                reads.append((time.perf_counter() - started) * 1000)
        for n in range(70):
            there = n % 2 == 0
            body = {
                "kind": "transfer",
                "item": info["item"],
                "quantity": "1",
                "from_location": info["wh"] if there else "STAGE-A",
                "to_location": "STAGE-A" if there else info["wh"],
                "lot": info["lot"],
                "note": "bench",
            }
            started = time.perf_counter()
            conn.request("POST", "/api/v1/stock-moves/", body=json.dumps(body), headers=headers)
            response = conn.getresponse()
            payload = response.read()
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status == 201, (response.status, payload[:500])
            if n >= 10:
                timings.append(elapsed)
        conn.close()
    return {
        "API stock move p50 (ms)": round(pct(timings, 50), 1),
        "API stock move p95 (ms)": round(pct(timings, 95), 1),
        "API item read p50 (ms), for comparison": round(pct(reads, 50), 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("BENCH_SHORTAGES_URL", f"{PG}/{DB_PREFIX}_shortages_100"))
    parser.add_argument(
        "--fresh", action="store_true", help="Delete the plant's stored shortages first (a benchmark plant only)."
    )
    args = parser.parse_args()
    ensure_plant(args.url)
    load_before = machine_load()
    figures = in_process(args.url, args.fresh)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "shortages.json").write_text(json.dumps(figures, indent=1))  # kept if the API part fails
    figures.update(api_moves(args.url))
    load_after = machine_load()
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 1-minute load average "
        f"{load_before} before and {load_after} after (2 cores shared with other work), CPU yardstick "
        f"{cpu_yardstick()} ms (`bench/common.py`: lower is a faster machine); item {figures.pop('_item')}.",
        "",
        "| figure | value |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in figures.items() if not key.startswith("_")),
    ]
    write_table(lines, marker="shortages")


if __name__ == "__main__":
    main()
