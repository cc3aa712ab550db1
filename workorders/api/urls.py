from rest_framework.routers import SimpleRouter

from .views import HoldViewSet, RoutingViewSet, WorkOrderViewSet

router = SimpleRouter(trailing_slash=True)
router.register("routings", RoutingViewSet, basename="routing")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("holds", HoldViewSet, basename="hold")

urlpatterns = router.urls
