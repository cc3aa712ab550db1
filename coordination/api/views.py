from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.schema import FORBIDDEN, ErrorSerializer
from prodcoord.core.api.viewsets import ServiceCRUDViewSet
from prodcoord.core.plant_time import plant_today

from .. import selectors, services
from ..filters import ActionItemFilter, ShiftHandoverFilter
from .serializers import (
    ActionItemSerializer,
    ActionItemUpdateSerializer,
    ShiftHandoverSerializer,
    ShiftHandoverSubmitSerializer,
    ShiftHandoverUpdateSerializer,
)

VIEW = "coordination.view_actionitem"


@extend_schema_view(
    update=extend_schema(request=ActionItemUpdateSerializer),
    partial_update=extend_schema(request=ActionItemUpdateSerializer),
)
class ActionItemViewSet(ServiceCRUDViewSet):
    """Action items: who does what by when, and what it came from (a meeting, a hold, downtime, a
    handover, a shortage, a brief line). Anyone who plans or runs the floor creates them; the owner
    changes and closes their own (``status`` done or cancelled), coordinators and supervisors
    anyone's. ``?overdue=true``: open and due before today, plant time."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    ordering_fields = ["due_date", "created_at", "updated_at", "status", "title"]
    ordering = ["due_date"]
    # An owner changes their own item whatever their role: the service checks who may (403).
    action_permissions = {"update": [VIEW], "partial_update": [VIEW]}

    def get_queryset(self):
        return selectors.action_item_list()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": plant_today()}

    def get_input_serializer(self, *args, **kwargs):
        if self.action in ("update", "partial_update"):
            kwargs.setdefault("context", self.get_serializer_context())
            return ActionItemUpdateSerializer(*args, **kwargs)
        return super().get_input_serializer(*args, **kwargs)

    def service_create(self, *, actor, data):
        return services.action_item_create(actor=actor, check_permissions=True, **data)

    def service_update(self, *, actor, instance, data):
        return services.action_item_update(actor=actor, action_item=instance, check_permissions=True, **data)

    def service_delete(self, *, actor, instance):
        services.action_item_delete(actor=actor, action_item=instance)


@extend_schema_view(
    update=extend_schema(request=ShiftHandoverUpdateSerializer),
    partial_update=extend_schema(request=ShiftHandoverUpdateSerializer),
)
class ShiftHandoverViewSet(ServiceCRUDViewSet):
    """Shift handovers, one per department, shift date and shift. Creating one (a coordinator, for a
    shift that has started) compiles the shift's figures and carries every open action item of the
    department into ``open_items``, each once. ``PATCH`` writes a draft's notes and marks its items
    critical; ``submit/`` (the outgoing coordinator: rostered on that department and shift) compiles
    it a last time and freezes it; ``acknowledge/`` (a coordinator rostered on the incoming shift of
    that department) takes it over."""

    serializer_class = ShiftHandoverSerializer
    filterset_class = ShiftHandoverFilter
    ordering_fields = ["date", "created_at", "submitted_at", "acknowledged_at"]
    ordering = ["-date"]
    action_permissions = {
        "submit": ["coordination.change_shifthandover"],
        "acknowledge": ["coordination.acknowledge_shifthandover"],
    }

    def get_queryset(self):
        return selectors.shift_handover_detail()

    def get_input_serializer(self, *args, **kwargs):
        if self.action in ("update", "partial_update"):
            kwargs.pop("instance", None)
            if args:
                args = args[1:]
            kwargs.setdefault("context", self.get_serializer_context())
            return ShiftHandoverUpdateSerializer(*args, **kwargs)
        return super().get_input_serializer(*args, **kwargs)

    def service_create(self, *, actor, data):
        handover = services.shift_handover_open(
            actor=actor, department=data["department"], date=data["date"], shift=data["shift"], must_be_new=True
        )
        if data.get("notes"):
            handover = services.shift_handover_update(actor=actor, handover=handover, notes=data["notes"])
        return handover

    def service_update(self, *, actor, instance, data):
        critical = {row["action_item"]: row["is_critical"] for row in data.get("open_items", [])}
        return services.shift_handover_update(
            actor=actor, handover=instance, notes=data.get("notes"), critical=critical, version=data.get("version")
        )

    def service_delete(self, *, actor, instance):
        services.shift_handover_delete(actor=actor, handover=instance)

    @extend_schema(
        request=ShiftHandoverSubmitSerializer,
        responses={200: ShiftHandoverSerializer, 403: FORBIDDEN, 409: ErrorSerializer},
        summary="Submit the handover: the outgoing coordinator hands the shift over",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Compiles the figures a last time and freezes them. 403 for anyone but a coordinator rostered on the
        handover's department and shift; 409 when it was submitted already."""
        data = self.validated_input_for(ShiftHandoverSubmitSerializer)
        handover = services.shift_handover_submit(actor=request.user, handover=self.get_object(), notes=data.get("notes"))
        return Response(self.output(handover))

    @extend_schema(
        request=None,
        responses={200: ShiftHandoverSerializer, 403: FORBIDDEN, 409: ErrorSerializer},
        summary="Acknowledge the handover: the incoming coordinator takes the shift over",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """403 for anyone but a coordinator rostered on the incoming shift of the handover's department; 409 when
        it is still a draft or was acknowledged already."""
        handover = services.shift_handover_acknowledge(actor=request.user, handover=self.get_object())
        return Response(self.output(handover))
