import django_filters

from prodcoord.core.filters import BooleanFilter, DateTimeFilter, FilterSet, MultipleChoiceFilter, SearchFilterSet

from .models import Hold, ProductionReport, Routing, ScrapReason, WorkOrder

PRIORITY_CHOICES = [(p, str(p)) for p in range(1, 6)]


class RoutingFilter(FilterSet):
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    work_center = django_filters.CharFilter(field_name="steps__work_center__code", label="Work center code", distinct=True)
    status = MultipleChoiceFilter(choices=Routing.Status.choices)

    class Meta:
        model = Routing
        fields = ["item", "work_center", "status"]


class WorkOrderFilter(SearchFilterSet):
    search_fields = ("number", "customer_ref", "item__sku", "item__name")

    status = MultipleChoiceFilter(choices=WorkOrder.Status.choices)
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    work_center = django_filters.CharFilter(
        field_name="current_work_center__code",
        label="Its current operation is at this work center (code): the first operation not yet done of an open order",
    )
    department = django_filters.CharFilter(
        field_name="current_work_center__department__code",
        label="Its current operation is at a work center of this department (code)",
    )
    priority = MultipleChoiceFilter(choices=PRIORITY_CHOICES)
    on_hold = BooleanFilter(method="filter_on_hold", label="Has an active hold")
    overdue = BooleanFilter(field_name="is_overdue", label="Open and past its due date")
    plan_late = BooleanFilter(field_name="plan_late", label="Open and planned to end after its due date")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="Due on or before")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="Due on or after")
    planned_start_before = DateTimeFilter(field_name="planned_start", lookup_expr="lte")
    planned_start_after = DateTimeFilter(field_name="planned_start", lookup_expr="gte")

    class Meta:
        model = WorkOrder
        fields = ["status", "item", "work_center", "department", "priority", "on_hold", "overdue", "plan_late"]

    def filter_on_hold(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(active_hold_count__gt=0) if value else queryset.filter(active_hold_count=0)


class HoldFilter(FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    kind = MultipleChoiceFilter(choices=Hold.Kind.choices)
    active = BooleanFilter(field_name="released_at", lookup_expr="isnull", label="Not yet released")
    work_center = django_filters.CharFilter(
        field_name="work_center__code", lookup_expr="iexact", label="Work center code the hold concerns"
    )

    class Meta:
        model = Hold
        fields = ["work_order", "kind", "active", "work_center"]


class ProductionReportFilter(FilterSet):
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    operation = django_filters.NumberFilter(field_name="operation__sequence", label="Operation sequence")
    work_center = django_filters.CharFilter(field_name="work_center__code", label="Work center code")
    shift = django_filters.CharFilter(field_name="shift__code", label="Shift code")
    shift_date = django_filters.DateFilter(field_name="shift_date", label="Shift date")
    shift_date_after = django_filters.DateFilter(field_name="shift_date", lookup_expr="gte", label="Shift date on or after")
    shift_date_before = django_filters.DateFilter(field_name="shift_date", lookup_expr="lte", label="Shift date on or before")
    reported_after = DateTimeFilter(field_name="reported_at", lookup_expr="gte", label="Reported at or after")
    reported_before = DateTimeFilter(field_name="reported_at", lookup_expr="lte", label="Reported at or before")
    reported_by = django_filters.CharFilter(field_name="reported_by__username", label="Reported by (username)")
    scrap_reason = django_filters.CharFilter(field_name="scrap_reason__code", label="Scrap reason code")
    is_reversal = BooleanFilter(field_name="reverses", lookup_expr="isnull", exclude=True, label="Reverses another report")
    reversed = BooleanFilter(field_name="reversal", lookup_expr="isnull", exclude=True, label="Has been reversed")

    class Meta:
        model = ProductionReport
        fields = ["work_order", "operation", "work_center", "shift", "shift_date", "reported_by", "scrap_reason"]


class ScrapReasonFilter(SearchFilterSet):
    search_fields = ("code", "name")

    class Meta:
        model = ScrapReason
        fields = ["is_active"]
