from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, qty

from .models import ScheduleEntry


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(ReadOnlyAdmin):
    """Read-only: the plan is written through the schedule services, which validate it and record each change."""

    list_display = ("date", "shift", "work_center", "work_order", qty("planned_quantity"), "sequence")
    list_filter = ("shift", "work_center", ("date", admin.DateFieldListFilter))
    search_fields = ("work_order__number", "work_center__code")
    list_select_related = ("shift", "work_center", "work_order")
    date_hierarchy = "date"
