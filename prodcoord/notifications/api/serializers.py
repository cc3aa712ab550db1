from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from prodcoord.core.api.fields import InputSerializer

from ..kinds import NOTIFY_VERBS
from ..models import Email, Notification, Subscription
from ..services import target_key


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": list(NOTIFY_VERBS)}})
class VerbsField(serializers.JSONField):
    """A list of kinds of event, checked by the service (one message on ``verbs``, whatever is wrong in it)."""


class SubscriptionSerializer(serializers.ModelSerializer):
    """Something the caller follows, and how they want to hear of it."""

    target = serializers.SerializerMethodField(
        help_text="A department or work center code, a work order number, or an event verb"
    )

    class Meta:
        model = Subscription
        fields = ["id", "kind", "target", "verbs", "email", "created_at", "updated_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_target(self, subscription):
        return target_key(subscription)


class SubscriptionCreateSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Subscription.Kind.choices)
    target = serializers.CharField(
        max_length=60, help_text="A department or work center code, a work order number, or an event verb such as hold.placed"
    )
    verbs = VerbsField(
        required=False,
        help_text="Only these kinds of event (department, work center, work order); empty or omitted: all of them. "
        f"Each one of: {', '.join(NOTIFY_VERBS)}",
    )
    email = serializers.ChoiceField(choices=Email.choices, required=False, default=Email.NONE)


class SubscriptionUpdateSerializer(InputSerializer):
    """What a subscription changes: its kinds and its e-mail. To follow something else, delete it and add one."""

    unknown_field_messages = {
        "kind": "A subscription's kind cannot change: delete it and add another.",
        "target": "A subscription's target cannot change: delete it and add another.",
    }

    verbs = VerbsField(
        required=False,
        help_text=f"Only these kinds of event; empty: all of them. Each one of: {', '.join(NOTIFY_VERBS)}",
    )
    email = serializers.ChoiceField(choices=Email.choices, required=False)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "verb", "subject", "message", "url", "created_at", "read_at", "email", "emailed_at"]
        read_only_fields = fields


class ReadAllSerializer(InputSerializer):
    up_to = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text="Only those up to this id (what the caller has seen); omitted: every unread one",
    )


class ReadAllResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
    unread = serializers.IntegerField()
