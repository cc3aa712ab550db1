from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class EventObjectSerializer(serializers.Serializer):
    type = serializers.SerializerMethodField(help_text="app_label.model, e.g. workorders.workorder")
    id = serializers.CharField(source="object_id")
    repr = serializers.CharField(source="object_repr")

    @extend_schema_field(OpenApiTypes.STR)
    def get_type(self, event):
        return f"{event.object_type.app_label}.{event.object_type.model}"


class EventSerializer(serializers.Serializer):
    """One entry of the audit trail / activity feed: who, when, what (old → new), why."""

    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(read_only=True)
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, help_text="Username; null for the system"
    )
    verb = serializers.CharField(read_only=True)
    object = EventObjectSerializer(source="*", read_only=True)
    work_order = serializers.CharField(source="work_order.number", read_only=True, allow_null=True)
    changes = serializers.JSONField(read_only=True, help_text="{field: [old, new]}")
    reason = serializers.CharField(read_only=True)
