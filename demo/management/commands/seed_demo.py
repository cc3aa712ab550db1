"""A believable demo plant, built through the services so it obeys every rule
and fills the event log like real use would."""

import datetime as dt
import logging
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from demo import builders as demo
from materials import stock as stock_services
from materials.models import BOM, ExpectedReceipt, Item, StockBalance
from materials.services import bom_create, bom_release, item_create
from planning.models import ScheduleEntry
from planning.requirements import work_orders_materials
from planning.services import schedule_entries_upsert
from planning.shortages import shortages_net
from plant.models import Shift
from plant.shift_calendar import shift_window
from prodcoord.core.plant_time import plant_today
from prodcoord.events import hooks
from prodcoord.events.models import Event
from prodcoord.notifications.services import notification_settings_update
from reports.models import MorningBrief
from reports.services import attainment_snapshots_compute, morning_brief_generate
from workorders import services
from workorders.models import Hold, ProductionReport, Routing, WorkOrder

H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)

# target state → how many work orders
STATE_COUNTS = {"closed": 95, "completed": 35, "in_progress": 55, "released": 60, "draft": 40, "cancelled": 20}
HOLD_KINDS = ["quality"] * 35 + ["material"] * 30 + ["equipment"] * 15 + ["engineering"] * 12 + ["customer"] * 8
PRIORITIES = [1] * 5 + [2] * 15 + [3] * 55 + [4] * 15 + [5] * 10


@dataclass
class Slot:
    date: dt.date
    shift: Shift
    start: dt.datetime
    end: dt.datetime


@dataclass
class Plan:
    item: Item
    target: str
    quantity: Decimal
    priority: int
    customer_ref: str
    op_slots: list  # slot index per operation (None: not planned yet)
    created_at: dt.datetime
    released_at: dt.datetime | None = None
    done_ops: int = 0  # operations fully reported
    partial: bool = False  # the operation after ``done_ops`` is part-way
    reschedule: dict | None = None
    extras: dict = field(default_factory=dict)


class Command(BaseCommand):
    help = (
        "Build a demo plant (departments, work centers, shifts, items, BOMs, routings, ~300 work orders in every "
        "state with holds, progress over the past two weeks and next week's schedule) through the services. "
        "Creates the logins coordinator, supervisor, planner, operator, viewer, quality and admin, "
        f"password '{demo.DEMO_PASSWORD}'. "
        "Refused with production settings, and with DEBUG off unless PRODCOORD_ALLOW_SEED=1. "
        "Does nothing if the plant already has data, unless --flush."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="Random seed; the same seed builds the same plant.")
        parser.add_argument("--flush", action="store_true", help="Delete the plant's data and the demo users first.")

    def handle(self, *args, seed, flush, **options):
        demo.refuse_unless_demo_allowed()
        if demo.plant_has_data():
            if not flush:
                self.stdout.write(
                    f"The plant already has data ({WorkOrder.objects.count()} work orders, {Item.objects.count()} items); "
                    "nothing was changed. Run with --flush to delete it and build the demo plant again."
                )
                return
            demo.demo_data_flush()
            self.stdout.write("Deleted the existing plant data and demo users.")
        started = time.monotonic()
        # Thousands of follow-up tasks run in process after the commit; their per-task log lines are noise here.
        logging.getLogger("celery").setLevel(logging.WARNING)
        plant = DemoPlant(seed=seed)
        # Shortages are netted once, for the plant as built, rather than after each change.
        with hooks.tasks_paused("planning.tasks.shortages_mark_task"), transaction.atomic():
            plant.build()
            shortages_net()
            # The last two mornings' briefs, as the morning run would have made them (the second
            # shows what was restated since the first).
            for days_ago in (1, 0):
                morning_brief_generate(date=plant_today() - dt.timedelta(days=days_ago), trigger=MorningBrief.Trigger.COMMAND)
        elapsed = time.monotonic() - started
        counts = Counter(WorkOrder.objects.values_list("status", flat=True))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo plant built in {elapsed:.1f} s: {Item.objects.count()} items, "
                f"{WorkOrder.objects.count()} work orders ({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}), "
                f"{Hold.objects.filter(released_at__isnull=True).count()} active holds, "
                f"{Hold.objects.filter(released_at__isnull=False).count()} released holds, "
                f"{ProductionReport.objects.count()} production reports, "
                f"{ScheduleEntry.objects.count()} schedule entries, {Event.objects.count()} events."
            )
        )
        self.stdout.write(demo.logins_text())
        self.stdout.write(demo.badges_text())
        for code, token in plant.displays:
            self.stdout.write(f"Wall display of {code} (the token is shown this once): /display/{code}/?token={token}")


