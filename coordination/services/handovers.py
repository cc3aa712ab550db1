"""Shift handovers: opened (a draft) for a department's shift, compiled from the shift's own data,
carrying every open action item of the department by item and owner (each once), submitted by the
outgoing coordinator, acknowledged by a coordinator rostered on the incoming shift."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from plant.models import Shift
from plant.shift_calendar import shift_window
from prodcoord.core.exceptions import ConflictError
from prodcoord.events.models import Event
from prodcoord.events.services import EventBatch
from prodcoord.notifications.models import Email, Notification
from prodcoord.notifications.services import EMAIL_TASK
from prodcoord.outbox.services import outbox_enqueue

from .. import selectors
from ..models import HandoverItem, RosterEntry, ShiftHandover

H = ShiftHandover.Status
MAX_DAYS_BACK = 366


def next_shift_slot(shift, day):
    """``(shift, date)`` of the shift that takes over when ``shift`` of ``day`` ends: the active shift
    whose next start is the first at or after that end (a gap between shifts allowed)."""
    _, end = shift_window(shift, day)
    best = None
    for candidate in Shift.objects.filter(is_active=True):
        for offset in (0, 1, 2):
            other_day = day + dt.timedelta(days=offset)
            if (candidate.pk, other_day) == (shift.pk, day):
                continue
            start, _ = shift_window(candidate, other_day)
            if start >= end and (best is None or start < best[0]):
                best = (start, candidate, other_day)
    if best is None:  # the only shift: it follows itself the next day
        return shift, day + dt.timedelta(days=1)
    return best[1], best[2]


def _label(handover):
    return f"{handover.department.code} · {handover.date:%a %b %-d} · {handover.shift.name}"


def _roster(user):
    return RosterEntry.objects.filter(user_id=user.pk).values_list("department_id", "shift_id").first()


def _check_outgoing(actor, handover, *, what):
    """The handover is written by a coordinator of its department and shift (the roster)."""
    if actor is None:
        return
    if not actor.has_perm("coordination.change_shifthandover"):
        raise PermissionDenied(f"Only coordinators {what} a shift handover.")
    roster = _roster(actor)
    if roster is None:
        raise PermissionDenied(f"You are on no roster: only the coordinator of {_label(handover)} may {what.split()[-1]} it.")
    if roster != (handover.department_id, handover.shift_id):
        raise PermissionDenied(
            f"Only a coordinator rostered on {handover.department.code} {handover.shift.name} "
            f"may {what.split()[-1]} this handover."
        )


def _lock(handover):
    return ShiftHandover.objects.select_for_update().select_related("department", "shift", "incoming_shift").get(pk=handover.pk)


def _sync_items(handover):
    """Add every open action item of the department the handover does not carry yet (a refresh adds
    none twice: one line per item, by a unique constraint), each critical when its previous line
    or the item itself is."""
    have = set(HandoverItem.objects.filter(handover=handover).values_list("action_item_id", flat=True))
    wanted = [item for item in selectors.department_open_items(handover.department) if item.pk not in have]
    if not wanted:
        return []
    previous = selectors.previous_handover_lines(handover, [item.pk for item in wanted])
    lines = []
    for item in wanted:
        before = previous.get(item.pk)
        lines.append(
            HandoverItem(
                handover=handover,
                action_item=item,
                carried_from=before,
                is_critical=item.is_critical or bool(before and before.is_critical),
            )
        )
    return HandoverItem.objects.bulk_create(lines, ignore_conflicts=True)


def _compile(handover, now):
    handover.figures = selectors.handover_figures(
        department=handover.department, date=handover.date, shift=handover.shift, now=now
    )
    handover.compiled_at = now
    _sync_items(handover)


@transaction.atomic
def shift_handover_open(*, actor, department, date, shift, at=None, must_be_new=False):
    """The handover of ``department``'s ``shift`` of ``date``: made (a draft, compiled) the first time,
    refreshed while it is a draft (``must_be_new``: 409 instead). Only coordinators make one, and not
    for a shift that has not started."""
    now = at or timezone.now()
    existing = ShiftHandover.objects.filter(department=department, date=date, shift=shift).first()
    if existing is not None and must_be_new:
        raise ConflictError(
            f"{department.code} has a handover for the {shift.name} shift of {date:%Y-%m-%d} already (id {existing.pk}).",
            code="exists",
        )
    if existing is not None:
        return shift_handover_refresh(handover=existing, at=now) if existing.status == H.DRAFT else existing
    if actor is not None and not actor.has_perm("coordination.add_shifthandover"):
        raise PermissionDenied("Only coordinators start a shift handover.")
    errors = {}
    if not department.is_active:
        errors["department"] = [f"{department.code} is not in use any more."]
    if not shift.is_active:
        errors["shift"] = [f"{shift.code} is not in use any more."]
    elif abs((date - now.date()).days) > MAX_DAYS_BACK:
        errors["date"] = [f"A handover is for a shift of the last {MAX_DAYS_BACK} days."]
    elif shift_window(shift, date)[0] > now:
        errors["date"] = [f"The {shift.name} shift of {date:%Y-%m-%d} has not started yet."]
    if errors:
        raise ValidationError(errors)
    incoming_shift, incoming_date = next_shift_slot(shift, date)
    try:
        with transaction.atomic():
            handover = ShiftHandover.objects.create(
                department=department,
                date=date,
                shift=shift,
                incoming_shift=incoming_shift,
                incoming_date=incoming_date,
            )
    except IntegrityError:  # someone opened it at the same moment: theirs is the one
        if must_be_new:
            raise ConflictError(f"{department.code} has a handover for this shift already.", code="exists") from None
        return ShiftHandover.objects.get(department=department, date=date, shift=shift)
    _compile(handover, now)
    ShiftHandover.objects.filter(pk=handover.pk).update(figures=handover.figures, compiled_at=now)
    return handover


@transaction.atomic
def shift_handover_refresh(*, handover, at=None):
    """Compile a draft's figures again and add the open items it does not carry yet. A submitted
    handover is what was handed over: left as it is."""
    now = at or timezone.now()
    handover = _lock(handover)
    if handover.status != H.DRAFT:
        return handover
    _compile(handover, now)
    ShiftHandover.objects.filter(pk=handover.pk).update(figures=handover.figures, compiled_at=now)
    return handover


@transaction.atomic
def shift_handover_update(*, actor, handover, notes=None, critical=None, version=None, at=None):
    """The outgoing coordinator's notes, and which items are critical (``critical``: ``{action item
    id: bool}``), on a draft. 409 once submitted, or when ``version`` is not the current one."""
    now = at or timezone.now()
    handover = _lock(handover)
    _check_outgoing(actor, handover, what="write")
    if handover.status != H.DRAFT:
        raise ConflictError("This handover was submitted: it can no longer be changed.", code="submitted")
    if version is not None and version != handover.version:
        raise ConflictError("Someone changed this handover meanwhile: reload it and try again.", code="stale_version")
    if notes is not None:
        notes = notes.strip()
        if len(notes) > 8000:
            raise ValidationError({"notes": ["Keep the notes to 8,000 characters."]})
        handover.notes = notes
    if critical:
        lines = {line.action_item_id: line for line in HandoverItem.objects.filter(handover=handover)}
        unknown = [str(pk) for pk in critical if pk not in lines]
        if unknown:
            raise ValidationError({"open_items": [f"This handover carries no action item {', '.join(unknown)}."]})
        changed = []
        for pk, value in critical.items():
            if lines[pk].is_critical != bool(value):
                lines[pk].is_critical = bool(value)
                lines[pk].updated_at = now
                changed.append(lines[pk])
        HandoverItem.objects.bulk_update(changed, ["is_critical", "updated_at"])
    handover.version += 1
    handover.updated_at = now
    handover.save(update_fields=["notes", "version", "updated_at"])
    return handover


def handover_item_set_critical(*, actor, handover, action_item_id, is_critical):
    """Mark one carried item critical (or not) on a draft."""
    return shift_handover_update(actor=actor, handover=handover, critical={action_item_id: is_critical})


@transaction.atomic
def shift_handover_submit(*, actor, handover, notes=None, at=None):
    """The outgoing coordinator hands the shift over: the figures are compiled a last time and frozen,
    the open items added, and the incoming shift sees it first until a coordinator of theirs
    acknowledges it. 409 when it was submitted already."""
    now = at or timezone.now()
    handover = _lock(handover)
    _check_outgoing(actor, handover, what="submit")
    if handover.status != H.DRAFT:
        raise ConflictError(
            f"This handover was submitted already ({timezone.localtime(handover.submitted_at):%Y-%m-%d %H:%M}).",
            code="submitted",
        )
    if notes is not None:
        if len(notes.strip()) > 8000:
            raise ValidationError({"notes": ["Keep the notes to 8,000 characters."]})
        handover.notes = notes.strip()
    _compile(handover, now)
    handover.status = H.SUBMITTED
    handover.submitted_by = actor if getattr(actor, "is_authenticated", False) else None
    handover.submitted_at = now
    handover.version += 1
    handover.updated_at = now
    handover.save()
    events = EventBatch(actor=actor, at=now)
    events.add(
        verb="shift_handover.submitted",
        subject=handover,
        changes={"status": [H.DRAFT.value, H.SUBMITTED.value]},
        scope=[(handover.department_id, None)],
    )
    events.save()
    return handover


@transaction.atomic
def shift_handover_acknowledge(*, actor, handover, at=None):
    """A coordinator rostered on the incoming shift of the handover's department takes it over.
    403 for anyone else; 409 when it is still a draft or was acknowledged already."""
    now = at or timezone.now()
    handover = _lock(handover)
    if actor is not None:
        if not actor.has_perm("coordination.acknowledge_shifthandover"):
            raise PermissionDenied("Only coordinators acknowledge a shift handover.")
        roster = _roster(actor)
        if roster != (handover.department_id, handover.incoming_shift_id):
            raise PermissionDenied(
                f"Only a coordinator rostered on {handover.department.code} {handover.incoming_shift.name} — "
                "the incoming shift — may acknowledge this handover."
            )
    if handover.status == H.DRAFT:
        raise ConflictError("This handover has not been submitted yet.", code="not_submitted")
    if handover.status == H.ACKNOWLEDGED:
        who = handover.acknowledged_by.username if handover.acknowledged_by_id else "someone"
        raise ConflictError(
            f"{who} acknowledged this handover already ({timezone.localtime(handover.acknowledged_at):%Y-%m-%d %H:%M}).",
            code="acknowledged",
        )
    handover.status = H.ACKNOWLEDGED
    handover.acknowledged_by = actor if getattr(actor, "is_authenticated", False) else None
    handover.acknowledged_at = now
    handover.version += 1
    handover.updated_at = now
    handover.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "version", "updated_at"])
    events = EventBatch(actor=actor, at=now)
    events.add(
        verb="shift_handover.acknowledged",
        subject=handover,
        changes={"status": [H.SUBMITTED.value, H.ACKNOWLEDGED.value]},
        scope=[(handover.department_id, None)],
    )
    events.save()
    return handover


@transaction.atomic
def shift_handover_delete(*, actor, handover):
    """Throw a draft away (it is made again when opened). A submitted handover is a record: 409."""
    handover = _lock(handover)
    if handover.status != H.DRAFT:
        raise ConflictError("A submitted handover is a record of the shift: it cannot be deleted.", code="submitted")
    _check_outgoing(actor, handover, what="delete")
    handover.delete()


@transaction.atomic
def shift_handovers_notify_incoming(*, event_ids):
    """Tell the coordinators rostered on the incoming shift of each submitted handover's department: a
    notification and an e-mail at once, linking the handover. Idempotent (one per person and event)."""
    from django.urls import reverse

    events = list(
        Event.objects.filter(pk__in=list(event_ids), verb="shift_handover.submitted").select_related("actor").order_by("pk")
    )
    handovers = ShiftHandover.objects.select_related("department", "shift", "incoming_shift").in_bulk(
        [int(e.object_id) for e in events if e.object_id.isdigit()]
    )
    done = set(Notification.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", "user_id"))
    made = []
    for event in events:
        handover = handovers.get(int(event.object_id)) if event.object_id.isdigit() else None
        if handover is None:
            continue
        people = RosterEntry.objects.filter(
            department_id=handover.department_id,
            shift_id=handover.incoming_shift_id,
            user__is_active=True,
            user__groups__permissions__codename="acknowledge_shifthandover",
        ).values_list("user_id", flat=True)
        url = reverse(
            "handover-detail",
            kwargs={"department": handover.department.code, "date": handover.date.isoformat(), "shift": handover.shift.code},
        )
        by = f" by {event.actor.get_full_name() or event.actor.username}" if event.actor is not None else ""
        message = f"Handover waiting for you: {_label(handover)}{by}. Read it and acknowledge it."
        for user_id in sorted(set(people)):
            if (event.pk, user_id) in done or user_id == event.actor_id:
                continue
            made.append(
                Notification(
                    user_id=user_id,
                    event_id=event.pk,
                    verb=event.verb,
                    subject=str(handover)[:200],
                    message=message,
                    url=url,
                    created_at=timezone.now(),
                    email=Email.IMMEDIATE,
                )
            )
    Notification.objects.bulk_create(made)
    if made:
        outbox_enqueue(messages=[{"task": EMAIL_TASK, "kwargs": {"notification_id": n.pk}} for n in made])
    return made
