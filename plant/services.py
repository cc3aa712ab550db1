"""Writes to the plant's master data: departments, work centers, shifts.

Each write takes many rows (``departments_create(rows=[…])``) and is the one
path for that change; the single-object service is a batch of one. Each
validates, writes in one transaction and records its events.
"""

from django.db import transaction

from prodcoord.core.crud import records_create, records_delete, records_update
from prodcoord.core.rows import RowErrors, single

from .models import Department, Shift, WorkCenter

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


@transaction.atomic
def shifts_create(*, actor, rows):
    rows = list(rows)
    _shift_times_check(rows)
    return records_create(actor=actor, model=Shift, fields=SHIFT_FIELDS, rows=rows, verb="shift.created")


@transaction.atomic
def shifts_update(*, actor, rows):
    """Rows ``{"record": shift, **changes}``."""
    rows = list(rows)
    _shift_times_check(rows, current={i: row["record"] for i, row in enumerate(rows)})
    return records_update(actor=actor, model=Shift, fields=SHIFT_FIELDS, rows=rows, verb="shift.updated")


def shift_create(*, actor, **data):
    return single(shifts_create, data, actor=actor)


def shift_update(*, actor, shift, **data):
    return single(shifts_update, {"record": shift, **data}, actor=actor)


def shift_delete(*, actor, shift):
    records_delete(actor=actor, model=Shift, records=[shift], verb="shift.deleted")
