from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("work-orders/<str:number>/", views.work_order_detail, name="work-order-detail"),
]
