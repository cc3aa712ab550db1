from rest_framework.routers import SimpleRouter

from .views import DepartmentViewSet, ShiftViewSet, WorkCenterViewSet

router = SimpleRouter(trailing_slash=True)
router.register("departments", DepartmentViewSet, basename="department")
router.register("work-centers", WorkCenterViewSet, basename="workcenter")
router.register("shifts", ShiftViewSet, basename="shift")

urlpatterns = router.urls
