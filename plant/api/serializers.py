from decimal import Decimal

from rest_framework import serializers

from prodcoord.core.api.fields import NaturalKeyField, StrictInputMixin, natural_key

from ..models import Department, Shift, WorkCenter


class DepartmentSerializer(StrictInputMixin, serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        return natural_key(value)


class WorkCenterSerializer(StrictInputMixin, serializers.ModelSerializer):
    department = NaturalKeyField(slug_field="code", queryset=Department.objects.all(), help_text="Department code")
    capacity_hours_per_shift = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=Decimal("0"), max_value=Decimal("24"), required=False
    )

    class Meta:
        model = WorkCenter
        fields = ["code", "name", "department", "capacity_hours_per_shift", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        return natural_key(value)


class ShiftSerializer(StrictInputMixin, serializers.ModelSerializer):
    crosses_midnight = serializers.BooleanField(read_only=True, help_text="True when end_time is before start_time")

    class Meta:
        model = Shift
        fields = ["code", "name", "start_time", "end_time", "crosses_midnight", "is_active", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def validate_code(self, value):
        return natural_key(value)
