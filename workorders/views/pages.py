"""Pages: the open work-order list (home) and a work order's detail and history."""

import datetime as dt
import re
from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format

from prodcoord.core.quantities import fmt_qty
from prodcoord.events.selectors import work_order_history

from .. import selectors
from ..filters import WorkOrderFilter
from ..forms import WorkOrderOpenFilterForm
from ..models import Operation, WorkOrder
from .access import login_required
from .panel import action_forms

PAGE_SIZE = 50
HISTORY_LIMIT = 200

VERB_LABELS = {
    "work_order.created": "Created",
    "work_order.released": "Released",
    "work_order.started": "Started",
    "work_order.completed": "Completed",
    "work_order.closed": "Closed",
    "work_order.cancelled": "Cancelled",
    "work_order.deleted": "Deleted",
    "work_order.priority_changed": "Priority changed",
    "work_order.rescheduled": "Rescheduled",
    "work_order.updated": "Changed",
    "work_order.progress_reported": "Progress reported",
    "hold.placed": "Hold placed",
    "hold.released": "Hold released",
    "schedule.entry_created": "Scheduled",
    "schedule.entry_changed": "Schedule changed",
    "schedule.entry_removed": "Removed from schedule",
}
STATUS_LABELS = dict(WorkOrder.Status.choices)


def _percent(part, whole):
    if not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


def _current_operation(work_order):
    """The first operation not yet done (uses the prefetched operations); none once the order is over."""
    if not work_order.is_open:
        return None
    for op in work_order.operations.all():
        if op.status != Operation.Status.DONE:
            return op
    return None


def _decorate(work_order):
    work_order.current_operation = _current_operation(work_order)
    work_order.completed_pct = _percent(work_order.quantity_completed, work_order.quantity)
    work_order.scrapped_pct = min(100 - work_order.completed_pct, _percent(work_order.quantity_scrapped, work_order.quantity))
    return work_order


def _filter_form_and_queryset(request):
    """The filter bar, and the open work orders narrowed by the shared FilterSet (invalid values are ignored)."""
    form = WorkOrderOpenFilterForm(request.GET or None)
    filterset = WorkOrderFilter(request.GET or None, queryset=selectors.work_order_open_list())
    return form, filterset.qs


@login_required
def home(request):
    """Open work orders (draft, released, in progress), most urgent first."""
    form, queryset = _filter_form_and_queryset(request)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    for work_order in page.object_list:
        _decorate(work_order)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "work_orders": page.object_list,
        "counts": selectors.work_order_open_counts(),
        "query": query.urlencode(),
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        response = render(request, "workorders/partials/_work_order_table.html", context)
    else:
        response = render(request, "workorders/home.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


DECIMAL_RE = re.compile(r"^-?\d+\.\d+$")


def _display_value(field, value):
    """An event's stored old/new value as a person reads it (plant time, no trailing zeros)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(_display_value(field, v)) for v in value) or "—"
    if field == "status":
        return STATUS_LABELS.get(value, value)
    if isinstance(value, str):
        if DECIMAL_RE.match(value):
            return fmt_qty(value)
        if len(value) == 10 and value[4:5] == "-" and value[7:8] == "-":
            try:
                return date_format(dt.date.fromisoformat(value), "D M j, Y")
            except ValueError:
                return value
        if len(value) > 18 and value[10:11] == "T":
            try:
                instant = dt.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(instant):
                instant = timezone.localtime(instant)
            return date_format(instant, "D M j, Y H:i")
    return value


def _change_rows(changes):
    rows = []
    for field, values in (changes or {}).items():
        old, new = (list(values) + [None, None])[:2] if isinstance(values, list) else (None, values)
        rows.append({"field": field.replace("_", " "), "old": _display_value(field, old), "new": _display_value(field, new)})
    return rows


def _schedule_slots(events):
    """For schedule events, the slot they are about ("Sat Nov 28 · Day shift · LASER-01"), by entry id."""
    ids = {int(e.object_id) for e in events if e.verb.startswith("schedule.") and str(e.object_id).isdigit()}
    return {
        pk: f"{date_format(entry.date, 'D M j')} · {_shift_name(entry.shift)} · {entry.work_center.code}"
        for pk, entry in selectors.schedule_entries_by_id(ids).items()
    }


def _shift_name(shift):
    return shift.name if shift.name.lower().endswith("shift") else f"{shift.name} shift"


def _history(work_order):
    events, truncated = work_order_history(work_order=work_order, limit=HISTORY_LIMIT)
    slots = _schedule_slots(events)
    rows = [
        {
            "at": event.at,
            "label": VERB_LABELS.get(event.verb) or event.verb.rsplit(".", 1)[-1].replace("_", " ").capitalize(),
            "verb": event.verb,
            "actor": event.actor,
            "subject": slots.get(str(event.object_id)) if event.verb.startswith("schedule.") else None,
            "changes": _change_rows(event.changes),
            "reason": event.reason,
        }
        for event in events
    ]
    return rows, truncated


def work_order_get_or_404(number):
    try:
        return selectors.work_order_get(number=number)
    except WorkOrder.DoesNotExist:
        raise Http404(f"No work order {number}.") from None


def render_work_order(request, number, *, submitted=None, status=200):
    """The work order's page, or only its ``#work-order`` fragment for an htmx request.

    ``submitted`` is ``(key, form)`` for an action form that came back with errors.
    """
    work_order = _decorate(work_order_get_or_404(number))
    holds = list(selectors.work_order_holds(work_order=work_order))
    active_holds = [h for h in holds if h.is_active]
    history, history_truncated = _history(work_order)
    fragment = bool(request.htmx) and not request.htmx.boosted
    context = {
        "wo": work_order,
        "operations": work_order.operations.all(),
        "active_holds": active_holds,
        "past_holds": [h for h in holds if not h.is_active],
        "history": history,
        "history_truncated": history_truncated,
        "history_limit": HISTORY_LIMIT,
        "is_fragment": fragment,
        **action_forms(request.user, work_order, active_holds, submitted=submitted),
    }
    template = "workorders/partials/_work_order.html" if fragment else "workorders/work_order_detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def work_order_detail(request, number):
    """One work order: header, the actions the person may take, operations, holds, and what happened to it."""
    return render_work_order(request, number)
