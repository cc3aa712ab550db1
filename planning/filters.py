import django_filters

from prodcoord.core.filters import FilterSet

from .models import ScheduleEntry


class ScheduleEntryFilter(FilterSet):
    date = django_filters.DateFilter(field_name="date", label="On this date")
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="On or after this date")
    date_before = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="On or before this date")
    shift = django_filters.CharFilter(field_name="shift__code", label="Shift code")
    work_center = django_filters.CharFilter(field_name="work_center__code", label="Work center code")
    department = django_filters.CharFilter(field_name="work_center__department__code", label="Department code")
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")

    class Meta:
        model = ScheduleEntry
        fields = ["date", "date_after", "date_before", "shift", "work_center", "department", "work_order"]
