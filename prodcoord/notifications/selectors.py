from .models import Notification, Subscription


def unread_count(*, user):
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_list(*, user, unread=None):
    """The person's notifications, newest first."""
    queryset = Notification.objects.filter(user=user)
    if unread is True:
        queryset = queryset.filter(read_at__isnull=True)
    elif unread is False:
        queryset = queryset.filter(read_at__isnull=False)
    return queryset.order_by("-id")


def subscription_list(*, user):
    """The person's subscriptions with their targets (one query)."""
    return Subscription.objects.filter(user=user).select_related("department", "work_center", "work_order").order_by("kind", "id")
