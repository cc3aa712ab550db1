"""The board: every open work order, filtered, sorted and grouped from the URL, saved views one
click away, and live — the page asks every few seconds whether anything happened after the
last event it showed, and re-renders only when something did, marking the rows that changed.
A work order's page asks the same of its own events and says who changed what."""

import functools
import hashlib
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from plant import selectors as plant_selectors
from prodcoord.core.access import login_required
from prodcoord.core.form_errors import attach_service_errors
from prodcoord.core.quantities import fmt_qty
from prodcoord.events.presenters import present
from prodcoord.events.selectors import (
    event_last_id,
    work_order_events_after,
    work_order_events_exist_after,
    work_orders_changed_after,
)

from .. import selectors, services
from ..filters import WorkOrderFilter
from ..forms import SavedViewForm, WorkOrderOpenFilterForm
from ..models import SavedBoardView
from .lists import Column, Sorting, text_column
from .pages import progress_shares

PAGE_SIZE = 50
ROW_TEMPLATE = "workorders/partials/_board_row.html"
ROW_CACHE_SECONDS = 24 * 3600
NO_CONTENT = 204


# The board's columns, sorted as every list sorts (views/lists.py); the board adds its groups and
# breaks priority's ties by due date (``board_order``).
SORTING = Sorting(
    [
        text_column("number", "Work order"),
        text_column("item", "Item", "item__sku"),
        Column("progress", "Done / ordered", "progress", "least done first", "most done first"),
        Column("work_center", "Current op.", "current_work_center__code", "A to Z", "Z to A", nullable=True),
        text_column("status", "Status"),
        Column("priority", "Prio", "priority", "most urgent first", "least urgent first", spoken="priority"),
        Column("due_date", "Due", "due_date", "earliest first", "latest first", nullable=True),
        Column("customer_ref", "Customer ref.", "customer_ref_sort", "A to Z", "Z to A", nullable=True),
    ],
    default="priority",
)
assert set(SORTING.columns) == set(services.BOARD_SORT_KEYS)


def board_order(queryset, ordering, group):
    """Rows grouped (by the group's key, the orders with no current operation last), then by the
    column asked for; most urgent first breaks priority's ties by due date; the number breaks the rest."""
    column = SORTING.columns[ordering.lstrip("-")]
    descending = ordering.startswith("-")
    nulls = {"nulls_last": True} if column.nullable else {}
    order = []
    if group:
        order.append(F(selectors.BOARD_GROUP_FIELDS[group][0]).asc(nulls_last=True))
    if column.key != "number":
        order.append(F(column.field).desc(**nulls) if descending else F(column.field).asc(**nulls))
    if column.key == "priority":
        order.append(F("due_date").asc(nulls_last=True))
    order.append(F("number").desc() if descending else F("number").asc())
    return queryset.order_by(*order)


def _row(work_order, changed, detail_prefix, down=None):
    """Everything a board row shows, as plain values worked out once in Python. The row template
    reads nothing else, so these values are also what its cached HTML is keyed by (``_row_html``):
    a row shows something new only by a value here changing. ``down``: the downtime going on at
    the order's current work center, if any."""
    completed_pct, scrapped_pct = progress_shares(
        work_order.quantity_completed, work_order.quantity_scrapped, work_order.quantity
    )
    op = work_order.current_operation
    work_center = work_order.current_work_center
    return {
        "number": work_order.number,
        "url": f"{detail_prefix}{quote(work_order.number)}/",
        "changed": work_order.pk in changed,
        "sku": work_order.item.sku,
        "item_name": work_order.item.name,
        "uom": work_order.item.uom,
        "customer_ref": work_order.customer_ref,
        "completed_pct": completed_pct,
        "scrapped_pct": scrapped_pct,
        "done_label": f"{fmt_qty(work_order.quantity_completed)} / {fmt_qty(work_order.quantity)}",
        "scrap_label": fmt_qty(work_order.quantity_scrapped) if work_order.quantity_scrapped else "",
        "status": work_order.status,
        "status_label": work_order.get_status_display(),
        "on_hold": work_order.on_hold,
        "is_overdue": work_order.is_overdue,
        "plan_late": work_order.plan_late,
        "shortage_count": work_order.shortage_count,
        "priority": work_order.priority,
        "due_label": _due_label(work_order.due_date, get_language()) if work_order.due_date else "",
        "op_sequence": op.sequence if op is not None else None,
        "op_running": op is not None and op.status == "in_progress",
        "work_center": work_center.code if op is not None and work_center is not None else "",
        "department": work_center.department.code if op is not None and work_center is not None else "",
        "down_since": date_format(timezone.localtime(down.started_at), "H:i") if down is not None else "",
        "down_reason": down.reason.name if down is not None and down.reason is not None else "",
    }


