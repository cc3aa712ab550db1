from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, qty

from .models import ScheduleEntry, Shortage


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(ReadOnlyAdmin):
    """Read-only: the plan is written through the schedule services, which validate it and record each change."""

    list_display = ("date", "shift", "work_center", "work_order", qty("planned_quantity"), "sequence")
    list_filter = ("shift", "work_center", ("date", admin.DateFieldListFilter))
    search_fields = ("work_order__number", "work_center__code")
    list_select_related = ("shift", "work_center", "work_order")
    date_hierarchy = "date"


@admin.register(Shortage)
class ShortageAdmin(ReadOnlyAdmin):
    """Read-only: netting raises, updates and resolves shortages; people act on them from the shortages
    board or the API, which record who and why."""

    list_display = ("needed_by", "work_order", "item", qty("required"), qty("available"), qty("shortfall"), "status")
    list_filter = ("status", ("needed_by", admin.DateFieldListFilter))
    search_fields = ("work_order__number", "item__sku")
    list_select_related = ("work_order", "item")
    date_hierarchy = "needed_by"
