"""Which action forms a person sees on a work order's page: the actions legal from its
state (the services' transition map) that their role permits."""

from django.urls import reverse

from ..forms import (
    HoldPlaceForm,
    HoldReleaseForm,
    PriorityChangeForm,
    ProgressReportForm,
    RescheduleForm,
    WorkOrderTransitionForm,
)
from ..models import WorkOrder
from ..permissions import TRANSITION_PERMISSIONS
from ..services import TRANSITIONS
from ..services.work_orders import HOLD_EXEMPT

WO = "workorders"
PERMISSIONS = {
    "progress": f"{WO}.report_progress",
    "hold_place": f"{WO}.place_hold",
    "hold_release": f"{WO}.release_hold",
    "priority": f"{WO}.change_priority",
    "reschedule": f"{WO}.reschedule_workorder",
}
TRANSITION_LABELS = {
    "release": "Release to the floor",
    "start": "Start",
    "complete": "Complete",
    "close": "Close",
    "cancel": "Cancel work order",
}
PROGRESS_STATUSES = (WorkOrder.Status.RELEASED, WorkOrder.Status.IN_PROGRESS)


def action_forms(user, work_order, active_holds, *, submitted=None):
    """The context for the action area. ``submitted`` is ``(key, form)`` for a form that
    came back with errors: it is shown again, bound, in place of a fresh one."""
    key, bound = submitted or (None, None)
    can = {name: user.has_perm(perm) for name, perm in PERMISSIONS.items()}
    wo = work_order

    def form(form_key, make):
        return bound if form_key == key else make()

    transitions = []
    for action, (sources, _target) in TRANSITIONS.items():
        if wo.status in sources and user.has_perm(TRANSITION_PERMISSIONS[action]):
            transitions.append(
                {
                    "action": action,
                    "label": TRANSITION_LABELS[action],
                    "url": reverse(f"work-order-{action}", args=[wo.number]),
                    "blocked": wo.on_hold and action not in HOLD_EXEMPT,
                    "form": form(action, lambda a=action: WorkOrderTransitionForm(work_order=wo, action=a)),
                }
            )
    for hold in active_holds:
        hold.release_form = (
            form(f"hold_release:{hold.pk}", lambda h=hold: HoldReleaseForm(work_order=wo, auto_id=f"id_hold{h.pk}_%s"))
            if can["hold_release"]
            else None
        )
    progress = None
    if can["progress"] and wo.status in PROGRESS_STATUSES:
        progress = form("progress", lambda: ProgressReportForm(work_order=wo, current_operation=wo.current_operation))
    context = {
        "transitions": [t for t in transitions if t["action"] != "cancel"],
        "cancel": next((t for t in transitions if t["action"] == "cancel"), None),
        "progress_form": progress,
        "hold_form": form("hold_place", lambda: HoldPlaceForm(work_order=wo)) if can["hold_place"] and wo.is_open else None,
        "priority_form": form("priority", lambda: PriorityChangeForm(work_order=wo)) if can["priority"] and wo.is_open else None,
        "reschedule_form": form("reschedule", lambda: RescheduleForm(work_order=wo))
        if can["reschedule"] and wo.is_open
        else None,
    }
    context["has_actions"] = any(
        context[k] for k in ("transitions", "cancel", "progress_form", "hold_form", "priority_form", "reschedule_form")
    )
    context["blocked_transitions"] = [t["action"] for t in context["transitions"] if t["blocked"]]
    return context
