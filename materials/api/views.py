from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from prodcoord.core.api.viewsets import ServiceCreateMixin, ServiceCRUDViewSet, ServiceViewSet

from .. import selectors, services, stock
from ..filters import (
    BOMFilter,
    ExpectedReceiptFilter,
    ItemFilter,
    LocationFilter,
    LotFilter,
    StockBalanceFilter,
    StockMoveFilter,
)
from ..models import Lot, StockMove
from .serializers import (
    BOMInputSerializer,
    BOMSerializer,
    CancelReceiptSerializer,
    ExpectedReceiptSerializer,
    ItemSerializer,
    LocationSerializer,
    LotSerializer,
    ReceiveSerializer,
    ReleaseSerializer,
    ReverseMoveSerializer,
    StockBalanceSerializer,
    StockMoveInputSerializer,
    StockMoveSerializer,
)


class ItemViewSet(ServiceCRUDViewSet):
    """Items (raw materials to finished goods), addressed by SKU."""

    serializer_class = ItemSerializer
    filterset_class = ItemFilter
    lookup_field = "sku"
    ordering_fields = ["sku", "name", "kind", "lead_time_days", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.item_list()

    def service_create(self, *, actor, data):
        return services.item_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.item_update(actor=actor, item=instance, **data)

    def service_delete(self, *, actor, instance):
        services.item_delete(actor=actor, item=instance)


class BOMViewSet(ServiceCRUDViewSet):
    """Bills of materials: one revision per row; lines written as a whole list."""

    serializer_class = BOMSerializer
    input_serializer_class = BOMInputSerializer
    filterset_class = BOMFilter
    ordering_fields = ["revision", "status", "created_at", "updated_at", "released_at"]
    action_permissions = {"release": ["materials.change_bom"]}

    def get_queryset(self):
        return selectors.bom_list()

    def service_create(self, *, actor, data):
        return services.bom_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return services.bom_update(actor=actor, bom=instance, **data)

    def service_delete(self, *, actor, instance):
        services.bom_delete(actor=actor, bom=instance)

    @extend_schema(request=ReleaseSerializer, responses={200: BOMSerializer}, summary="Release a draft BOM revision")
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """The item's previously released revision becomes obsolete. 409 unless the revision is a draft."""
        data = self.validated_input_for(ReleaseSerializer)
        bom = services.bom_release(actor=request.user, bom=self.get_object(), **data)
        return Response(self.output(bom))


# --- stock -----------------------------------------------------------------------------------


def _lot_for(item, code):
    """The lot ``code`` of ``item``; a lot of that code of another item is returned as it is, for the
    service to refuse with its message. A 400 on ``lot`` when no lot has that code."""
    code = (code or "").strip()
    if not code:
        return None
    lots = list(Lot.objects.filter(code__iexact=code).select_related("item")[:20])
    for lot in lots:
        if item is not None and lot.item_id == item.pk:
            return lot
    if lots:
        return lots[0]
    raise DjangoValidationError({"lot": [f"No lot with code “{code[:40]}”."]})


def _work_order_for(number):
    number = (number or "").strip()
    if not number:
        return None
    model = StockMove._meta.get_field("work_order").related_model  # referred to by string: a higher layer
    found = model.objects.filter(number__iexact=number).first()
    if found is None or "\x00" in number:
        raise DjangoValidationError({"work_order": [f"No work order with number “{number[:30]}”."]})
    return found


class LocationViewSet(ServiceCRUDViewSet):
    """Stock locations (warehouse, staging, line-side, quarantine), addressed by code."""

    serializer_class = LocationSerializer
    filterset_class = LocationFilter
    lookup_field = "code"
    ordering_fields = ["code", "name", "kind", "created_at", "updated_at"]

    def get_queryset(self):
        return selectors.location_list()

    def service_create(self, *, actor, data):
        return stock.location_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return stock.location_update(actor=actor, location=instance, **data)

    def service_delete(self, *, actor, instance):
        stock.location_delete(actor=actor, location=instance)


class LotViewSet(ServiceCRUDViewSet):
    """Lots of items, with an optional expiry date (an expired lot is not usable supply)."""

    serializer_class = LotSerializer
    filterset_class = LotFilter
    ordering_fields = ["code", "expires_on", "created_at"]

    def get_queryset(self):
        return selectors.lot_list()

    def service_create(self, *, actor, data):
        return stock.lot_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return stock.lot_update(actor=actor, lot=instance, **data)

    def service_delete(self, *, actor, instance):
        stock.lot_delete(actor=actor, lot=instance)


class StockBalanceViewSet(ServiceViewSet):
    """On hand per item, location and lot (balances above zero)."""

    serializer_class = StockBalanceSerializer
    filterset_class = StockBalanceFilter
    ordering_fields = ["item__sku", "location__code", "quantity", "updated_at"]

    def get_queryset(self):
        return selectors.balance_list()


class StockMoveViewSet(ServiceCreateMixin, ServiceViewSet):
    """The stock ledger: every move, newest first. Posting one changes the balances in the same
    transaction; a move that would take more than is there is refused (400). Moves are never
    changed: ``reverse/`` writes the opposite move, pointing at the original."""

    serializer_class = StockMoveSerializer
    input_serializer_class = StockMoveInputSerializer
    filterset_class = StockMoveFilter
    ordering_fields = ["moved_at", "quantity", "kind"]
    action_permissions = {"create": ["materials.move_stock"], "reverse": ["materials.move_stock"]}

    def get_queryset(self):
        return selectors.move_list()

    def output(self, obj):
        # A move just written (posted or reversing): the service's object already carries every row
        # the response shows, and nothing reverses it yet, so it is not read back (that read joins
        # eight tables and cost more than the rest of the request).
        obj.reversed_by_pk = None
        return self.get_serializer(obj).data

    def service_create(self, *, actor, data):
        data["lot"] = _lot_for(data.get("item"), data.get("lot"))
        data["work_order"] = _work_order_for(data.get("work_order"))
        return stock.stock_move_post(actor=actor, **data)

    @extend_schema(
        request=ReverseMoveSerializer,
        responses={201: StockMoveSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Reverse a move",
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        """Writes a move of the same kind and quantity the other way, pointing at this one (``reverses``).
        409 when it was already reversed or is itself a reversal; 400 when the stock it would take
        back is no longer there."""
        data = self.validated_input_for(ReverseMoveSerializer)
        move = stock.stock_move_reverse(actor=request.user, move=self.get_object(), reason=data["reason"])
        return Response(self.output(move), status=201)


class ExpectedReceiptViewSet(ServiceCRUDViewSet):
    """Incoming supply by due date; ``receive/`` puts (part of) it into stock."""

    serializer_class = ExpectedReceiptSerializer
    filterset_class = ExpectedReceiptFilter
    ordering_fields = ["due_date", "quantity", "created_at", "updated_at"]
    action_permissions = {
        "receive": ["materials.receive_expectedreceipt"],
        "cancel": ["materials.change_expectedreceipt"],
    }

    def get_queryset(self):
        return selectors.expected_receipt_list()

    def service_create(self, *, actor, data):
        return stock.expected_receipt_create(actor=actor, **data)

    def service_update(self, *, actor, instance, data):
        return stock.expected_receipt_update(actor=actor, receipt=instance, **data)

    def service_delete(self, *, actor, instance):
        stock.expected_receipt_delete(actor=actor, receipt=instance)

    @extend_schema(
        request=ReceiveSerializer,
        responses={200: ExpectedReceiptSerializer, 400: OpenApiTypes.OBJECT, 409: OpenApiTypes.OBJECT},
        summary="Receive an expected receipt (in full or in part)",
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Posts a receipt move into ``location`` for ``quantity`` (at most what is still expected, 400
        otherwise); the receipt is received in full once its quantity has come. 409 unless it is open."""
        receipt = self.get_object()
        data = self.validated_input_for(ReceiveSerializer)
        data["lot"] = _lot_for(receipt.item, data.get("lot"))
        stock.expected_receipt_receive(actor=request.user, receipt=receipt, **data)
        return Response(self.output(receipt))

    @extend_schema(
        request=CancelReceiptSerializer,
        responses={200: ExpectedReceiptSerializer, 409: OpenApiTypes.OBJECT},
        summary="Cancel an expected receipt",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """What is still expected will not come. 409 unless the receipt is open."""
        data = self.validated_input_for(CancelReceiptSerializer)
        receipt = stock.expected_receipt_cancel(actor=request.user, receipt=self.get_object(), **data)
        return Response(self.output(receipt))
