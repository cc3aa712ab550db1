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

# A draft is still being written: nothing has happened to it yet. Whoever may create work orders
# may also set its quantity and customer reference (a coordinator fixing the order they just
# typed); once it is released, those are the planner's (``FIELD_PERMISSIONS``).
DRAFT_FIELD_PERMISSIONS = {
    "quantity": "workorders.add_workorder",
    "customer_ref": "workorders.add_workorder",
}


def field_permissions(work_order):
    """``{field: [permissions, any of which allows changing it]}`` for ``work_order`` as it is now."""
    allowed = {field: [perm] for field, perm in FIELD_PERMISSIONS.items()}
    if work_order.status == "draft":
        for field, perm in DRAFT_FIELD_PERMISSIONS.items():
            allowed[field].append(perm)
    return allowed


def draft_editable(user, work_order):
    """The fields of ``work_order`` that ``user``'s role may change (empty: none)."""
    return {field for field, perms in field_permissions(work_order).items() if any(user.has_perm(p) for p in perms)}
