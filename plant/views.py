"""The downtime page: which work centers are down now, start and stop downtime in one tap,
and what stopped them lately."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.redirects import safe_next

from . import selectors, services
from .forms import DowntimeStartForm, DowntimeStopForm
from .models import DowntimeEvent

RECENT_DAYS = 7
RECENT_LIMIT = 50
ADD = "plant.add_downtimeevent"
CHANGE = "plant.change_downtimeevent"


def _department(code):
    return selectors.department_by_code(code)


def _next(request):
    """The page the form came from (``next``: the schedule page, the board, floor mode), when it
    is one of this site's; None for the downtime page itself."""
    return safe_next(request)


def _back(department, request=None):
    target = _next(request) if request is not None else None
    if target is not None:
        return target
    url = reverse("downtime")
    return f"{url}?department={department.code}" if department is not None else url


def _page(request, *, department, bound=None, status=200):
    """The page; ``bound``: ``(work center pk, form)`` of a start form refused, shown with its errors."""
    reasons = list(selectors.active_downtime_reasons())
    work_centers = selectors.work_centers_with_downtime(department=department)
    can_start, can_stop = request.user.has_perm(ADD), request.user.has_perm(CHANGE)
    now = timezone.now()
    for work_center in work_centers:
        if bound is not None and bound[0] == work_center.pk and work_center.open_downtime is not None:
            # Refused because it is down already (someone was quicker): say so above the list.
            for errors in bound[1].errors.values():
                for error in errors:
                    messages.error(request, f"{work_center.code}: {error}")
        if work_center.open_downtime is not None:
            work_center.stop_form = DowntimeStopForm(event=work_center.open_downtime) if can_stop else None
        elif can_start:
            if bound is not None and bound[0] == work_center.pk:
                work_center.start_form = bound[1]
            else:
                work_center.start_form = DowntimeStartForm(reasons=reasons, work_center=work_center)
    recent, more_recent = selectors.downtime_recent(
        since=now - dt.timedelta(days=RECENT_DAYS), department=department, limit=RECENT_LIMIT
    )
    down = [wc for wc in work_centers if wc.open_downtime is not None]
    context = {
        "departments": selectors.active_departments(),
        "department": department,
        "work_centers": work_centers,
        "down_count": len(down),
        "recent": recent,
        "more_recent": more_recent,
        "recent_days": RECENT_DAYS,
        "now": now,
        "can_start": can_start,
    }
    return render(request, "plant/downtime.html", context, status=status)


@login_required
def downtime(request):
    """GET ``?department=<code>``: the work centers (of one department, or all), which are down
    and since when, and the downtime of the last days."""
    code = request.GET.get("department", "")
    department = _department(code)
    if code and department is None:
        raise Http404(f"No department {code[:40]}.")
    return _page(request, department=department)


@login_required
@require_POST
def downtime_start(request):
    """A work center stops now: POST ``work_center``, ``reason``, ``note``."""
    if not request.user.has_perm(ADD):
        raise PermissionDenied("Your role does not record downtime.")
    department = _department(request.POST.get("department", ""))
    reasons = list(selectors.active_downtime_reasons())
    work_center = selectors.work_center_by_code(request.POST.get("work_center", "")[:20])
    if work_center is None:
        messages.error(request, "That work center does not exist any more.")
        return redirect(_back(department, request))
    form = DowntimeStartForm(request.POST, reasons=reasons, work_center=work_center)
    if form.is_valid():
        reason = next(r for r in reasons if r.code == form.cleaned_data["reason"])  # a choice among them
        try:
            services.downtime_start(actor=request.user, work_center=work_center, reason=reason, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, f"{work_center.code} is down: {reason.name.lower()}.")
            return redirect(_back(department, request))
    if _next(request) is not None:
        # Started from another page: it shows the refusal (an overlap, a missing reason) as a message.
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"{work_center.code} not marked down: {error}")
        return redirect(_next(request))
    return _page(request, department=department, bound=(work_center.pk, form), status=400)


@login_required
@require_POST
def downtime_stop(request, pk):
    """The work center runs again: POST ``note`` (optional)."""
    if not request.user.has_perm(CHANGE):
        raise PermissionDenied("Your role does not record downtime.")
    event = DowntimeEvent.objects.select_related("work_center").filter(pk=pk).first()
    department = _department(request.POST.get("department", ""))
    if event is None:
        messages.error(request, "That downtime was deleted meanwhile.")
        return redirect(_back(department, request))
    form = DowntimeStopForm(request.POST, event=event)
    note = form.cleaned_data["note"] if form.is_valid() else None
    if not form.is_valid():
        messages.error(request, f"{event.work_center.code}: {' '.join(form.errors.get('note', []))}")
        return redirect(_back(department, request))
    try:
        services.downtime_stop(actor=request.user, downtime_event=event, note=note)
    except ConflictError as error:
        messages.warning(request, f"{event.work_center.code}: {error.message}")
    except ValidationError as error:
        messages.error(request, f"{event.work_center.code}: {' '.join(error.messages)}")
    else:
        messages.success(request, f"{event.work_center.code} is running again.")
    return redirect(_back(department, request))
