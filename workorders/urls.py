from django.urls import path

from . import views

WO = "work-orders/<str:number>/"

urlpatterns = [
    path("", views.home, name="home"),
    # Lists and pages of their own, outside work-orders/<number>/: any number could be a word.
    path("views/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:view_id>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("completed/", views.work_orders_completed, name="work-orders-completed"),
    path("history/", views.work_orders_history, name="work-orders-history"),
    path("my-work-center/", views.my_work_center, name="my-work-center"),
    path("work-centers/<str:code>/", views.work_center_queue, name="work-center-queue"),
    # Floor mode: /floor/<number>/ is what a traveler's QR code opens. Its own pages live under
    # /floor/-/, which no work-order number can be (a number starts with a letter or a digit).
    path("floor/", views.floor_pick, name="floor-pick"),
    path("floor/-/sign-in/", views.floor_sign_in, name="floor-sign-in"),
    path("floor/-/sign-out/", views.floor_sign_out, name="floor-sign-out"),
    path("floor/-/work-center/", views.floor_work_center, name="floor-work-center"),
    path("floor/<str:number>/", views.floor_work_order, name="floor-work-order"),
    path("floor/<str:number>/report/", views.floor_report, name="floor-report"),
    path("floor/<str:number>/hold/", views.floor_hold, name="floor-hold"),
    path("floor/<str:number>/downtime/start/", views.floor_downtime_start, name="floor-downtime-start"),
    path("floor/<str:number>/downtime/stop/", views.floor_downtime_stop, name="floor-downtime-stop"),
    # The wall display of a department, opened with its token (no login).
    path("display/<str:department>/", views.wall_display, name="wall-display"),
    path("new/", views.work_order_create, name="work-order-create"),
    path("new/items/", views.work_order_item_options, name="work-order-item-options"),
    path("new/pinned/", views.work_order_pinned_preview, name="work-order-pinned-preview"),
    path(WO, views.work_order_detail, name="work-order-detail"),
    path(f"{WO}live/", views.work_order_live, name="work-order-live"),
    path(f"{WO}edit/", views.work_order_edit, name="work-order-edit"),
    path(f"{WO}release/", views.work_order_release, name="work-order-release"),
    path(f"{WO}start/", views.work_order_start, name="work-order-start"),
    path(f"{WO}complete/", views.work_order_complete, name="work-order-complete"),
    path(f"{WO}close/", views.work_order_close, name="work-order-close"),
    path(f"{WO}cancel/", views.work_order_cancel, name="work-order-cancel"),
    path(f"{WO}progress/", views.work_order_progress, name="work-order-progress"),
    path(f"{WO}holds/", views.work_order_hold_place, name="work-order-hold-place"),
    path(f"{WO}holds/<int:hold_id>/release/", views.work_order_hold_release, name="work-order-hold-release"),
    path(f"{WO}priority/", views.work_order_priority, name="work-order-priority"),
    path(f"{WO}reschedule/", views.work_order_reschedule, name="work-order-reschedule"),
    path(f"{WO}reports/<int:report_id>/reverse/", views.work_order_report_reverse, name="work-order-report-reverse"),
]
