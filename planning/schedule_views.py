"""The schedule page: one shift's plan per work center against the good made so far, live;
moving an entry (a schedule change with a reason); downtime in one tap per work center."""

import datetime as dt
import time
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from plant import selectors as plant_selectors
from plant.forms import DowntimeStartForm, DowntimeStopForm
from prodcoord.core.access import login_required
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.redirects import safe_next
from prodcoord.events.models import Event
from prodcoord.events.selectors import event_last_id
from workorders.models import Operation

from . import services
from .forms import ScheduleReplanForm
from .models import ScheduleEntry
from .shift_plan import active_shifts, current_slot, neighbours, shift_plan, slot_for

REFRESH_SECONDS = 30
# The page re-renders at least this often even when nothing was recorded: the pro-rated plan
# moves with the clock, so "behind" can change without an event.
RESTALE_SECONDS = 120
REPLAN = "planning.change_scheduleentry"
DOWNTIME_START = "plant.add_downtimeevent"
DOWNTIME_STOP = "plant.change_downtimeevent"


def shift_label(shift):
    return shift.name if shift.name.lower().endswith("shift") else f"{shift.name} shift"


def _slot_from(params, shifts):
    """The slot ``?date=&shift=`` names (the current one when neither is given); None when it names none."""
    now = timezone.now()
    date_text, code = params.get("date", ""), params.get("shift", "")
    if not date_text and not code:
        return current_slot(now=now, shifts=shifts)
    try:
        date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError:
        return None
    current = current_slot(now=now, shifts=shifts)
    if date is None:
        date = current.date if current is not None else None
    shift = next((s for s in shifts if s.code == code), None) if code else (current.shift if current else None)
    if shift is None and code and "\x00" not in code:
        shift = plant_selectors.shift_list().filter(code=code).first()  # an inactive shift, from an old link
    if shift is None or date is None:
        return None
    try:
        return slot_for(shift, date)
    except (OverflowError, ValueError):
        return None


def _page_url(slot, department=None):
    query = QueryDict(mutable=True)
    query["date"] = slot.date.isoformat()
    query["shift"] = slot.shift.code
    if department is not None:
        query["department"] = department.code
    return f"{reverse('schedule')}?{query.urlencode()}"


