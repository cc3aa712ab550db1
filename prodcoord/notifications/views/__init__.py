from .activity import activity
from .inbox import notification_list, notification_read, notifications_read_all
from .settings import notification_settings, subscription_change, subscription_delete

__all__ = [
    "activity",
    "notification_list",
    "notification_read",
    "notification_settings",
    "notifications_read_all",
    "subscription_change",
    "subscription_delete",
]
