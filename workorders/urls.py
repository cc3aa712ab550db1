from django.urls import path

from . import views

WO = "work-orders/<str:number>/"

urlpatterns = [
    path("", views.home, name="home"),
    path(WO, views.work_order_detail, name="work-order-detail"),
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
