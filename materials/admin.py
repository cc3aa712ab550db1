from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, ReadOnlyInline, RevisionAdmin, ServiceSaveAdmin, qty

from . import services
from .models import BOM, BOMLine, Item


@admin.register(Item)
class ItemAdmin(ServiceSaveAdmin):
    service_fields = services.ITEM_FIELDS
    list_display = ("sku", "name", "kind", "uom", "lead_time_days", qty("safety_stock"), "is_active")
    list_filter = ("kind", "uom", "is_active")
    search_fields = ("sku", "name")
    ordering = ("sku",)

    def create_service(self, *, actor, **data):
        return services.item_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return services.item_update(actor=actor, item=obj, **data)


class BOMLineInline(ReadOnlyInline):
    model = BOMLine
    fields = readonly_fields = ("component", "quantity_per", "scrap_pct")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("component")


@admin.register(BOM)
class BOMAdmin(RevisionAdmin):
    """BOM revisions are written through the API (draft edits, release); here they can be read and released."""

    list_display = ("item", "revision", "status", "released_at", "updated_at")
    list_filter = ("status",)
    search_fields = ("item__sku", "item__name", "revision")
    list_select_related = ("item",)
    fields = readonly_fields = ("item", "revision", "status", "released_at", "created_at", "updated_at")
    inlines = [BOMLineInline]
    release_permission = "materials.change_bom"

    def release_service(self, bom, *, actor):
        return services.bom_release(actor=actor, bom=bom, reason="Released in admin.")


@admin.register(BOMLine)
class BOMLineAdmin(ReadOnlyAdmin):
    list_display = ("bom", "component", qty("quantity_per"), "scrap_pct")
    list_filter = ("bom__status",)
    search_fields = ("bom__item__sku", "component__sku", "component__name")
    list_select_related = ("bom__item", "component")
