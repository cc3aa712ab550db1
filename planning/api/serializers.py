from django.conf import settings
from rest_framework import serializers

from plant.models import Shift, WorkCenter
from prodcoord.core.api.fields import InputSerializer, NaturalKeyField, StrictInputMixin, quantity_field
from workorders.models import WorkOrder

from ..models import ScheduleEntry


class ScheduleEntrySerializer(StrictInputMixin, serializers.ModelSerializer):
    """How much of a work order a work center should make in a shift on a date. One entry per
    slot (date, shift, work center, work order)."""

    shift = NaturalKeyField(slug_field="code", queryset=Shift.objects.all(), help_text="Shift code")
    work_center = NaturalKeyField(slug_field="code", queryset=WorkCenter.objects.all(), help_text="Work center code")
    department = serializers.CharField(source="work_center.department.code", read_only=True, help_text="The work center's")
    work_order = NaturalKeyField(slug_field="number", queryset=WorkOrder.objects.all(), help_text="Work order number")
    planned_quantity = quantity_field(help_text="Greater than zero")
    sequence = serializers.IntegerField(
        required=False, min_value=1, max_value=32767, help_text="Order in the slot; 1 when left out"
    )
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Why the plan changes: recorded with the change; required when a change moves the entry "
        "to another date, shift or work center",
    )

    class Meta:
        model = ScheduleEntry
        fields = [
            "id",
            "date",
            "shift",
            "work_center",
            "department",
            "work_order",
            "planned_quantity",
            "sequence",
            "reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # one entry per slot: the service upserts into it


class ScheduleRowSerializer(InputSerializer):
    """One row of a bulk upload, as written (the natural keys are resolved for all rows at once)."""

    date = serializers.DateField()
    shift = serializers.CharField(max_length=20, help_text="Shift code")
    work_center = serializers.CharField(max_length=20, help_text="Work center code")
    work_order = serializers.CharField(max_length=40, help_text="Work order number")
    planned_quantity = quantity_field(help_text="Greater than zero")
    sequence = serializers.IntegerField(required=False, min_value=1, max_value=32767, help_text="1 when left out")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ScheduleBulkSerializer(InputSerializer):
    entries = serializers.ListField(
        child=serializers.DictField(),
        allow_empty=False,
        help_text=f"Rows of {{date, shift, work_center, work_order, planned_quantity, sequence?, reason?}}; at most "
        f"SCHEDULE_BULK_MAX_ROWS ({settings.SCHEDULE_BULK_MAX_ROWS} by default) per request",
    )

    def validate_entries(self, value):
        limit = settings.SCHEDULE_BULK_MAX_ROWS
        if len(value) > limit:
            raise serializers.ValidationError(
                f"At most {limit} entries per upload (SCHEDULE_BULK_MAX_ROWS); this one has {len(value)}. "
                "Split it: each upload is all or nothing on its own."
            )
        return value


class ScheduleBulkRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Index of the row in entries, from 0")
    field = serializers.CharField(help_text="The row's field, or non_field_errors")
    message = serializers.CharField()


class ScheduleBulkErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    rows = ScheduleBulkRowErrorSerializer(many=True)


class ScheduleBulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Rows received")
    created = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    ids = serializers.ListField(child=serializers.IntegerField(), help_text="The entries' ids, in row order")


class ScheduleDeleteSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