def _context(request, *, slot, department, shifts, bound=None):
    """What the page (or its live fragment) shows; ``bound``: ``(entry pk, form)`` of a refused move."""
    now = timezone.now()
    rows = shift_plan(slot=slot, now=now, department=department)
    can_replan = request.user.has_perm(REPLAN)
    can_start, can_stop = request.user.has_perm(DOWNTIME_START), request.user.has_perm(DOWNTIME_STOP)
    reasons = list(plant_selectors.active_downtime_reasons()) if can_start and rows else []
    routed = {}
    if can_replan and rows:
        work_orders = {entry_row.entry.work_order_id for row in rows for entry_row in row.entries}
        for work_order_id, code in Operation.objects.filter(work_order_id__in=work_orders).values_list(
            "work_order_id", "work_center__code"
        ):
            routed.setdefault(work_order_id, set()).add(code)
    for row in rows:
        work_center = row.work_center
        if row.open_downtime is not None:
            row.stop_form = DowntimeStopForm(event=row.open_downtime) if can_stop else None
        else:
            row.start_form = DowntimeStartForm(reasons=reasons, work_center=work_center) if can_start else None
        for entry_row in row.entries:
            entry = entry_row.entry
            entry.shift = slot.shift  # the page's: no query per entry
            if not can_replan:
                entry_row.form = None
            elif bound is not None and bound[0] == entry.pk:
                entry_row.form, entry_row.form_open = bound[1], True
            else:
                codes = routed.get(entry.work_order_id, ())
                entry_row.form = ScheduleReplanForm(entry=entry, shifts=shifts, work_center_codes=codes)
    previous, following = neighbours(slot, shifts)
    current = current_slot(now=now, shifts=shifts)
    state = slot.state(now)
    elapsed = now - slot.start
    poll = QueryDict(mutable=True)
    poll.update({"date": slot.date.isoformat(), "shift": slot.shift.code, "since": event_last_id(), "at": int(time.time())})
    if department is not None:
        poll["department"] = department.code
    return {
        "slot": slot,
        "shift_label": shift_label(slot.shift),
        "state": state,
        "fraction_pct": int(slot.fraction(now) * 100),
        "elapsed_minutes": int(elapsed.total_seconds() // 60) if state == "running" else None,
        "length_minutes": int((slot.end - slot.start).total_seconds() // 60),
        "rows": rows,
        "planned_count": sum(1 for row in rows if row.entries),
        "behind_count": sum(1 for row in rows if row.behind),
        "down_count": sum(1 for row in rows if row.open_downtime is not None),
        "department": department,
        "departments": plant_selectors.active_departments(),
        "shifts": shifts,
        "previous": previous,
        "next": following,
        "previous_url": _page_url(previous, department),
        "next_url": _page_url(following, department),
        "current_url": _page_url(current, department) if current is not None else reverse("schedule"),
        "is_current": current is not None and (current.date, current.shift.pk) == (slot.date, slot.shift.pk),
        "page_url": _page_url(slot, department),
        "poll_url": f"{reverse('schedule')}?{poll.urlencode()}",
        "refresh_seconds": REFRESH_SECONDS,
        "can_replan": can_replan,
        "now": now,
    }


def _department(code):
    department = plant_selectors.department_by_code(code) if code else None
    if code and department is None:
        raise Http404(f"No department {code[:40]}.")
    return department


@login_required
@require_GET
def schedule(request):
    """GET ``?date=&shift=&department=``: the shift's plan per work center (the current shift when
    no date and shift are given). The live fragment asks with ``since`` (an event id) and ``at``
    (when it was rendered): 204 when nothing was recorded since and it is still fresh."""
    shifts = active_shifts()
    department = _department(request.GET.get("department", ""))
    slot = _slot_from(request.GET, shifts)
    if slot is None:
        if not shifts:
            return render(request, "planning/schedule.html", {"no_shifts": True})
        raise Http404("No such shift or date.")
    fragment = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    if fragment and "since" in request.GET:
        try:
            since, at = int(request.GET["since"]), int(request.GET.get("at", "0"))
        except ValueError:
            return HttpResponse("Give ?since=<event id>&at=<seconds>.", status=400, content_type="text/plain")
        if time.time() - at < RESTALE_SECONDS and not Event.objects.filter(pk__gt=since).exists():
            return HttpResponse(status=204)
        context = _context(request, slot=slot, department=department, shifts=shifts)
        return render(request, "planning/partials/_shift_plan.html", context)
    context = _context(request, slot=slot, department=department, shifts=shifts)
    return render(request, "planning/schedule.html", context)


@login_required
@require_POST
def schedule_entry_replan(request, pk):
    """Move an entry or change its quantity, with a reason: POST ``date``, ``shift``,
    ``work_center``, ``planned_quantity``, ``reason`` (and ``next``: the page to go back to)."""
    if not request.user.has_perm(REPLAN):
        raise PermissionDenied("Only planners change the schedule.")
    entry = ScheduleEntry.objects.select_related("shift", "work_center__department", "work_order").filter(pk=pk).first()
    if entry is None:
        messages.error(request, "That schedule entry was removed meanwhile.")
        return redirect(safe_next(request, reverse("schedule")))
    shifts = active_shifts()
    routed = Operation.objects.filter(work_order_id=entry.work_order_id).values_list("work_center__code", flat=True)
    form = ScheduleReplanForm(request.POST, entry=entry, shifts=shifts, work_center_codes=list(routed))
    back = safe_next(request, _page_url(slot_for(entry.shift, entry.date)))
    if form.is_valid():
        data = form.cleaned_data
        work_center = plant_selectors.work_center_by_code(data["work_center"])
        shift = next(s for s in shifts if s.code == data["shift"])
        try:
            moved = services.schedule_entry_replan(
                actor=request.user,
                entry=entry,
                reason=data["reason"],
                date=data["date"],
                shift=shift,
                work_center=work_center,
                planned_quantity=data["planned_quantity"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                f"{moved.work_order.number}: now {moved.planned_quantity.normalize():f} at {moved.work_center.code}, "
                f"{shift_label(moved.shift)} {date_format(moved.date, 'D M j')}. Both departments were told.",
            )
            return redirect(back)
    # Refused: the page it came from, this entry's form open with its errors.
    page = QueryDict(urlsplit(back).query)
    department = plant_selectors.department_by_code(page.get("department", ""))
    slot = _slot_from(page, shifts) if page.get("shift") else None
    slot = slot or slot_for(entry.shift, entry.date)
    context = _context(request, slot=slot, department=department, shifts=shifts, bound=(entry.pk, form))
    return render(request, "planning/schedule.html", context, status=400)
