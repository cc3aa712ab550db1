"""Which permission each work-order move needs — one map for the pages, the API and the admin.

Releasing and cancelling are planning decisions (planners, coordinators);
starting, completing and closing are floor moves (coordinators).
"""

TRANSITION_PERMISSIONS = {
    "release": "workorders.release_workorder",
    "cancel": "workorders.release_workorder",
    "start": "workorders.transition_workorder",
    "complete": "workorders.transition_workorder",
    "close": "workorders.transition_workorder",
}
