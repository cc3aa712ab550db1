"""Writes to the plant: departments, work centers, shifts (master data), and the
downtime of work centers.

Each write takes many rows (``departments_create(rows=[…])``) and is the one
path for that change; the single-object service is a batch of one. Each
validates, writes in one transaction and records its events.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from prodcoord.core.crud import records_create, records_delete, records_update
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.rows import RowErrors, columns_update, lock_by_pk, single
from prodcoord.events.services import EventBatch

from .models import Department, DowntimeEvent, DowntimeReason, Shift, UserWorkCenter, WallDisplay, WorkCenter

DEPARTMENT_FIELDS = ("code", "name", "is_active")
WORK_CENTER_FIELDS = ("code", "name", "department", "capacity_hours_per_shift", "is_active")
SHIFT_FIELDS = ("code", "name", "start_time", "end_time", "is_active")
DOWNTIME_REASON_FIELDS = ("code", "name", "is_planned", "is_active")
DOWNTIME_FIELDS = ("work_center", "reason", "started_at", "ended_at", "note")


def department_scope(department):
    return [(department.pk, None)]


def work_center_scope(work_center):
    return [(work_center.department_id, work_center.pk)]


# --- departments ----------------------------------------------------------------------


def departments_create(*, actor, rows):
    return records_create(
        actor=actor, model=Department, fields=DEPARTMENT_FIELDS, rows=rows, verb="department.created", scope=department_scope
    )


def departments_update(*, actor, rows):
    """Rows ``{"record": department, **changes}``."""
    return records_update(
        actor=actor, model=Department, fields=DEPARTMENT_FIELDS, rows=rows, verb="department.updated", scope=department_scope
    )


def department_create(*, actor, **data):
    return single(departments_create, data, actor=actor)


def department_update(*, actor, department, **data):
    return single(departments_update, {"record": department, **data}, actor=actor)


def department_delete(*, actor, department):
    records_delete(actor=actor, model=Department, records=[department], verb="department.deleted", scope=department_scope)


# --- work centers -----------------------------------------------------------------------


def work_centers_create(*, actor, rows):
    return records_create(
        actor=actor, model=WorkCenter, fields=WORK_CENTER_FIELDS, rows=rows, verb="work_center.created", scope=work_center_scope
    )


def work_centers_update(*, actor, rows):
    """Rows ``{"record": work_center, **changes}``."""
    return records_update(
        actor=actor, model=WorkCenter, fields=WORK_CENTER_FIELDS, rows=rows, verb="work_center.updated", scope=work_center_scope
    )


def work_center_create(*, actor, **data):
    return single(work_centers_create, data, actor=actor)


def work_center_update(*, actor, work_center, **data):
    return single(work_centers_update, {"record": work_center, **data}, actor=actor)


def work_center_delete(*, actor, work_center):
    records_delete(actor=actor, model=WorkCenter, records=[work_center], verb="work_center.deleted", scope=work_center_scope)


# --- shifts ---------------------------------------------------------------------------------


def _shift_times_check(rows, *, current=None):
    """A shift cannot end at the time it starts (``current``: the shifts being changed, by row)."""
    errors = RowErrors()
    for index, row in enumerate(rows):
        shift = (current or {}).get(index)
        start = row.get("start_time", shift.start_time if shift else None)
        end = row.get("end_time", shift.end_time if shift else None)
        if start is not None and start == end:
            errors.add(index, "end_time", "A shift cannot end at the time it starts.")
    errors.raise_if_any()


DAY_MINUTES = 24 * 60


def _minute(time):
    return time.hour * 60 + time.minute + time.second / 60


def shift_segments(start, end):
    """The half-open stretches of the day a shift covers, in minutes; one that crosses midnight has two."""
    s, e = _minute(start), _minute(end)
    return [(s, e)] if s < e else [(s, DAY_MINUTES), (0, e)]


def shifts_overlap(a, b):
    """Whether two shifts (anything with ``start_time`` and ``end_time``) share a moment of the day."""
    return any(
        s1 < e2 and s2 < e1
        for s1, e1 in shift_segments(a.start_time, a.end_time)
        for s2, e2 in shift_segments(b.start_time, b.end_time)
    )


def _shifts_overlap_check(rows, resulting):
    """Active shifts may not overlap: a report in the overlap would be counted on only one of them.

    ``resulting``: ``{row index: the shift as the row leaves it}``. Checked against every other
    active shift, after the whole batch, under a lock on the shifts so two writers cannot both pass."""
    errors = RowErrors()
    others = {shift.pk: shift for shift in Shift.objects.select_for_update().filter(is_active=True).order_by("pk")}
    for shift in resulting.values():
        others.pop(shift.pk, None)
    active = [(None, shift) for shift in others.values()] + [(i, s) for i, s in resulting.items() if s.is_active]
    for index, shift in active:
        if index is None or shift.start_time is None or shift.end_time is None or shift.start_time == shift.end_time:
            continue
        for other_index, other in active:
            if other is shift or other.start_time is None or other.end_time is None:
                continue
            if shifts_overlap(shift, other):
                errors.add(
                    index,
                    "start_time",
                    f"Overlaps shift {other.code} ({other.start_time:%H:%M}–{other.end_time:%H:%M})"
                    + (f", row {other_index}" if other_index is not None else "")
                    + "; shifts may not overlap, or a report in the overlap would count for only one of them.",
                )
                break
    errors.raise_if_any()


@transaction.atomic
def shifts_create(*, actor, rows):
    rows = list(rows)
    _shift_times_check(rows)
    _shifts_overlap_check(rows, {i: Shift(**{k: v for k, v in row.items() if k in SHIFT_FIELDS}) for i, row in enumerate(rows)})
    return records_create(actor=actor, model=Shift, fields=SHIFT_FIELDS, rows=rows, verb="shift.created")


@transaction.atomic
def shifts_update(*, actor, rows):
    """Rows ``{"record": shift, **changes}``."""
    rows = list(rows)
    _shift_times_check(rows, current={i: row["record"] for i, row in enumerate(rows)})
    current = {shift.pk: shift for shift in Shift.objects.filter(pk__in=[row["record"].pk for row in rows])}
    resulting = {}
    for index, row in enumerate(rows):
        shift = current[row["record"].pk]  # one object per shift: a later row sees an earlier one
        for field, value in row.items():
            if field in SHIFT_FIELDS:
                setattr(shift, field, value)
        resulting[index] = shift
    _shifts_overlap_check(rows, resulting)
    return records_update(actor=actor, model=Shift, fields=SHIFT_FIELDS, rows=rows, verb="shift.updated")


def shift_create(*, actor, **data):
    return single(shifts_create, data, actor=actor)


def shift_update(*, actor, shift, **data):
    return single(shifts_update, {"record": shift, **data}, actor=actor)


def shift_delete(*, actor, shift):
    records_delete(actor=actor, model=Shift, records=[shift], verb="shift.deleted")


# --- the work center a person works at ----------------------------------------------------


@transaction.atomic
def user_work_centers_set(*, actor, rows):
    """Remember the work center each person works at ("My work center"): rows ``{"user",
    "work_center"}``, in order (a later row for the same person wins). The work center must be
    in use. A person chooses their own; a superuser, or the system (``actor=None``), anyone's.

    A person's own choice, made as often as they move between stations: it changes nothing of
    the plant's record and writes no event."""
    rows = list(rows)
    errors = RowErrors()
    for index, row in enumerate(rows):
        user, work_center = row["user"], row.get("work_center")
        if actor is not None and not actor.is_superuser and user.pk != actor.pk:
            raise PermissionDenied("You can choose only your own work center.")
        if work_center is None:
            errors.add(index, "work_center", "Choose a work center.")
        elif not work_center.is_active:
            errors.add(index, "work_center", f"{work_center.code} is not in use any more; choose another work center.")
    errors.raise_if_any()
    chosen = {row["user"].pk: UserWorkCenter(user=row["user"], work_center=row["work_center"]) for row in rows}
    UserWorkCenter.objects.bulk_create(
        chosen.values(), update_conflicts=True, unique_fields=["user"], update_fields=["work_center", "updated_at"]
    )
    return [chosen[row["user"].pk] for row in rows]


