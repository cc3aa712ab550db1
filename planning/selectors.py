"""Reads of the plan."""

from django.utils.formats import date_format

from .models import ScheduleEntry


def _shift_name(shift):
    return shift.name if shift.name.lower().endswith("shift") else f"{shift.name} shift"


def schedule_entry_labels(ids):
    """``{pk: "Sat Nov 28 · Day shift · LASER-01"}`` for the schedule entries still there (one query):
    how the event log names the slot a schedule event was about. A removed entry is simply absent."""
    if not ids:
        return {}
    entries = ScheduleEntry.objects.filter(pk__in=ids).select_related("shift", "work_center")
    return {
        entry.pk: f"{date_format(entry.date, 'D M j')} · {_shift_name(entry.shift)} · {entry.work_center.code}"
        for entry in entries
    }


def schedule_entry_list():
    """Schedule entries with what the API writes of them (their natural keys), in plan order."""
    return ScheduleEntry.objects.select_related("shift", "work_center__department", "work_order").order_by(
        "date", "shift__start_time", "work_center__code", "sequence", "pk"
    )
