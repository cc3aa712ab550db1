"""A large plant for benchmarks, built through the same batch services every write uses.

``--scale N`` gives about 500·N work orders and 50·N items: N=10 → ~5,000 work
orders, N=100 → ~50,000. A year of history (mostly closed), the last days in
progress, next month released or in draft, some cancelled, holds active and
released, and a production report per operation that has run.
"""

import datetime as dt
import logging
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo import builders as demo
from materials import services as materials_services
from materials.models import Item
from prodcoord.core.plant_time import plant_today
from prodcoord.events.models import Event
from workorders import services
from workorders.models import Hold, ProductionReport, Routing, RoutingStep, WorkOrder

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
CHUNK = 2500
HOLD_KINDS = ["quality"] * 35 + ["material"] * 30 + ["equipment"] * 15 + ["engineering"] * 12 + ["customer"] * 8
PRIORITIES = [1] * 5 + [2] * 15 + [3] * 55 + [4] * 15 + [5] * 10


class Command(BaseCommand):
    help = (
        "Build a large plant for benchmarks through the bulk services: about 500×N work orders and 50×N items "
        "(--scale 10 → ~5,000 work orders, --scale 100 → ~50,000). Same logins as seed_demo "
        f"(password '{demo.DEMO_PASSWORD}'). Refused with production settings, and with DEBUG off unless "
        "PRODCOORD_ALLOW_SEED=1. Does nothing if the plant already has data, unless --flush."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, required=True, help="1 → ~500 work orders, 10 → ~5,000, 100 → ~50,000.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed builds the same plant.")
        parser.add_argument("--flush", action="store_true", help="Delete the plant's data and the demo users first.")
        parser.add_argument(
            "--open-share",
            type=float,
            default=0.0,
            help="Share (0–1) of the work orders made open on purpose: released or in progress, planned from two days "
            "ago to a month ahead (for the shortage-netting benchmark; 0.45 at --scale 100 → ~25,000 open orders).",
        )

    def handle(self, *args, scale, seed, flush, open_share=0.0, **options):
        demo.refuse_unless_demo_allowed()
        if scale < 1:
            raise CommandError("--scale must be at least 1.")
        if not 0 <= open_share <= 1:
            raise CommandError("--open-share must be between 0 and 1.")
        if demo.plant_has_data():
            if not flush:
                self.stdout.write(
                    f"The plant already has data ({WorkOrder.objects.count()} work orders, {Item.objects.count()} items); "
                    "nothing was changed. Run with --flush to delete it first."
                )
                return
            demo.demo_data_flush()
            self.stdout.write("Deleted the existing plant data and demo users.")
        logging.getLogger("celery").setLevel(logging.WARNING)
        started = time.monotonic()
        builder = PlantBuilder(scale=scale, seed=seed, log=self.stdout.write, open_share=open_share)
        builder.build()
        elapsed = time.monotonic() - started
        counts = Counter(WorkOrder.objects.values_list("status", flat=True))
        self.stdout.write(
            self.style.SUCCESS(
                f"Plant (scale {scale}) built in {elapsed:.1f} s: {Item.objects.count()} items, "
                f"{WorkOrder.objects.count()} work orders ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
                f"{Hold.objects.filter(released_at__isnull=True).count()} active holds, "
                f"{ProductionReport.objects.count()} production reports, {Event.objects.count()} events."
            )
        )
        self.stdout.write(demo.logins_text())


