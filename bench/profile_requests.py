"""What one request costs in the application's own process: CPU time per request kind, and a profile.

Runs in process with the production settings (Django test client, token authentication)
against the load benchmark's plant (``<prefix>_load_10``, built by bench/load.py), for the
request kinds of the load mix. CPU time is the process's (``time.process_time``): the
Python work of one request, without PostgreSQL's own time.

    .venv/bin/python bench/profile_requests.py                 # CPU ms per kind
    .venv/bin/python bench/profile_requests.py --profile list  # plus cProfile's top functions for one kind
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time

from common import PG, ROOT, database_name, production_env

N = 60


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--profile", default=None, help="A kind to profile (list, list100, detail, progress, ...).")
    parser.add_argument("--n", type=int, default=N)
    parser.add_argument("--sort", default="cumulative", help="cProfile order: cumulative or tottime.")
    args = parser.parse_args()

    os.environ.update(production_env(f"{PG}/{database_name(args.scale, 'load')}"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Exists, F, OuterRef
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from workorders.models import Operation

    def client_for(username):
        token = Token.objects.filter(user__username=username).first() or Token.objects.create(
            user=__import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model().objects.get(username=username)
        )
        return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT="application/json")

    coordinator, planner = client_for("coordinator"), client_for("planner")
    # A first operation with room for every progress request of one piece (pieces are whole numbers).
    earlier = Operation.objects.filter(work_order=OuterRef("work_order"), sequence__lt=OuterRef("sequence"))
    op = (
        Operation.objects.filter(
            work_order__status__in=["released", "in_progress"],
            work_order__active_hold_count=0,
            work_order__quantity__gte=F("quantity_good") + args.n + 3,
        )
        .exclude(Exists(earlier))
        .select_related("work_order")
        .order_by("work_order__number", "sequence")
        .first()
    )
    number, sequence = op.work_order.number, op.sequence
    holds = []

    def hold_place():
        response = coordinator.post(
            f"/api/v1/work-orders/{number}/holds/", {"kind": "quality", "reason": "Check"}, content_type="application/json"
        )
        holds.append(response.json()["id"])
        return response

    def priority():
        version = planner.get(f"/api/v1/work-orders/{number}/").json()["version"]
        return planner.patch(
            f"/api/v1/work-orders/{number}/",
            {"priority": 1 + version % 5, "version": version, "reason": "Moved"},
            content_type="application/json",
        )

    kinds = {
        "list": lambda: coordinator.get("/api/v1/work-orders/?status=in_progress&page_size=25"),
        "list100": lambda: planner.get("/api/v1/work-orders/?page_size=100"),
        "detail": lambda: coordinator.get(f"/api/v1/work-orders/{number}/"),
        "progress": lambda: coordinator.post(
            f"/api/v1/work-orders/{number}/progress/",
            {"operation": sequence, "quantity_good": "1"},
            content_type="application/json",
        ),
        "hold": hold_place,
        "release": lambda: coordinator.post(
            f"/api/v1/holds/{holds.pop()}/release/", {"release_note": "Done"}, content_type="application/json"
        ),
        "create": lambda: planner.post(
            "/api/v1/work-orders/",
            {"item": op.work_order.item.sku, "quantity": "5", "customer_ref": "PROFILE"},
            content_type="application/json",
        ),
        "priority": priority,  # includes the detail read that gives the version
    }
    # Untimed steps around a timed one, so the order ends as it started (no hold left on it).
    before = {"release": hold_place}
    after = {"hold": kinds["release"]}
    order = ["list", "list100", "detail", "progress", "hold", "release", "create", "priority"]
    results = {}
    for kind in order:
        call = kinds[kind]
        cpu = []
        profiler = cProfile.Profile() if kind == args.profile else None
        for i in range(args.n + 3):  # 3 warm-up requests
            if kind in before:
                before[kind]()
            started = time.process_time()
            if profiler and i >= 3:
                profiler.enable()
            response = call()
            if profiler:
                profiler.disable()
            if i >= 3:
                cpu.append((time.process_time() - started) * 1000)
            assert response.status_code in (200, 201), (kind, response.status_code, response.content[:300])
            if kind in after:
                after[kind]()
        results[kind] = round(statistics.median(cpu), 2)
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(45)
            print(out.getvalue())
    print(json.dumps({"cpu_ms_median": results}))


if __name__ == "__main__":
    sys.exit(main())
