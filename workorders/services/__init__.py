"""Every write to production data goes through one of these functions.

Each write is one batch function (``work_orders_create(rows=[…])``): the
rules, the locking and the events live there once. The single-object
services (``work_order_create(…)``) are batches of one.
"""

from .holds import hold_place, hold_release, holds_place, holds_release
from .progress import PROGRESS_STATUSES, operation_report_progress, progress_left, progress_report
from .reversals import REVERSIBLE_STATUSES, production_report_reverse, production_reports_reverse
from .routings import (
    routing_create,
    routing_delete,
    routing_release,
    routing_update,
    routings_create,
    routings_delete,
    routings_release,
    routings_update,
)
from .scrap_reasons import (
    SCRAP_REASON_FIELDS,
    scrap_reason_create,
    scrap_reason_delete,
    scrap_reason_update,
    scrap_reasons_create,
    scrap_reasons_update,
)
from .transitions import (
    TRANSITIONS,
    VERBS,
    transition_check,
    transition_reason_required,
    work_order_cancel,
    work_order_close,
    work_order_complete,
    work_order_release,
    work_order_start,
    work_order_transition,
    work_orders_transition,
)
from .work_orders import (
    work_order_change_priority,
    work_order_create,
    work_order_delete,
    work_order_refresh_overdue,
    work_order_reschedule,
    work_order_update,
    work_orders_create,
    work_orders_delete,
    work_orders_update,
)

__all__ = [
    "PROGRESS_STATUSES",
    "REVERSIBLE_STATUSES",
    "SCRAP_REASON_FIELDS",
    "TRANSITIONS",
    "VERBS",
    "hold_place",
    "hold_release",
    "holds_place",
    "holds_release",
    "operation_report_progress",
    "production_report_reverse",
    "production_reports_reverse",
    "progress_left",
    "progress_report",
    "routing_create",
    "routing_delete",
    "routing_release",
    "routing_update",
    "routings_create",
    "routings_delete",
    "routings_release",
    "routings_update",
    "scrap_reason_create",
    "scrap_reason_delete",
    "scrap_reason_update",
    "scrap_reasons_create",
    "scrap_reasons_update",
    "transition_check",
    "transition_reason_required",
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
    "work_orders_create",
    "work_orders_delete",
    "work_orders_transition",
    "work_orders_update",
]
