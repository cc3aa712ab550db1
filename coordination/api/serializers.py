from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plant.models import Department, DowntimeEvent, Shift
from prodcoord.core.api.fields import EnumField, InputSerializer, NaturalKeyField, StrictInputMixin
from prodcoord.core.plant_time import plant_today
from workorders.models import Hold, WorkOrder

from ..models import ActionItem, HandoverItem, ShiftHandover

User = get_user_model()


class ActionItemSerializer(StrictInputMixin, serializers.ModelSerializer):
    """An action item: who does what by when, and what it came from."""

    title = serializers.CharField(max_length=200)
    owner = NaturalKeyField(slug_field="username", queryset=User.objects.all(), help_text="The owner's username")
    due_date = serializers.DateField()
    status = EnumField(
        ActionItem.Status.choices,
        enum_name="ActionItemStatusEnum",
        required=False,
        help_text="open → done or cancelled; done or cancelled → open again (409 otherwise). New items are open.",
    )
    source = EnumField(ActionItem.Source.choices, enum_name="ActionItemSourceEnum", required=False)
    is_critical = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    department = NaturalKeyField(
        slug_field="code",
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text="Department code; left out: the one its source concerns, else the owner's (roster)",
    )
    work_order = NaturalKeyField(
        slug_field="number", queryset=WorkOrder.objects.all(), required=False, allow_null=True, help_text="Work order number"
    )
    hold = serializers.PrimaryKeyRelatedField(
        queryset=Hold.objects.select_related("work_order", "work_center__department"), required=False, allow_null=True
    )
    downtime_event = serializers.PrimaryKeyRelatedField(
        queryset=DowntimeEvent.objects.select_related("work_center__department"), required=False, allow_null=True
    )
    source_reference = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="What it came from when that has no field here: a shortage's id, a brief line",
    )
    closing_note = serializers.CharField(
        read_only=True, help_text="What became of it: written when it is marked done or cancelled (PATCH)"
    )
    is_overdue = serializers.SerializerMethodField(help_text="Open and due before today (plant time)")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    closed_by = serializers.CharField(source="closed_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "note",
            "owner",
            "due_date",
            "status",
            "is_critical",
            "is_overdue",
            "source",
            "department",
            "work_order",
            "hold",
            "downtime_event",
            "source_reference",
            "closing_note",
            "created_by",
            "created_at",
            "updated_at",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "closed_at"]

    def get_is_overdue(self, obj) -> bool:
        today = self.context.get("today") or plant_today()
        return obj.is_overdue_on(today)


class ActionItemUpdateSerializer(ActionItemSerializer):
    """What an update may change: not what the item came from."""

    closing_note = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="What became of it, when marking it done or cancelled"
    )

    class Meta(ActionItemSerializer.Meta):
        read_only_fields = [*ActionItemSerializer.Meta.read_only_fields, "source", "work_order", "hold", "downtime_event"]


class HandoverItemSerializer(serializers.ModelSerializer):
    """An open item as the handover carries it, with its owner and age."""

    action_item = serializers.IntegerField(source="action_item_id", read_only=True)
    title = serializers.CharField(source="action_item.title", read_only=True)
    owner = serializers.CharField(source="action_item.owner.username", read_only=True)
    due_date = serializers.DateField(source="action_item.due_date", read_only=True)
    status = serializers.CharField(source="action_item.status", read_only=True)
    work_order = serializers.CharField(source="action_item.work_order.number", read_only=True, allow_null=True, default=None)
    carried = serializers.SerializerMethodField(help_text="Carried from an earlier handover")
    age_days = serializers.SerializerMethodField(help_text="Days since the item was created")

    class Meta:
        model = HandoverItem
        fields = ["action_item", "title", "owner", "due_date", "status", "is_critical", "carried", "age_days", "work_order"]

    def get_carried(self, obj) -> bool:
        return obj.carried_from_id is not None

    def get_age_days(self, obj) -> int:
        return max(0, (plant_today() - obj.action_item.created_at.date()).days)


@extend_schema_field(
    {
        "type": "object",
        "description": "The shift's figures: window {start, end, compiled_until}; production [{work_center, name, planned, "
        "good, scrap, attainment_pct, behind}]; totals; downtime {minutes, unclassified_minutes, by_reason, events}; "
        "holds {opened, released, active}.",
        "additionalProperties": True,
    }
)
class FiguresField(serializers.JSONField):
    pass


class ShiftHandoverSerializer(StrictInputMixin, serializers.ModelSerializer):
    """A department's shift handover. Creating one compiles the shift's figures and carries every open
    action item of the department; the notes and the critical marks are written while it is a draft."""

    date = serializers.DateField(help_text="The shift date: a night shift belongs to the date it started")
    shift = NaturalKeyField(slug_field="code", queryset=Shift.objects.all(), help_text="Shift code")
    department = NaturalKeyField(slug_field="code", queryset=Department.objects.all(), help_text="Department code")
    incoming_shift = serializers.CharField(source="incoming_shift.code", read_only=True)
    status = serializers.CharField(read_only=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    figures = FiguresField(read_only=True)
    open_items = HandoverItemSerializer(source="items", many=True, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True, allow_null=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", read_only=True, allow_null=True)

    class Meta:
        model = ShiftHandover
        fields = [
            "id",
            "date",
            "shift",
            "department",
            "incoming_date",
            "incoming_shift",
            "status",
            "notes",
            "figures",
            "open_items",
            "compiled_at",
            "submitted_by",
            "submitted_at",
            "acknowledged_by",
            "acknowledged_at",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "incoming_date",
            "compiled_at",
            "submitted_at",
            "acknowledged_at",
            "version",
            "created_at",
            "updated_at",
        ]
        validators = []  # one per department, date and shift: the service's (409)


class CriticalMarkSerializer(InputSerializer):
    action_item = serializers.IntegerField(min_value=1)
    is_critical = serializers.BooleanField()


class ShiftHandoverUpdateSerializer(InputSerializer):
    notes = serializers.CharField(required=False, allow_blank=True, max_length=8000)
    open_items = CriticalMarkSerializer(many=True, required=False, help_text="Mark carried items critical, one by one")
    version = serializers.IntegerField(required=False, min_value=1, help_text="409 when not the current one")


class ShiftHandoverSubmitSerializer(InputSerializer):
    notes = serializers.CharField(
        required=False, allow_blank=True, max_length=8000, help_text="The last word; replaces the notes"
    )
