"""Bulk write paths for master data: items, and BOM and routing revisions
created released, for thousands of rows at a time (large plants, imports).
The same rules and the same all-or-nothing behaviour as ``bulk``."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from materials.models import BOM, BOMLine, Item
from materials.services import ITEM_FIELDS, _lines_repr, _validate_lines
from prodcoord.core.crud import full_clean, revision_check
from prodcoord.events.services import diff

from ..models import Routing, RoutingStep
from .bulk import BATCH, _Events, _raise_row_errors
from .routings import _steps_repr, _validate_steps


@transaction.atomic
def items_create_bulk(*, actor, rows):
    """Create items (dicts of ``ITEM_FIELDS``); SKUs must be new and unique within the batch."""
    rows = list(rows)
    row_errors = {}
    items = []
    skus = [(r.get("sku") or "").strip() for r in rows]
    taken = set()
    for start in range(0, len(skus), 5000):
        taken |= set(Item.objects.filter(sku__in=skus[start : start + 5000]).values_list("sku", flat=True))
    seen = {}
    for i, row in enumerate(rows):
        unknown = set(row) - set(ITEM_FIELDS)
        item = Item(**{k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k in ITEM_FIELDS})
        errs = {f: ["This field cannot be set."] for f in unknown}
        try:
            full_clean(item, validate_unique=False)
        except ValidationError as exc:
            errs.update(exc.message_dict)
        if item.sku in taken:
            errs.setdefault("sku", []).append(f"Item {item.sku} already exists.")
        elif item.sku in seen:
            errs.setdefault("sku", []).append(f"Same SKU as row {seen[item.sku]}.")
        seen[item.sku] = i
        if errs:
            row_errors[i] = errs
        items.append(item)
    _raise_row_errors(row_errors)
    Item.objects.bulk_create(items, batch_size=BATCH)
    events = _Events(actor)
    for item in items:
        events.add(verb="item.created", subject=item, changes=diff({}, {f: getattr(item, f) for f in ITEM_FIELDS}))
    events.save()
    return items


def _released_graph(item_ids=None):
    """item id → component ids, over the released BOMs."""
    graph = defaultdict(set)
    for item_id, component_id in BOMLine.objects.filter(bom__status=BOM.Status.RELEASED).values_list(
        "bom__item_id", "component_id"
    ):
        graph[item_id].add(component_id)
    return graph


def _reaches(graph, start_ids, target):
    stack, seen = list(start_ids), set()
    while stack:
        node = stack.pop()
        if node == target:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return False


@transaction.atomic
def boms_create_released_bulk(*, actor, rows, reason="", at=None):
    """Create and release BOM revisions: rows ``{item, revision, lines}`` as for ``bom_create``.

    The rules of ``bom_create`` + ``bom_release``: valid lines, at least one line,
    a new revision, and no cycle — checked against the released BOMs plus the
    whole batch, as if the rows were released one after another. An item's
    previously released revision becomes obsolete.
    """
    rows = list(rows)
    at = at or timezone.now()
    row_errors = {}
    cleaned = []
    existing = defaultdict(set)  # item id → revisions taken, including by earlier rows
    for item_id, taken in BOM.objects.filter(item__in=[r["item"] for r in rows]).values_list("item_id", "revision"):
        existing[item_id].add(taken)
    graph = _released_graph()
    for i, row in enumerate(rows):
        errs = {}
        item = row["item"]
        try:
            lines = _validate_lines(item, row.get("lines") or [])
        except ValidationError as exc:
            errs.update(exc.message_dict)
            lines = []
        try:
            revision = revision_check(model=BOM, item=item, revision=row.get("revision"), taken=existing[item.pk])
        except ValidationError as exc:
            errs.update(exc.message_dict)
            revision = None
        if not lines and "lines" not in errs:
            errs["lines"] = ["A BOM needs at least one line before it can be released."]
        components = {line["component"].pk for line in lines}
        if components and _reaches(graph, components, item.pk):
            errs["lines"] = [f"Releasing this revision would make {item.sku} contain itself (a BOM cycle)."]
        if errs:
            row_errors[i] = errs
            continue
        existing[item.pk].add(revision)
        graph[item.pk] = components
        cleaned.append((item, revision, lines))
    _raise_row_errors(row_errors)

    events = _Events(actor)
    previous = list(BOM.objects.select_for_update().filter(item__in=[c[0] for c in cleaned], status=BOM.Status.RELEASED))
    for bom in previous:
        bom.status = BOM.Status.OBSOLETE
        events.add(verb="bom.obsoleted", subject=bom, changes={"status": ["released", "obsolete"]}, reason="superseded", at=at)
    BOM.objects.bulk_update(previous, ["status", "updated_at"])
    boms = [BOM(item=item, revision=revision, status=BOM.Status.RELEASED, released_at=at) for item, revision, _ in cleaned]
    BOM.objects.bulk_create(boms, batch_size=BATCH)
    BOMLine.objects.bulk_create(
        [BOMLine(bom=bom, **line) for bom, (_, _, lines) in zip(boms, cleaned, strict=True) for line in lines], batch_size=BATCH
    )
    for bom, (_, _, lines) in zip(boms, cleaned, strict=True):
        events.add(verb="bom.created", subject=bom, changes={"lines": [None, _lines_repr(lines)]}, at=at)
        events.add(verb="bom.released", subject=bom, changes={"status": ["draft", "released"]}, reason=reason, at=at)
    events.save()
    return boms


@transaction.atomic
def routings_create_released_bulk(*, actor, rows, reason="", at=None):
    """Create and release routings: rows ``{item, revision, steps}`` as for ``routing_create``."""
    rows = list(rows)
    at = at or timezone.now()
    row_errors = {}
    cleaned = []
    existing = defaultdict(set)  # item id → revisions taken, including by earlier rows
    for item_id, taken in Routing.objects.filter(item__in=[r["item"] for r in rows]).values_list("item_id", "revision"):
        existing[item_id].add(taken)
    for i, row in enumerate(rows):
        errs = {}
        item = row["item"]
        try:
            steps = _validate_steps(row.get("steps") or [])
        except ValidationError as exc:
            errs.update(exc.message_dict)
            steps = []
        try:
            revision = revision_check(model=Routing, item=item, revision=row.get("revision"), taken=existing[item.pk])
        except ValidationError as exc:
            errs.update(exc.message_dict)
            revision = None
        if not steps and "steps" not in errs:
            errs["steps"] = ["A routing needs at least one step before it can be released."]
        if errs:
            row_errors[i] = errs
            continue
        existing[item.pk].add(revision)
        cleaned.append((item, revision, steps))
    _raise_row_errors(row_errors)

    events = _Events(actor)
    previous = list(Routing.objects.select_for_update().filter(item__in=[c[0] for c in cleaned], status=Routing.Status.RELEASED))
    for routing in previous:
        routing.status = Routing.Status.OBSOLETE
        events.add(
            verb="routing.obsoleted", subject=routing, changes={"status": ["released", "obsolete"]}, reason="superseded", at=at
        )
    Routing.objects.bulk_update(previous, ["status", "updated_at"])
    routings = [
        Routing(item=item, revision=revision, status=Routing.Status.RELEASED, released_at=at) for item, revision, _ in cleaned
    ]
    Routing.objects.bulk_create(routings, batch_size=BATCH)
    RoutingStep.objects.bulk_create(
        [RoutingStep(routing=r, **s) for r, (_, _, steps) in zip(routings, cleaned, strict=True) for s in steps], batch_size=BATCH
    )
    for routing, (_, _, steps) in zip(routings, cleaned, strict=True):
        events.add(verb="routing.created", subject=routing, changes={"steps": [None, _steps_repr(steps)]}, at=at)
        events.add(verb="routing.released", subject=routing, changes={"status": ["draft", "released"]}, reason=reason, at=at)
    events.save()
    return routings


# --- work orders ----------------------------------------------------------------
