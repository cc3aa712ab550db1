"""Writes to stock: locations, lots, the ledger and its balances, expected receipts.

``stock_moves_post`` takes many moves and is the one path by which stock
changes: it checks every move, locks the balances it touches (in primary-key
order, so two batches never deadlock), refuses any move that would take more
than is there, writes the moves and the new balances and records one event per
move — all in one transaction. A CHECK constraint on the balance is the last
line of defence should anything ever get past the lock.

Moves are never changed or deleted: ``stock_move_reverse`` writes a move of the
same kind with the locations swapped, pointing at the one it corrects.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from prodcoord.core.crud import records_create, records_delete, records_update
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_today
from prodcoord.core.quantities import fmt_qty
from prodcoord.core.rows import RowErrors, chunks, columns_update, lock_by_pk, single
from prodcoord.events.services import EventBatch

from .models import BOMLine, ExpectedReceipt, Item, Location, Lot, StockBalance, StockMove
from .units import component_quantity, whole_units_problem

K = Location.Kind
M = StockMove.Kind
LARGEST_QUANTITY = Decimal("99999999999.999")
ALL_KINDS = tuple(K.values)
STOCK_KINDS = (K.WAREHOUSE, K.STAGING, K.LINE_SIDE)  # usable supply

# kind → (location kinds a move may come from, … go to); None: that side must be empty.
# An adjustment has exactly one side: out of a location (a count came up short) or into one.
SHAPES = {
    M.RECEIPT: (None, (K.WAREHOUSE, K.STAGING, K.QUARANTINE)),
    M.ISSUE: (STOCK_KINDS, None),
    M.TRANSFER: (ALL_KINDS, ALL_KINDS),
    M.RETURN: (None, ALL_KINDS),
    M.ADJUST: (ALL_KINDS, ALL_KINDS),
    M.SCRAP: (ALL_KINDS, None),
    M.PRODUCE: (None, ALL_KINDS),
}
# Kinds that need a work order, and the states it must be in; a transfer may name one (staging for it).
WORK_ORDER_STATES = {
    M.ISSUE: ("released", "in_progress"),
    M.RETURN: ("released", "in_progress", "completed"),
    M.PRODUCE: ("in_progress", "completed"),
    M.TRANSFER: ("released", "in_progress"),
}
WORK_ORDER_REQUIRED = (M.ISSUE, M.RETURN, M.PRODUCE)
REASON_REQUIRED = (M.ADJUST, M.SCRAP)
VERBS = {
    M.RECEIPT: "stock.received",
    M.ISSUE: "stock.issued",
    M.TRANSFER: "stock.transferred",
    M.RETURN: "stock.returned",
    M.ADJUST: "stock.adjusted",
    M.SCRAP: "stock.scrapped",
    M.PRODUCE: "stock.produced",
}
REVERSED_VERB = "stock.move_reversed"
ROW_FIELDS = {
    "kind",
    "item",
    "quantity",
    "from_location",
    "to_location",
    "lot",
    "work_order",
    "note",
    "expected_receipt",
    "reverses",
    "at",
    "scope",
}
KIND_LABEL = {K.WAREHOUSE: "a warehouse", K.STAGING: "a staging", K.LINE_SIDE: "a line-side", K.QUARANTINE: "a quarantine"}


def _kinds_words(kinds):
    names = [Location.Kind(k).label.lower() for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def quantity_clean(value, *, uom=None, field="quantity"):
    """``value`` as a positive Decimal of at most 3 places (whole for a counted unit), or a field error."""
    try:
        number = Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, TypeError, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({field: ["Enter a number."]})
    if number <= 0:
        raise ValidationError({field: ["Must be greater than zero."]})
    if number > LARGEST_QUANTITY or number != number.quantize(Decimal("0.001")):
        raise ValidationError({field: ["At most 11 digits before the point and 3 after it."]})
    problem = whole_units_problem(uom, number)
    if problem:
        raise ValidationError({field: [problem]})
    return number


def stock_move_check(row, *, today):
    """Field errors for one move's shape (not for the stock there: that needs the locked balances).
    Returns the cleaned quantity."""
    errors = {}
    kind = row.get("kind")
    item = row.get("item")
    frm, to, lot, work_order = row.get("from_location"), row.get("to_location"), row.get("lot"), row.get("work_order")
    reversal = row.get("reverses") is not None
    if kind not in SHAPES:
        raise ValidationError({"kind": [f"Unknown kind; use one of: {', '.join(M.values)}."]})
    if item is None:
        errors["item"] = ["This field is required."]
    quantity = None
    try:
        quantity = quantity_clean(row.get("quantity"), uom=getattr(item, "uom", None))
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if lot is not None and item is not None and lot.item_id != item.pk:
        errors["lot"] = [f"Lot {lot.code} belongs to another item, not {item.sku}."]
    if frm is None and to is None:
        errors["from_location"] = ["Name the location the stock comes from, goes to, or both."]
    elif frm is not None and to is not None and frm.pk == to.pk:
        errors["to_location"] = ["The stock is already there: choose another location."]
    if not reversal:  # a reversal mirrors a move that was legal; only the stock must be there
        from_kinds, to_kinds = SHAPES[kind]
        for field, side, kinds in (("from_location", frm, from_kinds), ("to_location", to, to_kinds)):
            if field in errors:
                continue
            if kinds is None and side is not None:
                errors[field] = [f"A {M(kind).label.lower()} has no {field.replace('_', ' ')}."]
            elif kind != M.ADJUST and kinds is not None and side is None:
                errors[field] = ["This field is required."]
            elif side is not None and side.kind not in kinds:
                errors[field] = [
                    f"{side.code} is {KIND_LABEL[side.kind]} location; a {M(kind).label.lower()} "
                    f"goes {'from' if field == 'from_location' else 'to'} {_kinds_words(kinds)} locations."
                ]
            elif side is not None and field == "to_location" and not side.is_active:
                errors[field] = [f"{side.code} is no longer in use."]
        if kind == M.ADJUST and frm is not None and to is not None:
            errors["to_location"] = ["An adjustment takes stock out of one location or puts it into one, not both."]
        if kind in WORK_ORDER_REQUIRED and work_order is None:
            errors["work_order"] = ["This field is required."]
        elif work_order is not None and kind not in WORK_ORDER_STATES:
            errors["work_order"] = [f"A {M(kind).label.lower()} is not made for a work order."]
        elif work_order is not None and work_order.status not in WORK_ORDER_STATES[kind]:
            errors["work_order"] = [
                f"{work_order.number} is {work_order.get_status_display().lower()}; "
                f"a {M(kind).label.lower()} needs it {' or '.join(s.replace('_', ' ') for s in WORK_ORDER_STATES[kind])}."
            ]
        if kind in REASON_REQUIRED and not (row.get("note") or "").strip():
            errors["note"] = [f"Say why: a {M(kind).label.lower()} needs a reason."]
        elif frm is not None and frm.kind == K.QUARANTINE and not (row.get("note") or "").strip():
            # Quarantined stock becomes usable only on a decision, and the ledger keeps it.
            errors["note"] = [f"Say why it leaves quarantine {frm.code} (the inspection's result)."]
        if kind == M.ISSUE and lot is not None and lot.is_expired(today) and "lot" not in errors:
            errors["lot"] = [f"Lot {lot.code} expired on {lot.expires_on:%Y-%m-%d}; it cannot be issued."]
    if errors:
        raise ValidationError(errors)
    return quantity


def _key(item_id, location_id, lot_id):
    return (item_id, location_id, lot_id)


def _balances_lock(keys):
    """``{(item_id, location_id, lot_id): StockBalance}`` for ``keys``, locked in primary-key order;
    rows that do not exist yet are created first (a concurrent creator of the same row wins, and
    this one then locks it)."""
    keys = set(keys)
    if not keys:
        return {}
    if len(keys) <= LOCK_IN_ONE_READ:
        # Read and lock in one query (``ORDER BY pk … FOR UPDATE`` takes the locks in key order).
        existing = _balances_read(keys, lock=True)
        if len(existing) == len(keys):
            return existing
    else:
        existing = _balances_read(keys)
    missing = [k for k in keys if k not in existing]
    if missing:
        StockBalance.objects.bulk_create(
            [StockBalance(item_id=i, location_id=loc, lot_id=lot, quantity=Decimal("0")) for i, loc, lot in missing],
            ignore_conflicts=True,
            batch_size=1000,
        )
        existing = _balances_read(keys)
    locked = lock_by_pk(StockBalance.objects.all(), [b.pk for b in existing.values()])
    return {_key(b.item_id, b.location_id, b.lot_id): b for b in locked.values()}


# Up to this many balances (one chunk of ``_balances_read``) are read and locked in a single query.
LOCK_IN_ONE_READ = 500


def _balances_read(keys, *, lock=False):
    found = {}
    for chunk in chunks(sorted(keys, key=lambda k: (k[0], k[2] or 0, k[1])), LOCK_IN_ONE_READ):
        # One condition per item and lot, with its locations (a transfer: one item, one lot, two places).
        places = {}
        for item_id, location_id, lot_id in chunk:
            places.setdefault((item_id, lot_id), []).append(location_id)
        condition = Q()
        for (item_id, lot_id), location_ids in places.items():
            lot = {"lot_id": lot_id} if lot_id else {"lot__isnull": True}
            condition |= Q(item_id=item_id, location_id__in=location_ids, **lot)
        rows = StockBalance.objects.filter(condition)
        if lock:
            rows = rows.select_for_update().order_by("pk")
        for balance in rows:
            found[_key(balance.item_id, balance.location_id, balance.lot_id)] = balance
    return found


def _scope(row):
    pairs = list(row.get("scope") or ())
    for location in (row.get("from_location"), row.get("to_location")):
        if location is not None and location.work_center_id is not None:
            pairs.append((location.work_center.department_id, location.work_center_id))
    return pairs


def _where(location, lot):
    return f"{location.code}" + (f" (lot {lot.code})" if lot is not None else "")


@transaction.atomic
def stock_moves_post(*, actor, rows, at=None):
    """Post moves to the ledger, all or nothing, in order (a later move sees what an earlier one
    moved): rows ``{"kind", "item", "quantity", "from_location"?, "to_location"?, "lot"?,
    "work_order"?, "note"?, "at"?}``. Returns the moves in row order."""
    rows = list(rows)
    now = at or timezone.now()
    today = plant_today()
    errors = RowErrors()
    quantities = []
    for index, row in enumerate(rows):
        for field in sorted(set(row) - ROW_FIELDS):
            errors.add(index, field, "This field cannot be set.")
        quantities.append(errors.check(index, stock_move_check, row, today=today))
    errors.raise_if_any()

    keys = set()
    for row in rows:
        lot_id = row["lot"].pk if row.get("lot") is not None else None
        for side in ("from_location", "to_location"):
            if row.get(side) is not None:
                keys.add(_key(row["item"].pk, row[side].pk, lot_id))
    balances = _balances_lock(keys)
    touched = {}
    moves = []
    for index, (row, quantity) in enumerate(zip(rows, quantities, strict=True)):
        item, lot = row["item"], row.get("lot")
        lot_id = lot.pk if lot is not None else None
        frm, to = row.get("from_location"), row.get("to_location")
        if frm is not None:
            balance = balances[_key(item.pk, frm.pk, lot_id)]
            if balance.quantity < quantity:
                if balance.quantity == 0:
                    errors.add(index, "from_location", f"There is no {item.sku} at {_where(frm, lot)}.")
                else:
                    errors.add(
                        index,
                        "quantity",
                        f"Only {fmt_qty(balance.quantity)} {item.uom} of {item.sku} at {_where(frm, lot)}; "
                        f"cannot move {fmt_qty(quantity)}.",
                    )
                continue
            balance.quantity -= quantity
            touched[balance.pk] = balance
        if to is not None:
            balance = balances[_key(item.pk, to.pk, lot_id)]
            balance.quantity += quantity
            touched[balance.pk] = balance
        moves.append(
            StockMove(
                kind=row["kind"],
                item=item,
                quantity=quantity,
                from_location=frm,
                to_location=to,
                lot=lot,
                work_order=row.get("work_order"),
                expected_receipt=row.get("expected_receipt"),
                reverses=row.get("reverses"),
                note=(row.get("note") or "").strip()[:500],
                moved_at=row.get("at") or now,
                moved_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
        )
    errors.raise_if_any()
    if len(moves) == 1:
        moves[0].save(force_insert=True)
    else:
        StockMove.objects.bulk_create(moves, batch_size=1000)
    columns_update(StockBalance, touched.values(), ["quantity", "updated_at"])
    events = EventBatch(actor=actor, at=now)
    for row, move in zip(rows, moves, strict=True):
        changes = {
            "kind": [None, move.kind],
            "quantity": [None, move.quantity],
            "from_location": [None, move.from_location.code if move.from_location else None],
            "to_location": [None, move.to_location.code if move.to_location else None],
        }
        if move.lot is not None:
            changes["lot"] = [None, move.lot.code]
        if move.reverses is not None:
            changes["reverses"] = [None, move.reverses_id]
        events.add(
            verb=REVERSED_VERB if move.reverses is not None else VERBS[move.kind],
            subject=move,
            work_order=move.work_order,
            changes=changes,
            reason=move.note,
            at=move.moved_at,
            scope=_scope(row),
        )
    events.save()
    return moves


def stock_move_post(
    *, actor, kind, item, quantity, from_location=None, to_location=None, lot=None, work_order=None, note="", at=None
):
    row = {
        "kind": kind,
        "item": item,
        "quantity": quantity,
        "from_location": from_location,
        "to_location": to_location,
        "lot": lot,
        "work_order": work_order,
        "note": note,
    }
    return single(stock_moves_post, row, actor=actor, at=at)


def _move_related():
    return StockMove.objects.select_related(
        "item", "lot", "from_location__work_center", "to_location__work_center", "work_order", "expected_receipt"
    )


@transaction.atomic
def stock_move_reverse(*, actor, move, reason, at=None):
    """Correct ``move`` with a move of the same kind and quantity the other way, pointing at it.
    A move is reversed at most once and a reversal is not reversed again (409); the stock it
    takes back must still be there (400). A reversed receipt of an expected receipt takes its quantity
    back off what was received (``_receipt_take_back``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the move is reversed."]})
    lock_by_pk(StockMove.objects.all(), [move.pk])
    original = _move_related().get(pk=move.pk)
    if original.reverses_id is not None:
        raise ConflictError("This move is itself a reversal; post a new move instead.", code="is_a_reversal")
    if StockMove.objects.filter(reverses=original).exists():
        raise ConflictError("This move has already been reversed.", code="already_reversed")
    receipt = None
    if original.expected_receipt_id is not None:
        receipt = lock_by_pk(ExpectedReceipt.objects.all(), [original.expected_receipt_id])[original.expected_receipt_id]
    row = {
        "kind": original.kind,
        "item": original.item,
        "quantity": original.quantity,
        "from_location": original.to_location,
        "to_location": original.from_location,
        "lot": original.lot,
        "work_order": original.work_order,
        "expected_receipt": receipt,
        "reverses": original,
        "note": reason,
    }
    try:
        reversal = single(stock_moves_post, row, actor=actor, at=at)
    except ValidationError as exc:
        # The stock it would take back has moved on: say so against the quantity.
        raise ValidationError({"quantity": [m for ms in exc.message_dict.values() for m in ms]}) from None
    if receipt is not None:
        _receipt_take_back(actor, receipt, original.quantity, at=at)
    return reversal


def _receipt_take_back(actor, receipt, quantity, *, at=None):
    """A reversed receipt move no longer counts as received: a receipt received in full is open again
    for what the reversal took back; a cancelled one stays cancelled (the rest is not coming)."""
    before = (receipt.quantity_received, receipt.status)
    receipt.quantity_received -= quantity
    if receipt.status == ExpectedReceipt.Status.RECEIVED:
        receipt.status = ExpectedReceipt.Status.OPEN
    changes = {"quantity_received": [before[0], receipt.quantity_received]}
    if receipt.status != before[1]:
        changes["status"] = [before[1], receipt.status]
    events = EventBatch(actor=actor, at=at)
    events.add(verb="expected_receipt.receipt_reversed", subject=receipt, changes=changes)
    columns_update(ExpectedReceipt, [receipt], ["quantity_received", "status", "updated_at"])
    events.save()


# --- locations and lots ----------------------------------------------------------------------

LOCATION_FIELDS = ("code", "name", "kind", "work_center", "receives_output", "is_active")
LOT_FIELDS = ("item", "code", "expires_on")


def _location_scope(location):
    wc = location.work_center
    return [(wc.department_id, wc.pk)] if wc is not None else []


def _one_output_check(rows, records=None):
    """At most one location receives completed work orders' output: a field error rather than the
    database's refusal."""
    wanted = [i for i, row in enumerate(rows) if row.get("receives_output")]
    if not wanted:
        return
    own = {r.pk for r in records or ()}
    taken = Location.objects.filter(receives_output=True).exclude(pk__in=own).values_list("code", flat=True).first()
    errors = RowErrors()
    if taken:
        for index in wanted:
            errors.add(index, "receives_output", f"{taken} already receives the output; change it there first.")
    for index in wanted[1:]:
        errors.add(index, "receives_output", "Only one location receives the output.")
    errors.raise_if_any()


def _location_rows_check(rows, records=None):
    """What the location's CHECK constraints say, as field errors (a saved work center is not
    re-validated by ``full_clean``)."""
    errors = RowErrors()
    for index, row in enumerate(rows):
        record = records[index] if records else None

        def value(name, row=row, record=record):
            return row[name] if name in row else getattr(record, name, None)

        if value("work_center") is not None and value("kind") != K.LINE_SIDE:
            errors.add(index, "work_center", "Only a line-side location belongs to a work center.")
        if value("receives_output") and value("kind") == K.QUARANTINE:
            errors.add(index, "receives_output", "Completed work orders cannot put their output into quarantine.")
    errors.raise_if_any()


def locations_create(*, actor, rows):
    rows = list(rows)
    _location_rows_check(rows)
    _one_output_check(rows)
    return records_create(
        actor=actor, model=Location, fields=LOCATION_FIELDS, rows=rows, verb="location.created", scope=_location_scope
    )


def locations_update(*, actor, rows):
    rows = list(rows)
    _location_rows_check([{k: v for k, v in r.items() if k != "record"} for r in rows], [r["record"] for r in rows])
    _one_output_check(rows, [row["record"] for row in rows])
    return records_update(
        actor=actor, model=Location, fields=LOCATION_FIELDS, rows=rows, verb="location.updated", scope=_location_scope
    )


def location_create(*, actor, **data):
    return single(locations_create, data, actor=actor)


def location_update(*, actor, location, **data):
    return single(locations_update, {"record": location, **data}, actor=actor)


def location_delete(*, actor, location):
    """Only a location no move ever touched (``ProtectedError`` otherwise: deactivate it)."""
    StockBalance.objects.filter(location=location, quantity=0).delete()
    records_delete(actor=actor, model=Location, records=[location], verb="location.deleted", scope=_location_scope)


def _lot_unique_check(rows, records=()):
    errors = RowErrors()
    own = {r.pk for r in records}
    seen = {}
    for index, row in enumerate(rows):
        item, code = row.get("item"), (row.get("code") or "").strip()
        if item is None or not code:
            continue
        key = (item.pk, code.lower())
        if key in seen:
            errors.add(index, "code", f"Same lot as row {seen[key]}.")
        seen.setdefault(key, index)
    for chunk in chunks(list(seen), 500):
        condition = Q()
        for item_id, code in chunk:
            condition |= Q(item_id=item_id, code__iexact=code)
        for lot in Lot.objects.filter(condition).exclude(pk__in=own):
            errors.add(seen[(lot.item_id, lot.code.lower())], "code", f"{lot.item.sku} already has a lot {lot.code}.")
    errors.raise_if_any()


def lots_create(*, actor, rows):
    rows = list(rows)
    _lot_unique_check(rows)
    return records_create(actor=actor, model=Lot, fields=LOT_FIELDS, rows=rows, verb="lot.created")


def lots_update(*, actor, rows):
    """Rows ``{"record": lot, "code"?, "expires_on"?}``; the item of a lot never changes."""
    rows = list(rows)
    errors = RowErrors()
    for index, row in enumerate(rows):
        if "item" in row and row["item"] is not None and row["item"].pk != row["record"].item_id:
            errors.add(index, "item", "A lot's item cannot change.")
    errors.raise_if_any()
    rows = [{k: v for k, v in row.items() if k != "item"} for row in rows]
    _lot_unique_check([{"item": r["record"].item, "code": r.get("code")} for r in rows], [r["record"] for r in rows])
    return records_update(actor=actor, model=Lot, fields=("code", "expires_on"), rows=rows, verb="lot.updated")


def lot_create(*, actor, **data):
    return single(lots_create, data, actor=actor)


def lot_update(*, actor, lot, **data):
    return single(lots_update, {"record": lot, **data}, actor=actor)


def lot_delete(*, actor, lot):
    records_delete(actor=actor, model=Lot, records=[lot], verb="lot.deleted")


# --- expected receipts -------------------------------------------------------------------------

RECEIPT_FIELDS = ("item", "quantity", "due_date", "reference", "supplier")


def _receipt_rows_check(rows, records=()):
    errors = RowErrors()
    for index, row in enumerate(rows):
        record = records[index] if records else None
        item = row.get("item") or (record.item if record else None)
        if "quantity" in row:
            quantity = errors.check(index, quantity_clean, row["quantity"], uom=getattr(item, "uom", None))
            if quantity is not None and record is not None and quantity < record.quantity_received:
                errors.add(index, "quantity", f"{fmt_qty(record.quantity_received)} have already been received.")
        if record is not None:
            if record.status != ExpectedReceipt.Status.OPEN:
                errors.add(index, NON_FIELD, f"This receipt is {record.get_status_display().lower()}; it cannot change.")
            if "item" in row and row["item"] is not None and row["item"].pk != record.item_id and record.quantity_received:
                errors.add(index, "item", "Stock has been received against this receipt; its item cannot change.")
    errors.raise_if_any()


NON_FIELD = "__all__"


@transaction.atomic
def expected_receipts_create(*, actor, rows):
    rows = list(rows)
    _receipt_rows_check(rows)
    return records_create(actor=actor, model=ExpectedReceipt, fields=RECEIPT_FIELDS, rows=rows, verb="expected_receipt.created")


@transaction.atomic
def expected_receipts_update(*, actor, rows):
    rows = list(rows)
    locked = lock_by_pk(ExpectedReceipt.objects.all(), [row["record"].pk for row in rows])
    _receipt_rows_check([{k: v for k, v in r.items() if k != "record"} for r in rows], [locked[r["record"].pk] for r in rows])
    return records_update(actor=actor, model=ExpectedReceipt, fields=RECEIPT_FIELDS, rows=rows, verb="expected_receipt.updated")


def expected_receipt_create(*, actor, **data):
    return single(expected_receipts_create, data, actor=actor)


def expected_receipt_update(*, actor, receipt, **data):
    return single(expected_receipts_update, {"record": receipt, **data}, actor=actor)


def expected_receipt_delete(*, actor, receipt):
    """Only a receipt nothing has been received against (``ProtectedError`` otherwise)."""
    records_delete(actor=actor, model=ExpectedReceipt, records=[receipt], verb="expected_receipt.deleted")


@transaction.atomic
def expected_receipt_cancel(*, actor, receipt, reason=""):
    receipt = lock_by_pk(ExpectedReceipt.objects.all(), [receipt.pk])[receipt.pk]
    if receipt.status != ExpectedReceipt.Status.OPEN:
        raise ConflictError(f"This receipt is {receipt.get_status_display().lower()}.", code="receipt_not_open")
    events = EventBatch(actor=actor)
    events.add(
        verb="expected_receipt.cancelled",
        subject=receipt,
        changes={"status": [receipt.status, ExpectedReceipt.Status.CANCELLED]},
        reason=reason,
    )
    receipt.status = ExpectedReceipt.Status.CANCELLED
    columns_update(ExpectedReceipt, [receipt], ["status", "updated_at"])
    events.save()
    return receipt


@transaction.atomic
def expected_receipts_receive(*, actor, rows, at=None):
    """Receive expected supply into stock: rows ``{"receipt", "quantity", "location", "lot"?, "note"?}``.
    A receipt may be received in parts; it is received in full once its quantity has come. Each
    row is a receipt move in the ledger pointing at its expected receipt. Returns the moves."""
    rows = list(rows)
    locked = lock_by_pk(ExpectedReceipt.objects.select_related("item"), [row["receipt"].pk for row in rows])
    errors = RowErrors()
    received = defaultdict(Decimal)
    move_rows = []
    for index, row in enumerate(rows):
        receipt = locked[row["receipt"].pk]
        if receipt.status != ExpectedReceipt.Status.OPEN:
            errors.add_error(
                index,
                ConflictError(f"This receipt is {receipt.get_status_display().lower()}.", code="receipt_not_open"),
                conflict_field="receipt",
            )
            continue
        quantity = errors.check(index, quantity_clean, row.get("quantity"), uom=receipt.item.uom)
        if quantity is None:
            continue
        left = receipt.quantity - receipt.quantity_received - received[receipt.pk]
        if quantity > left:
            errors.add(index, "quantity", f"Only {fmt_qty(left)} {receipt.item.uom} are still expected on this receipt.")
            continue
        received[receipt.pk] += quantity
        move_rows.append(
            {
                "kind": M.RECEIPT,
                "item": receipt.item,
                "quantity": quantity,
                "to_location": row.get("location"),
                "lot": row.get("lot"),
                "expected_receipt": receipt,
                "note": row.get("note") or (f"Received on {receipt.reference}" if receipt.reference else ""),
            }
        )
    errors.raise_if_any()
    try:
        moves = stock_moves_post(actor=actor, rows=move_rows, at=at)
    except ValidationError as exc:
        if hasattr(exc, "errors"):  # RowsInvalid: rename the ledger's fields to this form's
            for error in exc.errors:
                errors.add(error.row, {"to_location": "location"}.get(error.field, error.field), error.message)
            errors.raise_if_any()
        raise
    events = EventBatch(actor=actor, at=at)
    changed = []
    for pk, quantity in received.items():
        receipt = locked[pk]
        before = receipt.quantity_received
        receipt.quantity_received = before + quantity
        if receipt.quantity_received >= receipt.quantity:
            receipt.status = ExpectedReceipt.Status.RECEIVED
        changed.append(receipt)
        events.add(
            verb="expected_receipt.received",
            subject=receipt,
            changes={"quantity_received": [before, receipt.quantity_received]},
        )
    columns_update(ExpectedReceipt, changed, ["quantity_received", "status", "updated_at"])
    events.save()
    return moves


def expected_receipt_receive(*, actor, receipt, quantity, location, lot=None, note="", at=None):
    row = {"receipt": receipt, "quantity": quantity, "location": location, "lot": lot, "note": note}
    return single(expected_receipts_receive, row, actor=actor, at=at)


@transaction.atomic
def expected_receipt_receive_into_lot(*, actor, receipt, quantity, location, lot_code="", expires_on=None, note="", at=None):
    """Receive as a delivery arrives at the dock: into the lot ``lot_code`` of the receipt's item — created
    with ``expires_on`` when the item has no lot of that code yet (the delivery's new batch) — or, with
    no code, without a lot. All or nothing: a refused receipt creates no lot."""
    code = (lot_code or "").strip()
    lot = None
    if not code and expires_on is not None:
        raise ValidationError({"expires_on": ["An expiry date belongs to a lot: give the lot's code too."]})
    if code:
        lot = Lot.objects.filter(item_id=receipt.item_id, code__iexact=code).first()
        if lot is None:
            try:
                with transaction.atomic():
                    lot = lot_create(actor=actor, item=receipt.item, code=code, expires_on=expires_on)
            except IntegrityError:  # someone created it this very moment: theirs is the lot
                lot = Lot.objects.filter(item_id=receipt.item_id, code__iexact=code).first()
                if lot is None:
                    raise
        if expires_on is not None and lot.expires_on != expires_on:
            said = f"expires on {lot.expires_on:%Y-%m-%d}" if lot.expires_on else "has no expiry date"
            raise ValidationError(
                {"expires_on": [f"Lot {lot.code} {said}: leave the date empty, or change the lot's date first."]}
            )
    return expected_receipt_receive(actor=actor, receipt=receipt, quantity=quantity, location=location, lot=lot, note=note, at=at)


# --- work orders: output and backflush ---------------------------------------------------------


def output_location():
    """The location completed work orders put their good output into, or None when the plant has none."""
    return Location.objects.filter(receives_output=True, is_active=True).first()


def work_orders_produce(*, actor, work_orders, at=None, scopes=None):
    """Receive the good output of completed ``work_orders`` into the output location: for each,
    what it completed less what the ledger already shows it produced. Nothing when the plant
    has no output location. Called by the completion in the same transaction."""
    from .selectors import work_order_flows

    location = output_location()
    work_orders = [wo for wo in work_orders if wo.quantity_completed > 0]
    if location is None or not work_orders:
        return []
    flows = work_order_flows([wo.pk for wo in work_orders])
    items = Item.objects.in_bulk({wo.item_id for wo in work_orders})
    rows = []
    for wo in work_orders:
        produced = flows.get((wo.pk, wo.item_id), {}).get("produced", Decimal("0"))
        quantity = wo.quantity_completed - produced
        if quantity > 0:
            rows.append(
                {
                    "kind": M.PRODUCE,
                    "item": items[wo.item_id],
                    "quantity": quantity,
                    "to_location": location,
                    "work_order": wo,
                    "note": f"Output of {wo.number}",
                    "scope": (scopes or {}).get(wo.pk, ()),
                }
            )
    return stock_moves_post(actor=actor, rows=rows, at=at) if rows else []


def work_orders_backflush(*, actor, rows, at=None):
    """Issue backflushed components (``Item.backflush``) to work orders as their first operation
    reports what it processed: rows ``{"row", "work_order", "work_center_id", "quantity"}`` (``row``:
    the index of the progress report, for its errors). Each component's share is quantity ×
    quantity per × (1 + scrap %), taken from the line-side location of the operation's work center,
    the lots that expire first first (expired lots never). Not enough there refuses the report
    (a field error on ``quantity_good``). Called by progress reporting in its transaction."""
    rows = [row for row in rows if row["quantity"] > 0 and row["work_order"].bom_id is not None]
    if not rows:
        return []
    lines = defaultdict(list)
    for line in BOMLine.objects.filter(
        bom_id__in={row["work_order"].bom_id for row in rows}, component__backflush=True
    ).select_related("component"):
        lines[line.bom_id].append(line)
    rows = [row for row in rows if lines.get(row["work_order"].bom_id)]
    if not rows:
        return []
    sources = {}
    for location in (
        Location.objects.filter(kind=K.LINE_SIDE, is_active=True, work_center_id__in={row["work_center_id"] for row in rows})
        .select_related("work_center")
        .order_by("code")
    ):
        sources.setdefault(location.work_center_id, location)
    component_ids = {line.component_id for group in lines.values() for line in group}
    today = plant_today()
    available = defaultdict(list)  # (item_id, location_id) → [balance, …], the lot expiring first first
    locked = StockBalance.objects.select_for_update(of=("self",)).filter(
        item_id__in=component_ids, location__in=list(sources.values()), quantity__gt=0
    )
    for balance in sorted(locked.select_related("lot").order_by("pk"), key=_first_to_expire):
        if balance.lot is not None and balance.lot.is_expired(today):
            continue
        available[(balance.item_id, balance.location_id)].append(balance)
    errors = RowErrors()
    moves = []
    for row in rows:
        wo = row["work_order"]
        source = sources.get(row["work_center_id"])
        for line in lines[wo.bom_id]:
            item = line.component
            need = _share(row["quantity"], line)
            if source is None:
                errors.add(
                    row["row"], "quantity_good", f"{item.sku} is backflushed, but this work center has no line-side location."
                )
                continue
            pool = available[(item.pk, source.pk)]
            there = sum((b.quantity for b in pool), Decimal("0"))
            if there < need:
                errors.add(
                    row["row"],
                    "quantity_good",
                    f"Backflushing needs {fmt_qty(need)} {item.uom} of {item.sku} at {source.code}; only {fmt_qty(there)} there.",
                )
                continue
            for balance in pool:
                take = min(need, balance.quantity)
                if take <= 0:
                    continue
                balance.quantity -= take
                need -= take
                moves.append(
                    {
                        "kind": M.ISSUE,
                        "item": item,
                        "quantity": take,
                        "from_location": source,
                        "lot": balance.lot,
                        "work_order": wo,
                        "note": "Backflushed",
                    }
                )
                if need <= 0:
                    break
    errors.raise_if_any()
    return stock_moves_post(actor=actor, rows=moves, at=at) if moves else []


def _first_to_expire(balance):
    expires = balance.lot.expires_on if balance.lot is not None else None
    return (expires is None, expires or dt.date.max, balance.pk)


def _share(quantity, line):
    return component_quantity(
        order_quantity=quantity, quantity_per=line.quantity_per, scrap_pct=line.scrap_pct, uom=line.component.uom
    )
