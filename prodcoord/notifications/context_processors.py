from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def notifications(request):
    """``notifications_unread``: the person's unread count for the header, read (one query) only when a
    template shows it."""
    user = getattr(request, "user", None)
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user=user) if user and user.is_authenticated else 0)}
