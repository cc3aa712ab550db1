from rest_framework.routers import SimpleRouter

from .views import (
    BOMViewSet,
    ExpectedReceiptViewSet,
    ItemViewSet,
    LocationViewSet,
    LotViewSet,
    StockBalanceViewSet,
    StockMoveViewSet,
)

router = SimpleRouter(trailing_slash=True)
router.register("items", ItemViewSet, basename="item")
router.register("boms", BOMViewSet, basename="bom")
router.register("locations", LocationViewSet, basename="location")
router.register("lots", LotViewSet, basename="lot")
router.register("stock", StockBalanceViewSet, basename="stock")
router.register("stock-moves", StockMoveViewSet, basename="stock-move")
router.register("expected-receipts", ExpectedReceiptViewSet, basename="expected-receipt")

urlpatterns = router.urls
