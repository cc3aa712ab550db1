from decimal import Decimal

from rest_framework import serializers

from prodcoord.core.api.fields import (
    EnumField,
    InputSerializer,
    NaturalKeyField,
    NaturalKeyInputMixin,
    RowListSerializer,
    StrictInputMixin,
    quantity_field,
)

from ..models import BOM, Item

REVISION_STATUS = {"choices": BOM.Status.choices, "enum_name": "RevisionStatusEnum"}


class ItemSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    """An item, read and written by SKU."""

    natural_key_fields = ("sku",)

    kind = EnumField(Item.Kind.choices, enum_name="ItemKindEnum")
    uom = EnumField(Item.Uom.choices, enum_name="UomEnum", required=False, help_text="Unit of measure")
    safety_stock = quantity_field(min_value=Decimal("0"), required=False)

    class Meta:
        model = Item
        fields = ["sku", "name", "kind", "uom", "lead_time_days", "safety_stock", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class BOMLineSerializer(StrictInputMixin, serializers.Serializer):
    component = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Component SKU")
    quantity_per = quantity_field(min_value=Decimal("0.001"), help_text="Quantity of the component per unit of the item")
    scrap_pct = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("99.99"), default=Decimal("0")
    )


class RevisionSerializer(serializers.Serializer):
    """A revisioned document of an item (BOM, routing) as the API returns it;
    subclasses add the content (lines, steps)."""

    id = serializers.IntegerField(read_only=True)
    item = serializers.CharField(source="item.sku", read_only=True, help_text="Item SKU")
    revision = serializers.CharField(read_only=True)
    status = EnumField(**REVISION_STATUS, read_only=True)
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class RevisionInputSerializer(InputSerializer):
    """Create or change a draft revision: the item (fixed once created) and the revision label."""

    unknown_field_messages = {"status": "Use the release action; the status cannot be set."}

    item = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Item SKU; cannot change after creation")
    revision = serializers.CharField(max_length=10)


class BOMSerializer(RevisionSerializer):
    lines = BOMLineSerializer(many=True, read_only=True)


class BOMInputSerializer(RevisionInputSerializer):
    lines = RowListSerializer(child=BOMLineSerializer(), limit_setting="BOM_MAX_LINES", noun="lines", per="per BOM")


class ReleaseSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)
