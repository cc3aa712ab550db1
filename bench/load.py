"""Load benchmark: coordinators and planners working against gunicorn on PostgreSQL, then the invariants.

1. A seeded plant (``seed_plant --scale 10`` by default, database ``<prefix>_load_10`` — its own,
   since every run adds orders — reused when it exists unless ``--fresh``), and load users with
   API tokens: coordinators and planners.
2. gunicorn with the production settings (``--workers``, ``--worker-class``, ``--threads``;
   2 gthread workers of 4 threads by default, as docker-compose runs it).
3. ``--users`` simulated people, each over its own HTTP connection, for ``--duration`` seconds:

   - a coordinator lists the orders in progress, reads one of its orders, reports progress on
     it, places a hold and later releases it;
   - a planner lists work orders 100 a page, reads one, creates one, and changes an order's
     priority sending the version it read last (stale when someone wrote since: a 409).

   ``--pause 1 2`` waits 1–2 s (uniform) between a user's requests; ``--pause 0 0`` sends the
   next request as soon as the answer is in (saturation).
4. Afterwards, checked in the database: every successful write left exactly its event, report
   or hold (and nothing else was written); each operation's quantities are the sum of its
   reports; each order's completed quantity is its last operation's good quantity; each
   order's active-hold count is its active holds; no answer was a 5xx or an unexpected status.

Results go to ``bench/results/load_<label>.json`` and the table in docs/PERFORMANCE.md.

    .venv/bin/python bench/load.py --label a --pause 1 2 --duration 60
    .venv/bin/python bench/load.py --label b --pause 0 0 --duration 60
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter, defaultdict

from common import (
    PYTHON,
    RESULTS,
    ROOT,
    children,
    cpu_seconds,
    gunicorn,
    machine_load,
    manage_env,
    pct,
    prepare,
    run,
    write_table,
)

EXPECTED_CONFLICTS = {"stale_version", "on_hold"}

SETUP = r"""
import json, random
import django
django.setup()
from decimal import Decimal
from django.contrib.auth.models import Group, User
from django.db.models import F, Max
from rest_framework.authtoken.models import Token
from workorders.models import Operation, WorkOrder, Hold, ProductionReport
from prodcoord.events.models import Event
from materials.models import Item

rng = random.Random(7)
coordinators, planners = COORDINATORS, PLANNERS
tokens = {"coordinator": [], "planner": []}
for role, count in (("coordinator", coordinators), ("planner", planners)):
    group = Group.objects.get(name=role)
    for i in range(count):
        user, _ = User.objects.get_or_create(username=f"load-{role}-{i:02d}")
        user.groups.add(group)
        Token.objects.filter(user=user).delete()
        tokens[role].append(Token.objects.create(user=user).key)

