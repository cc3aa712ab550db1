"""Floor mode: the page a traveler's QR code opens, on a shared tablet by the machine.

- ``/floor/``: signed out, the badge-and-PIN sign-in; signed in, pick a work order (type or scan
  its number) or tap one of the person's work center's queue.
- ``/floor/<number>/``: the order's current operation, good and scrap reported on it (the
  progress service: scrap reasons, whole units, the confirmation when it is more than was left),
  its active holds and why, and "stop work" (the hold service).

Who signs in here with a badge and PIN reaches floor mode only, and is signed out after
``FLOOR_IDLE_TIMEOUT_SECONDS`` without activity (prodcoord/core: badges.py, sessions.py,
floor_access.py). Every report and hold is the signed-in person's.
"""

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from materials.models import StockMove
from materials.stock import WORK_ORDER_STATES
from plant import selectors as plant_selectors
from plant import services as plant_services
from plant.forms import DowntimeStartForm, DowntimeStopForm
from plant.models import DowntimeEvent
from plant.selectors import user_work_center
from plant.services import user_work_center_set
from prodcoord.core.api.throttling import client_address
from prodcoord.core.badges import FLOOR_SESSION, badge_username
from prodcoord.core.exceptions import ConflictError, StaleVersionError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.redirects import safe_next

from .. import selectors, services
from ..forms import BadgeSignInForm, FloorHoldForm, FloorPickForm, FloorProgressForm
from ..models import WorkOrder
from ..services import PROGRESS_STATUSES
from .actions import progress_from_form
from .pages import _decorate, _with_current_operation
from .work_center import WorkCenterChoiceForm

# The pick list shows the most urgent orders at the person's work center; more are found by number.
QUEUE_LIMIT = 12
REPORT = "workorders.report_progress"
HOLD = "workorders.place_hold"
DOWNTIME_START = "plant.add_downtimeevent"
DOWNTIME_STOP = "plant.change_downtimeevent"
# Issuing material from the line (the page is planning's: floor/<number>/material/).
ISSUE_PERMISSIONS = ("materials.issue_stock", "materials.move_stock")
ISSUE_STATUSES = WORK_ORDER_STATES[StockMove.Kind.ISSUE]  # the ledger's rule: released or in progress


def can_issue_material(user):
    """Whether ``user`` issues material in floor mode: operators (issuing only) and whoever moves stock."""
    return any(user.has_perm(perm) for perm in ISSUE_PERMISSIONS)


