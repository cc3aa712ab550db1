"""Shortage netting: which open work orders will run short of which component, stored as ``Shortage``.

The definition (docs/DESIGN.md, "Shortage netting") holds exactly:

- **demand**: each component requirement of each released or in-progress work order (on hold or
  not) — quantity × quantity per × (1 + scrap %), rounded up to the component's unit — less what
  is already issued to it; needed on the plant date of the order's planned start (today when it
  has none);
- **supply**: usable on-hand (not in quarantine, not of an expired lot) from the start; each open
  expected receipt's open quantity on its due date; each open work order that makes the item, its
  quantity not yet produced, on the plant date of its planned end (none without one);
- walking an item's requirements by need date, then priority (1 first), then planned start and
  number, supply dated on or before a requirement's date is added to the projected balance before
  it is taken; a requirement the balance cannot cover in full is short by the uncovered part:
  ``available`` = what the balance held for it (0 when it was already negative),
  ``shortfall`` = ``required`` − ``available``.

Items are netted independently, so a run over some items (after a change) is exact for them. The
whole plant is read in six queries, whatever its size (``netting_inputs``). ``shortages_net``
stores the result idempotently, resolves what disappeared and escalates what is needed within
``SHORTAGE_ESCALATION_HORIZON_DAYS``.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from operator import attrgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Count, DateTimeField, DecimalField, F, Q, Sum, Value, When
from django.utils import timezone

from materials.models import BOMLine, ExpectedReceipt, Item, StockBalance, StockMove
from materials.selectors import usable_balance_q
from materials.units import component_quantity
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_today, to_plant
from prodcoord.core.rows import RowErrors, chunks, columns_update, single
from prodcoord.events.services import EventBatch
from workorders.models import WorkOrder
from workorders.services import work_orders_shortage_counts_set
from workorders.services.common import work_order_scopes

from .models import Shortage

ZERO = Decimal("0")
S = Shortage.Status
W = WorkOrder.Status
# The work orders whose requirements are netted and whose output is supply ("on hold" is not a
# status: an active hold on one of these).
NETTED_STATUSES = (W.RELEASED, W.IN_PROGRESS)
K = StockMove.Kind
NETTING_LOCK = 0x5E0B7A6E  # the advisory lock key of a netting run
# A run over some items lists up to this many BOM ids in its order query (more: a subquery).
BOM_IDS_LISTED = 2000


EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def demand_key(need_date, priority, start, number):
    """The order an item's requirements are walked in: need date, priority (1 first), planned start
    (none first), number."""
    return (need_date, priority, start or EARLIEST, number)


@dataclass(slots=True)
class Demand:
    work_order_id: int
    item_id: int
    quantity: Decimal
    need_date: dt.date
    priority: int
    start: object
    number: str
    key: tuple = None  # ``demand_key`` of the order, computed once per order

    def __post_init__(self):
        if self.key is None:
            self.key = demand_key(self.need_date, self.priority, self.start, self.number)


@dataclass
class Supply:
    date: dt.date
    quantity: Decimal
    kind: str  # "receipt" or "work_order"
    ref_id: int
    label: str


@dataclass
class ItemNetting:
    """One item's inputs, sorted, and (after ``net``) its shortages and its projected balance."""

    item_id: int
    on_hand: Decimal = ZERO
    demands: list = field(default_factory=list)
    supplies: list = field(default_factory=list)
    shortages: list = field(default_factory=list)  # (demand, available, shortfall)

    def net(self):
        self.shortages = []
        if not self.demands:
            return self.shortages
        if self.on_hand >= sum(d.quantity for d in self.demands):
            # Supply only adds: the balance before any requirement covers it in full, nothing is short.
            return self.shortages
        self.demands.sort(key=_by_key)
        self.supplies.sort(key=lambda s: (s.date, s.kind, s.ref_id))
        balance, next_supply, supplies = self.on_hand, 0, self.supplies
        for demand in self.demands:
            while next_supply < len(supplies) and supplies[next_supply].date <= demand.need_date:
                balance += supplies[next_supply].quantity
                next_supply += 1
            available = min(max(balance, ZERO), demand.quantity)
            balance -= demand.quantity
            if available < demand.quantity:
                self.shortages.append((demand, available, demand.quantity - available))
        return self.shortages

    def projection(self, today):
        """``[(date, balance after that date's supply and demand)]``: the projected balance over time,
        starting today with the usable on-hand."""
        changes = defaultdict(lambda: ZERO)
        for supply in self.supplies:
            changes[max(supply.date, today)] += supply.quantity
        for demand in self.demands:
            changes[max(demand.need_date, today)] -= demand.quantity
        points, balance = [(today, self.on_hand + changes.pop(today, ZERO))], None
        balance = points[0][1]
        for day in sorted(changes):
            balance += changes[day]
            points.append((day, balance))
        return points