# Orders to work on, made for this run through the services (so every run starts alike, whatever
# the runs before left): released, 1,000 to make, on items with a released routing.
from workorders import services
items = list(
    Item.objects.filter(routings__status="released", boms__status="released").values_list("sku", flat=True).distinct()[:20]
)
planner = User.objects.get(username="load-planner-00")
made = services.work_orders_create(
    actor=planner,
    rows=[{"item": Item.objects.get(sku=items[i % len(items)]), "quantity": Decimal("1000"), "customer_ref": "LOAD-SETUP"}
          for i in range(240)],
)
services.work_orders_transition(actor=planner, action="release", rows=[{"work_order": wo} for wo in made])
first = {op.work_order_id: op.sequence for op in Operation.objects.filter(work_order__in=made).order_by("-sequence")}
eligible = [(wo.number, first[wo.pk]) for wo in made]
rng.shuffle(eligible)
print(json.dumps({
    "tokens": tokens,
    "orders": eligible[:240],
    "items": items,
    "marks": {
        "event": Event.objects.aggregate(m=Max("id"))["m"] or 0,
        "report": ProductionReport.objects.aggregate(m=Max("id"))["m"] or 0,
        "hold": Hold.objects.aggregate(m=Max("id"))["m"] or 0,
        "work_order": WorkOrder.objects.aggregate(m=Max("id"))["m"] or 0,
        "released_holds": Hold.objects.filter(released_at__isnull=False).count(),
    },
}))
"""


# --- a small HTTP/1.1 client: one keep-alive connection per simulated user ------------------


class Connection:
    def __init__(self, port):
        self.port = port
        self.reader = self.writer = None

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method, path, token, body=None):
        payload = json.dumps(body).encode() if body is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
            f"Accept: application/json\r\nContent-Length: {len(payload)}\r\n"
        )
        if body is not None:
            head += "Content-Type: application/json\r\n"
        data = head.encode() + b"\r\n" + payload
        for attempt in range(2):
            reused = self.writer is not None
            if not reused:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            try:
                self.writer.write(data)
                return await self._response()
            except (ConnectionError, asyncio.IncompleteReadError):
                self.close()
                if not reused or attempt:  # only a keep-alive connection the server had closed is retried
                    raise

    async def _response(self):
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding") == "chunked":
            body = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                body += await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        else:
            body = await self.reader.read()
        if (
            headers.get("connection", "").lower() == "close"
            or "content-length" not in headers
            and "transfer-encoding" not in headers
        ):
            self.close()
        return status, body


# --- the people ----------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.samples = []  # (kind, status, ms, finished at)
        self.conflicts = Counter()
        self.unexpected = []
        self.writes = Counter()  # successful writes by kind

    def add(self, kind, status, ms, body):
        self.samples.append((kind, status, ms, time.monotonic()))
        ok = {"create": 201, "progress": 201, "hold": 201}.get(kind, 200)
        if status == ok:
            if kind in ("create", "progress", "hold", "release", "priority"):
                self.writes[kind] += 1
            return
        if status == 409:
            try:
                code = json.loads(body).get("code")
            except ValueError:
                code = None
            self.conflicts[code] += 1
            if code in EXPECTED_CONFLICTS:
                return
        self.unexpected.append((kind, status, body[:300].decode("utf-8", "replace")))


async def person(role, token, conn, ctx, stats, deadline, pause, rng):
    orders = rng.sample(ctx["orders"], min(8, len(ctx["orders"])))
    versions = {}
    hold = None

    async def call(kind, method, path, body=None):
        started = time.perf_counter()
        try:
            status, payload = await conn.request(method, path, token, body)
        except (OSError, asyncio.IncompleteReadError) as exc:
            stats.unexpected.append((kind, "transport", repr(exc)))
            conn.close()
            return None, None
        stats.add(kind, status, (time.perf_counter() - started) * 1000, payload)
        return status, payload

    while time.monotonic() < deadline:
        number, sequence = rng.choice(orders)
        r = rng.random()
        if role == "coordinator":
            if r < 0.30:
                await call("list", "GET", "/api/v1/work-orders/?status=in_progress&page_size=25")
            elif r < 0.55:
                await call("detail", "GET", f"/api/v1/work-orders/{number}/")
            elif r < 0.85:
                body = {"operation": sequence, "quantity_good": "1"}
                await call("progress", "POST", f"/api/v1/work-orders/{number}/progress/", body)
            elif hold is None:
                body = {"kind": "quality", "reason": "Burr on the edge; checking the batch."}
                status, payload = await call("hold", "POST", f"/api/v1/work-orders/{number}/holds/", body)
                if status == 201:
                    hold = json.loads(payload)["id"]
            else:
                await call("release", "POST", f"/api/v1/holds/{hold}/release/", {"release_note": "Checked, deburred."})
                hold = None
        else:
            if r < 0.30:
                await call("list", "GET", "/api/v1/work-orders/?page_size=100")
            elif r < 0.55 or number not in versions:
                status, payload = await call("detail", "GET", f"/api/v1/work-orders/{number}/")
                if status == 200:
                    data = json.loads(payload)
                    versions[number] = (data["version"], data["priority"])
            elif r < 0.75:
                body = {"item": rng.choice(ctx["items"]), "quantity": "25", "priority": 3, "customer_ref": "LOAD"}
                await call("create", "POST", "/api/v1/work-orders/", body)
            else:
                version, priority = versions.pop(number)
                body = {"priority": priority % 5 + 1, "version": version, "reason": "Customer moved the date."}
                await call("priority", "PATCH", f"/api/v1/work-orders/{number}/", body)
        if pause[1] > 0:
            await asyncio.sleep(rng.uniform(*pause))
    conn.close()


async def drive(port, ctx, users, duration, pause):
    stats = Stats()
    rng = random.Random(11)
    people = []
    coordinators = ctx["tokens"]["coordinator"]
    planners = ctx["tokens"]["planner"]
    for i in range(users):
        role, pool = ("coordinator", coordinators) if i % 5 < 3 else ("planner", planners)
        people.append((role, pool[i % len(pool)]))
    started = time.monotonic()
    deadline = started + duration
    await asyncio.gather(
        *(
            person(role, token, Connection(port), ctx, stats, deadline, pause, random.Random(rng.random()))
            for role, token in people
        )
    )
    return stats, time.monotonic() - started


def database_backends(url):
    """The PostgreSQL backends serving the benchmark database (the workers' persistent connections)."""
    import psycopg

    with psycopg.connect(url) as conn:
        me = conn.info.backend_pid
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").fetchall()
    return [pid for (pid,) in rows if pid != me]


async def warm_up(port, token, count):
    for _ in range(count):
        conn = Connection(port)
        await conn.request("GET", "/api/v1/work-orders/?page_size=100", token)
        conn.close()


# --- afterwards ----------------------------------------------------------------------------

INVARIANTS = {
    "operation quantities are the sum of their reports": """
        SELECT count(*) FROM workorders_operation o
          LEFT JOIN (SELECT operation_id, sum(quantity_good) g, sum(quantity_scrap) s
                       FROM workorders_productionreport GROUP BY operation_id) r ON r.operation_id = o.id
         WHERE o.quantity_good <> coalesce(r.g, 0) OR o.quantity_scrap <> coalesce(r.s, 0)""",
    "an order's completed quantity is its last operation's good quantity": """
        SELECT count(*) FROM workorders_workorder wo
          JOIN LATERAL (SELECT quantity_good FROM workorders_operation
                         WHERE work_order_id = wo.id ORDER BY sequence DESC LIMIT 1) last ON true
         WHERE wo.quantity_completed <> last.quantity_good""",
    "an order's active-hold count is its active holds": """
        SELECT count(*) FROM workorders_workorder wo
          LEFT JOIN (SELECT work_order_id, count(*) n FROM workorders_hold
                      WHERE released_at IS NULL GROUP BY work_order_id) h ON h.work_order_id = wo.id
         WHERE wo.active_hold_count <> coalesce(h.n, 0)""",
}


def check(url, ctx, stats):
    import psycopg

    marks = ctx["marks"]
    problems = []
    with psycopg.connect(url) as conn:
        verbs = dict(
            conn.execute("SELECT verb, count(*) FROM events_event WHERE id > %s GROUP BY verb", [marks["event"]]).fetchall()
        )
        expected = {
            "work_order.created": stats.writes["create"],
            "work_order.progress_reported": stats.writes["progress"],
            "hold.placed": stats.writes["hold"],
            "hold.released": stats.writes["release"],
            "work_order.priority_changed": stats.writes["priority"],
        }
        for verb, count in expected.items():
            if verbs.get(verb, 0) != count:
                problems.append(f"{verb}: {verbs.get(verb, 0)} events for {count} successful requests")
        started = verbs.get("work_order.started", 0)
        if started > stats.writes["progress"]:
            problems.append(f"work_order.started: {started} events for {stats.writes['progress']} progress reports")
        other = set(verbs) - set(expected) - {"work_order.started"}
        if other:
            problems.append(f"events nobody asked for: {sorted(other)}")
        reports = conn.execute("SELECT count(*) FROM workorders_productionreport WHERE id > %s", [marks["report"]]).fetchone()[0]
        if reports != stats.writes["progress"]:
            problems.append(f"{reports} production reports for {stats.writes['progress']} progress answers")
        holds = conn.execute("SELECT count(*) FROM workorders_hold WHERE id > %s", [marks["hold"]]).fetchone()[0]
        if holds != stats.writes["hold"]:
            problems.append(f"{holds} holds for {stats.writes['hold']} hold answers")
        released = conn.execute("SELECT count(*) FROM workorders_hold WHERE released_at IS NOT NULL").fetchone()[0]
        if released - marks["released_holds"] != stats.writes["release"]:
            problems.append(f"{released - marks['released_holds']} holds released for {stats.writes['release']} answers")
        created = conn.execute("SELECT count(*) FROM workorders_workorder WHERE id > %s", [marks["work_order"]]).fetchone()[0]
        if created != stats.writes["create"]:
            problems.append(f"{created} work orders for {stats.writes['create']} create answers")
        for name, sql in INVARIANTS.items():
            bad = conn.execute(sql).fetchone()[0]
            if bad:
                problems.append(f"{name}: {bad} rows disagree")
    return verbs, problems


# --- report ------------------------------------------------------------------------------


def summarise(args, stats, elapsed, verbs, problems, load_before, load_after):
    latencies = [s[2] for s in stats.samples]
    by_kind = defaultdict(list)
    for kind, _status, ms, _at in stats.samples:
        by_kind[kind].append(ms)
    statuses = Counter(str(s[1]) for s in stats.samples)
    worker = f"{args.workers} × {args.worker_class}" + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
    return {
        "label": args.label,
        "users": args.users,
        "pause_s": args.pause,
        "duration_s": args.duration,
        "worker": worker,
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(pct(latencies, 95), 1),
        "p99_ms": round(pct(latencies, 99), 1),
        "by_kind": {
            k: {"n": len(v), "p50_ms": round(statistics.median(v), 1), "p95_ms": round(pct(v, 95), 1)}
            for k, v in sorted(by_kind.items())
        },
        "statuses": dict(statuses),
        "conflicts": {str(k): v for k, v in stats.conflicts.items()},
        "unexpected": len(stats.unexpected),
        "unexpected_sample": stats.unexpected[:10],
        "writes": dict(stats.writes),
        "events": verbs,
        "invariant_problems": problems,
        "load_before": load_before,
        "load_after": load_after,
        "date": dt.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
    }


def write_report():
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("load_*.json"))]
    lines = [
        "| run | users, pause | gunicorn | requests | req/s | p50 (ms) | p95 (ms) | p99 (ms) | 409 (expected) "
        "| errors | invariants | CPU ms per request: gunicorn / PostgreSQL / client | load avg before | date |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---|",
    ]
    for r in results:
        pause = "none" if not r["pause_s"][1] else f"{r['pause_s'][0]:g}–{r['pause_s'][1]:g} s"
        conflicts = sum(r["conflicts"].values())
        cpu = " / ".join(str(v) for v in r.get("cpu_ms_per_request", {}).values()) or "–"
        lines.append(
            f"| {r['label']} | {r['users']}, {pause} | {r['worker']} | {r['requests']:,} | {r['throughput_rps']} | "
            f"{r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {conflicts} | {r['unexpected']} | "
            f"{'hold' if not r['invariant_problems'] else 'BROKEN'} | {cpu} | {r['load_before']} | {r['date']} |"
        )
    write_table(lines, marker="load")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="a", help="Names the result (bench/results/load_<label>.json).")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--fresh", action="store_true", help="Rebuild the plant instead of reusing it.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--pause", type=float, nargs=2, default=[1.0, 2.0], metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-report", action="store_true", help="Do not write docs/PERFORMANCE.md.")
    args = parser.parse_args()

    url, _ = prepare(args.scale, reuse=not args.fresh, purpose="load")
    coordinators, planners = 30, 20
    script = SETUP.replace("COORDINATORS", str(coordinators)).replace("PLANNERS", str(planners))
    ctx = json.loads(run([PYTHON, "-c", script], manage_env(url)).stdout.strip().splitlines()[-1])
    print(f"{len(ctx['orders'])} orders to work on, {len(ctx['items'])} items to order", flush=True)
    with gunicorn(url, workers=args.workers, worker_class=args.worker_class, threads=args.threads) as port:
        asyncio.run(warm_up(port, ctx["tokens"]["planner"][0], 3 * args.workers))
        app_pids = [gunicorn.pid, *children(gunicorn.pid)]
        db_pids = database_backends(url)
        cpu_before = (cpu_seconds(app_pids), cpu_seconds(db_pids), time.process_time())
        load_before = machine_load()
        stats, elapsed = asyncio.run(drive(port, ctx, args.users, args.duration, args.pause))
        load_after = machine_load()
        db_pids = sorted(set(db_pids) | set(database_backends(url)))
        cpu_after = (cpu_seconds(app_pids), cpu_seconds(db_pids), time.process_time())
    verbs, problems = check(url, ctx, stats)
    result = summarise(args, stats, elapsed, verbs, problems, load_before, load_after)
    n = max(result["requests"], 1)
    result["cpu_ms_per_request"] = {
        name: round((after - before) * 1000 / n, 2)
        for name, before, after in zip(("gunicorn", "postgresql", "client"), cpu_before, cpu_after, strict=True)
    }
    print(json.dumps({k: v for k, v in result.items() if k not in ("unexpected_sample",)}, indent=1))
    for sample in result["unexpected_sample"]:
        print("unexpected:", sample)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"load_{args.label}.json").write_text(json.dumps(result, indent=2))
    if not args.no_report:
        write_report()
    return 1 if problems or stats.unexpected else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