@functools.lru_cache(maxsize=1024)
def _due_label(due_date, language):
    """A due date as the board shows it ("Mon Dec 7"). Formatting a date the locale's way costs more than the rest of a row, and a
    page's rows share a handful of due dates. (``language`` keys the cache.)"""
    return date_format(due_date, "D M j")


@functools.cache
def _row_template():
    """The row template and a digest of its source: a changed template never serves old rows."""
    template = get_template(ROW_TEMPLATE)
    return template, hashlib.sha1(template.template.source.encode()).hexdigest()[:12]


def _row_html(rows):
    """Each row's HTML, from the cache where the same values were rendered before (by any user:
    a row shows nothing personal), rendering only the rest. A board that polls re-renders only
    the rows that changed; one cache round trip either way."""
    template, digest = _row_template()
    language = get_language() or ""
    keys = [f"board-row:{digest}:{language}:{hashlib.sha1(repr(sorted(row.items())).encode()).hexdigest()}" for row in rows]
    cached = cache.get_many(keys)
    rendered = {}
    html = []
    for key, row in zip(keys, rows, strict=True):
        if key not in cached:
            cached[key] = rendered[key] = mark_safe(template.render({"row": row}))  # noqa: S308 - the template escapes
        html.append(cached[key])
    if rendered:
        cache.set_many(rendered, ROW_CACHE_SECONDS)
    return html


def _group_rows(rows, groups, group):
    """Mark the first row of each group on the page with its group (label and count over every page)."""
    if not group:
        return []
    key_field = selectors.BOARD_GROUP_FIELDS[group][0]
    by_key = {g["key"]: g for g in groups}
    previous = object()
    for row in rows:
        obj = row
        for part in key_field.split("__")[:-1]:
            obj = getattr(obj, part) if obj is not None else None
        key = getattr(obj, "code", None) if obj is not None else None
        row.group = by_key.get(key) if key != previous else None
        previous = key
    return groups


def board_context(request, *, changed=frozenset(), last_event=None):
    form = WorkOrderOpenFilterForm(request.GET or None)
    group = form.grouping()
    ordering = SORTING.read(request.GET.get("ordering"))
    filtered = WorkOrderFilter(request.GET or None, queryset=selectors.board_list()).qs
    # The page's ids first (sorted and cut on the work-order table and only the joins its order
    # needs), then those 50 rows with everything they show: the database joins 50 rows, not every
    # open order, to throw all but 50 away.
    ids = board_order(filtered, ordering, group).values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.board_rows(list(page.object_list))
    page.object_list = rows
    detail_prefix = reverse("work-order-detail", args=["-"])[:-2]
    down = plant_selectors.open_downtime_by_work_center()
    values = [_row(wo, changed, detail_prefix, down.get(wo.current_work_center_id)) for wo in rows]
    for wo, row, html in zip(rows, values, _row_html(values), strict=True):
        wo.changed, wo.row_html = row["changed"], html
    groups = _group_rows(rows, selectors.board_group_counts(filtered, group=group), group) if group else []
    query = request.GET.copy()
    for name in ("page", "since"):
        query.pop(name, None)
    without_ordering = query.copy()
    without_ordering.pop("ordering", None)
    view_query = services.board_query_clean_lenient(query.urlencode())
    poll = query.copy()
    if page.number > 1:
        poll["page"] = page.number
    poll["since"] = event_last_id() if last_event is None else last_event
    board = reverse("home")  # also when a refused saved view shows the board from its own URL
    here = query.copy()
    if page.number > 1:
        here["page"] = page.number
    return {
        "form": form,
        "page": page,
        "work_orders": rows,
        "group": group,
        "group_label": services.BOARD_GROUPS.get(group, ""),
        "groups": groups,
        "query": query.urlencode(),
        "view_query": view_query,
        "poll_url": f"{board}?{poll.urlencode()}",
        "board_url": f"{board}?{here.urlencode()}" if here else board,
        "refresh_seconds": settings.BOARD_REFRESH_SECONDS,
        "changed_count": sum(1 for wo in rows if wo.changed),
        "ordering": ordering,
        "sort": SORTING.headers(ordering, without_ordering.urlencode()),
        "sorted_by": SORTING.described(ordering),
        "is_default_sort": ordering == SORTING.default,
        "downtime": list(down.values()),
    }