_by_key = attrgetter("key")


def _signed(condition, sign=1):
    return Case(When(condition, then=F("quantity") * Value(sign)), default=Value(ZERO), output_field=DecimalField())


def netting_inputs(item_ids=None, *, today=None):
    """``{item_id: ItemNetting}`` with demand and supply read in six queries (every item when
    ``item_ids`` is None), and ``{work_order_id: (number, version, status)}`` of the orders read."""
    today = today or plant_today()
    only = None if item_ids is None else sorted(set(item_ids))
    orders = WorkOrder.objects.filter(status__in=NETTED_STATUSES)
    columns = ("pk", "item_id", "bom_id", "quantity", "planned_start", "planned_end", "priority", "number", "version", "status")
    by_bom = defaultdict(list)
    if only is not None:
        # These items' BOM lines first: the orders that need the items are then looked up by their
        # BOMs' ids (an index scan of ``bom_id``; as a subquery PostgreSQL scans every order instead).
        for bom_id, component_id, per, scrap, uom in (
            BOMLine.objects.filter(component_id__in=only)
            .order_by()
            .values_list("bom_id", "component_id", "quantity_per", "scrap_pct", "component__uom")
        ):
            by_bom[bom_id].append((component_id, per, scrap, uom))
        using = (
            sorted(by_bom) if len(by_bom) <= BOM_IDS_LISTED else BOMLine.objects.filter(component_id__in=only).values("bom_id")
        )
        # The planned end is only read where it is supply of these items (the same on both sides,
        # so an order on both is one row).
        orders = orders.annotate(
            supply_end=Case(When(item_id__in=only, then=F("planned_end")), default=Value(None), output_field=DateTimeField())
        )
        columns = tuple("supply_end" if column == "planned_end" else column for column in columns)
        # The orders that need these items or make them: a UNION, so each side uses its index.
        needing = orders.filter(bom_id__in=using).order_by().values_list(*columns)
        making = orders.filter(item_id__in=only).order_by().values_list(*columns)
        order_rows = list(needing.union(making, all=True).order_by())  # an order on both sides: read twice, walked once
    else:
        order_rows = list(orders.order_by().values_list(*columns))
        for chunk in chunks({row[2] for row in order_rows if row[2] is not None}):
            for bom_id, component_id, per, scrap, uom in (
                BOMLine.objects.filter(bom_id__in=chunk)
                .order_by()
                .values_list("bom_id", "component_id", "quantity_per", "scrap_pct", "component__uom")
            ):
                by_bom[bom_id].append((component_id, per, scrap, uom))
    # What the ledger holds per open order and item: issued (issues less returns) and produced.
    consume = Q(kind__in=[K.ISSUE, K.RETURN])
    produce = Q(kind=K.PRODUCE)
    flows = StockMove.objects.filter(work_order__status__in=NETTED_STATUSES, kind__in=[K.ISSUE, K.RETURN, K.PRODUCE])
    if only is not None:
        flows = flows.filter(item_id__in=only)
    flow = {
        (row["work_order_id"], row["item_id"]): (row["issued"] or ZERO, row["produced"] or ZERO)
        for row in flows.values("work_order_id", "item_id")
        .annotate(
            issued=Sum(_signed(consume & Q(from_location__isnull=False)) + _signed(consume & Q(to_location__isnull=False), -1)),
            produced=Sum(_signed(produce & Q(to_location__isnull=False)) + _signed(produce & Q(from_location__isnull=False), -1)),
        )
        .order_by()
    }
    nettings = {}

    def netting(item_id):
        if item_id not in nettings:
            nettings[item_id] = ItemNetting(item_id=item_id)
        return nettings[item_id]

    wanted = None if only is None else set(only)
    orders_read = {}
    # Many orders share a quantity and a BOM line, and many a planned start: each figure and each
    # plant date is computed once (with the same function, so the figures are the same).
    required_of, plant_date_of = {}, {}
    none = (ZERO, ZERO)

    def plant_date(moment):
        date = plant_date_of.get(moment)
        if date is None:
            date = plant_date_of[moment] = to_plant(moment).date()
        return date

    for pk, item_id, bom_id, quantity, start, end, priority, number, version, status in order_rows:
        if pk in orders_read:
            continue
        orders_read[pk] = (number, version, status)
        need_date = plant_date(start) if start is not None else today
        key = None
        for component_id, per, scrap, uom in by_bom.get(bom_id, ()):
            figure = (quantity, per, scrap, uom)
            required = required_of.get(figure)
            if required is None:
                required = required_of[figure] = component_quantity(
                    order_quantity=quantity, quantity_per=per, scrap_pct=scrap, uom=uom
                )
            flowed = flow.get((pk, component_id))
            needed = required if flowed is None else required - flowed[0]
            if needed > 0:
                if key is None:
                    key = demand_key(need_date, priority, start, number)
                netting(component_id).demands.append(Demand(pk, component_id, needed, need_date, priority, start, number, key))
        if end is not None and (wanted is None or item_id in wanted):
            to_come = quantity - flow.get((pk, item_id), none)[1]
            if to_come > 0:
                netting(item_id).supplies.append(Supply(plant_date(end), to_come, "work_order", pk, number))
    needed_items = list(nettings) if only is None else only
    on_hand = StockBalance.objects.filter(usable_balance_q(today), quantity__gt=0)
    receipts = ExpectedReceipt.objects.filter(status=ExpectedReceipt.Status.OPEN)
    if only is not None:
        on_hand = on_hand.filter(item_id__in=only)
        receipts = receipts.filter(item_id__in=only)
    for item_id, total in on_hand.values("item_id").annotate(total=Sum("quantity")).order_by().values_list("item_id", "total"):
        if only is not None or item_id in nettings:
            netting(item_id).on_hand = total
    for pk, item_id, due, quantity, received, reference in receipts.order_by().values_list(
        "pk", "item_id", "due_date", "quantity", "quantity_received", "reference"
    ):
        if quantity > received and (only is not None or item_id in nettings):
            netting(item_id).supplies.append(Supply(due, quantity - received, "receipt", pk, reference))
    for item_id in needed_items:
        netting(item_id)
    return nettings, orders_read


