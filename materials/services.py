"""Writes to master data: items and BOMs. Each function validates, writes in one
transaction and records the event."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from prodcoord.core.crud import (
    record_create,
    record_update,
    revision_check_unique,
    revision_release,
    revision_require_draft,
    revision_require_same_item,
)
from prodcoord.events.services import event_record

from .models import BOM, BOMLine, Item

ITEM_FIELDS = ("sku", "name", "kind", "uom", "lead_time_days", "safety_stock", "is_active")


def item_create(*, actor, **data):
    return record_create(actor=actor, model=Item, fields=ITEM_FIELDS, data=data, verb="item.created")


def item_update(*, actor, item, **data):
    return record_update(actor=actor, obj=item, fields=ITEM_FIELDS, data=data, verb="item.updated")


def _validate_lines(item, lines):
    """``lines``: dicts {component: Item, quantity_per, scrap_pct}. Raises field errors per line."""
    errors = []
    seen = set()
    cleaned = []
    for line in lines:
        err = {}
        component = line.get("component")
        qty = line.get("quantity_per")
        scrap = line.get("scrap_pct") or Decimal("0")
        if component is None:
            err["component"] = "This field is required."
        elif component.pk == item.pk:
            err["component"] = "An item cannot be a component of itself."
        elif component.pk in seen:
            err["component"] = f"{component.sku} appears more than once; combine the lines."
        try:
            qty_ok = qty is not None and Decimal(qty) > 0
        except (TypeError, ValueError, ArithmeticError):
            qty_ok = False
        if not qty_ok:
            err["quantity_per"] = "Must be greater than zero."
        try:
            scrap_ok = 0 <= Decimal(scrap) < 100
        except (TypeError, ValueError, ArithmeticError):
            scrap_ok = False
        if not scrap_ok:
            err["scrap_pct"] = "Must be at least 0 and less than 100."
        errors.append(err)
        if component is not None:
            seen.add(component.pk)
        cleaned.append({"component": component, "quantity_per": qty, "scrap_pct": scrap})
    if any(errors):
        raise ValidationError(
            {"lines": [f"Line {i + 1}, {field}: {msg}" for i, e in enumerate(errors) for field, msg in e.items()]}
        )
    return cleaned


def _lines_repr(lines):
    return [f"{line['quantity_per']} × {line['component'].sku}" for line in lines]


@transaction.atomic
def bom_create(*, actor, item, revision, lines=()):
    revision = revision_check_unique(model=BOM, item=item, revision=revision)
    cleaned = _validate_lines(item, lines)
    bom = BOM.objects.create(item=item, revision=revision)
    BOMLine.objects.bulk_create(BOMLine(bom=bom, **line) for line in cleaned)
    event_record(actor=actor, verb="bom.created", subject=bom, changes={"lines": [None, _lines_repr(cleaned)]})
    return bom


@transaction.atomic
def bom_update(*, actor, bom, item=None, revision=None, lines=None):
    bom = BOM.objects.select_for_update().select_related("item").get(pk=bom.pk)
    revision_require_draft(bom)
    revision_require_same_item(bom, item)
    changes = {}
    if revision is not None and revision.strip() != bom.revision:
        revision = revision_check_unique(model=BOM, item=bom.item, revision=revision, exclude_pk=bom.pk)
        changes["revision"] = [bom.revision, revision]
        bom.revision = revision
        bom.save(update_fields=["revision", "updated_at"])
    if lines is not None:
        cleaned = _validate_lines(bom.item, lines)
        old = [f"{line.quantity_per} × {line.component.sku}" for line in bom.lines.select_related("component")]
        bom.lines.all().delete()
        BOMLine.objects.bulk_create(BOMLine(bom=bom, **line) for line in cleaned)
        changes["lines"] = [old, _lines_repr(cleaned)]
    if changes:
        event_record(actor=actor, verb="bom.updated", subject=bom, changes=changes)
    return bom


def bom_components_closure(item_ids):
    """Every item reachable downwards from ``item_ids`` through released BOMs."""
    seen = set()
    frontier = set(item_ids)
    while frontier:
        seen |= frontier
        children = set(
            BOMLine.objects.filter(bom__item_id__in=frontier, bom__status=BOM.Status.RELEASED).values_list(
                "component_id", flat=True
            )
        )
        frontier = children - seen
    return seen


@transaction.atomic
def bom_release(*, actor, bom, reason="", at=None):
    """Release a draft BOM revision; the item's previously released revision becomes obsolete.

    A revision whose components lead back (through released BOMs, at any depth)
    to its own item is refused: that would be a cycle.
    """
    bom = BOM.objects.select_for_update().select_related("item").get(pk=bom.pk)
    components = list(bom.lines.values_list("component_id", flat=True))
    if bom.status == BOM.Status.DRAFT:
        if not components:
            raise ValidationError({"lines": ["A BOM needs at least one line before it can be released."]})
        if bom.item_id in bom_components_closure(components):
            raise ValidationError({"lines": [f"Releasing this revision would make {bom.item.sku} contain itself (a BOM cycle)."]})
    return revision_release(actor=actor, obj=bom, verb_prefix="bom", reason=reason, at=at)
