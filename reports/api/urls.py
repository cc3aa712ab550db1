from django.urls import path

from .views import AttainmentView, MorningBriefGenerateView, MorningBriefView

urlpatterns = [
    path("reports/attainment/", AttainmentView.as_view(), name="api-attainment"),
    path("reports/morning-brief/", MorningBriefView.as_view(), name="api-morning-brief"),
    path("reports/morning-brief/generate/", MorningBriefGenerateView.as_view(), name="api-morning-brief-generate"),
]