def net(item_ids=None, *, today=None):
    """``{(work_order_id, item_id): (required, available, shortfall, needed_by)}``: the shortages
    the definition finds now, and the order facts read (``netting_inputs``)."""
    nettings, orders = netting_inputs(item_ids, today=today)
    found = {}
    for netting in nettings.values():
        for demand, available, shortfall in netting.net():
            found[(demand.work_order_id, demand.item_id)] = (demand.quantity, available, shortfall, demand.need_date)
    return found, orders, nettings


def escalation_horizon_end(today=None):
    """The last need date that is escalated: today + ``SHORTAGE_ESCALATION_HORIZON_DAYS``."""
    return (today or plant_today()) + dt.timedelta(days=settings.SHORTAGE_ESCALATION_HORIZON_DAYS)


def _resolution_reason(key, orders, nettings):
    work_order_id, item_id = key
    if work_order_id not in orders:
        return "The work order is no longer released or in progress."
    netting = nettings.get(item_id)
    if netting is None or not any(d.work_order_id == work_order_id for d in netting.demands):
        return "Issued in full to the work order."
    return "Covered: stock, expected receipts and work orders now meet the requirement in time."


def _counts_refresh(work_order_ids=None):
    """Bring ``WorkOrder.shortage_count`` in line with the unresolved shortages: of ``work_order_ids``,
    or of every order (two queries)."""
    unresolved = Shortage.objects.filter(status__in=Shortage.UNRESOLVED)
    current = WorkOrder.objects.filter(shortage_count__gt=0)
    if work_order_ids is not None:
        ids = sorted(set(work_order_ids))
        if not ids:
            return 0
        unresolved = unresolved.filter(work_order_id__in=ids)
        current = WorkOrder.objects.filter(pk__in=ids)
    counts = dict(unresolved.values("work_order_id").annotate(n=Count("pk")).order_by().values_list("work_order_id", "n"))
    changed = {}
    for pk, count in current.values_list("pk", "shortage_count"):
        if counts.get(pk, 0) != count:
            changed[pk] = counts.get(pk, 0)
        counts.pop(pk, None)
    changed.update({pk: n for pk, n in counts.items() if n})
    if changed:
        work_orders_shortage_counts_set(counts=changed)
    return len(changed)


