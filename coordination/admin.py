"""Admin: the roster is edited here (through its service); action items and handovers are read here
and written on their pages and through the API, whose services validate, record and notify."""

from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin

from . import services
from .models import ActionItem, ActionItemDigest, RosterEntry, ShiftHandover


@admin.register(RosterEntry)
class RosterEntryAdmin(admin.ModelAdmin):
    """Who works which shift of which department: whose handovers a coordinator writes and acknowledges."""

    fields = ("user", "department", "shift")
    list_display = ("user", "department", "shift")
    list_filter = ("department", "shift")
    list_select_related = ("user", "department", "shift")
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__code")
    autocomplete_fields = ("user",)

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        user = obj.user if change else data["user"]
        saved = services.roster_entry_set(actor=request.user, user=user, department=data["department"], shift=data["shift"])
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.roster_entry_set(actor=request.user, user=obj.user, department=None, shift=None)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("user"):
            self.delete_model(request, obj)


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "due_date", "status", "is_critical", "source", "department")
    list_filter = ("status", "source", "is_critical", "department")
    list_select_related = ("owner", "department")
    search_fields = ("title", "owner__username", "source_reference")


@admin.register(ShiftHandover)
class ShiftHandoverAdmin(ReadOnlyAdmin):
    list_display = ("department", "date", "shift", "status", "submitted_by", "acknowledged_by")
    list_filter = ("status", "department", "shift")
    list_select_related = ("department", "shift", "submitted_by", "acknowledged_by")


@admin.register(ActionItemDigest)
class ActionItemDigestAdmin(ReadOnlyAdmin):
    list_display = ("user", "date", "item_count", "sent_at")
