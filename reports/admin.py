"""The stored reports, read in the admin (they are computed, never edited)."""

from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, qty

from .models import AttainmentSnapshot, MorningBrief, MorningBriefDelivery


@admin.register(AttainmentSnapshot)
class AttainmentSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("date", "shift", "work_center", qty("planned"), qty("actual"), qty("capped_actual"), "entries", "computed_at")
    list_filter = ("shift", "work_center__department")
    search_fields = ("work_center__code",)
    list_select_related = ("shift", "work_center")
    date_hierarchy = "date"


class MorningBriefDeliveryInline(admin.TabularInline):
    """Who the brief was e-mailed to, and when (read only: deliveries are made by the scheduled run)."""

    model = MorningBriefDelivery
    fields = ("user", "address", "created_at", "sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MorningBrief)
class MorningBriefAdmin(ReadOnlyAdmin):
    inlines = [MorningBriefDeliveryInline]
    list_display = ("date", "production_date", "calc_version", "generated_at", "generated_by", "trigger", "published_at")
    list_select_related = ("generated_by",)
    date_hierarchy = "date"
    exclude = ("payload",)