def floor_login_required(view):
    """Signed out (or signed out when idle), floor mode's pages go to its badge sign-in, and come
    back after it."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('floor-pick')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped


def floor_context(request, **extra):
    return {"idle_seconds": settings.FLOOR_IDLE_TIMEOUT_SECONDS if request.session.get(FLOOR_SESSION) else 0, **extra}


# --- signing in with a badge and PIN ------------------------------------------------------------


def _address_key(request):
    return f"floor:pin-failures:{client_address(request)}"


def _address_locked(request):
    return cache.get(_address_key(request), 0) >= settings.FLOOR_PIN_ADDRESS_LIMIT > 0


def _address_failed(request):
    key = _address_key(request)
    timeout = settings.FLOOR_PIN_LOCKOUT_MINUTES * 60
    if cache.add(key, 1, timeout):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.add(key, 1, timeout)


def _sign_in_page(request, form, *, status=200):
    return render(
        request,
        "floor/sign_in.html",
        floor_context(request, form=form, next=request.POST.get("next") or request.GET.get("next", "")),
        status=status,
    )


@sensitive_post_parameters("pin")
@require_POST
def floor_sign_in(request):
    """A badge number and PIN: sign that person in for floor mode. Wrong ones are counted per badge
    and address (django-axes: locked after ``LOGIN_FAILURE_LIMIT``) and per address."""
    form = BadgeSignInForm(request.POST)
    if _address_locked(request):
        form.is_valid()
        wait = settings.FLOOR_PIN_LOCKOUT_MINUTES
        form.add_error(None, f"Too many wrong PINs from this tablet. Wait {wait} minutes or ask a supervisor.")
        response = _sign_in_page(request, form, status=429)
        response["Retry-After"] = str(settings.FLOOR_PIN_LOCKOUT_MINUTES * 60)
        return response
    if not form.is_valid():
        return _sign_in_page(request, form, status=400)
    badge, pin = form.cleaned_data["badge"].strip(), form.cleaned_data["pin"]
    user = authenticate(request, username=badge_username(badge), badge=badge, pin_secret=pin)
    if user is None:
        _address_failed(request)
        form.add_error("pin", "That badge and PIN do not match. Check both and try again.")
        return _sign_in_page(request, form, status=400)
    if request.user.is_authenticated:
        logout(request)  # someone else's session on this tablet ends here
    login(request, user)
    request.session[FLOOR_SESSION] = True
    messages.success(request, f"Signed in as {user.get_full_name() or user.get_username()}.")
    return redirect(safe_next(request, reverse("floor-pick"), within="/floor/"))


@require_POST
def floor_sign_out(request):
    logout(request)
    messages.info(request, "Signed out.")
    return redirect("floor-pick")


# --- picking a work order -------------------------------------------------------------------------


def _queue(work_center):
    if work_center is None:
        return [], False
    rows = list(selectors.work_center_floor_queue(work_center=work_center)[: QUEUE_LIMIT + 1])
    return rows[:QUEUE_LIMIT], len(rows) > QUEUE_LIMIT


@require_http_methods(["GET", "HEAD"])
def floor_pick(request):
    """Signed out: the badge sign-in. Signed in: a work order by its number (``?number=``), or one
    from the person's work center's queue."""
    if not request.user.is_authenticated:
        return _sign_in_page(request, BadgeSignInForm())
    status = 200
    form = FloorPickForm(request.GET if "number" in request.GET else None)
    if form.is_bound and form.is_valid():
        number = form.cleaned_data["number"].strip()
        work_order = selectors.work_order_find(number=number)
        if work_order is not None:
            return redirect("floor-work-order", work_order.number)
        form.add_error("number", f"No work order {number}. Check the number on the traveler.")
    if form.is_bound and form.errors:
        status = 400
    return _pick_page(request, form=form, status=status)


def _pick_page(request, *, form=None, choice=None, status=200):
    work_center = user_work_center(user=request.user)
    queue, more = _queue(work_center)
    context = floor_context(
        request,
        form=form or FloorPickForm(),
        choice=choice
        or WorkCenterChoiceForm(initial={"work_center": work_center.code} if work_center else None, auto_id="id_wc_%s"),
        work_center=work_center,
        queue=queue,
        more=more,
        limit=QUEUE_LIMIT,
    )
    return render(request, "floor/pick.html", context, status=status)


@floor_login_required
@require_POST
def floor_work_center(request):
    """The work center whose queue the pick page shows (remembered for the person)."""
    choice = WorkCenterChoiceForm(request.POST, auto_id="id_wc_%s")
    if choice.is_valid():
        try:
            user_work_center_set(actor=request.user, user=request.user, work_center=choice.cleaned_data["work_center"])
        except ValidationError as error:
            choice.add_error("work_center", error.messages)
        else:
            return redirect("floor-pick")
    return _pick_page(request, choice=choice, status=400)


# --- one work order --------------------------------------------------------------------------------


def _work_order_or_404(number):
    try:
        return _decorate(_with_current_operation(selectors.work_order_get(number=number)))
    except WorkOrder.DoesNotExist:
        raise Http404(f"No work order {number}.") from None


def _order_page(request, work_order, *, progress=None, hold=None, status=200):
    active_holds = list(selectors.work_order_active_holds(work_order=work_order))
    op = work_order.current_operation
    can_report = request.user.has_perm(REPORT) and work_order.status in PROGRESS_STATUSES and op is not None
    can_hold = request.user.has_perm(HOLD) and work_order.is_open
    if can_report and progress is None:
        progress = FloorProgressForm(work_order=work_order, current_operation=op)
    if can_hold and hold is None:
        hold = FloorHoldForm(work_order=work_order)
    left = None
    if op is not None:
        left = services.progress_left(work_order=work_order, operations=list(work_order.operations.all()), op=op)
    downtime = _downtime(request, op)
    context = floor_context(
        request,
        wo=work_order,
        op=op,
        left=left,
        active_holds=active_holds,
        progress_form=progress if can_report else None,
        hold_form=hold if can_hold else None,
        # The material page (planning's, named by URL): for those who issue, on an order with a BOM.
        can_issue_material=work_order.bom_id is not None
        and work_order.status in ISSUE_STATUSES
        and can_issue_material(request.user),
        **downtime,
    )
    return render(request, "floor/work_order.html", context, status=status)


def _downtime(request, op):
    """The current operation's work center: its open downtime, and "Down" / "Running again" for
    those who record downtime (two queries at most)."""
    if op is None:
        return {}
    work_center = op.work_center
    event = DowntimeEvent.objects.select_related("reason").filter(work_center=work_center, ended_at__isnull=True).first()
    start_form = stop_form = None
    if event is not None and request.user.has_perm(DOWNTIME_STOP):
        stop_form = DowntimeStopForm(event=event)
    elif event is None and request.user.has_perm(DOWNTIME_START):
        start_form = DowntimeStartForm(reasons=plant_selectors.active_downtime_reasons(), work_center=work_center)
    return {"downtime": event, "downtime_start_form": start_form, "downtime_stop_form": stop_form}


@floor_login_required
@require_http_methods(["GET", "HEAD"])
def floor_work_order(request, number):
    return _order_page(request, _work_order_or_404(number))


def _submit(request, number, *, permission, make_form, call, slot):
    if not request.user.has_perm(permission):
        raise PermissionDenied("Your role does not allow this.")
    work_order = _work_order_or_404(number)
    form = make_form(work_order)
    if form.is_valid():
        try:
            message = call(work_order, form.cleaned_data, form)
        except ValidationError as error:
            attach_service_errors(form, error, form_wide=("version",))
        except ConflictError as error:
            text = error.message
            if isinstance(error, StaleVersionError):
                # The refusal names who changed what, and when (from the event log).
                text = f"Not saved: {error.message} This page now shows the latest state: check it and try again."
            messages.error(request, text)
            return _order_page(request, _work_order_or_404(number), status=409)
        else:
            messages.success(request, message)
            return redirect("floor-work-order", work_order.number)
    messages.error(request, "Not saved: check the form below.")
    return _order_page(request, work_order, status=400, **{slot: form})


@floor_login_required
@require_POST
def floor_report(request, number):
    """Good and scrap on the order's current operation, as the signed-in person."""

    def call(work_order, data, form):
        made = progress_from_form(work_order=work_order, actor=request.user, form=form)
        return f"Reported {made} on {work_order.number}, operation {data['operation']}."

    return _submit(
        request,
        number,
        permission=REPORT,
        make_form=lambda wo: FloorProgressForm(request.POST, work_order=wo, current_operation=wo.current_operation),
        call=call,
        slot="progress",
    )


