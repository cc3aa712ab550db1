from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.fields import EnumField, InputSerializer, quantity_field
from prodcoord.core.api.viewsets import ServiceViewSet

from .. import selectors, shortages
from ..filters import ShortageFilter
from ..models import Shortage


class ShortageSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    item = serializers.CharField(source="item.sku", read_only=True, help_text="Component SKU")
    item_name = serializers.CharField(source="item.name", read_only=True)
    uom = serializers.CharField(source="item.uom", read_only=True)
    work_order = serializers.CharField(source="work_order.number", read_only=True, help_text="Work order number")
    required = quantity_field(read_only=True, help_text="What the order still needs: its requirement less what is issued")
    available = quantity_field(read_only=True, help_text="What the projected balance holds for it on the need date")
    shortfall = quantity_field(read_only=True, help_text="required − available")
    needed_by = serializers.DateField(read_only=True, help_text="The plant date of the order's planned start")
    status = EnumField(Shortage.Status.choices, enum_name="ShortageStatusEnum", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, allow_null=True, default=None)
    resolved_by = serializers.CharField(
        source="resolved_by.username",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Who resolved it; null when netting found it covered",
    )

    class Meta:
        model = Shortage
        fields = [
            "id",
            "item",
            "item_name",
            "uom",
            "work_order",
            "required",
            "available",
            "shortfall",
            "needed_by",
            "status",
            "raised_at",
            "updated_at",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_note",
            "resolved_at",
            "resolved_by",
            "resolution",
        ]
        read_only_fields = fields


class ShortageNoteSerializer(InputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, trim_whitespace=True)


class ShortageResolveSerializer(InputSerializer):
    note = serializers.CharField(
        max_length=500, help_text="How it was resolved (required): the material found, the order replanned…"
    )


class ShortageViewSet(ServiceViewSet):
    """Shortages found by netting (docs/DESIGN.md, "Shortage netting"): by need date, then priority.
    Netting raises, updates and resolves them; planners and coordinators acknowledge, escalate and
    resolve them with a note."""

    serializer_class = ShortageSerializer
    filterset_class = ShortageFilter
    ordering_fields = ["needed_by", "shortfall", "raised_at", "updated_at"]
    action_permissions = {
        "acknowledge": ["planning.act_on_shortage"],
        "escalate": ["planning.act_on_shortage"],
        "resolve": ["planning.act_on_shortage"],
    }

    def get_queryset(self):
        return selectors.shortage_list()

    def _act(self, service, serializer_class):
        shortage = self.get_object()
        data = self.validated_input_for(serializer_class)
        service(actor=self.request.user, shortage=shortage, note=data.get("note", ""))
        return Response(self.output(shortage))

    @extend_schema(
        request=ShortageNoteSerializer,
        responses={200: ShortageSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Acknowledge a shortage",
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """Someone is on it (an optional note says what). 409 unless it is open or escalated."""
        return self._act(shortages.shortage_acknowledge, ShortageNoteSerializer)

    @extend_schema(
        request=ShortageNoteSerializer,
        responses={200: ShortageSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Escalate a shortage",
    )
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Notify the planners and the coordinators of the order's departments now. 409 unless it is open
        or acknowledged."""
        return self._act(shortages.shortage_escalate, ShortageNoteSerializer)

    @extend_schema(
        request=ShortageResolveSerializer,
        responses={200: ShortageSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Resolve a shortage",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolved by hand, with a note (400 without one); netting raises it again only if it gets worse.
        409 once resolved."""
        return self._act(shortages.shortage_resolve, ShortageResolveSerializer)
