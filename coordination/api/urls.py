from rest_framework.routers import SimpleRouter

from .views import ActionItemViewSet, ShiftHandoverViewSet

router = SimpleRouter(trailing_slash=True)
router.register("action-items", ActionItemViewSet, basename="actionitem")
router.register("shift-handovers", ShiftHandoverViewSet, basename="shifthandover")

urlpatterns = router.urls
