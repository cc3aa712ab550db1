import django_filters
from django.db.models import Q

from prodcoord.core.filters import BooleanFilter, FilterSet
from prodcoord.core.plant_time import plant_today

from .models import ActionItem, ShiftHandover


class ActionItemFilter(FilterSet):
    owner = django_filters.CharFilter(field_name="owner__username", label="Owner's username")
    department = django_filters.CharFilter(field_name="department__code", label="Department code")
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    overdue = BooleanFilter(method="filter_overdue", label="Only overdue (true: open and due before today, plant time) or not")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lt", label="Due before")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="Due on or after")

    class Meta:
        model = ActionItem
        fields = ["owner", "status", "source", "department", "work_order", "hold", "downtime_event", "is_critical", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status=ActionItem.Status.OPEN, due_date__lt=plant_today())
        return queryset.filter(late) if value else queryset.exclude(late)


class ShiftHandoverFilter(FilterSet):
    department = django_filters.CharFilter(field_name="department__code", label="Department code")
    shift = django_filters.CharFilter(field_name="shift__code", label="Shift code")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="Shift date on or after")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="Shift date on or before")

    class Meta:
        model = ShiftHandover
        fields = ["department", "shift", "date", "status", "date_from", "date_to"]
