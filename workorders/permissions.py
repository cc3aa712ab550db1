"""Which permission each work-order move and field change needs — one place for the pages, the API and the admin.

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

# Which permission a change to each editable field of a work order needs.
FIELD_PERMISSIONS = {
    "quantity": "workorders.change_workorder",
    "customer_ref": "workorders.change_workorder",
    "priority": "workorders.change_priority",
    "due_date": "workorders.reschedule_workorder",
    "planned_start": "workorders.reschedule_workorder",
    "planned_end": "workorders.reschedule_workorder",
}