class DemoPlant:
    def __init__(self, *, seed):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = plant_today()
        self.slot_users = Counter()
        self.sequence = Counter()

    # --- master data ---------------------------------------------------------------

    def build(self):
        self.users = demo.users_create()
        self.planner = self.users["planner"]
        self.coordinator = self.users["coordinator"]
        self.supervisor = self.users["supervisor"]
        self.quality = self.users["quality"]
        self.operator = self.users["operator"]
        self.master_data()
        self.departments_of_people()
        self.stock_build()
        self.slots_build()
        plans = self.plans()
        plans.sort(key=lambda p: p.created_at)
        for plan in plans:
            self.run(plan)
        services.work_order_refresh_overdue()
        demo.badges_create(self.users)
        self.displays = demo.displays_create()
        self.kits_stage()
        demo.downtime_create(actor=self.supervisor, work_centers=self.work_centers.values(), now=self.now, rng=self.rng)
        demo.coordination_create(users=self.users, work_centers=self.work_centers, shifts=self.shifts, today=plant_today())
        # The plan against actual of every shift that has ended, as the periodic run keeps it.
        attainment_snapshots_compute(dates=[slot.date for slot in self.slots], now=self.now)

    def master_data(self):
        planner = self.planner
        self.work_centers, self.shifts = demo.plant_layout_create(actor=planner)
        self.scrap_reasons = demo.scrap_reasons_create(actor=planner)
        base, made = demo.catalogue()
        items = {}
        for spec in base:
            items[spec["sku"]] = item_create(actor=planner, **spec)
        released = self.now - 120 * DAY
        ecn_items = {made[i]["sku"] for i in (5, 17, 40)}  # a few items went through an engineering change
        for spec in made:
            item = items[spec["sku"]] = item_create(
                actor=planner, **{k: spec[k] for k in ("sku", "name", "kind", "uom", "lead_time_days", "safety_stock")}
            )
            lines = [{"component": items[c], "quantity_per": q, "scrap_pct": s} for c, q, s in spec["bom"]]
            steps = [
                {
                    "sequence": (i + 1) * 10,
                    "work_center": self.work_centers[wc],
                    "setup_minutes": Decimal(setup),
                    "run_minutes_per_unit": Decimal(run),
                    "description": text,
                }
                for i, (wc, setup, run, text) in enumerate(spec["routing"])
            ]
            revisions = ["A", "B"] if spec["sku"] in ecn_items else ["A"]
            for rev in revisions:
                at = released if rev == "A" else self.now - 20 * DAY
                reason = "Initial release." if rev == "A" else "ECN 2284: tighter tolerance on seal bore, updated weld sequence."
                rev_lines = lines if rev == revisions[-1] else lines[:-1] or lines
                bom = bom_create(actor=planner, item=item, revision=rev, lines=rev_lines)
                bom_release(actor=planner, bom=bom, reason=reason, at=at)
                routing = services.routing_create(actor=planner, item=item, revision=rev, steps=steps)
                services.routing_release(actor=planner, routing=routing, reason=reason, at=at)
        self.made = [items[spec["sku"]] for spec in made]
        self.bought = [items[spec["sku"]] for spec in base]
        self.routings = {
            r.item_id: [s.work_center for s in r.steps.select_related("work_center").order_by("sequence")]
            for r in Routing.objects.filter(status=Routing.Status.RELEASED)
        }
        self.by_kind = defaultdict(list)
        for item in self.made:
            self.by_kind[item.kind].append(item)
        assert BOM.objects.filter(status=BOM.Status.RELEASED).count() == len(made)

    def departments_of_people(self):
        """The supervisor runs Finishing & Paint, the coordinator Assembly & Test: what their notifications follow."""
        departments = {wc.department.code: wc.department for wc in self.work_centers.values()}
        notification_settings_update(user=self.supervisor, department=departments["FIN"])
        notification_settings_update(user=self.coordinator, department=departments["ASSY"])

    def stock_build(self):
        """Locations, opening stock in lots and expected receipts, before any order runs (so the
        completed ones put their output into stock)."""
        handler = self.users["materials_handler"]
        self.locations = demo.stock_locations_create(actor=self.planner, work_centers=self.work_centers)
        demo.stock_opening_create(
            actor=handler, items=self.bought, locations=self.locations, rng=self.rng, today=self.today, at=self.now - 30 * DAY
        )

    def kits_stage(self):
        """Some open orders kitted: their components staged (or issued once started), in full or in
        part, as far as the stock goes; one expected receipt received in part."""
        handler = self.users["materials_handler"]
        orders = list(
            WorkOrder.objects.filter(status__in=["released", "in_progress"], bom__isnull=False).order_by(
                "planned_start", "number"
            )[:40]
        )
        stage = self.locations["STAGE-A"]
        balances = {}
        for b in StockBalance.objects.filter(location__kind__in=["warehouse"], quantity__gt=0, lot__expires_on__isnull=True):
            balances.setdefault(b.item_id, []).append(b)
        for b in StockBalance.objects.filter(location__kind__in=["warehouse"], quantity__gt=0, lot__expires_on__gte=self.today):
            balances.setdefault(b.item_id, []).append(b)
        materials = work_orders_materials(orders)
        rows = []
        for n, wo in enumerate(orders):
            if n % 3 == 2:
                continue  # not staged yet
            for m, requirement in enumerate(materials[wo.pk].requirements):
                if n % 3 == 1 and m % 2:
                    continue  # partly staged
                need = requirement.to_stage
                for balance in balances.get(requirement.item.pk, []):
                    take = min(need, balance.quantity)
                    if take <= 0:
                        continue
                    balance.quantity -= take
                    need -= take
                    issue = wo.status == "in_progress"
                    rows.append(
                        {
                            "kind": "issue" if issue else "transfer",
                            "item": requirement.item,
                            "quantity": take,
                            "from_location": balance.location,
                            "to_location": None if issue else stage,
                            "lot": balance.lot,
                            "work_order": wo,
                        }
                    )
                    if need <= 0:
                        break
        stock_services.stock_moves_post(actor=handler, rows=rows)
        first = ExpectedReceipt.objects.filter(status="open").select_related("item").order_by("due_date", "pk").first()
        if first is not None:
            part = (first.quantity / 2).quantize(Decimal("1"))
            stock_services.expected_receipt_receive(
                actor=handler, receipt=first, quantity=part, location=self.locations["QA-HOLD"]
            )

    def slots_build(self):
        slots = []
        for offset in range(-14, 8):
            day = self.today + dt.timedelta(days=offset)
            for shift in self.shifts:
                start, end = shift_window(shift, day)
                slots.append(Slot(day, shift, start, end))
        slots.sort(key=lambda s: s.start)
        self.slots = slots
        self.cur = max(i for i, s in enumerate(slots) if s.start <= self.now)

    # --- planning ------------------------------------------------------------------

    def pick_item(self):
        r = self.rng.random()
        kind = "finished" if r < 0.35 else "subassembly" if r < 0.7 else "component"
        return self.rng.choice(self.by_kind[kind])

    def quantity_for(self, item):
        if item.kind == "finished":
            if item.sku.startswith("CV"):
                return Decimal(self.rng.choice([2, 3, 4, 5, 6, 8]))
            return Decimal(self.rng.choice([4, 6, 8, 10, 12, 15, 20, 24, 30]))
        if item.kind == "subassembly":
            return Decimal(self.rng.choice([6, 8, 10, 12, 16, 20, 25, 30, 40]))
        return Decimal(self.rng.choice([20, 25, 30, 40, 50, 60, 80, 100, 120]))

    def customer_for(self, item):
        if item.kind == "finished" and self.rng.random() < 0.85:
            customer = self.rng.choice(demo.CUSTOMERS)
            return f"{customer} PO {self.rng.randint(4500100000, 4500399999)}"
        return self.rng.choice(["", "", "Kanban replenishment", "Stock build"])

    def op_slots(self, n_ops, first):
        gap = self.rng.choice([1, 1, 2])
        return [first + i * gap for i in range(n_ops)], gap

    def plans(self):
        rng, cur, last = self.rng, self.cur, len(self.slots) - 1
        plans = []
        for target, count in STATE_COUNTS.items():
            for _ in range(count):
                item = self.pick_item()
                n = len(self.routings[item.pk])
                plan = Plan(
                    item=item,
                    target=target,
                    quantity=self.quantity_for(item),
                    priority=rng.choice(PRIORITIES),
                    customer_ref=self.customer_for(item),
                    op_slots=[],
                    created_at=self.now,
                )
                if target in ("closed", "completed"):
                    gap = rng.choice([1, 1, 2])
                    span = (n - 1) * gap
                    hi = cur - 6 - span if target == "closed" else cur - 1 - span
                    lo = 0 if target == "closed" else max(0, cur - 8 - span)
                    first = rng.randint(lo, max(lo, hi))
                    plan.op_slots = [first + i * gap for i in range(n)]
                    plan.done_ops = n
                elif target == "in_progress":
                    done = rng.randint(0, n - 1)
                    gap = rng.choice([1, 1, 2])
                    current = cur - 1
                    plan.op_slots = [current - (done - i) * gap for i in range(done + 1)]
                    plan.op_slots += [min(last, cur + 1 + (i - done - 1) * gap) for i in range(done + 1, n)]
                    plan.op_slots = [max(0, s) for s in plan.op_slots]
                    plan.done_ops, plan.partial = done, True
                elif target == "released":
                    late = rng.random() < 0.12  # should have started already: waiting on something
                    first = rng.randint(cur - 4, cur - 1) if late else rng.randint(cur + 1, min(cur + 15, last))
                    plan.op_slots, _ = self.op_slots(n, first)
                    plan.extras["late"] = late
                elif target == "draft":
                    first = rng.randint(min(cur + 6, last), last)
                    plan.op_slots, _ = self.op_slots(n, first)
                else:  # cancelled: from draft or after release
                    first = rng.randint(cur - 6, last)
                    plan.op_slots, _ = self.op_slots(n, first)
                    plan.extras["from"] = rng.choice(["draft", "released", "released"])
                    plan.extras["held"] = plan.extras["from"] == "released" and rng.random() < 0.3
                first_start = self.slots[min(plan.op_slots[0], last)].start
                if target in ("closed", "completed", "in_progress"):
                    plan.released_at = first_start - dt.timedelta(hours=rng.uniform(8, 40))
                    plan.created_at = plan.released_at - dt.timedelta(hours=rng.uniform(6, 120))
                elif target == "draft" or (target == "cancelled" and plan.extras["from"] == "draft"):
                    plan.created_at = self.now - dt.timedelta(hours=rng.uniform(2, 96))
                else:
                    plan.released_at = min(first_start, self.now) - dt.timedelta(hours=rng.uniform(6, 60))
                    plan.created_at = plan.released_at - dt.timedelta(hours=rng.uniform(4, 96))
                if target in ("released", "draft", "in_progress") and rng.random() < 0.25:
                    shift_days = rng.choice([-2, -1, 1, 1, 2, 3])
                    plan.reschedule = {"days": shift_days, "reason": rng.choice(demo.RESCHEDULE_REASONS)}
                plans.append(plan)
        return plans

    # --- running a plan through the services ---------------------------------------

    def slot(self, index):
        return self.slots[max(0, min(index, len(self.slots) - 1))]

    def times_in(self, slot, count, after=None):
        lo = max(slot.start + 30 * MIN, after or slot.start)
        hi = min(slot.end - 15 * MIN, self.now - 5 * MIN)
        if hi <= lo:
            hi = lo + MIN
        return sorted(lo + (hi - lo) * self.rng.random() for _ in range(count))

    def run(self, plan):
        rng = self.rng
        planned_start = self.slot(plan.op_slots[0]).start
        planned_end = self.slot(plan.op_slots[-1]).end
        due = (planned_end + dt.timedelta(days=rng.choice([1, 1, 2, 3, 5]))).date()
        if plan.target in ("released", "in_progress") and rng.random() < 0.15:
            # Running late: promised to the customer before the plan can make it.
            due = min(due, (self.now - dt.timedelta(days=rng.choice([1, 2, 3, 6]))).date())
        start0, end0 = planned_start, planned_end
        if plan.reschedule:  # the original plan, before the change
            start0 = planned_start - plan.reschedule["days"] * DAY
            end0 = planned_end - plan.reschedule["days"] * DAY
        wo = services.work_order_create(
            actor=self.planner,
            item=plan.item,
            quantity=plan.quantity,
            priority=plan.priority,
            due_date=due,
            planned_start=start0,
            planned_end=end0,
            customer_ref=plan.customer_ref,
            at=plan.created_at,
        )
        decided = plan.created_at + dt.timedelta(hours=rng.uniform(1, 20))
        if plan.reschedule:
            at = min(decided, plan.released_at or self.now, self.now)
            wo = services.work_order_reschedule(
                work_order=wo,
                actor=self.planner,
                reason=plan.reschedule["reason"],
                planned_start=planned_start,
                planned_end=planned_end,
                at=max(at, plan.created_at),
            )
        if plan.target != "cancelled":
            self.schedule(wo, plan, at=max(plan.created_at, min(decided, plan.released_at or self.now, self.now)))
        if plan.released_at:
            wo = services.work_order_release(work_order=wo, actor=self.coordinator, at=plan.released_at)
            if rng.random() < 0.12:
                self.change_priority(wo, plan.released_at + dt.timedelta(hours=rng.uniform(0.5, 6)))
        elif rng.random() < 0.1:
            self.change_priority(wo, min(decided, self.now))
        if plan.target == "cancelled":
            self.cancel(wo, plan)
            return
        if plan.target in ("closed", "completed", "in_progress"):
            self.progress(wo, plan)
            if rng.random() < 0.15:
                self.wrong_report_reversed(wo)
        wo.refresh_from_db()
        if plan.target in ("closed", "completed"):
            last_report = wo.production_reports.order_by("-reported_at").first().reported_at
            done_at = min(last_report + dt.timedelta(minutes=rng.uniform(10, 90)), self.now - 5 * MIN)
            short = wo.quantity - wo.quantity_completed
            reason = rng.choice(demo.SHORT_COMPLETE_REASONS).format(short=f"{short.normalize():f}") if short > 0 else ""
            wo = services.work_order_complete(work_order=wo, actor=self.coordinator, reason=reason, at=done_at)
            if plan.target == "closed":
                close_at = min(done_at + dt.timedelta(hours=rng.uniform(4, 60)), self.now - 30 * MIN)
                services.work_order_close(
                    work_order=wo, actor=self.coordinator, reason="Shipped; paperwork complete.", at=max(close_at, done_at)
                )
        elif plan.target == "in_progress" and rng.random() < 0.3:
            last_report = wo.production_reports.order_by("-reported_at").first().reported_at
            self.hold_active(wo, last_report)
        elif plan.target == "released" and (plan.extras.get("late") or rng.random() < 0.12):
            self.hold_active(wo, plan.released_at, kind="material" if plan.extras.get("late") else None)

    def schedule(self, wo, plan, *, at):
        rows = []
        work_centers = self.routings[plan.item.pk]
        for wc, index in zip(work_centers, plan.op_slots, strict=True):
            slot = self.slots[index] if 0 <= index < len(self.slots) else None
            if slot is None:
                continue
            key = (slot.date, slot.shift.pk, wc.pk)
            self.sequence[key] += 1
            rows.append(
                {
                    "date": slot.date,
                    "shift": slot.shift,
                    "work_center": wc,
                    "work_order": wo,
                    "planned_quantity": plan.quantity,
                    "sequence": self.sequence[key],
                }
            )
        if rows:
            schedule_entries_upsert(actor=self.planner, rows=rows, at=at)

    def change_priority(self, wo, at):
        up = wo.priority > 1 and (wo.priority >= 4 or self.rng.random() < 0.6)
        new = max(1, wo.priority - self.rng.choice([1, 2])) if up else min(5, wo.priority + 1)
        if new == wo.priority:
            return wo
        reasons = demo.PRIORITY_UP_REASONS if new < wo.priority else demo.PRIORITY_DOWN_REASONS
        reason = self.rng.choice(reasons).format(customer=self.rng.choice(demo.CUSTOMERS))
        return services.work_order_change_priority(
            work_order=wo, actor=self.supervisor, priority=new, reason=reason, at=min(at, self.now)
        )

    def hold_kind(self):
        return self.rng.choice(HOLD_KINDS)

    def hold_active(self, wo, after, kind=None):
        kind = kind or self.hold_kind()
        at = min(after + dt.timedelta(minutes=self.rng.uniform(10, 240)), self.now - 2 * MIN)
        actor = self.supervisor if kind in ("quality", "engineering") else self.coordinator
        operation = None
        if kind == "equipment":  # an equipment hold names the operation whose machine is down
            current = wo.operations.exclude(status="done").order_by("sequence").first()
            operation = current.sequence if current is not None else None
        return services.hold_place(
            work_order=wo,
            actor=actor,
            kind=kind,
            reason=self.rng.choice(demo.HOLD_REASONS[kind]),
            operation=operation,
            at=at,
        )

    def hold_released(self, wo, slot):
        """A hold placed and cleared early in ``slot``; returns when work can go on."""
        kind = self.hold_kind()
        placed = slot.start + dt.timedelta(minutes=self.rng.uniform(10, 40))
        cleared = placed + dt.timedelta(minutes=self.rng.uniform(45, 110))
        actor = self.supervisor if kind in ("quality", "engineering") else self.coordinator
        hold = services.hold_place(
            work_order=wo, actor=actor, kind=kind, reason=self.rng.choice(demo.HOLD_REASONS[kind]), at=placed
        )
        # Quality releases its own holds, with the disposition of the parts.
        note_index = self.rng.randrange(len(demo.RELEASE_NOTES[kind]))
        services.hold_release(
            hold=hold,
            actor=self.quality if kind == "quality" else actor,
            release_note=demo.RELEASE_NOTES[kind][note_index],
            disposition=demo.QUALITY_DISPOSITIONS[note_index] if kind == "quality" else "",
            at=cleared,
        )
        return cleared + 10 * MIN

    def cancel(self, wo, plan):
        at = min(plan.created_at + dt.timedelta(hours=self.rng.uniform(4, 48)), self.now - 10 * MIN)
        if plan.released_at:
            at = max(at, plan.released_at + H)
            if plan.extras.get("held"):
                hold = self.hold_active(wo, plan.released_at, kind="customer")
                at = max(at, min(hold.placed_at + 30 * MIN, self.now))
        services.work_order_cancel(work_order=wo, actor=self.coordinator, reason=self.rng.choice(demo.CANCEL_REASONS), at=at)

    def progress(self, wo, plan):
        rng = self.rng
        work_centers = self.routings[plan.item.pk]
        passed = plan.quantity  # good parts available to the next operation
        held_once = rng.random() < 0.22
        hold_at_op = rng.randint(0, plan.done_ops) if held_once else -1
        last_op = plan.done_ops + (1 if plan.partial else 0)
        for i in range(last_op):
            wc = work_centers[i]
            slot = self.slot(plan.op_slots[i])
            after = None
            if i == hold_at_op and slot.end < self.now:
                after = self.hold_released(wo, slot)
            partial = plan.partial and i == plan.done_ops
            scrap = Decimal(0)
            if rng.random() < 0.25:
                scrap = max(Decimal(1), (passed * Decimal(rng.uniform(0.01, 0.04))).quantize(Decimal(1)))
            if i == 0:
                good = passed  # extra blanks cover first-operation scrap
            else:
                scrap = min(scrap, passed - 1)
                good = passed - scrap
            if partial:
                good = (good * Decimal(rng.uniform(0.3, 0.8))).quantize(Decimal(1))
                scrap = min(scrap, Decimal(1))
                if good <= 0 and scrap <= 0:
                    good = Decimal(1)
            # Most operations finish in their planned shift; some spill into the next one.
            spill = (
                not partial
                and rng.random() < 0.15
                and i + 1 < len(plan.op_slots)
                and plan.op_slots[i + 1] - plan.op_slots[i] >= 2
            )
            chunks = self.split(good, 2 if spill else rng.choice([1, 1, 2, 3]))
            times = self.times_in(slot, len(chunks), after=after)
            if spill:
                times[-1] = self.times_in(self.slot(plan.op_slots[i] + 1), 1)[0]
            for n, (chunk, at) in enumerate(zip(chunks, times, strict=True)):
                # Scrap comes with the first report: the first operation can scrap at most what it still had to make.
                chunk_scrap = scrap if n == 0 else Decimal(0)
                if chunk <= 0 and chunk_scrap <= 0:
                    continue
                reason, note = demo.scrap_note(wc.code) if chunk_scrap else (None, rng.choice(demo.PROGRESS_NOTES))
                services.operation_report_progress(
                    work_order=wo,
                    actor=self.operator,
                    operation=(i + 1) * 10,
                    quantity_good=chunk,
                    quantity_scrap=chunk_scrap,
                    scrap_reason=self.scrap_reasons[reason] if reason else None,
                    reported_at=at,
                    note=note,
                    shifts=self.shifts,
                )
            passed = good

    def wrong_report_reversed(self, wo):
        """The operator keys the last report in twice; a supervisor reverses the second one, with a reason."""
        last = wo.production_reports.order_by("-reported_at", "-id").first()
        if last is None or last.quantity_scrap or not last.quantity_good:
            return
        wo.refresh_from_db()
        operations = list(wo.operations.order_by("sequence"))
        op = next(o for o in operations if o.pk == last.operation_id)
        if services.progress_left(work_order=wo, operations=operations, op=op) < last.quantity_good:
            return
        at = max(min(last.reported_at + 3 * MIN, self.now - 5 * MIN), last.reported_at)
        twice = services.operation_report_progress(
            work_order=wo,
            actor=self.operator,
            operation=op.sequence,
            quantity_good=last.quantity_good,
            reported_at=at,
            note=last.note,
            shifts=self.shifts,
        )
        services.production_report_reverse(
            report=twice,
            actor=self.supervisor,
            reason=self.rng.choice(demo.REVERSAL_REASONS),
            at=max(min(at + dt.timedelta(minutes=self.rng.uniform(20, 120)), self.now - MIN), at),
        )

    def split(self, quantity, parts):
        if parts <= 1 or quantity < parts:
            return [quantity]
        cuts = sorted(self.rng.sample(range(1, int(quantity)), parts - 1))
        edges = [0, *cuts, int(quantity)]
        return [Decimal(edges[k + 1] - edges[k]) for k in range(parts)]