def user_work_center_set(*, actor, user, work_center):
    return single(user_work_centers_set, {"user": user, "work_center": work_center}, actor=actor)


# --- wall displays ------------------------------------------------------------------------

DISPLAY_MANAGE_PERMISSION = "plant.add_walldisplay"
DISPLAY_REVOKE_PERMISSION = "plant.change_walldisplay"


def wall_display_token_hash(token):
    """What is stored of a display's token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _allowed(actor, permission, what):
    if actor is not None and not actor.is_superuser and not actor.has_perm(permission):
        raise PermissionDenied(f"Your role does not allow {what}.")


@transaction.atomic
def wall_displays_create(*, actor, rows):
    """New wall displays: rows ``{"department", "name"}``. Each gets a new random token, returned
    once on the display as ``display.token`` (only its hash is stored). The department must be in
    use and the name given. Records ``wall_display.created`` in the department's scope."""
    _allowed(actor, DISPLAY_MANAGE_PERMISSION, "creating wall displays")
    rows = list(rows)
    errors = RowErrors()
    for index, row in enumerate(rows):
        department = row.get("department")
        if department is None:
            errors.add(index, "department", "Choose the department the display shows.")
        elif not department.is_active:
            errors.add(index, "department", f"{department.code} is not in use any more.")
        name = (row.get("name") or "").strip()
        if not name:
            errors.add(index, "name", "Name the display (where it hangs).")
        elif len(name) > 100:
            errors.add(index, "name", "At most 100 characters.")
    errors.raise_if_any()
    person = actor if actor is not None and actor.is_authenticated else None
    displays = []
    for row in rows:
        token = secrets.token_urlsafe(32)
        display = WallDisplay(
            department=row["department"],
            name=row["name"].strip(),
            token_hash=wall_display_token_hash(token),
            token_hint=token[:6],
            created_by=person,
        )
        display.token = token
        displays.append(display)
    WallDisplay.objects.bulk_create(displays)
    events = EventBatch(actor=actor)
    for display in displays:
        events.add(
            verb="wall_display.created",
            subject=display,
            changes={"name": [None, display.name]},
            scope=department_scope(display.department),
        )
    events.save()
    return displays


