"""Pages of the workorders app: the open list, a work order's page, and the actions on it."""

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
from .pages import home, work_order_detail

__all__ = [
    "home",
    "work_order_cancel",
    "work_order_close",
    "work_order_complete",
    "work_order_detail",
    "work_order_hold_place",
    "work_order_hold_release",
    "work_order_priority",
    "work_order_progress",
    "work_order_release",
    "work_order_report_reverse",
    "work_order_reschedule",
    "work_order_start",
]
