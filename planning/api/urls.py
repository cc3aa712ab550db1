from django.urls import path

from .views import WorkOrderRequirementsView

urlpatterns = [
    path("work-orders/<str:number>/requirements/", WorkOrderRequirementsView.as_view(), name="work-order-requirements"),
]
