from decimal import Decimal

from django.utils import timezone
from rest_framework import serializers

from materials.api.serializers import ReleaseSerializer, RevisionInputSerializer, RevisionSerializer
from materials.models import Item
from plant.models import WorkCenter
from prodcoord.core.api.fields import (
    DateTimeField,
    EnumField,
    InputSerializer,
    NaturalKeyField,
    NaturalKeyInputMixin,
    RowListSerializer,
    StrictInputMixin,
    natural_key_validator,
    quantity_field,
)

from .. import selectors
from ..models import Hold, Operation, ScrapReason, WorkOrder

__all__ = ["ReleaseSerializer"]

# --- master data -------------------------------------------------------------------


class RoutingStepSerializer(StrictInputMixin, serializers.Serializer):
    sequence = serializers.IntegerField(min_value=1, max_value=99999)
    work_center = NaturalKeyField(slug_field="code", queryset=WorkCenter.objects.all(), help_text="Work center code")
    setup_minutes = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0"), default=Decimal("0"))
    run_minutes_per_unit = serializers.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0"), default=Decimal("0"))
    description = serializers.CharField(max_length=200, allow_blank=True, default="")


class RoutingSerializer(RevisionSerializer):
    steps = RoutingStepSerializer(many=True, read_only=True)


class RoutingInputSerializer(RevisionInputSerializer):
    steps = RowListSerializer(child=RoutingStepSerializer(), limit_setting="ROUTING_MAX_STEPS", noun="steps", per="per routing")


class ScrapReasonSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    natural_key_fields = ("code",)

    class Meta:
        model = ScrapReason
        fields = ["code", "name", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


# --- work orders: output -------------------------------------------------------------


def _datetime(value, tz):
    """As DRF's DateTimeField writes it: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def work_order_payloads(items):
    """The API representation of work orders, built directly from rows.

    ``items`` are rows from ``work_order_rows`` or WorkOrder instances (read back
    as rows). Operations for all of them come in one query. The JSON shape is
    the one ``WorkOrderSerializer`` documents.

    Decimals are written with ``str``: values read from a decimal column carry
    the column's places (PostgreSQL returns them so, Django quantizes them on
    SQLite), so this gives exactly DRF's "12.500" at a fraction of the cost.
    """
    rows, operations = selectors.work_order_read(items)
    tz = timezone.get_current_timezone()
    payloads = []
    for row in rows:
        due = row["due_date"]
        payloads.append(
            {
                "number": row["number"],
                "item": row["item__sku"],
                "quantity": str(row["quantity"]),
                "quantity_completed": str(row["quantity_completed"]),
                "quantity_scrapped": str(row["quantity_scrapped"]),
                "status": row["status"],
                "priority": row["priority"],
                "due_date": due.isoformat() if due is not None else None,
                "planned_start": _datetime(row["planned_start"], tz),
                "planned_end": _datetime(row["planned_end"], tz),
                "customer_ref": row["customer_ref"],
                "bom_revision": row["bom__revision"],
                "routing_revision": row["routing__revision"],
                "operations": [
                    {
                        "sequence": op[1],
                        "work_center": op[2],
                        "description": op[3],
                        "planned_setup_minutes": str(op[4]),
                        "planned_run_minutes": str(op[5]),
                        "status": op[6],
                        "quantity_good": str(op[7]),
                        "quantity_scrap": str(op[8]),
                    }
                    for op in operations.get(row["id"], ())
                ],
                "current_operation": row["current_operation__sequence"],
                "current_work_center": row["current_work_center__code"],
                "on_hold": row["active_hold_count"] > 0,
                "is_overdue": row["is_overdue"],
                "plan_late": row["plan_late"],
                "version": row["version"],
                "created_at": _datetime(row["created_at"], tz),
                "updated_at": _datetime(row["updated_at"], tz),
            }
        )
    return payloads


class OperationSerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    work_center = serializers.CharField(help_text="Work center code")
    description = serializers.CharField()
    planned_setup_minutes = serializers.DecimalField(max_digits=10, decimal_places=2)
    planned_run_minutes = serializers.DecimalField(max_digits=12, decimal_places=2)
    status = EnumField(Operation.Status.choices, enum_name="OperationStatusEnum")
    quantity_good = quantity_field()
    quantity_scrap = quantity_field()


class WorkOrderListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        return work_order_payloads(data)


class WorkOrderSerializer(serializers.Serializer):
    """A work order as the API returns it (read-only; built by ``work_order_payloads``)."""

    number = serializers.CharField()
    item = serializers.CharField(help_text="Item SKU")
    quantity = quantity_field()
    quantity_completed = quantity_field(help_text="Good quantity out of the last operation")
    quantity_scrapped = quantity_field()
    status = EnumField(WorkOrder.Status.choices, enum_name="WorkOrderStatusEnum")
    priority = serializers.IntegerField(min_value=1, max_value=5, help_text="1 = most urgent … 5")
    due_date = serializers.DateField(allow_null=True)
    planned_start = serializers.DateTimeField(allow_null=True)
    planned_end = serializers.DateTimeField(allow_null=True)
    customer_ref = serializers.CharField()
    bom_revision = serializers.CharField(allow_null=True, help_text="The BOM revision pinned at creation")
    routing_revision = serializers.CharField(allow_null=True, help_text="The routing revision its operations come from")
    operations = OperationSerializer(many=True)
    current_operation = serializers.IntegerField(
        allow_null=True,
        help_text="Sequence of its current operation: the first operation not yet done while the order is open "
        "(draft, released, in progress); null once every operation is done and when it is completed, closed or cancelled",
    )
    current_work_center = serializers.CharField(
        allow_null=True, help_text="Code of the work center of its current operation (null when it has none)"
    )
    on_hold = serializers.BooleanField(help_text="Has an active hold; progress and transitions (except cancel) are refused")
    is_overdue = serializers.BooleanField(help_text="Open and past its due date")
    plan_late = serializers.BooleanField(
        help_text="Open and planned to end after its due date: its planned end falls on a later plant date"
    )
    version = serializers.IntegerField(help_text="Send it back with a change to refuse lost updates (409 if stale)")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        list_serializer_class = WorkOrderListSerializer

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.read_only = True

    def to_representation(self, instance):
        return work_order_payloads([instance])[0]


# --- work orders: input ------------------------------------------------------------

READ_ONLY_HINTS = {
    "status": "Use the release/start/complete/close/cancel actions to change the status.",
    "number": "A work order's number cannot change.",
    "item": "A work order's item cannot change; cancel it and create another.",
    "quantity_completed": "Report progress instead (POST …/progress/).",
    "quantity_scrapped": "Report progress instead (POST …/progress/).",
    "on_hold": "Place or release a hold instead.",
    "operations": "Operations come from the routing and cannot be edited here.",
}


class WorkOrderCreateSerializer(InputSerializer):
    unknown_field_messages = READ_ONLY_HINTS | {"number": "Unknown field; it cannot be set here."}

    number = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        validators=[natural_key_validator],
        help_text="Generated when omitted",
    )
    item = NaturalKeyField(slug_field="sku", queryset=Item.objects.all(), help_text="Item SKU")
    quantity = quantity_field(min_value=Decimal("0.001"))
    priority = serializers.IntegerField(min_value=1, max_value=5, default=3, help_text="1 = most urgent … 5")
    due_date = serializers.DateField(required=False, allow_null=True)
    planned_start = DateTimeField(required=False, allow_null=True)
    planned_end = DateTimeField(required=False, allow_null=True)
    customer_ref = serializers.CharField(max_length=60, required=False, allow_blank=True)


class WorkOrderUpdateSerializer(InputSerializer):
    """Changes to a work order. Priority and plan changes need a ``reason``."""

    unknown_field_messages = READ_ONLY_HINTS

    quantity = quantity_field(min_value=Decimal("0.001"))
    priority = serializers.IntegerField(min_value=1, max_value=5)
    due_date = serializers.DateField(required=False, allow_null=True)
    planned_start = DateTimeField(required=False, allow_null=True)
    planned_end = DateTimeField(required=False, allow_null=True)
    customer_ref = serializers.CharField(max_length=60, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False, help_text="The version you read; 409 if it changed")
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Why; required for priority and plan changes"
    )


class TransitionSerializer(InputSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=1000, help_text="Required to cancel or to complete short"
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text="The version you read; 409 if it changed")


class ProgressSerializer(InputSerializer):
    operation = serializers.IntegerField(min_value=1, help_text="The operation's sequence number")
    quantity_good = quantity_field(
        min_value=Decimal("0"), default=Decimal("0"), help_text="A whole number for an item counted in ea, box or roll"
    )
    quantity_scrap = quantity_field(
        min_value=Decimal("0"), default=Decimal("0"), help_text="A whole number for an item counted in ea, box or roll"
    )
    scrap_reason = NaturalKeyField(
        slug_field="code",
        queryset=ScrapReason.objects.all(),
        required=False,
        allow_null=True,
        help_text="Scrap reason code (scrap-reasons/); required when quantity_scrap > 0, only then",
    )
    reported_at = DateTimeField(required=False, help_text="When it was made; now when omitted")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(min_value=1, required=False, help_text="The version you read; 409 if it changed")


class ProductionReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    work_order = serializers.CharField(source="work_order.number", read_only=True)
    operation = serializers.IntegerField(source="operation.sequence", read_only=True)
    work_center = serializers.CharField(source="work_center.code", read_only=True)
    shift = serializers.CharField(source="shift.code", read_only=True, help_text="A reversal's is its original's")
    shift_date = serializers.DateField(read_only=True, help_text="A reversal's is its original's")
    quantity_good = quantity_field(read_only=True, help_text="Negative in a reversal")
    quantity_scrap = quantity_field(read_only=True, help_text="Negative in a reversal")
    scrap_reason = serializers.CharField(
        source="scrap_reason.code", read_only=True, allow_null=True, help_text="Scrap reason code; null without scrap"
    )
    reported_at = serializers.DateTimeField(read_only=True, help_text="When it was made (a reversal: when it was reversed)")
    reported_by = serializers.CharField(source="reported_by.username", read_only=True, allow_null=True)
    note = serializers.CharField(read_only=True, help_text="A reversal's note is the reason it was reversed")
    reverses = serializers.IntegerField(
        source="reverses_id", read_only=True, allow_null=True, help_text="The id of the report this one reverses"
    )
    reversal = serializers.IntegerField(
        source="reversal.pk", read_only=True, allow_null=True, help_text="The id of the report that reverses this one"
    )
    created_at = serializers.DateTimeField(read_only=True)


class ReverseSerializer(InputSerializer):
    reason = serializers.CharField(max_length=500, help_text="Why the report is wrong")
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The work order version you read; 409 if it changed"
    )


# --- holds -------------------------------------------------------------------------


class HoldSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    work_order = serializers.CharField(source="work_order.number", read_only=True)
    kind = EnumField(Hold.Kind.choices, enum_name="HoldKindEnum", read_only=True)
    reason = serializers.CharField(read_only=True)
    operation = serializers.IntegerField(
        source="operation.sequence", read_only=True, allow_null=True, help_text="The operation it concerns (its sequence), if any"
    )
    work_center = serializers.CharField(
        source="work_center.code", read_only=True, allow_null=True, help_text="The work center it concerns (its code), if any"
    )
    is_active = serializers.BooleanField(read_only=True)
    placed_by = serializers.CharField(source="placed_by.username", read_only=True, allow_null=True)
    placed_at = serializers.DateTimeField(read_only=True)
    released_by = serializers.CharField(source="released_by.username", read_only=True, allow_null=True)
    released_at = serializers.DateTimeField(read_only=True, allow_null=True)
    release_note = serializers.CharField(read_only=True)
    disposition = serializers.CharField(
        read_only=True,
        help_text="A released quality hold's disposition (use_as_is, rework, scrap, return_to_supplier); empty otherwise",
    )


class HoldPlaceSerializer(InputSerializer):
    kind = EnumField(Hold.Kind.choices, enum_name="HoldKindEnum")
    reason = serializers.CharField(max_length=2000)
    operation = serializers.IntegerField(
        min_value=1,
        max_value=2_147_483_647,
        required=False,
        allow_null=True,
        help_text="The operation it concerns (its sequence); its work center comes with it. It still holds the whole order",
    )
    work_center = NaturalKeyField(
        slug_field="code",
        queryset=WorkCenter.objects.all(),
        required=False,
        allow_null=True,
        help_text="The work center it concerns (a code its operations pass through)",
    )
    version = serializers.IntegerField(min_value=1, required=False, help_text="The work order version you read")


class HoldReleaseSerializer(InputSerializer):
    release_note = serializers.CharField(max_length=2000, help_text="What was done to clear the hold")
    disposition = EnumField(
        Hold.Disposition.choices,
        enum_name="HoldDispositionEnum",
        required=False,
        help_text="What becomes of the parts: required to release a quality hold, refused for other kinds",
    )
