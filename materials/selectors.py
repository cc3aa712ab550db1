"""Reads of master data shaped for the API and the pages."""

import datetime as dt
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Prefetch, Q, Subquery, Sum, Value, When

from .models import BOM, BOMLine, ExpectedReceipt, Item, Location, Lot, StockBalance, StockMove


def item_list():
    return Item.objects.order_by("sku")


def bom_list():
    """BOM revisions with their item and lines (components loaded) in three queries."""
    return (
        BOM.objects.select_related("item")
        .prefetch_related(Prefetch("lines", queryset=BOMLine.objects.select_related("component").order_by("id")))
        .order_by("item__sku", "revision", "id")
    )


# --- stock ------------------------------------------------------------------------------------


ZERO = Decimal("0")


def location_list():
    return Location.objects.select_related("work_center").order_by("code")


def active_locations():
    """The locations in use, by code: where stock can be moved from and to."""
    return Location.objects.filter(is_active=True).order_by("code")


def lot_list():
    return Lot.objects.select_related("item").order_by("item__sku", "code")


def balance_list(*, include_empty=False):
    """Balances per item, location and lot, by item SKU then location code; empty ones left out."""
    queryset = StockBalance.objects.select_related("item", "location", "lot")
    if not include_empty:
        queryset = queryset.filter(quantity__gt=0)
    return queryset.order_by("item__sku", "location__code", "lot__code", "pk")


def move_list():
    """Moves, newest first, each with ``reversed_by_pk``: the move that reverses it, if any.

    The item and both locations are joined; the lot, work order, expected receipt and mover come
    by id in a query each (none when no move of the page has one), and the reversal is a subquery
    per row. Joining all nine tables made PostgreSQL spend 50–90 ms choosing a join order for a
    page that takes under a millisecond to read."""
    reversal = StockMove.objects.filter(reverses=OuterRef("pk")).values("pk")[:1]
    return (
        StockMove.objects.select_related("item", "from_location", "to_location")
        .prefetch_related("lot", "work_order", "expected_receipt", "moved_by")
        .annotate(reversed_by_pk=Subquery(reversal))
        .order_by("-moved_at", "-pk")
    )


def expected_receipt_list():
    return ExpectedReceipt.objects.select_related("item").order_by("due_date", "pk")


def expected_receipts_open(search=""):
    """The receipts still to come, the earliest due first; ``search``: part of the item's SKU, the
    reference or the supplier (any case)."""
    receipts = expected_receipt_list().filter(status=ExpectedReceipt.Status.OPEN)
    if search:
        receipts = receipts.filter(
            Q(item__sku__icontains=search) | Q(reference__icontains=search) | Q(supplier__icontains=search)
        )
    return receipts


def usable_balance_q(today):
    """The balances that are usable supply on ``today``: not in quarantine, not of an expired lot."""
    return ~Q(location__kind=Location.Kind.QUARANTINE) & (
        Q(lot__isnull=True) | Q(lot__expires_on__isnull=True) | Q(lot__expires_on__gte=today)
    )


def line_stock(item_ids, *, work_center_ids=(), today):
    """``{item_id: [balance, …]}``: the usable stock of ``item_ids`` on the line — staging lanes and
    line-side racks in use, never the warehouse — in the order it is best taken: the racks of
    ``work_center_ids`` first, then the lot that expires first, then by location (one query)."""
    balances = StockBalance.objects.filter(
        usable_balance_q(today),
        item_id__in=list(item_ids),
        location__kind__in=Location.STAGED_KINDS,
        location__is_active=True,
        quantity__gt=0,
    ).select_related("item", "location", "lot")
    centers = set(work_center_ids)

    def first_taken(balance):
        expires = balance.lot.expires_on if balance.lot is not None and balance.lot.expires_on else dt.date.max
        return (balance.location.work_center_id not in centers, expires, balance.location.code, balance.pk)

    found = {}
    for balance in sorted(balances, key=first_taken):
        found.setdefault(balance.item_id, []).append(balance)
    return found


def usable_on_hand(item_ids, *, today):
    """``{item_id: quantity}`` usable on ``today`` (one query): what shortage netting starts from."""
    rows = (
        StockBalance.objects.filter(usable_balance_q(today), item_id__in=list(item_ids), quantity__gt=0)
        .values("item_id")
        .annotate(total=Sum("quantity"))
    )
    return {row["item_id"]: row["total"] for row in rows}


def item_on_hand(item, *, today):
    """An item's balances with whether each is usable, and the usable and total sums."""
    balances = list(balance_list().filter(item=item))
    for balance in balances:
        balance.usable = balance.location.is_usable and not (balance.lot and balance.lot.is_expired(today))
    usable = sum((b.quantity for b in balances if b.usable), ZERO)
    total = sum((b.quantity for b in balances), ZERO)
    return balances, usable, total


def open_expected_receipts(item_ids=None):
    """Open expected receipts by due date; ``quantity_open`` is what is still to come."""
    queryset = expected_receipt_list().filter(status=ExpectedReceipt.Status.OPEN)
    if item_ids is not None:
        queryset = queryset.filter(item_id__in=list(item_ids))
    return queryset


def _signed(condition, sign=1):
    return Case(When(condition, then=F("quantity") * Value(sign)), default=Value(ZERO), output_field=DecimalField())


def work_order_flows(work_order_ids):
    """What the ledger holds for each work order and item, in one query:
    ``{(work_order_id, item_id): {"staged", "issued", "produced"}}``.

    - *issued*: issues less returns (a reversed issue counts as a return and the other way round);
    - *staged*: moved for the work order into staging or line-side locations, less what was
      moved (or issued) out of them for it — what waits at the line;
    - *produced*: the order's output received into stock, less reversals.
    """
    staged_kinds = list(Location.STAGED_KINDS)
    K = StockMove.Kind
    consume = Q(kind__in=[K.ISSUE, K.RETURN])
    rows = (
        StockMove.objects.filter(work_order_id__in=list(work_order_ids))
        .values("work_order_id", "item_id")
        .annotate(
            issued=Sum(_signed(consume & Q(from_location__isnull=False)) + _signed(consume & Q(to_location__isnull=False), -1)),
            staged=Sum(_signed(Q(to_location__kind__in=staged_kinds)) + _signed(Q(from_location__kind__in=staged_kinds), -1)),
            produced=Sum(
                _signed(Q(kind=K.PRODUCE, to_location__isnull=False))
                + _signed(Q(kind=K.PRODUCE, from_location__isnull=False), -1)
            ),
        )
        .order_by()
    )
    return {
        (row["work_order_id"], row["item_id"]): {
            "issued": row["issued"] or ZERO,
            "staged": row["staged"] or ZERO,
            "produced": row["produced"] or ZERO,
        }
        for row in rows
    }
