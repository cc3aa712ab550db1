from django.urls import path

from . import views

urlpatterns = [
    path("brief/", views.brief_latest, name="brief"),
    path("brief/generate/", views.brief_generate, name="brief-generate"),
    path("brief/<str:date>/", views.brief_for_date, name="brief-date"),
]
