"""Writes to the plant's master data: departments, work centers, shifts.
Each validates, writes in one transaction and records the event."""

from django.core.exceptions import ValidationError

from prodcoord.core.crud import record_create, record_update

from .models import Department, Shift, WorkCenter

DEPARTMENT_FIELDS = ("code", "name", "is_active")
WORK_CENTER_FIELDS = ("code", "name", "department", "capacity_hours_per_shift", "is_active")
SHIFT_FIELDS = ("code", "name", "start_time", "end_time", "is_active")


def department_create(*, actor, **data):
    return record_create(actor=actor, model=Department, fields=DEPARTMENT_FIELDS, data=data, verb="department.created")


def department_update(*, actor, department, **data):
    return record_update(actor=actor, obj=department, fields=DEPARTMENT_FIELDS, data=data, verb="department.updated")


def work_center_create(*, actor, **data):
    return record_create(actor=actor, model=WorkCenter, fields=WORK_CENTER_FIELDS, data=data, verb="work_center.created")


def work_center_update(*, actor, work_center, **data):
    return record_update(actor=actor, obj=work_center, fields=WORK_CENTER_FIELDS, data=data, verb="work_center.updated")


def _check_shift_times(data):
    if data.get("start_time") is not None and data.get("start_time") == data.get("end_time"):
        raise ValidationError({"end_time": ["A shift cannot end at the time it starts."]})


def shift_create(*, actor, **data):
    _check_shift_times(data)
    return record_create(actor=actor, model=Shift, fields=SHIFT_FIELDS, data=data, verb="shift.created")


def shift_update(*, actor, shift, **data):
    _check_shift_times({"start_time": data.get("start_time", shift.start_time), "end_time": data.get("end_time", shift.end_time)})
    return record_update(actor=actor, obj=shift, fields=SHIFT_FIELDS, data=data, verb="shift.updated")