def _serialize_runs():
    """One netting run at a time (a periodic and a debounced one would race to raise the same shortage):
    a transaction-scoped advisory lock on PostgreSQL; SQLite serializes writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NETTING_LOCK])


def _stub(model, **values):
    obj = model(**values)
    obj._state.adding = False
    return obj


@transaction.atomic
def shortages_net(*, item_ids=None, now=None, today=None):
    """Net (every item, or ``item_ids``) and store the result: new shortages raised (open),
    changed figures updated, vanished ones resolved with the reason, those needed within the
    escalation horizon escalated once (their departments' coordinators and the planners are
    notified through the event's outbox). Running it twice changes nothing the second time.
    Returns ``{"raised", "updated", "resolved", "escalated"}``."""
    now = now or timezone.now()
    today = today or to_plant(now).date()
    _serialize_runs()
    found, orders, nettings = net(item_ids, today=today)
    # Read the stored shortages as plain rows (no lock): only the few that change are locked below.
    stored_rows = Shortage.objects.filter(status__in=Shortage.UNRESOLVED)
    if item_ids is not None:
        stored_rows = stored_rows.filter(item_id__in=sorted(set(item_ids)))
    stored = {
        (row[1], row[2]): row
        for row in stored_rows.order_by("pk").values_list(
            "pk", "work_order_id", "item_id", "required", "available", "shortfall", "needed_by", "status", "escalated_at"
        )
    }
    # A shortage a person resolved stays resolved while it is no worse than when they did.
    candidates = [key for key in found if key not in stored]
    settled = {}
    if candidates:
        resolved = Shortage.objects.filter(
            status=S.RESOLVED, resolved_by__isnull=False, work_order_id__in={key[0] for key in candidates}
        )
        if item_ids is not None:
            resolved = resolved.filter(item_id__in=sorted(set(item_ids)))
        for work_order_id, item_id, shortfall in resolved.order_by("pk").values_list("work_order_id", "item_id", "shortfall"):
            settled[(work_order_id, item_id)] = shortfall
    skus = dict(Item.objects.filter(pk__in={key[1] for key in candidates}).values_list("pk", "sku")) if candidates else {}
    horizon = escalation_horizon_end(today) if settings.SHORTAGE_ESCALATION_HORIZON_DAYS >= 0 else None
    new, figures, due = [], {}, set()
    # One stand-in per item and per order (what a new shortage's events and text read of them), shared by
    # its shortages: a plant's first run raises tens of thousands.
    item_stubs, order_stubs = {}, {}
    for key, (required, available, shortfall, needed_by) in found.items():
        row = stored.get(key)
        if row is None:
            if key in settled and shortfall <= settled[key]:
                continue
            work_order_id, item_id = key
            if item_id not in item_stubs:
                item_stubs[item_id] = _stub(Item, pk=item_id, sku=skus[item_id])
            if work_order_id not in order_stubs:
                number, version, _ = orders[work_order_id]
                order_stubs[work_order_id] = _stub(WorkOrder, pk=work_order_id, number=number, version=version)
            new.append(
                Shortage(
                    item=item_stubs[item_id],
                    work_order=order_stubs[work_order_id],
                    required=required,
                    available=available,
                    shortfall=shortfall,
                    needed_by=needed_by,
                    status=S.OPEN,
                    raised_at=now,
                    updated_at=now,
                )
            )
            continue
        if tuple(row[3:7]) != (required, available, shortfall, needed_by):
            figures[row[0]] = (required, available, shortfall, needed_by)
        if horizon is not None and row[7] == S.OPEN and row[8] is None and needed_by <= horizon:
            due.add(row[0])
    gone_pks = {row[0]: key for key, row in stored.items() if key not in found}
    # Lock what changes (primary-key order) and apply it to what is still unresolved: a person may have
    # acted on one since it was read.
    locked = {}
    for chunk in chunks(sorted({*figures, *gone_pks, *due})):
        for shortage in (
            Shortage.objects.select_for_update(of=("self",))
            .select_related("item", "work_order")
            .filter(pk__in=chunk)
            .order_by("pk")
        ):
            if shortage.status in Shortage.UNRESOLVED:
                locked[shortage.pk] = shortage
    changed, gone = [], []
    for pk, (required, available, shortfall, needed_by) in figures.items():
        if pk in locked:
            shortage = locked[pk]
            shortage.required, shortage.available, shortage.shortfall, shortage.needed_by = (
                required,
                available,
                shortfall,
                needed_by,
            )
            changed.append(shortage)
    for pk, key in gone_pks.items():
        if pk in locked:
            shortage = locked[pk]
            shortage.status = S.RESOLVED
            shortage.resolved_at = now
            shortage.resolution = _resolution_reason(key, orders, nettings)
            gone.append(shortage)
    # New shortages due for escalation are written escalated (not inserted, then updated).
    candidates_due = [*new, *(locked[pk] for pk in sorted(due) if pk in locked and locked[pk].status == S.OPEN)]
    escalated = _escalate_due(candidates_due, now=now, today=today)
    if new:
        Shortage.objects.bulk_create(new, batch_size=1000)
    columns_update(Shortage, changed, ["required", "available", "shortfall", "needed_by", "updated_at"])
    columns_update(Shortage, gone, ["status", "resolved_at", "resolution", "updated_at"])
    # The rows are the record of what netting raised and resolved (raised_at, resolved_at, resolution):
    # only an escalation, which must reach people, is an event.
    events = EventBatch(actor=None, at=now)
    if escalated:  # only with a horizon
        _escalation_events(events, escalated, reason=f"Needed by the end of {horizon:%a %b %-d}, within the escalation horizon.")
    events.save()
    touched = {s.work_order_id for s in new} | {s.work_order_id for s in gone}
    _counts_refresh(None if item_ids is None else touched)
    return {"raised": len(new), "updated": len(changed), "resolved": len(gone), "escalated": len(escalated)}


def _escalate_due(shortages, *, now, today):
    """Escalate the open shortages needed within the horizon that were never escalated (in place; stored
    ones are written, new ones are still to be inserted); returns them. A negative
    ``SHORTAGE_ESCALATION_HORIZON_DAYS`` turns automatic escalation off."""
    if settings.SHORTAGE_ESCALATION_HORIZON_DAYS < 0:
        return []
    horizon = escalation_horizon_end(today)
    due = [s for s in shortages if s.status == S.OPEN and s.escalated_at is None and s.needed_by <= horizon]
    for shortage in due:
        shortage.status = S.ESCALATED
        shortage.escalated_at = now
        shortage.updated_at = now
    columns_update(Shortage, [s for s in due if s.pk is not None], ["status", "escalated_at", "updated_at"])
    return due


def _escalation_events(events, shortages, *, reason):
    """A ``shortage.escalated`` event per shortage, concerning its order's departments and work centers
    (whose coordinators are notified, with the planners). ``reason``: one text, or a function of the shortage."""
    scopes = work_order_scopes([s.work_order_id for s in shortages])
    for shortage in shortages:
        events.add(
            verb="shortage.escalated",
            subject=shortage,
            work_order=shortage.work_order,
            changes={
                "status": [None, S.ESCALATED],
                "shortfall": [None, shortage.shortfall],
                "needed_by": [None, shortage.needed_by],
            },
            reason=reason(shortage) if callable(reason) else reason,
            scope=scopes[shortage.work_order_id],
        )


# --- people acting on shortages ----------------------------------------------------------------------

ACTIONS = {
    "acknowledge": ((S.OPEN, S.ESCALATED), S.ACKNOWLEDGED, "shortage.acknowledged"),
    "escalate": ((S.OPEN, S.ACKNOWLEDGED), S.ESCALATED, "shortage.escalated"),
    "resolve": ((S.OPEN, S.ACKNOWLEDGED, S.ESCALATED), S.RESOLVED, "shortage.resolved"),
}
NOTE_MAX = 500


def _refusal(shortage, action):
    if shortage.status == S.RESOLVED:
        why = f" ({shortage.resolution})" if shortage.resolution else ""
        return f"This shortage was resolved{why}; nothing is left to {action}."
    return f"This shortage is {shortage.get_status_display().lower()} already."


@transaction.atomic
def shortages_act(*, actor, action, rows, now=None):
    """Acknowledge, escalate or resolve shortages: ``rows`` = ``[{"shortage": s, "note": "…"}]``.
    A note is required to resolve; a shortage in a status the action does not apply to is refused
    (409). Escalating notifies as the periodic escalation does. All or nothing."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown shortage action {action!r}.")
    allowed, target, verb = ACTIONS[action]
    now = now or timezone.now()
    errors = RowErrors()
    locked = {
        s.pk: s
        for s in Shortage.objects.select_for_update(of=("self",))
        .select_related("item", "work_order")
        .filter(pk__in=sorted({row["shortage"].pk for row in rows}))
        .order_by("pk")
    }
    acted = []
    for index, row in enumerate(rows):
        shortage = locked[row["shortage"].pk]
        note = (row.get("note") or "").strip()
        if len(note) > NOTE_MAX:
            errors.add(index, "note", f"Keep the note to {NOTE_MAX} characters.")
            continue
        if action == "resolve" and not note:
            errors.add(index, "note", "Say how it was resolved (for example, the material found or the order replanned).")
            continue
        if shortage.status not in allowed:
            errors.add_error(index, ConflictError(_refusal(shortage, action)))
            continue
        shortage.status = target
        shortage.updated_at = now
        if action == "acknowledge":
            shortage.acknowledged_at, shortage.acknowledged_by, shortage.acknowledged_note = now, actor, note
        elif action == "escalate":
            shortage.escalated_at = now
        else:
            shortage.resolved_at, shortage.resolved_by, shortage.resolution = now, actor, note
        shortage._note = note
        acted.append(shortage)
    errors.raise_if_any()
    fields = {
        "acknowledge": ["acknowledged_at", "acknowledged_by", "acknowledged_note"],
        "escalate": ["escalated_at"],
        "resolve": ["resolved_at", "resolved_by", "resolution"],
    }[action]
    columns_update(Shortage, acted, ["status", "updated_at", *fields])
    events = EventBatch(actor=actor, at=now)
    if action == "escalate":
        _escalation_events(events, acted, reason=lambda shortage: shortage._note)
    else:
        for shortage in acted:
            events.add(
                verb=verb,
                subject=shortage,
                work_order=shortage.work_order,
                changes={"status": [None, target]},
                reason=shortage._note,
            )
    events.save()
    if action == "resolve":
        _counts_refresh({s.work_order_id for s in acted})
    return acted


