"""Routings: the revisioned steps at work centers that make an item.

Each write takes many rows and is the one path for that change; the
single-object service is a batch of one (``prodcoord.core.crud``).
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError

from prodcoord.core.crud import RevisionKind, revisions_create, revisions_delete, revisions_release, revisions_update
from prodcoord.core.rows import row_field, single

from ..models import Routing, RoutingStep


def _minutes(value):
    try:
        number = Decimal(value or 0)
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number if number.is_finite() else None


def routing_steps_check(steps):
    """``steps``: dicts {sequence, work_center, setup_minutes, run_minutes_per_unit, description};
    at most ``ROUTING_MAX_STEPS``. Raises field errors per step (``steps[1].sequence``; see
    ``prodcoord.core.rows.row_field``). Returns them in sequence order."""
    steps = list(steps)
    limit = settings.ROUTING_MAX_STEPS
    if len(steps) > limit:
        raise ValidationError({"steps": [f"At most {limit} steps per routing (ROUTING_MAX_STEPS); this one has {len(steps)}."]})
    errors = {}
    seen = set()
    cleaned = []
    for index, step in enumerate(steps):
        seq = step.get("sequence")
        wc = step.get("work_center")
        setup = _minutes(step.get("setup_minutes"))
        run = _minutes(step.get("run_minutes_per_unit"))
        try:
            seq_ok = seq is not None and int(seq) > 0
        except (TypeError, ValueError):
            seq_ok = False
        if not seq_ok:
            errors[row_field("steps", index, "sequence")] = ["Must be a positive number."]
        elif seq in seen:
            errors[row_field("steps", index, "sequence")] = [f"{seq} is used twice."]
        if wc is None:
            errors[row_field("steps", index, "work_center")] = ["This field is required."]
        elif not wc.is_active:
            errors[row_field("steps", index, "work_center")] = [f"{wc.code} is inactive."]
        if setup is None or setup < 0:
            errors[row_field("steps", index, "setup_minutes")] = ["Cannot be negative."]
        if run is None or run < 0:
            errors[row_field("steps", index, "run_minutes_per_unit")] = ["Cannot be negative."]
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
    if errors:
        raise ValidationError(errors)
    return sorted(cleaned, key=lambda s: s["sequence"])


def _steps_describe(steps):
    return [f"{s['sequence']}@{s['work_center'].code}" for s in steps]


def _steps_describe_saved(routing):
    return [f"{s.sequence}@{s.work_center.code}" for s in routing.steps.select_related("work_center")]


def _steps_scope(routing, steps):
    """The work centers a routing's steps pass through, with their departments."""
    return [(s["work_center"].department_id, s["work_center"].pk) for s in steps]


ROUTING_KIND = RevisionKind(
    model=Routing,
    line_model=RoutingStep,
    content="steps",
    verb_prefix="routing",
    validate=lambda item, steps: routing_steps_check(steps),
    line=lambda routing, step: RoutingStep(routing=routing, **step),
    describe=_steps_describe,
    describe_saved=_steps_describe_saved,
    scope=_steps_scope,
)


def routings_create(*, actor, rows, at=None):
    """Draft routings: rows ``{"item", "revision", "steps": [{sequence, work_center, …}]}``."""
    return revisions_create(ROUTING_KIND, actor=actor, rows=rows, at=at)


def routings_update(*, actor, rows):
    """Change drafts: rows ``{"record": routing, "revision"?, "steps"?}``."""
    return revisions_update(ROUTING_KIND, actor=actor, rows=rows)


def routings_release(*, actor, rows, at=None):
    """Release draft routings (rows ``{"record", "reason"?, "at"?}``); new work orders copy their steps.
    The item's released routing becomes obsolete."""
    return revisions_release(ROUTING_KIND, actor=actor, rows=rows, at=at)


def routings_delete(*, actor, records):
    revisions_delete(ROUTING_KIND, actor=actor, records=records)


def routing_create(*, actor, item, revision, steps=()):
    return single(routings_create, {"item": item, "revision": revision, "steps": list(steps)}, actor=actor)


def routing_update(*, actor, routing, item=None, revision=None, steps=None):
    return single(routings_update, {"record": routing, "item": item, "revision": revision, "steps": steps}, actor=actor)


def routing_release(*, actor, routing, reason="", at=None):
    return single(routings_release, {"record": routing, "reason": reason, "at": at}, actor=actor)


def routing_delete(*, actor, routing):
    routings_delete(actor=actor, records=[routing])
