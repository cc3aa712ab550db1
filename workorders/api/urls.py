from rest_framework.routers import SimpleRouter

from .views import HoldViewSet, ProductionReportViewSet, RoutingViewSet, ScrapReasonViewSet, WorkOrderViewSet

router = SimpleRouter(trailing_slash=True)
router.register("routings", RoutingViewSet, basename="routing")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("holds", HoldViewSet, basename="hold")
router.register("production-reports", ProductionReportViewSet, basename="productionreport")
router.register("scrap-reasons", ScrapReasonViewSet, basename="scrapreason")

urlpatterns = router.urls
