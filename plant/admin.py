"""Admin for the plant's master data, saved through its services so every edit is validated and recorded."""

from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, ServiceSaveAdmin

from . import services
from .models import Department, Shift, UserWorkCenter, WorkCenter
from .services import DEPARTMENT_FIELDS, SHIFT_FIELDS, WORK_CENTER_FIELDS


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