def shortage_acknowledge(*, actor, shortage, note=""):
    return single(shortages_act, {"shortage": shortage, "note": note}, actor=actor, action="acknowledge")


def shortage_escalate(*, actor, shortage, note=""):
    return single(shortages_act, {"shortage": shortage, "note": note}, actor=actor, action="escalate")


def shortage_resolve(*, actor, shortage, note=""):
    return single(shortages_act, {"shortage": shortage, "note": note}, actor=actor, action="resolve")


# --- what a change touches: the debounced run after stock moves, receipts, orders and BOMs ------------

# The events after which netting runs again (subscribed in ``PlanningConfig.ready``).
TRIGGER_PREFIXES = ("stock.", "expected_receipt.", "lot.", "location.")
# A work order's changes that move its demand or supply (creating a draft, progress and holds do not:
# drafts are not netted, backflush issues record stock events of their own).
TRIGGER_VERBS = (
    "bom.released",
    "work_order.released",
    "work_order.started",
    "work_order.rescheduled",
    "work_order.priority_changed",
    "work_order.updated",
    "work_order.completed",
    "work_order.closed",
    "work_order.cancelled",
)
EVERYTHING = 0  # a dirty mark for every item (a location changed kind, a record is gone)


def items_touched(event_ids):
    """The ids of the items whose netting the events may change (``{EVERYTHING}`` when it cannot be
    told), in a query per kind of subject."""
    from prodcoord.events.models import Event  # the log, read by id

    by_kind = defaultdict(set)
    for verb, object_id in Event.objects.filter(pk__in=list(event_ids)).values_list("verb", "object_id"):
        if verb.startswith("location."):
            return {EVERYTHING}
        kind = verb.split(".", 1)[0]
        if verb.endswith(".deleted") and kind == "expected_receipt":
            return {EVERYTHING}  # the receipt is gone, and with it which item it was
        by_kind[kind].add(int(object_id))
    items = set()
    if by_kind["stock"]:
        items |= set(StockMove.objects.filter(pk__in=by_kind["stock"]).values_list("item_id", flat=True))
    if by_kind["expected_receipt"]:
        items |= set(ExpectedReceipt.objects.filter(pk__in=by_kind["expected_receipt"]).values_list("item_id", flat=True))
    if by_kind["lot"]:
        from materials.models import Lot

        items |= set(Lot.objects.filter(pk__in=by_kind["lot"]).values_list("item_id", flat=True))
    if by_kind["bom"]:
        items |= set(BOMLine.objects.filter(bom_id__in=by_kind["bom"]).values_list("component_id", flat=True))
    if by_kind["work_order"]:
        rows = list(WorkOrder.objects.filter(pk__in=by_kind["work_order"]).values_list("item_id", "bom_id"))
        items |= {item_id for item_id, _ in rows}
        boms = {bom_id for _, bom_id in rows if bom_id is not None}
        if boms:
            items |= set(BOMLine.objects.filter(bom_id__in=boms).values_list("component_id", flat=True))
    return items


