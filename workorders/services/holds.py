"""Holds: a work order with an active hold cannot progress or move on."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError
from prodcoord.events.services import event_record

from ..models import Hold, WorkOrder
from .work_orders import _bump, _require_open, work_order_lock


def hold_place_check(*, work_order, kind, reason):
    """Whether this hold may be placed (one hold or a batch); returns the cleaned reason.

    Field errors for the kind and the reason; TransitionError when the order is not open.
    """
    errors = {}
    if kind not in Hold.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(Hold.Kind.values)}."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why the work order is held."]
    if errors:
        raise ValidationError(errors)
    _require_open(work_order, "place a hold on")
    return reason


def hold_release_check(*, hold, release_note, at):
    """Whether this hold may be released now (one hold or a batch); returns the cleaned note.

    A field error without a note or before the hold was placed; ConflictError when already released.
    """
    release_note = (release_note or "").strip()
    if not release_note:
        raise ValidationError({"release_note": ["Say what was done to clear the hold."]})
    if hold.released_at is not None:
        raise ConflictError(
            f"This hold was already released at {timezone.localtime(hold.released_at):%Y-%m-%d %H:%M}.", code="already_released"
        )
    if at < hold.placed_at:
        raise ValidationError({"released_at": ["A hold cannot be released before it was placed."]})
    return release_note


@transaction.atomic
def hold_place(*, work_order, actor, kind, reason, version=None, at=None):
    work_order = work_order_lock(work_order=work_order, version=version)
    reason = hold_place_check(work_order=work_order, kind=kind, reason=reason)
    at = at or timezone.now()
    hold = Hold.objects.create(work_order=work_order, kind=kind, reason=reason, placed_by=actor, placed_at=at)
    work_order.active_hold_count += 1
    _bump(work_order, ["active_hold_count"])
    event_record(
        actor=actor,
        verb="hold.placed",
        subject=hold,
        work_order=work_order,
        changes={"on_hold": [work_order.active_hold_count > 1, True], "kind": [None, kind]},
        reason=reason,
        at=at,
    )
    return hold


@transaction.atomic
def hold_release(*, hold, actor, release_note, version=None, at=None):
    work_order = work_order_lock(work_order=WorkOrder(pk=hold.work_order_id), version=version)
    hold = Hold.objects.select_for_update().get(pk=hold.pk)
    at = at or timezone.now()
    release_note = hold_release_check(hold=hold, release_note=release_note, at=at)
    hold.released_at = at
    hold.released_by = actor
    hold.release_note = release_note
    hold.save(update_fields=["released_at", "released_by", "release_note", "updated_at"])
    work_order.active_hold_count = max(0, work_order.active_hold_count - 1)
    _bump(work_order, ["active_hold_count"])
    event_record(
        actor=actor,
        verb="hold.released",
        subject=hold,
        work_order=work_order,
        changes={"on_hold": [True, work_order.active_hold_count > 0]},
        reason=release_note,
        at=at,
    )
    return hold
