"""Acting on one work order from its page: each view checks the role's permission,
parses a form, calls the service, and answers with the page (post-redirect-get) or,
for htmx, the refreshed ``#work-order`` fragment.

Field errors go back next to their field (400); a state that refuses the change
(illegal transition, on hold, changed by someone else) comes back as a message (409).
"""

import functools
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError, StaleVersionError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.quantities import fmt_qty

from .. import selectors, services
from ..forms import WorkOrderTransitionForm
from ..permissions import (
    ANY_HOLD_RELEASE,
    HOLD_RELEASE_PERMISSIONS,
    TRANSITION_PERMISSIONS,
    a_hold,
    may_release_hold,
    roles_allowed,
)
from ..services import VERBS
from .pages import render_work_order, work_order_get_or_404
from .panel import ACTIONS, has_action_permission

SECTION_NAMES = {
    "complete": "Complete",
    "cancel": "Cancel this work order",
    "hold_release": "the active hold",
    "progress": "Report progress",
    "hold_place": "Place a hold",
    "priority": "Priority",
    "reschedule": "Reschedule",
    "reverse": "the report to reverse",
}


def _done(request, number, *, status=200):
    """After a change (or a refusal): redirect for a normal post, the fresh fragment for htmx."""
    if request.htmx:
        response = render_work_order(request, number, status=status)
        response["HX-Reswap"] = "outerHTML show:top"
        return response
    return redirect(reverse("work-order-detail", args=[number]))


def _refused_form(request, number, make_form, text):
    """The form as the person filled it, for the page as it is now: the values they typed, the
    version they now see (sending it again is their informed decision) and why it was refused."""
    fresh = work_order_get_or_404(number)
    data = request.POST.copy()
    data["version"] = str(fresh.version)
    form = make_form(fresh, data)
    form.is_valid()
    form.add_error(None, text)
    return form


def _perform(request, number, *, permission, key, make_form, call):
    """The one shape of every action view. ``permission`` is a permission name or
    ``permission(user)`` (a hold's release depends on its kind); ``call(work_order, form)`` calls
    the service and returns the success message.

    A refusal — field errors (400) or a state that refuses it (409: changed meanwhile, on hold,
    an illegal move) — shows the form again with what the person typed."""
    allowed = permission(request.user) if callable(permission) else has_action_permission(request.user, permission)
    if not allowed:
        raise PermissionDenied("Your role does not allow this.")
    work_order = work_order_get_or_404(number)
    form = make_form(work_order, request.POST)
    where = SECTION_NAMES.get(key.split(":")[0])
    if form.is_valid():
        try:
            message = call(work_order, form)
        except ValidationError as error:
            attach_service_errors(form, error, form_wide=("version",))
        except ConflictError as error:
            text = f"Not saved. {error.message}" if isinstance(error, StaleVersionError) else error.message
            messages.error(request, text)
            refused = _refused_form(request, number, make_form, text)
            return render_work_order(request, number, submitted=(key, refused), status=409)
        else:
            messages.success(request, message)
            return _done(request, number)
    if form.hidden_errors():
        messages.error(request, form.hidden_errors()[0])
    else:
        messages.error(request, f"Not saved: check {where or 'the form'} below." if where else "Not saved: check the form below.")
    return render_work_order(request, number, submitted=(key, form), status=400)


def _transition_view(action):
    @login_required
    @require_POST
    def view(request, number):
        def call(work_order, form):
            services.work_order_transition(
                action=action,
                work_order=work_order,
                actor=request.user,
                reason=form.cleaned_data.get("reason", ""),
                version=form.cleaned_data["version"],
            )
            return f"{work_order.number} {VERBS[action]}."

        return _perform(
            request,
            number,
            permission=TRANSITION_PERMISSIONS[action],
            key=action,
            make_form=lambda wo, data: WorkOrderTransitionForm(data, work_order=wo, action=action),
            call=call,
        )

    view.__name__ = view.__qualname__ = f"work_order_{action}"
    view.__doc__ = f"{action.capitalize()} the work order."
    return view


work_order_release = _transition_view("release")
work_order_start = _transition_view("start")
work_order_complete = _transition_view("complete")
work_order_close = _transition_view("close")
work_order_cancel = _transition_view("cancel")


def _action_view(key):
    """An action view from ``call(request, work_order, form)``, which calls the service and
    returns the success message; the permission and the form are ``ACTIONS[key]``."""
    permission, form_class = ACTIONS[key]

    def decorate(call):
        @login_required
        @require_POST
        @functools.wraps(call)
        def view(request, number):
            return _perform(
                request,
                number,
                permission=permission,
                key=key,
                make_form=lambda wo, data: form_class(data, work_order=wo, user=request.user),
                call=lambda work_order, form: call(request, work_order, form),
            )

        return view

    return decorate


@_action_view("progress")
def work_order_progress(request, work_order, form):
    """Report good and scrap quantity on an operation (a released order starts on its first report)."""
    made = progress_from_form(work_order=work_order, actor=request.user, form=form)
    return f"{work_order.number}: {made} reported on operation {form.cleaned_data['operation']}."


