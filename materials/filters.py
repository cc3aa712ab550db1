import django_filters

from prodcoord.core.filters import FilterSet, MultipleChoiceFilter, SearchFilterSet

from .models import BOM, Item


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
