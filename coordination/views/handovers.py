"""Shift handovers: the list, and one handover's page — composed and submitted by the outgoing
coordinator, acknowledged by the incoming one, printable."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from plant import selectors as plant_selectors
from plant.models import Department, Shift
from plant.shift_calendar import shift_window
from prodcoord.core.access import login_required
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.plant_time import plant_today

from .. import selectors, services
from ..forms import ActionItemForm, HandoverNotesForm
from ..models import ActionItem, ShiftHandover

PAGE_SIZE = 30


def _by_code(model, code):
    if "\x00" in code:
        raise Http404
    found = model.objects.filter(code__iexact=code).first()
    if found is None:
        raise Http404(f"No {model._meta.verbose_name} {code}.")
    return found


def handover_url(department, day, shift):
    return reverse("handover-detail", kwargs={"department": department.code, "date": day.isoformat(), "shift": shift.code})


@login_required
def handovers(request):
    """Every department's handovers, newest first; the person's own department first in the filter, and
    for a rostered coordinator the shifts they can hand over now."""
    roster = selectors.roster_entry_of(request.user)
    code = (request.GET.get("department") or "").strip()
    department = _by_code(Department, code) if code else None
    queryset = selectors.shift_handover_list()
    if department is not None:
        queryset = queryset.filter(department=department)
    status = request.GET.get("status") or ""
    if status in ShiftHandover.Status.values:
        queryset = queryset.filter(status=status)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    compose = []
    if roster is not None and request.user.has_perm("coordination.add_shifthandover"):
        for day, shift in selectors.shift_slots_around(days_back=1):
            if shift.pk == roster.shift_id:
                compose.append({"date": day, "shift": shift, "url": handover_url(roster.department, day, shift)})
    context = {
        "page": page,
        "handovers": page.object_list,
        "departments": plant_selectors.active_departments(),
        "department": department,
        "status": status,
        "statuses": ShiftHandover.Status.choices,
        "roster": roster,
        "compose": compose[:2],
        "query": "&".join(f"{k}={v}" for k, v in (("department", code), ("status", status)) if v),
    }
    return render(request, "coordination/shifthandover_list.html", context)


def _may_write(user, handover_department, handover_shift, roster):
    return (
        user.has_perm("coordination.change_shifthandover")
        and roster is not None
        and (roster.department_id, roster.shift_id) == (handover_department.pk, handover_shift.pk)
    )


def _context(request, *, department, day, shift, handover, roster, notes_form=None, item_form=None):
    may_write = _may_write(request.user, department, shift, roster)
    lines = list(selectors.handover_items(handover)) if handover is not None else []
    first = selectors.first_handed_over([line.action_item_id for line in lines])
    today = plant_today()
    for line in lines:
        item = line.action_item
        line.overdue = item.is_overdue_on(today)
        line.age_days = max(0, (today - timezone.localtime(item.created_at).date()).days)
        line.first = first.get(item.pk)
    incoming_shift = handover.incoming_shift if handover is not None else None
    may_ack = (
        handover is not None
        and handover.status == ShiftHandover.Status.SUBMITTED
        and request.user.has_perm("coordination.acknowledge_shifthandover")
        and roster is not None
        and (roster.department_id, roster.shift_id) == (department.pk, handover.incoming_shift_id)
    )
    start, end = shift_window(shift, day)
    return {
        "department": department,
        "day": day,
        "shift": shift,
        "window_start": start,
        "window_end": end,
        "handover": handover,
        "figures": handover.figures if handover is not None else None,
        "lines": lines,
        "open_lines": [line for line in lines if line.action_item.status == ActionItem.Status.OPEN],
        "critical_count": sum(1 for line in lines if line.is_critical and line.action_item.status == ActionItem.Status.OPEN),
        "incoming_shift": incoming_shift,
        "roster": roster,
        "may_write": may_write and (handover is None or handover.status == ShiftHandover.Status.DRAFT),
        "may_start": may_write and handover is None and start <= timezone.now(),
        "may_ack": may_ack,
        "notes_form": notes_form
        or (HandoverNotesForm(initial={"notes": handover.notes, "version": handover.version}) if handover else None),
        "item_form": item_form
        or ActionItemForm(
            initial={"owner": request.user.pk, "due_date": today},
            owners=selectors.owner_choices(),
            departments=Department.objects.filter(pk=department.pk),
        ),
        "previous_url": handover_url(department, *_previous(shift, day)),
        "next_url": handover_url(department, handover.incoming_date, handover.incoming_shift) if handover is not None else None,
    }


def _previous(shift, day):
    """The shift slot that hands over to ``shift`` of ``day``: the latest one whose next slot it is."""
    for offset in (0, -1, -2):
        other_day = day + dt.timedelta(days=offset)
        for candidate in Shift.objects.filter(is_active=True).order_by("-start_time"):
            if (candidate.pk, other_day) == (shift.pk, day):
                continue
            if services.next_shift_slot(candidate, other_day) == (shift, day):
                return other_day, candidate
    return day - dt.timedelta(days=1), shift


def _error_text(exc):
    if isinstance(exc, ConflictError):
        return exc.message
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
@require_http_methods(["GET", "POST"])
def handover_detail(request, department, date, shift):
    """One department's handover for one shift. A coordinator rostered on that department and shift
    starts it, writes the notes, marks carried items critical, adds items, and submits it; a coordinator
    rostered on the incoming shift acknowledges it. A draft is compiled again each time it is opened."""
    department = _by_code(Department, department)
    shift = _by_code(Shift, shift)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        raise Http404("Not a date.") from None
    roster = selectors.roster_entry_of(request.user)
    handover = (
        ShiftHandover.objects.select_related("department", "shift", "incoming_shift", "submitted_by", "acknowledged_by")
        .filter(department=department, date=day, shift=shift)
        .first()
    )
    here = handover_url(department, day, shift)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "start":
                if not _may_write(request.user, department, shift, roster):
                    raise PermissionDenied("Only a coordinator rostered on this department and shift starts its handover.")
                services.shift_handover_open(actor=request.user, department=department, date=day, shift=shift)
                return redirect(here)
            if handover is None:
                raise Http404("This handover has not been started.")
            if action in ("save", "submit"):
                form = HandoverNotesForm(request.POST)
                if not form.is_valid():
                    context = _context(
                        request, department=department, day=day, shift=shift, handover=handover, roster=roster, notes_form=form
                    )
                    return render(request, "coordination/shifthandover_detail.html", context, status=400)
                critical = {
                    line.action_item_id: f"critical-{line.action_item_id}" in request.POST
                    for line in selectors.handover_items(handover)
                }
                services.shift_handover_update(
                    actor=request.user,
                    handover=handover,
                    notes=form.cleaned_data["notes"],
                    critical=critical,
                    version=form.cleaned_data.get("version"),
                )
                if action == "submit":
                    services.shift_handover_submit(actor=request.user, handover=handover)
                    messages.success(request, "Handed over: the incoming shift sees it first until they acknowledge it.")
                else:
                    messages.success(request, "Handover saved.")
                return redirect(here)
            if action == "add_item":
                if not _may_write(request.user, department, shift, roster) or handover.status != ShiftHandover.Status.DRAFT:
                    raise PermissionDenied("Only the outgoing coordinator adds items to a draft handover.")
                form = ActionItemForm(
                    request.POST, owners=selectors.owner_choices(), departments=Department.objects.filter(pk=department.pk)
                )
                if form.is_valid():
                    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "is_critical"}
                    data["department"] = department
                    try:
                        services.action_item_create(
                            actor=request.user,
                            source=ActionItem.Source.HANDOVER,
                            source_reference=f"handover:{department.code}:{day.isoformat()}:{shift.code}",
                            **data,
                        )
                    except ValidationError as exc:
                        attach_service_errors(form, exc)
                if form.errors:
                    context = _context(
                        request, department=department, day=day, shift=shift, handover=handover, roster=roster, item_form=form
                    )
                    return render(request, "coordination/shifthandover_detail.html", context, status=400)
                services.shift_handover_refresh(handover=handover)
                messages.success(request, "Item added to the handover.")
                return redirect(f"{here}#carried")
            if action == "acknowledge":
                services.shift_handover_acknowledge(actor=request.user, handover=handover)
                messages.success(request, "Acknowledged: the shift is yours.")
                return redirect(here)
            messages.error(request, "Unknown action.")
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "You may not do this.")
            return redirect(here) if handover is not None else redirect(reverse("handovers"))
        except (ConflictError, ValidationError) as exc:
            messages.error(request, _error_text(exc))
        return redirect(here)
    if handover is not None and handover.status == ShiftHandover.Status.DRAFT:
        handover = services.shift_handover_refresh(handover=handover)
    context = _context(request, department=department, day=day, shift=shift, handover=handover, roster=roster)
    return render(request, "coordination/shifthandover_detail.html", context)
