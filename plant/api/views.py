from prodcoord.core.api.viewsets import ServiceCRUDViewSet

from .. import selectors, services
from ..filters import DepartmentFilter, ShiftFilter, WorkCenterFilter
from .serializers import DepartmentSerializer, ShiftSerializer, WorkCenterSerializer

MASTER_ORDERING = ["code", "name", "created_at", "updated_at"]


class DepartmentViewSet(ServiceCRUDViewSet):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    lookup_field = "code"
    ordering_fields = MASTER_ORDERING

    def get_queryset(self):
        return selectors.department_list()

    def service_create(self, *, actor, data):
        return services.department_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.department_update(actor=actor, department=instance, **data)

    def service_delete(self, *, actor, instance):
        services.department_delete(actor=actor, department=instance)


class WorkCenterViewSet(ServiceCRUDViewSet):
    serializer_class = WorkCenterSerializer
    filterset_class = WorkCenterFilter
    lookup_field = "code"
    ordering_fields = [*MASTER_ORDERING, "department__code", "capacity_hours_per_shift"]

    def get_queryset(self):
        return selectors.work_center_list()

    def service_create(self, *, actor, data):
        return services.work_center_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.work_center_update(actor=actor, work_center=instance, **data)

    def service_delete(self, *, actor, instance):
        services.work_center_delete(actor=actor, work_center=instance)


class ShiftViewSet(ServiceCRUDViewSet):
    """Shifts on the plant's wall clock; ``end_time`` before ``start_time`` crosses midnight."""

    serializer_class = ShiftSerializer
    filterset_class = ShiftFilter
    lookup_field = "code"
    ordering_fields = [*MASTER_ORDERING, "start_time"]

    def get_queryset(self):
        return selectors.shift_list()

    def service_create(self, *, actor, data):
        return services.shift_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.shift_update(actor=actor, shift=instance, **data)

    def service_delete(self, *, actor, instance):
        services.shift_delete(actor=actor, shift=instance)
