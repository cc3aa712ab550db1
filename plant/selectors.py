"""Reads of the plant's master data, shaped for the API and the pages."""

from .models import Department, Shift, WorkCenter


def department_list():
    return Department.objects.order_by("code")


def work_center_list():
    return WorkCenter.objects.select_related("department").order_by("code")


def shift_list():
    return Shift.objects.order_by("start_time", "code")


def active_work_center_codes():
    """Codes of the work centers in use, for pickers."""
    return work_center_list().filter(is_active=True).values_list("code", flat=True)
