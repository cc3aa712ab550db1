"""Reads shaped for their consumers (the API, the pages). N+1 fixes live here."""

from django.db.models import Prefetch

from .models import Hold, Operation, WorkOrder


def work_order_list(*, with_operations=True):
    """Work orders with item, pinned revisions and (optionally) operations loaded."""
    qs = WorkOrder.objects.select_related("item", "bom", "routing")
    if with_operations:
        qs = qs.prefetch_related(
            Prefetch("operations", queryset=Operation.objects.select_related("work_center").order_by("sequence"))
        )
    return qs


def work_order_open_list():
    """Open work orders (draft, released, in progress), most urgent first: the home page."""
    return (
        work_order_list(with_operations=True)
        .filter(status__in=WorkOrder.OPEN_STATUSES)
        .order_by("-active_hold_count", "priority", "due_date", "number")
    )


def work_order_get(*, number):
    return work_order_list().get(number=number)


def hold_list():
    return Hold.objects.select_related("work_order", "placed_by", "released_by").order_by("-placed_at", "-id")
