"""Pages of the workorders app: the lists, a work order's page and the actions on it, creating
and editing work orders, what is at a work center now and next, floor mode and the wall display."""

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
from .display import wall_display
from .floor import (
    floor_downtime_start,
    floor_downtime_stop,
    floor_hold,
    floor_pick,
    floor_report,
    floor_sign_in,
    floor_sign_out,
    floor_work_center,
    floor_work_order,
)
from .lists import work_orders_completed, work_orders_history
from .pages import work_order_detail
from .work_center import my_work_center, work_center_queue

__all__ = [
    "floor_downtime_start",
    "floor_downtime_stop",
    "floor_hold",
    "floor_pick",
    "floor_report",
    "floor_sign_in",
    "floor_sign_out",
    "floor_work_center",
    "floor_work_order",
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
    "wall_display",
    "work_orders_history",
]
