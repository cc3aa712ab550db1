import django_filters

from prodcoord.core.filters import BooleanFilter, FilterSet, IsoDateTimeFilter, SearchFilterSet

from .models import Department, DowntimeEvent, DowntimeReason, Shift, WorkCenter


class DepartmentFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Department
        fields = ["is_active"]


class WorkCenterFilter(SearchFilterSet):
    search_fields = ("code", "name")

    department = django_filters.CharFilter(field_name="department__code", label="Department code")

    class Meta:
        model = WorkCenter
        fields = ["department", "is_active"]


class ShiftFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = Shift
        fields = ["is_active"]


class DowntimeReasonFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = DowntimeReason
        fields = ["is_active", "is_planned"]


class DowntimeEventFilter(FilterSet):
    work_center = django_filters.CharFilter(field_name="work_center__code", label="Work center code")
    department = django_filters.CharFilter(field_name="work_center__department__code", label="Department code")
    reason = django_filters.CharFilter(field_name="reason__code", label="Downtime reason code")
    open = BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="Only open (true) or ended (false) downtime")
    started_after = IsoDateTimeFilter(field_name="started_at", lookup_expr="gte", label="Started at or after")
    started_before = IsoDateTimeFilter(field_name="started_at", lookup_expr="lt", label="Started before")

    class Meta:
        model = DowntimeEvent
        fields = ["work_center", "department", "reason", "open", "started_after", "started_before"]
