from rest_framework.routers import SimpleRouter

from .views import DepartmentViewSet, HoldViewSet, RoutingViewSet, ShiftViewSet, WorkCenterViewSet, WorkOrderViewSet

router = SimpleRouter(trailing_slash=True)
router.register("departments", DepartmentViewSet, basename="department")
router.register("work-centers", WorkCenterViewSet, basename="workcenter")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("routings", RoutingViewSet, basename="routing")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("holds", HoldViewSet, basename="hold")

urlpatterns = router.urls
