from django.db.models import Prefetch, Q

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


# --- live pages: "anything after event N?" ------------------------------------------------
# Event ids only grow, so a page that remembers the last id it showed asks one question of the
# primary key (or of the work-order index) each time it polls.


def event_last_id():
    """The newest event's id (0 for an empty log): what a page shows is as of this event."""
    return Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def work_order_events_exist_after(*, after, verbs=()):
    """Whether any event about a work order (or, whatever it is about, of one of ``verbs``) was
    recorded after event ``after``: one query on the primary key, ``LIMIT 1``."""
    concerns = Q(work_order__isnull=False)
    if verbs:
        concerns |= Q(verb__in=verbs)
    return Event.objects.filter(concerns, pk__gt=after).exists()


def work_orders_changed_after(*, after, limit=5000):
    """``(ids, last)``: the work orders that events after event ``after`` concern, and the newest
    event id among them (``after`` when there are none). At most ``limit`` events are read."""
    rows = list(Event.objects.filter(pk__gt=after).order_by("pk").values_list("pk", "work_order_id")[:limit])
    last = rows[-1][0] if rows else after
    if len(rows) == limit:
        last = event_last_id()
    return {wo for _, wo in rows if wo is not None}, last


def work_order_events_after(*, number, after):
    """A work order's events after event ``after`` (oldest first), by its number, with their actor:
    one query joined to the work order's unique number, through the events' work-order index."""
    return list(
        Event.objects.select_related("actor", "object_type").filter(work_order__number=number, pk__gt=after).order_by("pk")[:50]
    )


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
