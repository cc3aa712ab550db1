"""Benchmark: "where is each order now" — the stored current operation against computing it.

The work-center filter (``?work_center=`` of the API and the open list) and "My work center"
ask which open orders stand at a work center: their first operation not yet done is there.
This measures, against a seeded plant (``seed_plant --scale N``, ``<prefix>_<N>`` as
bench/list_work_orders.py builds it; ``--reuse`` keeps it):

- the API list's statements with ``?work_center=<busiest>&page_size=100`` (the count and
  the page of ids, which is what the filter changes), three ways:
    * ``any operation``: the order has an operation there (what the filter meant before);
    * ``computed``: the current operation found by a subquery per order (first not done);
    * ``stored``: ``current_work_center`` (kept by the services, with its index);
- "now at" and "next" of the three busiest work centers (the page's two lists, as stored);
- the open list's page (home, 50 orders) through the Django test client, and its queries.

30 runs each after 5 warm-up runs, p50 in ms, PostgreSQL on the same machine.
Run from the repository root: ``.venv/bin/python bench/work_center_lists.py [--scale 10] [--reuse]``.
"""

import argparse
import os
import statistics
import sys
import time

from common import ROOT, manage_env, prepare

RUNS = 30
WARMUP = 5


def timed(func):
    for _ in range(WARMUP):
        func()
    samples = []
    for _ in range(RUNS):
        started = time.perf_counter()
        func()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def measure():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.db.models import Exists, OuterRef, Subquery
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from plant.models import WorkCenter
    from workorders import selectors
    from workorders.models import Operation, WorkOrder

    busiest = (
        WorkOrder.objects.filter(status__in=WorkOrder.OPEN_STATUSES, current_work_center__isnull=False)
        .values_list("current_work_center__code", flat=True)
        .order_by()
    )
    counts = {}
    for code in busiest:
        counts[code] = counts.get(code, 0) + 1
    code = max(counts, key=counts.get)
    base = WorkOrder.objects.all()
    first_not_done = Operation.objects.filter(work_order=OuterRef("pk")).exclude(status="done").order_by("sequence")
    ways = {
        "any operation": base.filter(Exists(Operation.objects.filter(work_order=OuterRef("pk"), work_center__code=code))),
        "computed": base.filter(status__in=WorkOrder.OPEN_STATUSES)
        .annotate(_wc=Subquery(first_not_done.values("work_center__code")[:1]))
        .filter(_wc=code),
        "stored": base.filter(current_work_center__code=code),
    }

    def run_sql(queryset):
        def go():
            with connection.cursor() as cursor:
                sql, params = queryset.order_by().values("pk").query.sql_with_params()
                cursor.execute(f"SELECT count(*) FROM ({sql}) c", params)
                cursor.fetchone()
                sql, params = queryset.order_by("number").values_list("pk", flat=True)[:100].query.sql_with_params()
                cursor.execute(sql, params)
                cursor.fetchall()

        return go

    print(f"plant: {WorkOrder.objects.count():,} work orders, {counts[code]} of the open ones now at {code}")
    rows = []
    for name, queryset in ways.items():
        rows.append((f"?work_center={code}: {name}", queryset.count(), timed(run_sql(queryset))))
    for center in WorkCenter.objects.filter(code__in=sorted(counts, key=counts.get, reverse=True)[:3]):
        now = selectors.work_center_now(work_center=center)
        upcoming = selectors.work_center_next(work_center=center)
        rows.append((f"now at {center.code} (first 50)", now.count(), timed(lambda q=now: list(q[:51]))))
        rows.append((f"next for {center.code} (first 50)", upcoming.count(), timed(lambda q=upcoming: list(q[:51]))))

    client = Client(HTTP_HOST="127.0.0.1")
    user, _ = get_user_model().objects.get_or_create(username="bench-coordinator")
    user.groups.add(Group.objects.get(name="coordinator"))
    client.force_login(user)
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.status_code == 200, response.status_code
    rows.append((f"open list page (home, {len(captured.captured_queries)} queries)", None, timed(lambda: client.get("/"))))
    print(f"{'what':<58} {'orders':>7} {'p50 ms':>8}")
    for name, count, ms in rows:
        print(f"{name:<58} {count if count is not None else '':>7} {ms:>8.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url, _ = prepare(args.scale, args.reuse)
    os.environ.update(manage_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    measure()


if __name__ == "__main__":
    main()
