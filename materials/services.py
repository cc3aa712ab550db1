"""Writes to master data: items and BOMs.

Each write takes many rows (``items_create(rows=[…])``) and is the one path
for that change; the single-object service is a batch of one. Each validates,
writes in one transaction and records its events.
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from prodcoord.core.crud import (
    RevisionKind,
    records_create,
    records_delete,
    records_update,
    revisions_create,
    revisions_delete,
    revisions_release,
    revisions_update,
)
from prodcoord.core.rows import row_field, single

from .models import BOM, BOMLine, Item

ITEM_FIELDS = ("sku", "name", "kind", "uom", "lead_time_days", "safety_stock", "backflush", "is_active")


# --- items ------------------------------------------------------------------------------


def items_create(*, actor, rows):
    return records_create(actor=actor, model=Item, fields=ITEM_FIELDS, rows=rows, verb="item.created")


def items_update(*, actor, rows):
    """Rows ``{"record": item, **changes}``."""
    return records_update(actor=actor, model=Item, fields=ITEM_FIELDS, rows=rows, verb="item.updated")


def item_create(*, actor, **data):
    return single(items_create, data, actor=actor)


def item_update(*, actor, item, **data):
    return single(items_update, {"record": item, **data}, actor=actor)


def item_delete(*, actor, item):
    records_delete(actor=actor, model=Item, records=[item], verb="item.deleted")


# --- BOMs ---------------------------------------------------------------------------------


def bom_lines_check(item, lines):
    """``lines``: dicts {component: Item, quantity_per, scrap_pct}; at most ``BOM_MAX_LINES``.
    Raises field errors per line (``lines[1].component``; see ``prodcoord.core.rows.row_field``)."""
    lines = list(lines)
    limit = settings.BOM_MAX_LINES
    if len(lines) > limit:
        raise ValidationError({"lines": [f"At most {limit} lines per BOM (BOM_MAX_LINES); this one has {len(lines)}."]})
    errors = {}
    seen = set()
    cleaned = []
    for index, line in enumerate(lines):
        component = line.get("component")
        qty = line.get("quantity_per")
        scrap = line.get("scrap_pct") or Decimal("0")
        if component is None:
            errors[row_field("lines", index, "component")] = ["This field is required."]
        elif component.pk == item.pk:
            errors[row_field("lines", index, "component")] = ["An item cannot be a component of itself."]
        elif component.pk in seen:
            errors[row_field("lines", index, "component")] = [f"{component.sku} appears more than once; combine the lines."]
        try:
            qty_ok = qty is not None and Decimal(qty) > 0
        except (TypeError, ValueError, ArithmeticError):
            qty_ok = False
        if not qty_ok:
            errors[row_field("lines", index, "quantity_per")] = ["Must be greater than zero."]
        try:
            scrap_ok = 0 <= Decimal(scrap) < 100
        except (TypeError, ValueError, ArithmeticError):
            scrap_ok = False
        if not scrap_ok:
            errors[row_field("lines", index, "scrap_pct")] = ["Must be at least 0 and less than 100."]
        if component is not None:
            seen.add(component.pk)
        cleaned.append({"component": component, "quantity_per": qty, "scrap_pct": scrap})
    if errors:
        raise ValidationError(errors)
    return cleaned


def _lines_describe(lines):
    return [f"{line['quantity_per']} × {line['component'].sku}" for line in lines]


def _lines_describe_saved(bom):
    return [f"{line.quantity_per} × {line.component.sku}" for line in bom.lines.select_related("component")]


BOM_KIND = RevisionKind(
    model=BOM,
    line_model=BOMLine,
    content="lines",
    verb_prefix="bom",
    validate=bom_lines_check,
    line=lambda bom, line: BOMLine(bom=bom, **line),
    describe=_lines_describe,
    describe_saved=_lines_describe_saved,
)


def boms_create(*, actor, rows, at=None):
    """Draft BOM revisions: rows ``{"item", "revision", "lines": [{component, quantity_per, scrap_pct}]}``."""
    return revisions_create(BOM_KIND, actor=actor, rows=rows, at=at)


def boms_update(*, actor, rows):
    """Change drafts: rows ``{"record": bom, "revision"?, "lines"?}``."""
    return revisions_update(BOM_KIND, actor=actor, rows=rows)


class ReleasedGraph:
    """Which items each item contains through released BOMs, read level by level as a
    search needs it (one query per level for all the items reached), with the
    revisions a batch releases laid over it."""

    def __init__(self):
        self.children = {}

    def release(self, item_id, component_ids):
        self.children[item_id] = set(component_ids)

    def _load(self, item_ids):
        missing = [i for i in item_ids if i not in self.children]
        if not missing:
            return
        found = defaultdict(set)
        for item_id, component_id in BOMLine.objects.filter(
            bom__item_id__in=missing, bom__status=BOM.Status.RELEASED
        ).values_list("bom__item_id", "component_id"):
            found[item_id].add(component_id)
        for item_id in missing:
            self.children[item_id] = found[item_id]

    def reaches(self, start_ids, target):
        """Whether any of ``start_ids`` contains ``target`` (or is it), at any depth."""
        seen, frontier = set(), set(start_ids)
        while frontier:
            if target in frontier:
                return True
            seen |= frontier
            self._load(frontier)
            frontier = {c for node in frontier for c in self.children[node]} - seen
        return False


def boms_release(*, actor, rows, at=None):
    """Release draft BOMs: rows ``{"record": bom, "reason"?, "at"?}``, as if one after another.
    The item's released revision becomes obsolete. A revision whose components lead back
    (through released BOMs, at any depth) to its own item is refused: that would be a cycle."""
    rows = list(rows)
    lines = defaultdict(set)
    for bom_id, component_id in BOMLine.objects.filter(bom__in=[row["record"].pk for row in rows]).values_list(
        "bom_id", "component_id"
    ):
        lines[bom_id].add(component_id)
    graph = ReleasedGraph()

    def no_cycle(index, bom, errors):
        if graph.reaches(lines[bom.pk], bom.item_id):
            errors.add(index, "lines", f"Releasing this revision would make {bom.item.sku} contain itself (a BOM cycle).")
        else:
            graph.release(bom.item_id, lines[bom.pk])

    return revisions_release(BOM_KIND, actor=actor, rows=rows, check=no_cycle, at=at)


def boms_delete(*, actor, records):
    revisions_delete(BOM_KIND, actor=actor, records=records)


def bom_create(*, actor, item, revision, lines=()):
    return single(boms_create, {"item": item, "revision": revision, "lines": list(lines)}, actor=actor)


def bom_update(*, actor, bom, item=None, revision=None, lines=None):
    return single(boms_update, {"record": bom, "item": item, "revision": revision, "lines": lines}, actor=actor)


def bom_release(*, actor, bom, reason="", at=None):
    return single(boms_release, {"record": bom, "reason": reason, "at": at}, actor=actor)


def bom_delete(*, actor, bom):
    boms_delete(actor=actor, records=[bom])
