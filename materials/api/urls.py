from rest_framework.routers import SimpleRouter

from .views import BOMViewSet, ItemViewSet

router = SimpleRouter(trailing_slash=True)
router.register("items", ItemViewSet, basename="item")
router.register("boms", BOMViewSet, basename="bom")

urlpatterns = router.urls