def wall_display_create(*, actor, department, name):
    return single(wall_displays_create, {"department": department, "name": name}, actor=actor)


@transaction.atomic
def wall_displays_revoke(*, actor, rows):
    """Revoke displays (rows ``{"display"}``): their token stops working at the next refresh. A
    display already revoked is refused (row error). Records ``wall_display.revoked``."""
    _allowed(actor, DISPLAY_REVOKE_PERMISSION, "revoking wall displays")
    rows = list(rows)
    locked = {
        d.pk: d for d in WallDisplay.objects.select_for_update().filter(pk__in=[row["display"].pk for row in rows]).order_by("pk")
    }
    errors = RowErrors()
    now = timezone.now()
    person = actor if actor is not None and actor.is_authenticated else None
    for index, row in enumerate(rows):
        display = locked[row["display"].pk]
        if display.revoked_at is not None:
            errors.add(index, "display", f"{display.name} was revoked already.")
            continue
        display.revoked_at, display.revoked_by = now, person
    errors.raise_if_any()
    changed = [locked[row["display"].pk] for row in rows]
    columns_update(WallDisplay, changed, ["revoked_at", "revoked_by", "updated_at"])
    departments = {d.pk: d for d in Department.objects.filter(pk__in={d.department_id for d in changed})}
    events = EventBatch(actor=actor)
    for display in changed:
        display.department = departments[display.department_id]
        events.add(verb="wall_display.revoked", subject=display, scope=department_scope(display.department))
    events.save()
    return changed


def wall_display_revoke(*, actor, display):
    return single(wall_displays_revoke, {"display": display}, actor=actor)


# --- downtime reasons ------------------------------------------------------------------------

