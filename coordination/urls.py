from django.urls import path

from .views import action_items, handovers

urlpatterns = [
    path("actions/", action_items.action_items, name="action-items"),
    path("actions/new/", action_items.action_item_new, name="action-item-new"),
    path("actions/<int:pk>/edit/", action_items.action_item_edit, name="action-item-edit"),
    path("actions/<int:pk>/status/", action_items.action_item_status, name="action-item-status"),
    path("handovers/", handovers.handovers, name="handovers"),
    path("handovers/<str:department>/<str:date>/<str:shift>/", handovers.handover_detail, name="handover-detail"),
]
