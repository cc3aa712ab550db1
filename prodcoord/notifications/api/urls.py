from rest_framework.routers import SimpleRouter

from .views import NotificationViewSet, SubscriptionViewSet

router = SimpleRouter(trailing_slash=True)
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
