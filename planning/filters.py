"""The planning lists' filters: shortages (shared by the API's ``shortages/`` and the shortages board)
and schedule entries (the API's ``schedule/``)."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef

from prodcoord.core.filters import FilterSet, MultipleChoiceFilter
from prodcoord.core.plant_time import plant_today
from workorders.models import Operation

from .models import ScheduleEntry, Shortage


class ShortageFilter(FilterSet):
    item = django_filters.CharFilter(field_name="item__sku", lookup_expr="iexact", label="Item SKU")
    work_order = django_filters.CharFilter(field_name="work_order__number", lookup_expr="iexact", label="Work order number")
    status = MultipleChoiceFilter(choices=Shortage.Status.choices)
    unresolved = django_filters.BooleanFilter(method="filter_unresolved", label="Unresolved only (open, acknowledged, escalated)")
    department = django_filters.CharFilter(method="filter_department", label="Department code (the order passes through it)")
    horizon = django_filters.NumberFilter(
        method="filter_horizon", min_value=0, max_value=3650, label="Needed within this many days from today"
    )
    needed_before = django_filters.DateFilter(field_name="needed_by", lookup_expr="lte", label="Needed on or before (date)")
    needed_after = django_filters.DateFilter(field_name="needed_by", lookup_expr="gte", label="Needed on or after (date)")

    class Meta:
        model = Shortage
        fields = ["item", "work_order", "status", "unresolved", "department", "horizon", "needed_before", "needed_after"]

    def filter_unresolved(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(status__in=Shortage.UNRESOLVED) if value else queryset.filter(status=Shortage.Status.RESOLVED)

    def filter_department(self, queryset, name, value):
        value = value.strip().replace("\x00", "")
        if not value:
            return queryset
        passes = Operation.objects.filter(work_order_id=OuterRef("work_order_id"), work_center__department__code__iexact=value)
        return queryset.filter(Exists(passes))

    def filter_horizon(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(needed_by__lte=plant_today() + dt.timedelta(days=int(value)))


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
