from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.viewsets import ServiceCRUDViewSet

from .. import selectors, services
from ..filters import BOMFilter, ItemFilter
from .serializers import BOMInputSerializer, BOMSerializer, ItemSerializer, ReleaseSerializer


class ItemViewSet(ServiceCRUDViewSet):
    """Items (raw materials to finished goods), addressed by SKU."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    lookup_field = "sku"
    ordering_fields = ["sku", "name", "kind", "lead_time_days", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.item_list()

    def service_create(self, *, actor, data):
        return services.item_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.item_update(actor=actor, item=instance, **data)

    def service_delete(self, *, actor, instance):
        services.item_delete(actor=actor, item=instance)


class BOMViewSet(ServiceCRUDViewSet):
    """Bills of materials: one revision per row; lines written as a whole list."""

    serializer_class = BOMSerializer
    input_serializer_class = BOMInputSerializer
    filterset_class = BOMFilter
    ordering_fields = ["revision", "status", "created_at", "updated_at", "released_at"]
    action_permissions = {"release": ["materials.change_bom"]}

    def get_queryset(self):
        return selectors.bom_list()

    def service_create(self, *, actor, data):
        return services.bom_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.bom_update(actor=actor, bom=instance, **data)

    def service_delete(self, *, actor, instance):
        services.bom_delete(actor=actor, bom=instance)

    @extend_schema(request=ReleaseSerializer, responses={200: BOMSerializer}, summary="Release a draft BOM revision")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """The item's previously released revision becomes obsolete. 409 unless the revision is a draft."""
        data = self.validated_input_for(ReleaseSerializer)
        bom = services.bom_release(actor=request.user, bom=self.get_object(), **data)
        return Response(self.output(bom))
