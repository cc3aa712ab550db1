from decimal import Decimal

from rest_framework import serializers

from prodcoord.core.api.fields import DateTimeField, InputSerializer, NaturalKeyField, NaturalKeyInputMixin, StrictInputMixin

from ..models import Department, DowntimeEvent, DowntimeReason, Shift, WorkCenter


class DepartmentSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    natural_key_fields = ("code",)

    class Meta:
        model = Department
        fields = ["code", "name", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class WorkCenterSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    natural_key_fields = ("code",)

    department = NaturalKeyField(slug_field="code", queryset=Department.objects.all(), help_text="Department code")
    capacity_hours_per_shift = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("24"), required=False
    )

    class Meta:
        model = WorkCenter
        fields = ["code", "name", "department", "capacity_hours_per_shift", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class ShiftSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    natural_key_fields = ("code",)

    crosses_midnight = serializers.BooleanField(read_only=True, help_text="True when end_time is before start_time")

    class Meta:
        model = Shift
        fields = ["code", "name", "start_time", "end_time", "crosses_midnight", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DowntimeReasonSerializer(NaturalKeyInputMixin, StrictInputMixin, serializers.ModelSerializer):
    natural_key_fields = ("code",)

    class Meta:
        model = DowntimeReason
        fields = ["code", "name", "is_planned", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class DowntimeEventSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Downtime of a work center; ``ended_at`` null while it lasts."""

    work_center = NaturalKeyField(slug_field="code", queryset=WorkCenter.objects.all(), help_text="Work center code")
    department = serializers.CharField(source="work_center.department.code", read_only=True)
    reason = NaturalKeyField(slug_field="code", queryset=DowntimeReason.objects.all(), help_text="Downtime reason code")
    started_at = DateTimeField(required=False, help_text="When it stopped; now when left out")
    ended_at = DateTimeField(required=False, allow_null=True, help_text="When it ran again; null (or left out) while it lasts")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    is_open = serializers.BooleanField(read_only=True)
    minutes = serializers.SerializerMethodField(help_text="How long it lasted, or has lasted so far")
    started_by = serializers.CharField(source="started_by.username", read_only=True, allow_null=True)
    ended_by = serializers.CharField(source="ended_by.username", read_only=True, allow_null=True)

    class Meta:
        model = DowntimeEvent
        fields = [
            "id",
            "work_center",
            "department",
            "reason",
            "started_at",
            "ended_at",
            "is_open",
            "minutes",
            "note",
            "started_by",
            "ended_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # overlap and "one open per work center" are the service's (plant.services)

    def get_minutes(self, obj) -> int:
        return obj.minutes()


class DowntimeStopSerializer(InputSerializer):
    ended_at = DateTimeField(required=False, help_text="When it ran again; now when left out")
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="Added to the note")