class PlantBuilder:
    def __init__(self, *, scale, seed, log=print, open_share=0.0):
        self.scale = scale
        self.open_share = open_share
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.log = log

    def build(self):
        with transaction.atomic():
            self.users = demo.users_create()
            self.master_data()
        total = 500 * self.scale
        done = 0
        while done < total:
            count = min(CHUNK, total - done)
            with transaction.atomic():
                self.work_orders(count)
            done += count
            self.log(f"  {done} / {total} work orders")
        services.work_order_refresh_overdue()

    # --- master data ----------------------------------------------------------------

    def master_data(self):
        planner = self.users["planner"]
        work_centers, self.shifts = demo.plant_layout_create(actor=planner)
        self.scrap_reasons = demo.scrap_reasons_create(actor=planner)
        base, made = demo.catalogue(made_items=max(1, 50 * self.scale - len(demo.BASE_ITEMS)))
        fields = ("sku", "name", "kind", "uom", "lead_time_days", "safety_stock")
        items = materials_services.items_create(actor=planner, rows=[{f: spec[f] for f in fields} for spec in base + made])
        by_sku = {item.sku: item for item in items}
        released = self.now - 400 * DAY
        boms = materials_services.boms_create(
            actor=planner,
            at=released,
            rows=[
                {
                    "item": by_sku[spec["sku"]],
                    "revision": "A",
                    "lines": [{"component": by_sku[c], "quantity_per": q, "scrap_pct": s} for c, q, s in spec["bom"]],
                }
                for spec in made
            ],
        )
        materials_services.boms_release(
            actor=planner, at=released, rows=[{"record": bom, "reason": "Initial release."} for bom in boms]
        )
        routings = services.routings_create(
            actor=planner,
            at=released,
            rows=[
                {
                    "item": by_sku[spec["sku"]],
                    "revision": "A",
                    "steps": [
                        {
                            "sequence": (i + 1) * 10,
                            "work_center": work_centers[wc],
                            "setup_minutes": Decimal(setup),
                            "run_minutes_per_unit": Decimal(run),
                            "description": text,
                        }
                        for i, (wc, setup, run, text) in enumerate(spec["routing"])
                    ],
                }
                for spec in made
            ],
        )
        services.routings_release(
            actor=planner, at=released, rows=[{"record": routing, "reason": "Initial release."} for routing in routings]
        )
        self.made = [by_sku[spec["sku"]] for spec in made]
        self.by_kind = {kind: [i for i in self.made if i.kind == kind] for kind in ("finished", "subassembly", "component")}
        self.wc_codes = defaultdict(list)
        for item_id, code in (
            RoutingStep.objects.filter(routing__status=Routing.Status.RELEASED)
            .order_by("routing__item_id", "sequence")
            .values_list("routing__item_id", "work_center__code")
        ):
            self.wc_codes[item_id].append(code)
        self.n_ops = {item_id: len(codes) for item_id, codes in self.wc_codes.items()}
        locations = demo.stock_locations_create(actor=planner, work_centers=work_centers)
        demo.stock_opening_create(
            actor=planner, items=items, locations=locations, rng=self.rng, today=plant_today(), at=self.now - 30 * DAY
        )
        self.log(f"  master data: {len(items)} items, {len(made)} BOMs and routings, {len(locations)} stock locations")

    # --- work orders ------------------------------------------------------------------

    def pick(self):
        r = self.rng.random()
        kinds = [k for k in ("finished", "subassembly", "component") if self.by_kind[k]]
        kind = kinds[0] if len(kinds) == 1 else ("finished" if r < 0.35 else "subassembly" if r < 0.7 else "component")
        kind = kind if self.by_kind.get(kind) else kinds[0]
        return self.rng.choice(self.by_kind[kind])

    def quantity(self, item):
        rng = self.rng
        if item.kind == "finished":
            return Decimal(rng.choice([2, 3, 4, 6, 8, 10, 12, 15, 20, 24, 30]))
        if item.kind == "subassembly":
            return Decimal(rng.choice([6, 8, 10, 12, 16, 20, 25, 30, 40]))
        return Decimal(rng.choice([20, 25, 30, 40, 50, 60, 80, 100, 120]))

    def target_for(self, start):
        """Status by where the planned start lies: old → closed; recent → in progress; future → released/draft."""
        age = (self.now - start) / DAY
        r = self.rng.random()
        if age > 10:
            return "closed" if r < 0.92 else "cancelled" if r < 0.97 else "completed"
        if age > 2:
            return (
                "completed"
                if r < 0.35
                else "closed"
                if r < 0.65
                else "in_progress"
                if r < 0.9
                else "cancelled"
                if r < 0.95
                else "released"
            )
        if age > 0:
            return "in_progress" if r < 0.5 else "released" if r < 0.9 else "completed" if r < 0.95 else "cancelled"
        return "released" if r < 0.45 else "draft" if r < 0.95 else "cancelled"

    def planned_start(self):
        r = self.rng.random()
        if r < 0.78:
            days = self.rng.uniform(10, 365)
        elif r < 0.86:
            days = self.rng.uniform(2, 10)
        elif r < 0.90:
            days = self.rng.uniform(0.4, 2)
        else:
            days = -self.rng.uniform(0.2, 30)
        start = self.now - days * DAY
        return start.replace(minute=0, second=0, microsecond=0)

    def work_orders(self, count):
        rng, now = self.rng, self.now
        users = self.users
        specs = []
        for _ in range(count):
            item = self.pick()
            start = self.planned_start()
            forced_open = self.open_share and rng.random() < self.open_share
            if forced_open:
                start = (now + rng.uniform(-2, 30) * DAY).replace(minute=0, second=0, microsecond=0)
            n = self.n_ops[item.pk]
            op_hours = rng.choice([8, 8, 16, 24])
            end = start + n * op_hours * H
            target = self.target_for(start)
            if forced_open:
                target = "in_progress" if start < now - H else "released"
            if target in ("closed", "completed") and end > now - 2 * H:
                target = "in_progress"
            created = start - rng.uniform(2, 10) * DAY
            released = start - rng.uniform(0.3, 2) * DAY
            specs.append(
                {
                    "item": item,
                    "target": target,
                    "n": n,
                    "op_hours": op_hours,
                    "start": start,
                    "end": end,
                    "created": min(created, now - H),
                    "released": min(released, now - 0.5 * H),
                    "cancel_from": rng.choice(["draft", "released"]) if target == "cancelled" else None,
                }
            )
        rows = []
        for spec in specs:
            item = spec["item"]
            customer = ""
            if item.kind == "finished" and rng.random() < 0.85:
                customer = f"{rng.choice(demo.CUSTOMERS)} PO {rng.randint(4500100000, 4500999999)}"
            rows.append(
                {
                    "item": item,
                    "quantity": self.quantity(item),
                    "priority": rng.choice(PRIORITIES),
                    "due_date": (spec["end"] + rng.choice([1, 2, 3, 5, 7]) * DAY).date(),
                    "planned_start": spec["start"],
                    "planned_end": spec["end"],
                    "customer_ref": customer,
                    "at": spec["created"],
                }
            )
        wos = services.work_orders_create(actor=users["planner"], rows=rows)
        for spec, wo in zip(specs, wos, strict=True):
            spec["wo"] = wo

        to_release = [s for s in specs if s["target"] not in ("draft",) and s["cancel_from"] != "draft"]
        released = services.work_orders_transition(
            actor=users["coordinator"], action="release", rows=[{"work_order": s["wo"], "at": s["released"]} for s in to_release]
        )
        for spec, wo in zip(to_release, released, strict=True):
            spec["wo"] = wo

        running = [s for s in specs if s["target"] in ("in_progress", "completed", "closed")]
        # Holds that were placed and cleared before work started.
        historic = [s for s in running if rng.random() < 0.08]
        if historic:
            hold_rows = []
            for s in historic:
                kind = rng.choice(HOLD_KINDS)
                at = min(s["released"] + rng.uniform(0.5, 4) * H, s["start"] - H)
                s["hold"] = (kind, max(at, s["released"]))
                hold_rows.append(
                    {"work_order": s["wo"], "kind": kind, "reason": rng.choice(demo.HOLD_REASONS[kind]), "at": s["hold"][1]}
                )
            holds = services.holds_place(actor=users["supervisor"], rows=hold_rows)
            services.holds_release(
                actor=users["supervisor"],
                rows=[
                    {
                        "hold": hold,
                        "release_note": rng.choice(demo.RELEASE_NOTES[s["hold"][0]]),
                        # a quality hold is released with what became of the parts
                        "disposition": "rework" if s["hold"][0] == "quality" else "",
                        "at": min(hold.placed_at + rng.uniform(0.5, 6) * H, max(s["start"], hold.placed_at)),
                    }
                    for hold, s in zip(holds, historic, strict=True)
                ],
            )

        progress = []
        for s in running:
            wo, n = s["wo"], s["n"]
            passed = wo.quantity
            if s["target"] == "in_progress":
                elapsed_ops = int((now - s["start"]) / (s["op_hours"] * H))
                done = max(0, min(n - 1, elapsed_ops))
                last = done + 1
            else:
                done, last = n, n
            s["last_report"] = None
            for i in range(last):
                at = s["start"] + (i * s["op_hours"] + rng.uniform(1, min(7.5, s["op_hours"] - 0.5))) * H
                at = min(at, now - 10 * dt.timedelta(minutes=1) * (last - i))
                scrap = Decimal(0)
                if rng.random() < 0.2:
                    scrap = max(Decimal(1), (passed * Decimal(rng.uniform(0.01, 0.04))).quantize(Decimal(1)))
                if i == 0:
                    good = passed
                else:
                    scrap = min(scrap, passed - 1)
                    good = passed - scrap
                if i == done:  # the operation running now: part-way
                    good = max(Decimal(1), (good * Decimal(rng.uniform(0.2, 0.8))).quantize(Decimal(1)))
                    scrap = Decimal(0)
                reason, note = demo.scrap_note(self.wc_codes[wo.item_id][i]) if scrap else (None, "")
                progress.append(
                    {
                        "work_order": wo,
                        "operation": (i + 1) * 10,
                        "quantity_good": good,
                        "quantity_scrap": scrap,
                        "scrap_reason": self.scrap_reasons[reason] if reason else None,
                        "reported_at": at,
                        "note": note,
                    }
                )
                s["last_report"] = at
                passed = good
        if progress:
            reports = services.progress_report(actor=users["operator"], rows=progress, shifts=self.shifts)
            reported = {report.work_order_id: report.work_order for report in reports}
            for spec in running:
                spec["wo"] = reported.get(spec["wo"].pk, spec["wo"])

        finished = [s for s in running if s["target"] in ("completed", "closed")]
        complete_rows = []
        for s in finished:
            wo = s["wo"]
            s["completed"] = min(s["last_report"] + rng.uniform(0.2, 2) * H, now - 5 * dt.timedelta(minutes=1))
            short = wo.quantity - wo.quantity_completed
            reason = rng.choice(demo.SHORT_COMPLETE_REASONS).format(short=f"{short.normalize():f}") if short > 0 else ""
            complete_rows.append({"work_order": wo, "at": s["completed"], "reason": reason})
        services.work_orders_transition(actor=users["coordinator"], action="complete", rows=complete_rows)
        services.work_orders_transition(
            actor=users["coordinator"],
            action="close",
            rows=[
                {
                    "work_order": s["wo"],
                    "at": min(s["completed"] + rng.uniform(4, 72) * H, now - dt.timedelta(minutes=2)),
                    "reason": "Shipped; paperwork complete.",
                }
                for s in finished
                if s["target"] == "closed"
            ],
        )

        # Active holds on open work.
        open_specs = [s for s in specs if s["target"] in ("in_progress", "released")]
        active = [s for s in open_specs if rng.random() < (0.2 if s["target"] == "in_progress" else 0.08)]
        if active:
            hold_rows = []
            for s in active:
                kind = rng.choice(HOLD_KINDS)
                after = s.get("last_report") or s["released"]
                hold_rows.append(
                    {
                        "work_order": s["wo"],
                        "kind": kind,
                        "reason": rng.choice(demo.HOLD_REASONS[kind]),
                        "at": min(after + rng.uniform(0.2, 4) * H, now - dt.timedelta(minutes=1)),
                    }
                )
            services.holds_place(actor=users["coordinator"], rows=hold_rows)

        cancelled = [s for s in specs if s["target"] == "cancelled"]
        services.work_orders_transition(
            actor=users["coordinator"],
            action="cancel",
            rows=[
                {
                    "work_order": s["wo"],
                    "reason": rng.choice(demo.CANCEL_REASONS),
                    "at": min(
                        (s["released"] if s["cancel_from"] == "released" else s["created"]) + rng.uniform(2, 48) * H,
                        now - dt.timedelta(minutes=1),
                    ),
                }
                for s in cancelled
            ],
        )
