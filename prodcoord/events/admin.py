from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, ReadOnlyInline, short_text

from .models import Event, EventScope


class EventScopeInline(ReadOnlyInline):
    """The departments and work centers the event concerns."""

    model = EventScope
    fields = readonly_fields = ("department", "work_center")
    verbose_name = "concerns"
    verbose_name_plural = "concerns"


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """The audit trail: append-only, so the admin can read it and nothing else."""

    list_display = ("at", "verb", "object_repr", "work_order", "actor", "short_reason")
    list_filter = ("verb", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("verb", "object_repr", "reason", "work_order__number", "actor__username")
    list_select_related = ("actor", "object_type", "work_order")
    date_hierarchy = "at"
    fields = ("at", "actor", "verb", "object_type", "object_id", "object_repr", "work_order", "changes", "change_types", "reason")
    readonly_fields = fields
    show_full_result_count = False
    inlines = [EventScopeInline]
    actions = None  # no bulk actions (not even delete) on the audit trail

    @admin.display(description="reason")
    def short_reason(self, obj):
        return short_text(obj.reason)
