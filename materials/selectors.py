"""Reads of master data shaped for the API and the pages."""

from django.db.models import Prefetch

from .models import BOM, BOMLine, Item


def item_list():
    return Item.objects.order_by("sku")


def bom_list():
    """BOM revisions with their item and lines (components loaded) in three queries."""
    return (
        BOM.objects.select_related("item")
        .prefetch_related(Prefetch("lines", queryset=BOMLine.objects.select_related("component").order_by("id")))
        .order_by("item__sku", "revision", "id")
    )
