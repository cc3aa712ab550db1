from django.urls import path

from . import views

urlpatterns = [
    path("activity/", views.activity, name="activity"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/settings/<int:pk>/", views.subscription_change, name="subscription-change"),
    path("notifications/settings/<int:pk>/delete/", views.subscription_delete, name="subscription-delete"),
]
