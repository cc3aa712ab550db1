from django.urls import path

from . import views

urlpatterns = [
    path("items/<str:sku>/", views.item_detail, name="item-detail"),
    path("work-orders/<str:number>/materials/move/", views.work_order_material_move, name="work-order-material-move"),
]
