"""The board: every open work order, filtered, sorted and grouped from the URL, saved views one
click away, and live — the page asks every few seconds whether anything happened after the
last event it showed, and re-renders only when something did, marking the rows that changed.
A work order's page asks the same of its own events and says who changed what."""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import F
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_POST

from plant import selectors as plant_selectors
from prodcoord.core.access import login_required
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

PAGE_SIZE = 50
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


def _percent(part, whole):
    if not whole:
        return 0
    return max(0, min(100, int(part * 100 / whole)))


def _decorate(work_order, changed, detail_prefix):
    """What each row shows, worked out once in Python (the template only prints it: a 50-row
    board renders in a fraction of the time it takes to resolve the same in template tags)."""
    work_order.completed_pct = _percent(work_order.quantity_completed, work_order.quantity)
    work_order.scrapped_pct = min(100 - work_order.completed_pct, _percent(work_order.quantity_scrapped, work_order.quantity))
    work_order.changed = work_order.pk in changed
    work_order.url = f"{detail_prefix}{quote(work_order.number)}/"
    work_order.done_label = f"{fmt_qty(work_order.quantity_completed)} / {fmt_qty(work_order.quantity)}"
    work_order.scrap_label = fmt_qty(work_order.quantity_scrapped) if work_order.quantity_scrapped else ""
    work_order.due_label = date_format(work_order.due_date, "D M j") if work_order.due_date else ""
    return work_order


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
    page = Paginator(board_order(filtered, ordering, group), PAGE_SIZE).get_page(request.GET.get("page"))
    detail_prefix = reverse("work-order-detail", args=["-"])[:-2]
    down = plant_selectors.open_downtime_by_work_center()
    rows = [_decorate(wo, changed, detail_prefix) for wo in page.object_list]
    for row in rows:
        row.down = down.get(row.current_work_center_id)
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
    return {
        "form": form,
        "page": page,
        "work_orders": rows,
        "group": group,
        "group_label": services.BOARD_GROUPS.get(group, ""),
        "groups": groups,
        "query": query.urlencode(),
        "view_query": view_query,
        "poll_url": f"{request.path}?{poll.urlencode()}",
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
    after that event — one query — else the table, the rows that changed marked."""
    fragment = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    since = _since(request)
    if fragment and since is not None:
        if not work_order_events_exist_after(after=since):
            return HttpResponse(status=NO_CONTENT)
        changed, last = work_orders_changed_after(after=since)
        context = board_context(request, changed=changed, last_event=last)
        context["is_fragment"] = True
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
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
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
