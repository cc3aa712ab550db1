"""The lists a coordinator works through besides the open orders: completed orders waiting to
be closed, and the history of closed and cancelled ones. Both search and filter with the API's
FilterSet, sort by their columns (the order in use, and the default, stated on the page) and
page like the open list; htmx swaps only the table."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from prodcoord.core.access import login_required

from .. import selectors
from ..filters import WorkOrderFilter
from ..forms import WorkOrderHistoryFilterForm, WorkOrderSearchForm

PAGE_SIZE = 50


@dataclass(frozen=True)
class Column:
    """A sortable column: ``key`` is its ``?ordering=`` value, ``field`` what it sorts on, and
    ``ascending`` / ``descending`` how each direction reads on the page."""

    key: str
    label: str
    field: str
    ascending: str
    descending: str
    # A column that may be empty keeps its empty rows last, either way; the others sort plainly,
    # so an index on them (the history's "ended", most recent first) serves either direction.
    nullable: bool = False
    # How "sorted by …" names it, when not its label in lower case ("Prio" → "priority").
    spoken: str = ""


def text_column(key, label, field=None):
    return Column(key, label, field or key, "A to Z", "Z to A")


def date_column(key, label, field=None):
    return Column(key, label, field or key, "oldest first", "newest first")


NUMBER = text_column("number", "Work order")
ITEM = text_column("item", "Item", "item__sku")
CUSTOMER = text_column("customer_ref", "Customer ref.")
DUE = Column("due_date", "Due", "due_date", "earliest first", "latest first", nullable=True)
QUANTITY = Column("quantity", "Qty", "quantity", "smallest first", "largest first")


class Sorting:
    """``?ordering=<key>`` or ``-<key>`` among ``columns``; anything else means the default (a list
    page shows what it can rather than an error). The work-order number breaks ties, so pages never overlap."""

    def __init__(self, columns, default):
        self.columns = {column.key: column for column in columns}
        self.default = default

    def read(self, value):
        value = (value or "").strip()
        key = value.lstrip("-")
        if key not in self.columns or value.count("-") > 1:
            value = self.default
        return value

    def apply(self, queryset, value):
        column = self.columns[value.lstrip("-")]
        descending = value.startswith("-")
        nulls = {"nulls_last": True} if column.nullable else {}
        expression = F(column.field).desc(**nulls) if descending else F(column.field).asc(**nulls)
        tie = "-number" if descending else "number"
        return queryset.order_by(expression, tie) if column.key != "number" else queryset.order_by(tie)

    def described(self, value):
        """How the list is sorted, in words: ``"completed, oldest first"``."""
        column = self.columns[value.lstrip("-")]
        name = column.spoken or column.label.lower()
        return f"{name}, {column.descending if value.startswith('-') else column.ascending}"

    def headers(self, value, query):
        """Per column key: the link that sorts by it (descending when it is already sorted ascending)
        and its ``aria-sort``; ``query`` is the list's query string without ordering or page."""
        prefix = f"{query}&" if query else ""
        result = {}
        for key, column in self.columns.items():
            sorted_here = value.lstrip("-") == key
            descending = value.startswith("-")
            next_value = key if (not sorted_here or descending) else f"-{key}"
            result[key] = {
                "url": f"?{prefix}ordering={next_value}",
                "sort": ("descending" if descending else "ascending") if sorted_here else "none",
                "label": column.label,
            }
        return result


@dataclass(frozen=True)
class ListPage:
    title: str
    url_name: str
    noun: str  # "completed work order", for "Showing 1–50 of 70 completed work orders."
    selector: object
    form_class: type
    sorting: Sorting
    template: str  # the table's partial
    empty: str
    empty_filtered: str


def _render_list(request, page_def):
    form = page_def.form_class(request.GET or None)
    filterset = WorkOrderFilter(form.filter_data(), queryset=page_def.selector())
    ordering = page_def.sorting.read(request.GET.get("ordering"))
    queryset = page_def.sorting.apply(filterset.qs, ordering)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("ordering", None)
    base_query = query.urlencode()
    if ordering != page_def.sorting.default:
        query["ordering"] = ordering
    context = {
        "list": page_def,
        "form": form,
        "page": page,
        "work_orders": page.object_list,
        "query": query.urlencode(),
        "query_without_ordering": base_query,
        "ordering": ordering,
        "sorted_by": page_def.sorting.described(ordering),
        "default_sort": page_def.sorting.described(page_def.sorting.default),
        "is_default_sort": ordering == page_def.sorting.default,
        "sort": page_def.sorting.headers(ordering, base_query),
    }
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        response = render(request, page_def.template, context)
    else:
        response = render(request, "workorders/work_order_list.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


COMPLETED = ListPage(
    title="Completed, to close",
    url_name="work-orders-completed",
    noun="completed work order",
    selector=selectors.work_order_completed_list,
    form_class=WorkOrderSearchForm,
    sorting=Sorting(
        [NUMBER, ITEM, QUANTITY, DUE, date_column("completed_at", "Completed"), CUSTOMER],
        default="completed_at",
    ),
    template="workorders/partials/_completed_table.html",
    empty="No completed work orders are waiting to be closed.",
    empty_filtered="No completed work order matches this search.",
)

HISTORY = ListPage(
    title="History",
    url_name="work-orders-history",
    noun="closed or cancelled work order",
    selector=selectors.work_order_history_list,
    form_class=WorkOrderHistoryFilterForm,
    sorting=Sorting(
        [NUMBER, ITEM, QUANTITY, DUE, date_column("ended_at", "Ended"), CUSTOMER],
        default="-ended_at",
    ),
    template="workorders/partials/_history_table.html",
    empty="No work order has been closed or cancelled yet.",
    empty_filtered="No closed or cancelled work order matches this search.",
)


@login_required
def work_orders_completed(request):
    """Completed work orders waiting to be closed; the longest waiting first."""
    return _render_list(request, COMPLETED)


@login_required
def work_orders_history(request):
    """Closed and cancelled work orders; the most recently ended first."""
    return _render_list(request, HISTORY)
