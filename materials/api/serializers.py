from decimal import Decimal

from rest_framework import serializers

from plant.models import WorkCenter
from prodcoord.core.api.fields import (
    EnumField,
    InputSerializer,
    NaturalKeyField,
    NaturalKeyInputMixin,
    RowListSerializer,
    StrictInputMixin,
    quantity_field,
)

from ..models import BOM, ExpectedReceipt, Item, Location, Lot, StockBalance, StockMove

REVISION_STATUS = {"choices": BOM.Status.choices, "enum_name": "RevisionStatusEnum"}


class ItemSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    """An item, read and written by SKU."""

    natural_key_fields = ("sku",)

    kind = EnumField(Item.Kind.choices, enum_name="ItemKindEnum")
    uom = EnumField(Item.Uom.choices, enum_name="UomEnum", required=False, help_text="Unit of measure")
    safety_stock = quantity_field(min_value=Decimal("0"), required=False)

    class Meta:
        model = Item
        fields = [
            "sku",
            "name",
            "kind",
            "uom",
            "lead_time_days",
            "safety_stock",
            "backflush",
            "is_active",
            "created_at",
            "updated_at",
        ]
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


# --- stock ---------------------------------------------------------------------------------


class LocationSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    """A stock location, read and written by code."""

    natural_key_fields = ("code",)

    kind = EnumField(Location.Kind.choices, enum_name="LocationKindEnum")
    work_center = NaturalKeyField(
        slug_field="code",
        queryset=WorkCenter.objects.all(),
        required=False,
        allow_null=True,
        help_text="Work center a line-side location feeds (code)",
    )

    class Meta:
        model = Location
        fields = ["code", "name", "kind", "work_center", "receives_output", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class LotSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A lot of one item; its item cannot change once created."""

    id = serializers.IntegerField(read_only=True)
    item = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Item SKU")
    expires_on = serializers.DateField(required=False, allow_null=True)

    class Meta:
        model = Lot
        fields = ["id", "item", "code", "expires_on", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class StockBalanceSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.sku", read_only=True, help_text="Item SKU")
    location = serializers.CharField(source="location.code", read_only=True, help_text="Location code")
    location_kind = EnumField(Location.Kind.choices, enum_name="LocationKindEnum", source="location.kind", read_only=True)
    lot = serializers.CharField(source="lot.code", read_only=True, allow_null=True, help_text="Lot code")
    lot_expires_on = serializers.DateField(source="lot.expires_on", read_only=True, allow_null=True)
    quantity = quantity_field(read_only=True)

    class Meta:
        model = StockBalance
        fields = ["item", "location", "location_kind", "lot", "lot_expires_on", "quantity", "updated_at"]


class StockMoveSerializer(serializers.ModelSerializer):
    """One line of the stock ledger (never changed; corrected by a reversing move)."""

    kind = EnumField(StockMove.Kind.choices, enum_name="StockMoveKindEnum")
    item = serializers.CharField(source="item.sku", help_text="Item SKU")
    quantity = quantity_field()
    from_location = serializers.CharField(source="from_location.code", allow_null=True, help_text="Location code")
    to_location = serializers.CharField(source="to_location.code", allow_null=True, help_text="Location code")
    lot = serializers.CharField(source="lot.code", allow_null=True, help_text="Lot code")
    work_order = serializers.CharField(source="work_order.number", allow_null=True, help_text="Work order number")
    expected_receipt = serializers.IntegerField(source="expected_receipt_id", allow_null=True)
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True, help_text="The move this one reverses")
    reversed_by = serializers.SerializerMethodField(help_text="The move that reverses this one")
    moved_by = serializers.CharField(source="moved_by.username", allow_null=True)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "kind",
            "item",
            "quantity",
            "from_location",
            "to_location",
            "lot",
            "work_order",
            "expected_receipt",
            "reverses",
            "reversed_by",
            "note",
            "moved_at",
            "moved_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_reversed_by(self, move) -> int | None:
        return getattr(move, "reversed_by_pk", None)


class StockMoveInputSerializer(InputSerializer):
    """Post a move. ``lot`` is the code of a lot of the move's item."""

    kind = EnumField(StockMove.Kind.choices, enum_name="StockMoveKindEnum")
    item = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Item SKU")
    quantity = quantity_field(help_text="Greater than zero")
    from_location = NaturalKeyField(slug_field="code", queryset=Location.objects.all(), required=False, allow_null=True)
    to_location = NaturalKeyField(slug_field="code", queryset=Location.objects.all(), required=False, allow_null=True)
    lot = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40, help_text="Lot code")
    work_order = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=30, help_text="Work order number"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Required for adjust and scrap, and out of quarantine"
    )


class ReverseMoveSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500)


class ExpectedReceiptSerializer(StrictInputMixin, serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True)
    item = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Item SKU")
    quantity = quantity_field(min_value=Decimal("0.001"))
    quantity_received = quantity_field(read_only=True)
    quantity_open = quantity_field(read_only=True, help_text="Still to come (0 once received or cancelled)")
    status = EnumField(ExpectedReceipt.Status.choices, enum_name="ExpectedReceiptStatusEnum", read_only=True)

    class Meta:
        model = ExpectedReceipt
        fields = [
            "id",
            "item",
            "quantity",
            "quantity_received",
            "quantity_open",
            "due_date",
            "reference",
            "supplier",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "quantity_received", "quantity_open", "status", "created_at", "updated_at"]


class ReceiveSerializer(InputSerializer):
    quantity = quantity_field(min_value=Decimal("0.001"), help_text="What arrived now (at most what is still expected)")
    location = NaturalKeyField(slug_field="code", queryset=Location.objects.all(), help_text="Location code")
    lot = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40, help_text="Lot code")
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CancelReceiptSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
