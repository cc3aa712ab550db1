from .models import Event


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