def progress_from_form(*, work_order, actor, form):
    """Report what a valid progress form holds (the work-order page's or floor mode's), through the
    progress service; returns what was made, as a sentence says it: "5 good and 1 scrap (BURR)"."""
    data = form.cleaned_data
    report = services.operation_report_progress(
        work_order=work_order,
        actor=actor,
        operation=data["operation"],
        quantity_good=data["quantity_good"] or Decimal("0"),
        quantity_scrap=data["quantity_scrap"] or Decimal("0"),
        scrap_reason=data["scrap_reason"],
        note=data["note"],
        version=data["version"],
        confirmed=form.confirmed(),
    )
    made = [f"{fmt_qty(report.quantity_good)} good"] if report.quantity_good else []
    if report.quantity_scrap:
        made.append(f"{fmt_qty(report.quantity_scrap)} scrap ({report.scrap_reason.code})")
    return " and ".join(made)


@login_required
@require_POST
def work_order_report_reverse(request, number, report_id):
    """Reverse one production report of the work order, with a reason."""
    permission, form_class = ACTIONS["reverse"]
    if not request.user.has_perm(permission):
        raise PermissionDenied("Your role does not allow this.")
    report = selectors.production_report_list().filter(pk=report_id, work_order__number=number).first()
    if report is None:
        raise Http404(f"{number} has no production report {report_id}.")

    def call(work_order, form):
        data = form.cleaned_data
        services.production_report_reverse(report=report, actor=request.user, reason=data["reason"], version=data["version"])
        made = [f"{fmt_qty(report.quantity_good)} good"] if report.quantity_good else []
        if report.quantity_scrap:
            made.append(f"{fmt_qty(report.quantity_scrap)} scrap")
        return f"Report {report.pk} reversed: {' and '.join(made)} taken off operation {report.operation.sequence}."

    return _perform(
        request,
        number,
        permission=permission,
        key=f"reverse:{report.pk}",
        make_form=lambda wo, data: form_class(data, work_order=wo, auto_id=f"id_reverse{report.pk}_%s"),
        call=call,
    )


@_action_view("hold_place")
def work_order_hold_place(request, work_order, form):
    """Put the work order on hold (it cannot move on or progress until released); the hold may
    name the operation or the work center it concerns."""
    data = form.cleaned_data
    hold = services.hold_place(
        work_order=work_order,
        actor=request.user,
        kind=data["kind"],
        reason=data["reason"],
        operation=data["operation"],
        work_center=data["work_center"],
        version=data["version"],
        check_permissions=True,
    )
    at = f" at {hold.concerns}" if hold.concerns else ""
    return f"{work_order.number} is on hold ({hold.get_kind_display().lower()}{at})."


@login_required
@require_POST
def work_order_hold_release(request, number, hold_id):
    """Release one active hold of the work order: who may depends on its kind
    (``permissions.HOLD_RELEASE_PERMISSIONS``); a quality hold is released with its disposition."""
    form_class = ACTIONS["hold_release"][1]
    if not any(request.user.has_perm(perm) for perm in ANY_HOLD_RELEASE):
        raise PermissionDenied("Your role does not allow this.")
    hold = selectors.hold_list().filter(pk=hold_id, work_order__number=number).first()
    if hold is None:
        raise Http404(f"{number} has no hold {hold_id}.")
    if not may_release_hold(request.user, hold.kind):
        raise PermissionDenied(
            f"Your role cannot release {a_hold(hold.get_kind_display())}; "
            f"{roles_allowed(HOLD_RELEASE_PERMISSIONS[hold.kind])} can."
        )

    def call(work_order, form):
        data = form.cleaned_data
        services.hold_release(
            hold=hold,
            actor=request.user,
            release_note=data["release_note"],
            disposition=data.get("disposition") or "",
            version=data["version"],
            check_permissions=True,
        )
        still = work_order.active_hold_count - 1
        rest = f" It still has {still} active hold{'s' if still != 1 else ''}." if still > 0 else ""
        return f"{hold.get_kind_display()} hold on {work_order.number} released.{rest}"

    return _perform(
        request,
        number,
        permission=lambda user: may_release_hold(user, hold.kind),
        key=f"hold_release:{hold.pk}",
        make_form=lambda wo, data: form_class(data, work_order=wo, hold=hold, auto_id=f"id_hold{hold.pk}_%s"),
        call=call,
    )


@_action_view("priority")
def work_order_priority(request, work_order, form):
    """Change the priority (1 = most urgent), with a reason."""
    data = form.cleaned_data
    changed = services.work_order_change_priority(
        work_order=work_order,
        actor=request.user,
        priority=data["priority"],
        reason=data["reason"],
        version=data["version"],
        check_permissions=True,
    )
    if changed.version == data["version"]:  # the service changes nothing when the priority is the same
        raise ValidationError({"priority": [f"{work_order.number} is already priority {work_order.priority}."]})
    return f"{work_order.number} priority changed from {work_order.priority} to {data['priority']}."


@_action_view("reschedule")
def work_order_reschedule(request, work_order, form):
    """New planned start/end and due date (plant time), with a reason."""
    data = form.cleaned_data
    services.work_order_reschedule(
        work_order=work_order,
        actor=request.user,
        reason=data["reason"],
        version=data["version"],
        check_permissions=True,
        **form.changed_plan(),
    )
    return f"{work_order.number} rescheduled."
