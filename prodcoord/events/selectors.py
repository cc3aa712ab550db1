from django.db.models import Prefetch

from .models import Event, EventScope


def event_list(*, work_order=None, verb=None):
    qs = Event.objects.select_related("actor", "object_type", "work_order")
    if work_order is not None:
        qs = qs.filter(work_order=work_order)
    if verb:
        qs = qs.filter(verb=verb)
    return qs.order_by("-at", "-id")


def work_order_history(*, work_order, limit):
    """The work order's newest ``limit`` events (newest first) and whether there were more."""
    events = list(event_list(work_order=work_order)[: limit + 1])
    return events[:limit], len(events) > limit


FEED_PAGE_SIZE = 50


def activity_feed(*, queryset, before=None, limit=None):
    """One page of the activity feed, newest first, by cursor: the ``limit`` events recorded before the event
    ``before`` (the newest when ``None``), with their scopes' departments and work centers; and the id to
    ask the next (older) page with, or ``None`` at the end. The feed only grows: a cursor, unlike a page
    number, never shifts or repeats entries as new events arrive, and costs the same deep in the log."""
    limit = limit or FEED_PAGE_SIZE
    if before is not None:
        queryset = queryset.filter(pk__lt=before)
    scopes = EventScope.objects.select_related("department", "work_center").order_by("pk")
    events = list(
        queryset.select_related("actor", "object_type", "work_order")
        .prefetch_related(Prefetch("scopes", queryset=scopes))
        .order_by("-pk")[: limit + 1]
    )
    more = len(events) > limit
    events = events[:limit]
    return events, (events[-1].pk if more else None)
