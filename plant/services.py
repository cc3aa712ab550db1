"""Writes to the plant's master data: departments, work centers, shifts.

Each write takes many rows (``departments_create(rows=[…])``) and is the one
path for that change; the single-object service is a batch of one. Each
validates, writes in one transaction and records its events.
"""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from prodcoord.core.crud import records_create, records_delete, records_update
from prodcoord.core.rows import RowErrors, columns_update, single
from prodcoord.events.services import EventBatch

from .models import Department, Shift, UserWorkCenter, WallDisplay, WorkCenter

DEPARTMENT_FIELDS = ("code", "name", "is_active")
WORK_CENTER_FIELDS = ("code", "name", "department", "capacity_hours_per_shift", "is_active")
SHIFT_FIELDS = ("code", "name", "start_time", "end_time", "is_active")


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