# The list a plant starts with (migration 0004 writes it; a flushed demo plant gets it back).
DEFAULT_DOWNTIME_REASONS = [
    ("BREAKDOWN", "Breakdown", False),
    ("CHANGEOVER", "Changeover", False),
    ("NO-MATERIAL", "No material", False),
    ("NO-OPERATOR", "No operator", False),
    ("QUALITY", "Quality", False),
    ("PLANNED-MAINT", "Planned maintenance", True),
    ("OTHER", "Other", False),
]


def downtime_reasons_ensure_defaults(*, actor):
    """Create the default reasons the plant does not have (by code, regardless of case)."""
    have = {code.upper() for code in DowntimeReason.objects.values_list("code", flat=True)}
    rows = [{"code": c, "name": n, "is_planned": p} for c, n, p in DEFAULT_DOWNTIME_REASONS if c not in have]
    return downtime_reasons_create(actor=actor, rows=rows) if rows else []


def downtime_reasons_create(*, actor, rows):
    return records_create(
        actor=actor, model=DowntimeReason, fields=DOWNTIME_REASON_FIELDS, rows=rows, verb="downtime_reason.created"
    )


def downtime_reasons_update(*, actor, rows):
    """Rows ``{"record": reason, **changes}``. A reason in use is retired with ``is_active``."""
    return records_update(
        actor=actor, model=DowntimeReason, fields=DOWNTIME_REASON_FIELDS, rows=rows, verb="downtime_reason.updated"
    )


def downtime_reason_create(*, actor, **data):
    return single(downtime_reasons_create, data, actor=actor)


def downtime_reason_update(*, actor, downtime_reason, **data):
    return single(downtime_reasons_update, {"record": downtime_reason, **data}, actor=actor)


def downtime_reason_delete(*, actor, downtime_reason):
    """Refused (409) while downtime names it: retire it with ``is_active`` instead."""
    records_delete(actor=actor, model=DowntimeReason, records=[downtime_reason], verb="downtime_reason.deleted")


# --- downtime --------------------------------------------------------------------------------

# A clock a little ahead of the server's (a tablet's) may say "now"; beyond this, a time in the
# future is a typing mistake.
CLOCK_TOLERANCE = dt.timedelta(minutes=2)
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _when(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _downtime_label(event):
    end = "still down" if event.ended_at is None else f"until {_when(event.ended_at)}"
    return f"{event.reason.code} from {_when(event.started_at)}, {end}"


def _downtime_check(event, *, now, current=None):
    """Field errors of one downtime event as a row leaves it (``current``: as it was before the row)."""
    errors = {}
    work_center = event.work_center if event.work_center_id is not None else None
    reason = event.reason if event.reason_id is not None else None
    if work_center is None:
        errors["work_center"] = ["Choose the work center that stopped."]
    elif not work_center.is_active and (current is None or current.work_center_id != work_center.pk):
        errors["work_center"] = [f"{work_center.code} is not in use any more."]
    if reason is None:
        errors["reason"] = ["Say why it stopped: choose a downtime reason."]
    elif not reason.is_active and (current is None or current.reason_id != reason.pk):
        errors["reason"] = [f"{reason.code} is no longer in use; choose another downtime reason."]
    if event.started_at is None:
        errors["started_at"] = ["Say when it stopped."]
    elif event.started_at > now + CLOCK_TOLERANCE:
        errors["started_at"] = [f"Downtime cannot start in the future ({_when(event.started_at)})."]
    if event.ended_at is not None:
        if event.ended_at > now + CLOCK_TOLERANCE:
            errors["ended_at"] = [f"Downtime cannot end in the future ({_when(event.ended_at)}); leave it open while it lasts."]
        elif event.started_at is not None and event.ended_at <= event.started_at:
            errors["ended_at"] = ["Downtime must end after it starts."]
    if len(event.note) > 2000:
        errors["note"] = ["Keep the note to 2,000 characters."]
    return errors


def _overlaps(a, b):
    a_end, b_end = a.ended_at or FAR_FUTURE, b.ended_at or FAR_FUTURE
    return a.started_at < b_end and b.started_at < a_end


def _downtime_overlap_check(resulting, errors):
    """The events of one work center may not overlap (and at most one is open): checked against
    the others stored and within the batch, with the work centers locked (one query for all)."""
    candidates = [(index, event) for index, event in resulting.items() if index not in errors]
    if not candidates:
        return
    work_center_ids = {event.work_center_id for _, event in candidates}
    earliest = min(event.started_at for _, event in candidates)
    latest = max(event.ended_at or FAR_FUTURE for _, event in candidates)
    changing = {event.pk for _, event in candidates if event.pk is not None}
    stored = list(
        DowntimeEvent.objects.select_related("reason")
        .filter(work_center_id__in=work_center_ids, started_at__lt=latest)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=earliest))
        .exclude(pk__in=changing)
    )
    seen = []
    for index, event in candidates:
        clash = next(
            (other for other in stored if other.work_center_id == event.work_center_id and _overlaps(event, other)), None
        )
        where = ""
        if clash is None:
            found = next(((i, o) for i, o in seen if o.work_center_id == event.work_center_id and _overlaps(event, o)), None)
            if found is not None:
                clash, where = found[1], f" (row {found[0]})"
        if clash is not None:
            # Two open ones: the work center is down already; otherwise the times clash.
            field = "work_center" if event.ended_at is None and clash.ended_at is None else "started_at"
            errors.add(
                index,
                field,
                f"{event.work_center.code} already has downtime then: {_downtime_label(clash)}{where}. "
                "Downtime on one work center may not overlap.",
            )
            continue
        seen.append((index, event))


