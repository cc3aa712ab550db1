import django_filters
from django.db.models import Q

from prodcoord.core.filters import FilterSet, IsoDateTimeFilter, MultipleChoiceFilter, SearchFilterSet

from .models import BOM, ExpectedReceipt, Item, Location, Lot, StockBalance, StockMove


class ItemFilter(SearchFilterSet):
    search_fields = ("sku", "name")

    kind = MultipleChoiceFilter(choices=Item.Kind.choices)
    uom = MultipleChoiceFilter(choices=Item.Uom.choices)

    class Meta:
        model = Item
        fields = ["kind", "uom", "is_active"]


class BOMFilter(FilterSet):
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    component = django_filters.CharFilter(field_name="lines__component__sku", label="Component SKU", distinct=True)
    status = MultipleChoiceFilter(choices=BOM.Status.choices)

    class Meta:
        model = BOM
        fields = ["item", "component", "status"]


class LocationFilter(SearchFilterSet):
    search_fields = ("code", "name")

    kind = MultipleChoiceFilter(choices=Location.Kind.choices)
    work_center = django_filters.CharFilter(field_name="work_center__code", label="Work center code")

    class Meta:
        model = Location
        fields = ["kind", "work_center", "is_active"]


class LotFilter(SearchFilterSet):
    search_fields = ("code",)

    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    expires_before = django_filters.DateFilter(field_name="expires_on", lookup_expr="lt", label="Expires before (date)")

    class Meta:
        model = Lot
        fields = ["item", "expires_before"]


class StockBalanceFilter(FilterSet):
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    location = django_filters.CharFilter(field_name="location__code", label="Location code")
    location_kind = MultipleChoiceFilter(field_name="location__kind", choices=Location.Kind.choices)
    lot = django_filters.CharFilter(field_name="lot__code", label="Lot code")

    class Meta:
        model = StockBalance
        fields = ["item", "location", "location_kind", "lot"]


class StockMoveFilter(FilterSet):
    kind = MultipleChoiceFilter(choices=StockMove.Kind.choices)
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    location = django_filters.CharFilter(method="filter_location", label="Location code (from or to)")
    lot = django_filters.CharFilter(field_name="lot__code", label="Lot code")
    work_order = django_filters.CharFilter(field_name="work_order__number", label="Work order number")
    moved_after = IsoDateTimeFilter(field_name="moved_at", lookup_expr="gte", label="Moved at or after")
    moved_before = IsoDateTimeFilter(field_name="moved_at", lookup_expr="lt", label="Moved before")

    class Meta:
        model = StockMove
        fields = ["kind", "item", "location", "lot", "work_order", "moved_after", "moved_before"]

    def filter_location(self, queryset, name, value):
        return queryset.filter(Q(from_location__code=value) | Q(to_location__code=value))


class ExpectedReceiptFilter(FilterSet):
    item = django_filters.CharFilter(field_name="item__sku", label="Item SKU")
    status = MultipleChoiceFilter(choices=ExpectedReceipt.Status.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label="Due on or before (date)")
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label="Due on or after (date)")
    reference = django_filters.CharFilter(field_name="reference", lookup_expr="iexact")
    supplier = django_filters.CharFilter(field_name="supplier", lookup_expr="icontains")

    class Meta:
        model = ExpectedReceipt
        fields = ["item", "status", "due_before", "due_after", "reference", "supplier"]
