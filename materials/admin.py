from django.contrib import admin

from prodcoord.core.admin import ReadOnlyAdmin, ReadOnlyInline, RevisionAdmin, ServiceSaveAdmin, qty

from . import services, stock
from .models import BOM, BOMLine, ExpectedReceipt, Item, Location, Lot, StockBalance, StockMove


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


@admin.register(Location)
class LocationAdmin(ServiceSaveAdmin):
    service_fields = stock.LOCATION_FIELDS
    list_display = ("code", "name", "kind", "work_center", "receives_output", "is_active")
    list_filter = ("kind", "receives_output", "is_active")
    search_fields = ("code", "name")
    list_select_related = ("work_center",)
    ordering = ("code",)

    def create_service(self, *, actor, **data):
        return stock.location_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return stock.location_update(actor=actor, location=obj, **data)


@admin.register(Lot)
class LotAdmin(ServiceSaveAdmin):
    service_fields = stock.LOT_FIELDS
    list_display = ("code", "item", "expires_on", "created_at")
    list_filter = ("expires_on",)
    search_fields = ("code", "item__sku")
    list_select_related = ("item",)
    ordering = ("item__sku", "code")

    def create_service(self, *, actor, **data):
        return stock.lot_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        data.pop("item", None)
        return stock.lot_update(actor=actor, lot=obj, **data)


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    """The ledger is posted through the API and the pages; here it is read."""

    list_display = (
        "id",
        "moved_at",
        "kind",
        "item",
        qty("quantity"),
        "from_location",
        "to_location",
        "lot",
        "work_order",
        "reverses",
    )
    list_filter = ("kind",)
    search_fields = ("item__sku", "lot__code", "work_order__number", "note")
    list_select_related = ("item", "from_location", "to_location", "lot", "work_order", "reverses")


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ("item", "location", "lot", qty("quantity"), "updated_at")
    list_filter = ("location__kind",)
    search_fields = ("item__sku", "location__code", "lot__code")
    list_select_related = ("item", "location", "lot")


@admin.register(ExpectedReceipt)
class ExpectedReceiptAdmin(ServiceSaveAdmin):
    service_fields = stock.RECEIPT_FIELDS
    list_display = ("item", "due_date", qty("quantity"), qty("quantity_received"), "reference", "supplier", "status")
    list_filter = ("status",)
    search_fields = ("item__sku", "reference", "supplier")
    list_select_related = ("item",)

    def create_service(self, *, actor, **data):
        return stock.expected_receipt_create(actor=actor, **data)

    def update_service(self, obj, *, actor, **data):
        return stock.expected_receipt_update(actor=actor, receipt=obj, **data)