@floor_login_required
@require_POST
def floor_hold(request, number):
    """Stop work on the order: a hold with its kind and reason, as the signed-in person."""

    def call(work_order, data, form):
        hold = services.hold_place(
            work_order=work_order, actor=request.user, kind=data["kind"], reason=data["reason"], version=data["version"]
        )
        return f"{work_order.number} is stopped: {hold.get_kind_display().lower()} hold placed."

    return _submit(
        request,
        number,
        permission=HOLD,
        make_form=lambda wo: FloorHoldForm(request.POST, work_order=wo),
        call=call,
        slot="hold",
    )


# --- downtime of the current operation's work center ------------------------------------------------


@floor_login_required
@require_POST
def floor_downtime_start(request, number):
    """The current operation's work center stopped: POST ``reason``, ``note``."""
    if not request.user.has_perm(DOWNTIME_START):
        raise PermissionDenied("Your role does not record downtime.")
    work_order = _work_order_or_404(number)
    op = work_order.current_operation
    if op is None:
        messages.error(request, f"{work_order.number} has no current operation: no work center to mark down.")
        return redirect("floor-work-order", work_order.number)
    reasons = list(plant_selectors.active_downtime_reasons())
    form = DowntimeStartForm(request.POST, reasons=reasons, work_center=op.work_center)
    if form.is_valid():
        reason = next(r for r in reasons if r.code == form.cleaned_data["reason"])
        try:
            plant_services.downtime_start(
                actor=request.user, work_center=op.work_center, reason=reason, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, f"{op.work_center.code} not marked down: {' '.join(error.messages)}")
        else:
            messages.success(request, f"{op.work_center.code} is down: {reason.name.lower()}.")
        return redirect("floor-work-order", work_order.number)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, f"{op.work_center.code} not marked down: {error}")
    return redirect("floor-work-order", work_order.number)


@floor_login_required
@require_POST
def floor_downtime_stop(request, number):
    """The current operation's work center runs again: POST ``note`` (optional)."""
    if not request.user.has_perm(DOWNTIME_STOP):
        raise PermissionDenied("Your role does not record downtime.")
    work_order = _work_order_or_404(number)
    op = work_order.current_operation
    event = None
    if op is not None:
        event = DowntimeEvent.objects.filter(work_center=op.work_center, ended_at__isnull=True).first()
    if event is None:
        messages.warning(request, "No open downtime here any more: someone marked it running again.")
        return redirect("floor-work-order", work_order.number)
    form = DowntimeStopForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, f"{op.work_center.code}: {' '.join(form.errors.get('note', []))}")
        return redirect("floor-work-order", work_order.number)
    try:
        plant_services.downtime_stop(actor=request.user, downtime_event=event, note=form.cleaned_data["note"])
    except ConflictError as error:
        messages.warning(request, f"{op.work_center.code}: {error.message}")
    except ValidationError as error:
        messages.error(request, f"{op.work_center.code}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{op.work_center.code} is running again.")
    return redirect("floor-work-order", work_order.number)
