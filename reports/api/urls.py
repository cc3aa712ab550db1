from django.urls import path

from .views import AttainmentView

urlpatterns = [
    path("reports/attainment/", AttainmentView.as_view(), name="api-attainment"),
]
