from rest_framework.routers import SimpleRouter

from .views import DepartmentViewSet, DowntimeEventViewSet, DowntimeReasonViewSet, ShiftViewSet, WorkCenterViewSet

router = SimpleRouter(trailing_slash=True)
router.register("departments", DepartmentViewSet, basename="department")
router.register("work-centers", WorkCenterViewSet, basename="workcenter")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("downtime-reasons", DowntimeReasonViewSet, basename="downtimereason")
router.register("downtime-events", DowntimeEventViewSet, basename="downtimeevent")

urlpatterns = router.urls
