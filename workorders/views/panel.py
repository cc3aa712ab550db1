"""Which action forms a person sees on a work order's page: the actions the services
would accept from its state (``transition_check``) that their role permits."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from prodcoord.core.exceptions import HoldActiveError, TransitionError

from ..forms import (
    HoldPlaceForm,
    HoldReleaseForm,
    PriorityChangeForm,
    ProgressReportForm,
    ReportReverseForm,
    RescheduleForm,
    WorkOrderTransitionForm,
)
from ..permissions import ANY_HOLD_PLACE, ANY_HOLD_RELEASE, TRANSITION_PERMISSIONS, may_release_hold
from ..services import PROGRESS_STATUSES, REVERSIBLE_STATUSES, TRANSITIONS, transition_check

WO = "workorders"
# The actions other than the status moves: the permission each needs and the form that carries it.
# A tuple: any of them (who may place or release a hold of which kind is ``permissions``' hold map).
ACTIONS = {
    "progress": (f"{WO}.report_progress", ProgressReportForm),
    "hold_place": (ANY_HOLD_PLACE, HoldPlaceForm),
    "hold_release": (ANY_HOLD_RELEASE, HoldReleaseForm),
    "priority": (f"{WO}.change_priority", PriorityChangeForm),
    "reschedule": (f"{WO}.reschedule_workorder", RescheduleForm),
    "reverse": (f"{WO}.reverse_productionreport", ReportReverseForm),
}
TRANSITION_LABELS = {
    "release": "Release to the floor",
    "start": "Start",
    "complete": "Complete",
    "close": "Close",
    "cancel": "Cancel work order",
}


def has_action_permission(user, permission):
    """``permission``: a permission name, or a tuple of them, any of which allows the action."""
    if isinstance(permission, tuple):
        return any(user.has_perm(perm) for perm in permission)
    return user.has_perm(permission)


def transition_offer(work_order, action):
    """How the services would take ``action`` now: ``"open"`` (perhaps once a reason is
    given), ``"blocked"`` (only an active hold stands in the way) or ``None`` (not from this state)."""
    try:
        transition_check(work_order=work_order, action=action)
    except TransitionError:
        return None
    except HoldActiveError:
        return "blocked"
    except ValidationError:
        pass  # allowed; the form asks for the reason
    return "open"


def action_forms(user, work_order, active_holds, *, submitted=None, reports=()):
    """The context for the action area (and the reverse form of each of ``reports`` that may be
    reversed). ``submitted`` is ``(key, form)`` for a form that came back with errors: it is
    shown again, bound, in place of a fresh one."""
    key, bound = submitted or (None, None)
    can = {name: has_action_permission(user, perm) for name, (perm, _form) in ACTIONS.items()}
    wo = work_order

    def form(form_key, make):
        return bound if form_key == key else make()

    transitions = []
    for action in TRANSITIONS:
        offer = transition_offer(wo, action)
        if offer and user.has_perm(TRANSITION_PERMISSIONS[action]):
            transitions.append(
                {
                    "action": action,
                    "label": TRANSITION_LABELS[action],
                    "url": reverse(f"work-order-{action}", args=[wo.number]),
                    "blocked": offer == "blocked",
                    "form": form(action, lambda a=action: WorkOrderTransitionForm(work_order=wo, action=a)),
                }
            )
    for hold in active_holds:
        # The release form only for who may release this kind (a quality hold: quality, a supervisor).
        hold.release_form = (
            form(
                f"hold_release:{hold.pk}",
                lambda h=hold: HoldReleaseForm(work_order=wo, hold=h, auto_id=f"id_hold{h.pk}_%s"),
            )
            if may_release_hold(user, hold.kind)
            else None
        )
    for report in reports:
        reversible = can["reverse"] and wo.status in REVERSIBLE_STATUSES and not report.is_reversal and report.reversed_by is None
        report.reverse_form = (
            form(
                f"reverse:{report.pk}",
                lambda r=report: ReportReverseForm(work_order=wo, auto_id=f"id_reverse{r.pk}_%s"),
            )
            if reversible
            else None
        )
    progress = None
    if can["progress"] and wo.status in PROGRESS_STATUSES:
        progress = form("progress", lambda: ProgressReportForm(work_order=wo, current_operation=wo.current_operation))

    def open_order_form(form_key):
        form_class = ACTIONS[form_key][1]
        return form(form_key, lambda: form_class(work_order=wo, user=user)) if can[form_key] and wo.is_open else None

    context = {
        "transitions": [t for t in transitions if t["action"] != "cancel"],
        "cancel": next((t for t in transitions if t["action"] == "cancel"), None),
        "progress_form": progress,
        "hold_form": open_order_form("hold_place"),
        "priority_form": open_order_form("priority"),
        "reschedule_form": open_order_form("reschedule"),
    }
    context["has_actions"] = any(
        context[k] for k in ("transitions", "cancel", "progress_form", "hold_form", "priority_form", "reschedule_form")
    )
    context["blocked_transitions"] = [t["action"] for t in context["transitions"] if t["blocked"]]
    return context
