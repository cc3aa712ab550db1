from django.urls import path

from . import views

urlpatterns = [
    path("downtime/", views.downtime, name="downtime"),
    path("downtime/start/", views.downtime_start, name="downtime-start"),
    path("downtime/<int:pk>/stop/", views.downtime_stop, name="downtime-stop"),
]
