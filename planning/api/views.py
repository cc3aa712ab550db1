from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from prodcoord.core.api.fields import EnumField, quantity_field
from prodcoord.core.api.permissions import RolePermission
from prodcoord.core.api.schema import InputOutputAutoSchema

from .. import selectors
from ..requirements import Kitting, work_order_materials


class RequirementSerializer(serializers.Serializer):
    item = serializers.CharField(source="item.sku", help_text="Component SKU")
    item_name = serializers.CharField(source="item.name")
    uom = serializers.CharField(source="item.uom")
    quantity_per = quantity_field()
    scrap_pct = serializers.DecimalField(max_digits=5, decimal_places=2)
    required = quantity_field(help_text="Order quantity × quantity per × (1 + scrap %), rounded up to the item's unit")
    staged = quantity_field(help_text="Waiting at staging or line-side locations for this order")
    issued = quantity_field(help_text="Issued to the order, less returns")
    to_stage = quantity_field(help_text="Still to be staged or issued")
    kitting = EnumField(Kitting.CHOICES, enum_name="KittingEnum")


class WorkOrderRequirementsSerializer(serializers.Serializer):
    work_order = serializers.CharField(source="work_order.number")
    bom = serializers.CharField(source="work_order.bom.revision", allow_null=True, help_text="Pinned BOM revision")
    kitting = EnumField(Kitting.CHOICES, enum_name="KittingEnum")
    requirements = RequirementSerializer(many=True)


class WorkOrderRequirementsView(APIView):
    """A work order's material requirements from its pinned BOM revision, with what is staged for
    it and issued to it (from the stock ledger) and its kitting status."""

    permission_classes = (RolePermission,)
    required_perms = ("workorders.view_workorder",)
    schema = InputOutputAutoSchema()

    @extend_schema(responses={200: WorkOrderRequirementsSerializer}, tags=["work-orders"], summary="Material requirements")
    def get(self, request, number):
        work_order = selectors.work_order_for_materials(number)
        if work_order is None:
            raise NotFound(f"No work order {number[:30]}.")
        return Response(WorkOrderRequirementsSerializer(work_order_materials(work_order)).data)
