"""Pages of the workorders app: the lists, a work order's page and the actions on it, creating
and editing work orders, and what is at a work center now and next."""

from .actions import (
    work_order_cancel,
    work_order_close,
    work_order_complete,
    work_order_hold_place,
    work_order_hold_release,
    work_order_priority,
    work_order_progress,
    work_order_release,
    work_order_report_reverse,
    work_order_reschedule,
    work_order_start,
)
from .board import home, saved_view_create, saved_view_delete, work_order_live
from .create import work_order_create, work_order_edit, work_order_item_options, work_order_pinned_preview
from .floor import my_work_center, work_center_queue
from .lists import work_orders_completed, work_orders_history
from .pages import work_order_detail

__all__ = [
    "home",
    "my_work_center",
    "saved_view_create",
    "saved_view_delete",
    "work_center_queue",
    "work_order_cancel",
    "work_order_close",
    "work_order_complete",
    "work_order_create",
    "work_order_detail",
    "work_order_edit",
    "work_order_hold_place",
    "work_order_hold_release",
    "work_order_item_options",
    "work_order_live",
    "work_order_pinned_preview",
    "work_order_priority",
    "work_order_progress",
    "work_order_release",
    "work_order_report_reverse",
    "work_order_reschedule",
    "work_order_start",
    "work_orders_completed",
    "work_orders_history",
]