def _downtime_events(events, verb, event, *, changes, reason=""):
    events.add(
        verb=verb,
        subject=event,
        changes=changes,
        reason=reason,
        scope=[(event.work_center.department_id, event.work_center_id)],
    )


@transaction.atomic
def downtime_events_create(*, actor, rows, at=None):
    """Record downtime: rows ``{"work_center", "reason", "started_at"? (now), "ended_at"? (open),
    "note"?}``. An open one is a work center down now (``downtime.started``); one with an end
    is recorded afterwards (``downtime.recorded``). The events of a work center may not overlap."""
    rows = list(rows)
    now = at or timezone.now()
    lock_by_pk(WorkCenter.objects.all(), [row["work_center"].pk for row in rows if row.get("work_center") is not None])
    errors = RowErrors()
    person = actor if getattr(actor, "is_authenticated", False) else None
    resulting = {}
    for index, row in enumerate(rows):
        event = DowntimeEvent(
            work_center=row.get("work_center"),
            reason=row.get("reason"),
            started_at=row.get("started_at") or now,
            ended_at=row.get("ended_at"),
            note=(row.get("note") or "").strip(),
            started_by=person,
        )
        if event.ended_at is not None:
            event.ended_by = person
        found = _downtime_check(event, now=now)
        for field, messages in found.items():
            for message in messages:
                errors.add(index, field, message)
        resulting[index] = event
    _downtime_overlap_check(resulting, errors)
    errors.raise_if_any()
    created = DowntimeEvent.objects.bulk_create(list(resulting.values()), batch_size=1000)
    events = EventBatch(actor=actor, at=now)
    for event in created:
        verb = "downtime.started" if event.ended_at is None else "downtime.recorded"
        changes = {"down": [None, event.ended_at is None], "reason": [None, event.reason.code]}
        _downtime_events(events, verb, event, changes=changes, reason=event.note)
    events.save()
    return created


