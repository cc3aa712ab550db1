import django_filters
from django.db.models import Exists, OuterRef

from prodcoord.core.filters import FilterSet, IsoDateTimeFilter

from .models import Event, EventScope


def _concerning(field):
    """Events whose scope names the department / work center with this code (one EXISTS, no duplicates)."""

    def method(queryset, name, value):
        scopes = EventScope.objects.filter(event=OuterRef("pk"), **{f"{field}__code": value})
        return queryset.filter(Exists(scopes))

    return method


class EventFilter(FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    verb = django_filters.CharFilter(field_name="verb", label="Verb, e.g. work_order.released")
    verb_prefix = django_filters.CharFilter(field_name="verb", lookup_expr="startswith", label="Verb prefix, e.g. hold.")
    actor = django_filters.CharFilter(field_name="actor__username", label="Username of the actor")
    since = IsoDateTimeFilter(field_name="at", lookup_expr="gte", label="At or after (ISO 8601)")
    until = IsoDateTimeFilter(field_name="at", lookup_expr="lt", label="Before (ISO 8601)")
    department = django_filters.CharFilter(
        method=_concerning("department"), label="Department code: events that concern it (any work center of it)"
    )
    work_center = django_filters.CharFilter(method=_concerning("work_center"), label="Work center code: events that concern it")
    after = django_filters.NumberFilter(
        field_name="id",
        lookup_expr="gt",
        min_value=0,
        max_value=2**63 - 1,
        label="Only events recorded after the event with this id",
    )
    before = django_filters.NumberFilter(
        field_name="id",
        lookup_expr="lt",
        min_value=0,
        max_value=2**63 - 1,
        label="Only events recorded before the event with this id",
    )

    class Meta:
        model = Event
        fields = ["work_order", "verb", "verb_prefix", "actor", "since", "until", "department", "work_center", "after", "before"]
