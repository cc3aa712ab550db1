"""Every write to production data goes through one of these functions."""

from .bulk import (
    holds_place_bulk,
    holds_release_bulk,
    progress_report_bulk,
    work_orders_create_bulk,
    work_orders_transition_bulk,
)
from .bulk_master import boms_create_released_bulk, items_create_bulk, routings_create_released_bulk
from .holds import hold_place, hold_release
from .progress import operation_report_progress
from .routings import routing_create, routing_release, routing_update
from .work_orders import (
    TRANSITIONS,
    work_order_cancel,
    work_order_change_priority,
    work_order_close,
    work_order_complete,
    work_order_create,
    work_order_delete,
    work_order_refresh_overdue,
    work_order_release,
    work_order_reschedule,
    work_order_start,
    work_order_transition,
    work_order_update,
)

__all__ = [
    "TRANSITIONS",
    "boms_create_released_bulk",
    "holds_place_bulk",
    "holds_release_bulk",
    "items_create_bulk",
    "progress_report_bulk",
    "routings_create_released_bulk",
    "work_orders_create_bulk",
    "work_orders_transition_bulk",
    "hold_place",
    "hold_release",
    "operation_report_progress",
    "routing_create",
    "routing_release",
    "routing_update",
    "work_order_cancel",
    "work_order_change_priority",
    "work_order_close",
    "work_order_complete",
    "work_order_create",
    "work_order_delete",
    "work_order_refresh_overdue",
    "work_order_release",
    "work_order_reschedule",
    "work_order_start",
    "work_order_transition",
    "work_order_update",
]