@transaction.atomic
def downtime_events_update(*, actor, rows, at=None):
    """Correct downtime: rows ``{"record": event, **changes}`` over work_center, reason,
    started_at, ended_at (``None`` reopens it) and note. Setting ``ended_at`` on an open one
    stops it (``downtime.ended``); any other change is ``downtime.updated``. A row with
    ``"stop": True`` is refused (409) when the event had already ended."""
    rows = list(rows)
    now = at or timezone.now()
    current = {
        event.pk: event
        for event in DowntimeEvent.objects.select_related("work_center", "reason").filter(pk__in=[r["record"].pk for r in rows])
    }
    wc_ids = {event.work_center_id for event in current.values()}
    wc_ids |= {row["work_center"].pk for row in rows if row.get("work_center") is not None}
    lock_by_pk(WorkCenter.objects.all(), wc_ids)
    locked = lock_by_pk(DowntimeEvent.objects.select_related("work_center", "reason"), [r["record"].pk for r in rows])
    person = actor if getattr(actor, "is_authenticated", False) else None
    errors = RowErrors()
    resulting, before = {}, {}
    for index, row in enumerate(rows):
        event = locked[row["record"].pk]  # one object per event: a later row sees an earlier one
        before[index] = {f: getattr(event, f) for f in DOWNTIME_FIELDS}
        if row.get("stop") and event.ended_at is not None:  # stopped by someone else meanwhile
            errors.add_error(
                index,
                ConflictError(f"This downtime already ended at {_when(event.ended_at)}.", code="already_ended"),
                conflict_field="downtime_event",
            )
            continue
        original = DowntimeEvent(work_center_id=event.work_center_id, reason_id=event.reason_id)
        for field in DOWNTIME_FIELDS:
            if field in row:
                value = row[field]
                setattr(event, field, (value or "").strip() if field == "note" else value)
        if "ended_at" in row and row["ended_at"] is not None and before[index]["ended_at"] is None:
            event.ended_by = person
        elif "ended_at" in row and row["ended_at"] is None:
            event.ended_by = None
        found = _downtime_check(event, now=now, current=original)
        for field, messages in found.items():
            for message in messages:
                errors.add(index, field, message)
        resulting[index] = event
    _downtime_overlap_check(resulting, errors)
    errors.raise_if_any()
    events = EventBatch(actor=actor, at=now)
    written = {}
    for index, event in resulting.items():
        changes = {}
        for field in DOWNTIME_FIELDS:
            old, new = before[index][field], getattr(event, field)
            if old != new:
                changes[field] = [getattr(old, "code", old), getattr(new, "code", new)]
        if not changes:
            continue
        stopped = "ended_at" in changes and before[index]["ended_at"] is None
        _downtime_events(events, "downtime.ended" if stopped else "downtime.updated", event, changes=changes)
        written[event.pk] = event
    for event in written.values():
        event.updated_at = now
    DowntimeEvent.objects.bulk_update(list(written.values()), [*DOWNTIME_FIELDS, "ended_by", "updated_at"], batch_size=1000)
    events.save()
    return [resulting[index] for index in range(len(rows))]


def downtime_start(*, actor, work_center, reason, note="", started_at=None):
    """A work center goes down now (or at ``started_at``): one tap on the pages."""
    row = {"work_center": work_center, "reason": reason, "note": note}
    if started_at is not None:
        row["started_at"] = started_at
    return single(downtime_events_create, row, actor=actor)


def downtime_stop(*, actor, downtime_event, ended_at=None, note=None):
    """The work center runs again: end its open downtime now (or at ``ended_at``). 409 when it
    had already ended (checked under the lock: two people stopping it at once)."""
    row = {"record": downtime_event, "ended_at": ended_at or timezone.now(), "stop": True}
    if note is not None and note.strip():
        row["note"] = "\n".join(part for part in (downtime_event.note, note.strip()) if part)
    return single(downtime_events_update, row, actor=actor)


def downtime_event_create(*, actor, **data):
    return single(downtime_events_create, data, actor=actor)


def downtime_event_update(*, actor, downtime_event, **data):
    return single(downtime_events_update, {"record": downtime_event, **data}, actor=actor)


@transaction.atomic
def downtime_event_delete(*, actor, downtime_event):
    """Delete downtime recorded by mistake (the event log keeps what it was)."""
    event = lock_by_pk(DowntimeEvent.objects.select_related("work_center", "reason"), [downtime_event.pk])[downtime_event.pk]
    events = EventBatch(actor=actor)
    _downtime_events(
        events,
        "downtime.deleted",
        event,
        changes={"reason": [event.reason.code, None], "started_at": [event.started_at, None], "ended_at": [event.ended_at, None]},
    )
    events.save()
    event.delete()
