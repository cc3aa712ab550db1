"""Routings: the revisioned steps at work centers that make an item."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from prodcoord.core.crud import (
    revision_check_unique,
    revision_release,
    revision_require_draft,
    revision_require_same_item,
)
from prodcoord.events.services import event_record

from ..models import Routing, RoutingStep


def _validate_steps(steps):
    """``steps``: dicts {sequence, work_center, setup_minutes, run_minutes_per_unit, description}."""
    messages = []
    seen = set()
    cleaned = []
    for i, step in enumerate(steps, start=1):
        seq = step.get("sequence")
        wc = step.get("work_center")
        setup = Decimal(step.get("setup_minutes") or 0)
        run = Decimal(step.get("run_minutes_per_unit") or 0)
        if not seq or int(seq) <= 0:
            messages.append(f"Step {i}, sequence: must be a positive number.")
        elif seq in seen:
            messages.append(f"Step {i}, sequence: {seq} is used twice.")
        if wc is None:
            messages.append(f"Step {i}, work_center: this field is required.")
        elif not wc.is_active:
            messages.append(f"Step {i}, work_center: {wc.code} is inactive.")
        if setup < 0:
            messages.append(f"Step {i}, setup_minutes: cannot be negative.")
        if run < 0:
            messages.append(f"Step {i}, run_minutes_per_unit: cannot be negative.")
        seen.add(seq)
        cleaned.append(
            {
                "sequence": seq,
                "work_center": wc,
                "setup_minutes": setup,
                "run_minutes_per_unit": run,
                "description": (step.get("description") or "").strip(),
            }
        )
    if messages:
        raise ValidationError({"steps": messages})
    return sorted(cleaned, key=lambda s: s["sequence"])


def _steps_repr(steps):
    return [f"{s['sequence']}@{s['work_center'].code}" for s in steps]


@transaction.atomic
def routing_create(*, actor, item, revision, steps=()):
    revision = revision_check_unique(model=Routing, item=item, revision=revision)
    cleaned = _validate_steps(steps)
    routing = Routing.objects.create(item=item, revision=revision)
    RoutingStep.objects.bulk_create(RoutingStep(routing=routing, **s) for s in cleaned)
    event_record(actor=actor, verb="routing.created", subject=routing, changes={"steps": [None, _steps_repr(cleaned)]})
    return routing


@transaction.atomic
def routing_update(*, actor, routing, item=None, revision=None, steps=None):
    routing = Routing.objects.select_for_update().select_related("item").get(pk=routing.pk)
    revision_require_draft(routing)
    revision_require_same_item(routing, item)
    changes = {}
    if revision is not None and revision.strip() != routing.revision:
        revision = revision_check_unique(model=Routing, item=routing.item, revision=revision, exclude_pk=routing.pk)
        changes["revision"] = [routing.revision, revision]
        routing.revision = revision
        routing.save(update_fields=["revision", "updated_at"])
    if steps is not None:
        cleaned = _validate_steps(steps)
        old = [f"{s.sequence}@{s.work_center.code}" for s in routing.steps.select_related("work_center")]
        routing.steps.all().delete()
        RoutingStep.objects.bulk_create(RoutingStep(routing=routing, **s) for s in cleaned)
        changes["steps"] = [old, _steps_repr(cleaned)]
    if changes:
        event_record(actor=actor, verb="routing.updated", subject=routing, changes=changes)
    return routing


@transaction.atomic
def routing_release(*, actor, routing, reason="", at=None):
    routing = Routing.objects.select_for_update().select_related("item").get(pk=routing.pk)
    if routing.status == Routing.Status.DRAFT and not routing.steps.exists():
        raise ValidationError({"steps": ["A routing needs at least one step before it can be released."]})
    return revision_release(actor=actor, obj=routing, verb_prefix="routing", reason=reason, at=at)
