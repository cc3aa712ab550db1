import django_filters

from prodcoord.core.filters import BooleanFilter, FilterSet

from .models import Notification


class NotificationFilter(FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label="true: only unread; false: only read")
    verb = django_filters.CharFilter(field_name="verb", label="Verb, e.g. hold.placed")

    class Meta:
        model = Notification
        fields = ["unread", "verb"]
