"""Admin for the plant's master data, saved through its services so every edit is validated and recorded."""

from django.contrib import admin, messages
from django.urls import reverse

from prodcoord.core.admin import ReadOnlyAdmin, ServiceSaveAdmin, run_service_action, short_text

from . import services
from .models import Department, DowntimeEvent, DowntimeReason, Shift, UserWorkCenter, WallDisplay, WorkCenter
from .services import DEPARTMENT_FIELDS, DOWNTIME_REASON_FIELDS, SHIFT_FIELDS, WORK_CENTER_FIELDS


@admin.register(Department)
class DepartmentAdmin(ServiceSaveAdmin):
    service_fields = DEPARTMENT_FIELDS
    list_display = ("code", "name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    def create_service(self, *, actor, **data):
        return services.department_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.department_update(actor=actor, department=obj, **data)


@admin.register(WorkCenter)
class WorkCenterAdmin(ServiceSaveAdmin):
    service_fields = WORK_CENTER_FIELDS
    list_display = ("code", "name", "department", "capacity_hours_per_shift", "is_active")
    list_filter = ("is_active", "department")
    search_fields = ("code", "name", "department__code")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)

    def create_service(self, *, actor, **data):
        return services.work_center_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.work_center_update(actor=actor, work_center=obj, **data)


@admin.register(Shift)
class ShiftAdmin(ServiceSaveAdmin):
    service_fields = SHIFT_FIELDS
    list_display = ("code", "name", "start_time", "end_time", "crosses_midnight", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")

    @admin.display(boolean=True, description="crosses midnight")
    def crosses_midnight(self, obj):
        return obj.crosses_midnight

    def create_service(self, *, actor, **data):
        return services.shift_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.shift_update(actor=actor, shift=obj, **data)


@admin.register(UserWorkCenter)
class UserWorkCenterAdmin(ReadOnlyAdmin):
    """Who works where: each person chooses their own work center on "My work center"."""

    list_display = ("user", "work_center", "updated_at")
    list_filter = ("work_center",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "work_center__code")
    list_select_related = ("user", "work_center")


@admin.register(WallDisplay)
class WallDisplayAdmin(admin.ModelAdmin):
    """Wall displays: created here (a new token, shown once in the message after saving) and
    revoked with the action; never edited. A supervisor or an administrator."""

    list_display = ("name", "department", "token_hint", "created_at", "created_by", "revoked_at")
    list_filter = ("department", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "department__code", "token_hint")
    list_select_related = ("department", "created_by")
    fields = ("department", "name")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("department", "name", "token_hint", "created_at", "created_by", "revoked_at", "revoked_by")
        return ()

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or self.fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        display = services.wall_display_create(
            actor=request.user, department=form.cleaned_data["department"], name=form.cleaned_data["name"]
        )
        obj.pk = display.pk
        obj.refresh_from_db()
        url = request.build_absolute_uri(reverse("wall-display", args=[display.department.code]))
        messages.warning(
            request,
            f"Open this on the display (it is shown only now; a lost link means a new display): {url}?token={display.token}",
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = Department.objects.filter(is_active=True).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_revoke_permission(self, request):
        return request.user.has_perm("plant.change_walldisplay")

    @admin.action(description="Revoke selected wall displays", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        run_service_action(
            self,
            request,
            queryset.select_related("department"),
            service=lambda display, actor: services.wall_display_revoke(actor=actor, display=display),
            label="Revoked",
        )


@admin.register(DowntimeReason)
class DowntimeReasonAdmin(ServiceSaveAdmin):
    service_fields = DOWNTIME_REASON_FIELDS
    list_display = ("code", "name", "is_planned", "is_active")
    list_filter = ("is_active", "is_planned")
    search_fields = ("code", "name")

    def create_service(self, *, actor, **data):
        return services.downtime_reason_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.downtime_reason_update(actor=actor, downtime_reason=obj, **data)


def _stop(event, *, actor):
    services.downtime_stop(actor=actor, downtime_event=event)


@admin.register(DowntimeEvent)
class DowntimeEventAdmin(ReadOnlyAdmin):
    """Downtime is started and stopped on the downtime page, floor mode and the API; here it is
    read, and open downtime stopped by those who may change it."""

    list_display = ("work_center", "reason", "started_at", "ended_at", "note_text", "started_by")
    list_filter = ("reason", "work_center__department", "work_center")
    search_fields = ("work_center__code", "reason__code", "note")
    list_select_related = ("work_center", "reason", "started_by")
    date_hierarchy = "started_at"
    actions = ["stop_selected"]

    @admin.display(description="note")
    def note_text(self, obj):
        return short_text(obj.note)

    def has_change_downtime_permission(self, request):
        return request.user.has_perm("plant.change_downtimeevent")

    @admin.action(description="Stop selected open downtime (running again now)", permissions=["change_downtime"])
    def stop_selected(self, request, queryset):
        run_service_action(self, request, queryset, service=_stop, label="Stopped")
