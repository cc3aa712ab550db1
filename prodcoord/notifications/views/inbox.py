from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from prodcoord.core.access import login_required
from prodcoord.core.redirects import safe_next

from .. import selectors, services
from ..models import Notification

PAGE_SIZE = 50
MAX_ID = 2**63 - 1


class InboxForm(forms.Form):
    unread = forms.BooleanField(required=False, label="Unread only")
    before = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


def _back(request):
    """The list the person acted from (only this site's own list URLs are followed)."""
    return safe_next(request, reverse("notifications"), within=reverse("notifications"))


@login_required
def notification_list(request):
    """The person's notifications, newest first, by cursor (``?before=<id>``); unread ones marked."""
    form = InboxForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    data = form.cleaned_data if form.is_bound and valid else {}
    queryset = selectors.notification_list(user=request.user, unread=True if data.get("unread") else None)
    if data.get("before"):
        queryset = queryset.filter(pk__lt=data["before"])
    rows = list(queryset[: PAGE_SIZE + 1]) if valid else []
    older = rows[PAGE_SIZE - 1].pk if len(rows) > PAGE_SIZE else None
    rows = rows[:PAGE_SIZE]
    context = {
        "form": form,
        "valid": valid,
        "notifications": rows,
        "unread_only": bool(data.get("unread")),
        "older": older,
        "paged": bool(data.get("before")),
        "newest_shown": rows[0].pk if rows else None,
        "here": request.get_full_path(),
    }
    return render(request, "notifications/notification_list.html", context)


@login_required
@require_POST
def notification_read(request, pk):
    """Mark one of the person's notifications read (another's is a 404)."""
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_back(request))


@login_required
@require_POST
def notifications_read_all(request):
    """Mark every notification the person was shown read (``up_to``: the newest on their page)."""
    up_to = request.POST.get("up_to") or ""
    up_to = int(up_to) if up_to.isdigit() and int(up_to) <= MAX_ID else None
    services.notifications_mark_all_read(user=request.user, up_to=up_to)
    return redirect(_back(request))
