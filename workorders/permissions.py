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


# --- holds: who may place and release each kind -------------------------------------------
#
# One map for the pages (the release button shown only to who may use it), the API (403) and
# the admin; the services check it for a person acting (``check_permissions``). A quality hold
# is released only by quality or a supervisor, never by the coordinator who keeps the floor
# moving: what becomes of the parts (the disposition) is quality's decision.

QUALITY = "quality"
HOLD_PLACE_PERMISSIONS = {
    kind: ("workorders.place_hold", "workorders.place_quality_hold") if kind == QUALITY else ("workorders.place_hold",)
    for kind in ("quality", "material", "engineering", "equipment", "customer")
}
HOLD_RELEASE_PERMISSIONS = {
    kind: ("workorders.release_quality_hold",) if kind == QUALITY else ("workorders.release_hold",)
    for kind in HOLD_PLACE_PERMISSIONS
}
ANY_HOLD_PLACE = tuple(dict.fromkeys(p for perms in HOLD_PLACE_PERMISSIONS.values() for p in perms))
ANY_HOLD_RELEASE = tuple(dict.fromkeys(p for perms in HOLD_RELEASE_PERMISSIONS.values() for p in perms))


def may_place_hold(user, kind):
    return any(user.has_perm(perm) for perm in HOLD_PLACE_PERMISSIONS.get(kind, ()))


def may_release_hold(user, kind):
    return any(user.has_perm(perm) for perm in HOLD_RELEASE_PERMISSIONS.get(kind, ()))


def hold_kinds_placeable(user):
    """The kinds of hold ``user`` may place, in the model's order."""
    return [kind for kind in HOLD_PLACE_PERMISSIONS if may_place_hold(user, kind)]


def roles_allowed(permissions):
    """The names of the roles that hold any of ``permissions`` ("supervisor or quality")."""
    from prodcoord.core.roles import ROLE_PERMISSIONS

    names = [role for role, perms in ROLE_PERMISSIONS.items() if any(p in perms for p in permissions)]
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def a_hold(kind_label):
    """ "a quality hold", "an equipment hold": a hold of that kind, as a sentence names it."""
    label = kind_label.lower()
    return f"{'an' if label[:1] in 'aeiou' else 'a'} {label} hold"
