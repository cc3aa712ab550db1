from django.urls import path
from rest_framework.routers import SimpleRouter

from .schedule import ScheduleEntryViewSet
from .shortages import ShortageViewSet
from .views import WorkOrderRequirementsView

router = SimpleRouter(trailing_slash=True)
router.register("schedule", ScheduleEntryViewSet, basename="scheduleentry")
router.register("shortages", ShortageViewSet, basename="shortage")

urlpatterns = [
    # materials/ is the name the API contract gives it; requirements/ is what it was first published as.
    path("work-orders/<str:number>/materials/", WorkOrderRequirementsView.as_view(), name="work-order-materials"),
    path("work-orders/<str:number>/requirements/", WorkOrderRequirementsView.as_view(), name="work-order-requirements"),
    *router.urls,
]