@transaction.atomic
def shortages_mark(*, event_ids):
    """Mark the items the events touch for the debounced run, and queue that run (one pending message
    at a time: changes made while it waits are gathered into it). Idempotent."""
    from prodcoord.outbox.services import outbox_enqueue

    from .models import ShortageDirtyItem

    items = items_touched(event_ids)
    if not items:
        return 0
    ShortageDirtyItem.objects.bulk_create([ShortageDirtyItem(item_id=pk) for pk in sorted(items)], ignore_conflicts=True)
    outbox_enqueue(
        messages=[
            {
                "task": "planning.tasks.shortages_net_marked_task",
                "dedupe_key": "planning.shortages_net_marked",
                "delay": settings.SHORTAGE_DEBOUNCE_SECONDS,
            }
        ]
    )
    return len(items)


@transaction.atomic
def shortages_net_marked(*, now=None):
    """The debounced run: net the items marked since the last one (every item if one mark says so)."""
    from .models import ShortageDirtyItem

    marks = list(ShortageDirtyItem.objects.select_for_update(skip_locked=True).order_by("pk").values_list("pk", "item_id"))
    if not marks:
        return {"raised": 0, "updated": 0, "resolved": 0, "escalated": 0}
    ShortageDirtyItem.objects.filter(pk__in=[pk for pk, _ in marks]).delete()
    items = {item_id for _, item_id in marks}
    return shortages_net(item_ids=None if EVERYTHING in items else items, now=now)


def item_projection(item, *, today=None):
    """``[(date, projected balance)]`` of one item: today's usable on-hand, then the balance after
    each date's supply and demand as netting sees them (five small queries)."""
    today = today or plant_today()
    nettings, _ = netting_inputs([item.pk], today=today)
    return nettings[item.pk].projection(today)
