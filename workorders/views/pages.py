"""Pages: a work order's detail and history (the board, the home page, is in ``board``)."""

from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from prodcoord.core.access import login_required
from prodcoord.events.presenters import present
from prodcoord.events.selectors import work_order_history

from .. import selectors
from ..models import WorkOrder
from ..permissions import draft_editable
from .panel import action_forms

HISTORY_LIMIT = 200
REPORT_LIMIT = 50


def _percent(part, whole):
    if not whole:
        return 0
    return max(0, min(100, int(Decimal(part) * 100 / Decimal(whole))))


def progress_shares(good, scrap, quantity):
    """A progress bar's two fills, in whole percent of ``quantity``: good, and scrap after it
    (together never more than 100)."""
    good_pct = _percent(good, quantity)
    return good_pct, min(100 - good_pct, _percent(scrap, quantity))


def _with_current_operation(work_order):
    """Its current operation taken from the prefetched operations (the same row the column names),
    so the page reads it without a query of its own."""
    if work_order.current_operation_id is not None:
        ops = {op.pk: op for op in work_order.operations.all()}
        if work_order.current_operation_id in ops:
            work_order.current_operation = ops[work_order.current_operation_id]
    return work_order


def _decorate(work_order):
    work_order.completed_pct, work_order.scrapped_pct = progress_shares(
        work_order.quantity_completed, work_order.quantity_scrapped, work_order.quantity
    )
    return work_order


def _history(work_order):
    """The work order's history for the page, whether it was cut short, and the newest event's id
    (0 when none): what the page is as of, for its live check (``board.work_order_live``)."""
    events, truncated = work_order_history(work_order=work_order, limit=HISTORY_LIMIT)
    return present(events), truncated, (events[0].pk if events else 0)


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
    history, history_truncated, live_since = _history(work_order)
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
        "live_since": live_since,
        "refresh_seconds": settings.BOARD_REFRESH_SECONDS,
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
