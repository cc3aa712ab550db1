import django_filters

from prodcoord.core.filters import FilterSet, IsoDateTimeFilter

from .models import Event


class EventFilter(FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    verb = django_filters.CharFilter(field_name="verb", label="Verb, e.g. work_order.released")
    verb_prefix = django_filters.CharFilter(field_name="verb", lookup_expr="startswith", label="Verb prefix, e.g. hold.")
    actor = django_filters.CharFilter(field_name="actor__username", label="Username of the actor")
    since = IsoDateTimeFilter(field_name="at", lookup_expr="gte", label="At or after (ISO 8601)")
    until = IsoDateTimeFilter(field_name="at", lookup_expr="lt", label="Before (ISO 8601)")

    class Meta:
        model = Event
        fields = ["work_order", "verb", "verb_prefix", "actor", "since", "until"]
