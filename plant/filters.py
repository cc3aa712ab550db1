import django_filters

from prodcoord.core.filters import SearchFilterSet

from .models import Department, Shift, WorkCenter


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
