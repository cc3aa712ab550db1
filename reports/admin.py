"""The stored reports, read in the admin (they are computed, never edited)."""

from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, qty

from .models import AttainmentSnapshot, MorningBrief


@admin.register(AttainmentSnapshot)
class AttainmentSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("date", "shift", "work_center", qty("planned"), qty("actual"), qty("capped_actual"), "entries", "computed_at")
    list_filter = ("shift", "work_center__department")
    search_fields = ("work_center__code",)
    list_select_related = ("shift", "work_center")
    date_hierarchy = "date"


@admin.register(MorningBrief)
class MorningBriefAdmin(ReadOnlyAdmin):
    list_display = ("date", "production_date", "calc_version", "generated_at", "generated_by", "trigger", "published_at")
    list_select_related = ("generated_by",)
    date_hierarchy = "date"
    exclude = ("payload",)
