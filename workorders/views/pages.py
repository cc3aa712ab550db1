"""Pages: the open work-order list (home) and a work order's detail and history."""

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from prodcoord.events.presenters import present
from prodcoord.events.selectors import work_order_history

from .. import selectors
from ..filters import WorkOrderFilter
from ..forms import WorkOrderOpenFilterForm
from ..models import WorkOrder
from ..permissions import draft_editable
from .access import login_required
from .panel import action_forms

PAGE_SIZE = 50
HISTORY_LIMIT = 200
REPORT_LIMIT = 50


def _percent(part, whole):
    if not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


def _with_current_operation(work_order):
    """Its current operation taken from the prefetched operations (the same row the column names),
    so the page reads it without a query of its own."""
    if work_order.current_operation_id is not None:
        ops = {op.pk: op for op in work_order.operations.all()}
        if work_order.current_operation_id in ops:
            work_order.current_operation = ops[work_order.current_operation_id]
    return work_order


def _decorate(work_order):
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


def _history(work_order):
    events, truncated = work_order_history(work_order=work_order, limit=HISTORY_LIMIT)
    return present(events), truncated


def work_order_get_or_404(number):
    try:
        return selectors.work_order_get(number=number)
    except WorkOrder.DoesNotExist:
        raise Http404(f"No work order {number}.") from None


def render_work_order(request, number, *, submitted=None, status=200):
    """The work order's page, or only its ``#work-order`` fragment for an htmx request.

    ``submitted`` is ``(key, form)`` for an action form that came back with errors.
    """
    work_order = _decorate(_with_current_operation(work_order_get_or_404(number)))
    holds = list(selectors.work_order_holds(work_order=work_order))
    active_holds = [h for h in holds if h.is_active]
    history, history_truncated = _history(work_order)
    reports, reports_truncated = selectors.work_order_reports(work_order=work_order, limit=REPORT_LIMIT)
    for report in reports:
        report.reversed_by = getattr(report, "reversal", None)
    fragment = bool(request.htmx) and not request.htmx.boosted
    context = {
        "wo": work_order,
        "operations": work_order.operations.all(),
        "active_holds": active_holds,
        "past_holds": [h for h in holds if not h.is_active],
        "history": history,
        "history_truncated": history_truncated,
        "history_limit": HISTORY_LIMIT,
        "reports": reports,
        "reports_truncated": reports_truncated,
        "report_limit": REPORT_LIMIT,
        "is_fragment": fragment,
        "can_edit_draft": work_order.status == WorkOrder.Status.DRAFT and draft_editable(request.user, work_order),
        **action_forms(request.user, work_order, active_holds, submitted=submitted, reports=reports),
    }
    template = "workorders/partials/_work_order.html" if fragment else "workorders/work_order_detail.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def work_order_detail(request, number):
    """One work order: header, the actions the person may take, operations, holds, and what happened to it."""
    return render_work_order(request, number)
