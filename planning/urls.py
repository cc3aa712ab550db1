from django.urls import path

from . import schedule_views, views

urlpatterns = [
    path("items/<str:sku>/", views.item_detail, name="item-detail"),
    path("stock-moves/<int:pk>/reverse/", views.stock_move_reverse, name="stock-move-reverse"),
    path("work-orders/<str:number>/materials/move/", views.work_order_material_move, name="work-order-material-move"),
    path("schedule/", schedule_views.schedule, name="schedule"),
    path("schedule/entries/<int:pk>/replan/", schedule_views.schedule_entry_replan, name="schedule-entry-replan"),
]

from . import floor_views, receiving_views, shortage_views  # noqa: E402

urlpatterns += [
    path("shortages/", shortage_views.shortages_board, name="shortages"),
    path("shortages/<int:pk>/act/", shortage_views.shortage_act, name="shortage-act"),
    path("pick-list/", shortage_views.pick_list_page, name="pick-list"),
    path("receiving/", receiving_views.receiving, name="receiving"),
    path("receiving/<int:pk>/receive/", receiving_views.receipt_receive, name="receipt-receive"),
    # Floor mode (its paths are under floor/, which floor-only people may open).
    path("floor/<str:number>/material/", floor_views.floor_material, name="floor-material"),
    path("floor/<str:number>/material/issue/", floor_views.floor_material_issue, name="floor-material-issue"),
]
