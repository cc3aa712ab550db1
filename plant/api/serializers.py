from decimal import Decimal

from rest_framework import serializers

from prodcoord.core.api.fields import NaturalKeyField, NaturalKeyInputMixin, StrictInputMixin

from ..models import Department, Shift, WorkCenter


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