@login_required
@require_GET
def home(request):
    """The board. With ``?since=<event id>`` (the page polling): 204 when no work order changed
    and no work center went down or came back after that event — one query — else the table, the
    rows that changed marked, and the work centers down now (out of band: the strip above it)."""
    fragment = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    since = _since(request)
    if fragment and since is not None:
        if not work_order_events_exist_after(after=since, verbs=plant_selectors.DOWNTIME_NOW_VERBS):
            return HttpResponse(status=NO_CONTENT)
        changed, last = work_orders_changed_after(after=since)
        context = board_context(request, changed=changed, last_event=last)
        context["is_fragment"] = True
        context["live"] = True
        context["can_mark_down"] = request.user.has_perm("plant.add_downtimeevent")
        response = render(request, "workorders/partials/_work_order_table.html", context)
    elif fragment:
        context = board_context(request)
        context["is_fragment"] = True
        response = render(request, "workorders/partials/_work_order_table.html", context)
    else:
        context = board_context(request)
        context["counts"] = selectors.work_order_open_counts()
        context["saved_views"] = selectors.saved_views_of(user=request.user)
        context["saved_view_form"] = SavedViewForm(initial={"query": context["view_query"]})
        if request.user.has_perm("plant.add_downtimeevent"):
            # The board's "mark a work center down": which one, and why.
            context["downtime_work_centers"] = list(plant_selectors.active_work_center_codes())
            context["downtime_reasons"] = list(plant_selectors.active_downtime_reasons())
            context["can_mark_down"] = bool(context["downtime_work_centers"])
        response = render(request, "workorders/home.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _since(request):
    try:
        value = int(request.GET.get("since", ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@login_required
@require_POST
def saved_view_create(request):
    """Save the board as shown under a name; a refused name comes back on the board with its error."""
    form = SavedViewForm(request.POST)
    query = ""
    if form.is_valid():
        query = form.cleaned_data["query"]
        try:
            view = services.saved_view_create(actor=request.user, name=form.cleaned_data["name"], query=query)
        except ValidationError as exc:
            attach_service_errors(form, exc)
        except IntegrityError:  # the same name saved twice at the same moment: the database keeps one
            form.add_error("name", "You already have a view with this name.")
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            return redirect(_board_url(view.query))
    request.GET = _query_dict(query)
    context = board_context(request)
    context["counts"] = selectors.work_order_open_counts()
    context["saved_views"] = selectors.saved_views_of(user=request.user)
    context["saved_view_form"] = form
    context["saved_view_open"] = True
    return render(request, "workorders/home.html", context, status=400)


@login_required
@require_POST
def saved_view_delete(request, view_id):
    """Delete one of one's own saved views (another person's is not found)."""
    view = get_object_or_404(SavedBoardView, pk=view_id, user=request.user)
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("home")


def _query_dict(query):
    return QueryDict(services.board_query_clean_lenient(query))


def _board_url(query):
    return f"{reverse('home')}?{query}" if query else reverse("home")


@login_required
@require_GET
def work_order_live(request, number):
    """The work order's page asking "anything after event N?": 204 when nothing (one query);
    else the live notice, saying who changed what, and asking again from the newest event."""
    since = _since(request)
    if since is None:
        return HttpResponse("Give ?since=<event id>.", status=400, content_type="text/plain")
    events = work_order_events_after(number=number, after=since)
    if not events:
        return HttpResponse(status=NO_CONTENT)
    others = [e for e in events if e.actor_id != request.user.pk]
    context = {
        "number": number,
        "since": events[-1].pk,
        "refresh_seconds": settings.BOARD_REFRESH_SECONDS,
        "changes": present(others),
    }
    return render(request, "workorders/partials/_live_notice.html", context)
