from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.schema import ErrorSerializer
from prodcoord.core.api.viewsets import ServiceCRUDViewSet

from .. import selectors, services
from ..filters import DepartmentFilter, DowntimeEventFilter, DowntimeReasonFilter, ShiftFilter, WorkCenterFilter
from .serializers import (
    DepartmentSerializer,
    DowntimeEventSerializer,
    DowntimeReasonSerializer,
    DowntimeStopSerializer,
    ShiftSerializer,
    WorkCenterSerializer,
)

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


class DowntimeReasonViewSet(ServiceCRUDViewSet):
    """Why work centers stand still: the codes downtime names. Retire one with ``is_active``;
    one that downtime names cannot be deleted (409)."""

    serializer_class = DowntimeReasonSerializer
    filterset_class = DowntimeReasonFilter
    lookup_field = "code"
    ordering_fields = MASTER_ORDERING

    def get_queryset(self):
        return selectors.downtime_reason_list()

    def service_create(self, *, actor, data):
        return services.downtime_reason_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.downtime_reason_update(actor=actor, downtime_reason=instance, **data)

    def service_delete(self, *, actor, instance):
        services.downtime_reason_delete(actor=actor, downtime_reason=instance)


class DowntimeEventViewSet(ServiceCRUDViewSet):
    """Downtime of work centers, newest first. Create one without ``ended_at`` when a work center
    stops, and ``stop/`` it when it runs again; or record one afterwards with both times. The
    downtime of one work center may not overlap (400 with the field)."""

    serializer_class = DowntimeEventSerializer
    filterset_class = DowntimeEventFilter
    ordering_fields = ["started_at", "ended_at", "created_at"]
    action_permissions = {"stop": ["plant.change_downtimeevent"]}

    def get_queryset(self):
        return selectors.downtime_event_list()

    def service_create(self, *, actor, data):
        return services.downtime_event_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.downtime_event_update(actor=actor, downtime_event=instance, **data)

    def service_delete(self, *, actor, instance):
        services.downtime_event_delete(actor=actor, downtime_event=instance)

    @extend_schema(
        request=DowntimeStopSerializer,
        responses={200: DowntimeEventSerializer, 409: ErrorSerializer},
        summary="Stop downtime: the work center runs again",
    )
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """Ends open downtime now (or at ``ended_at``). 409 when it had already ended."""
        data = self.validated_input_for(DowntimeStopSerializer)
        event = services.downtime_stop(downtime_event=self.get_object(), actor=request.user, **data)
        return Response(self.output(event))
