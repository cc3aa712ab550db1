"""The lists a coordinator expects: completed orders waiting to be closed, and the history of
closed and cancelled ones — searchable, sortable by their columns with the order stated, paged."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_routed_item, make_work_order
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

COMPLETED = reverse("work-orders-completed")
HISTORY = reverse("work-orders-history")
HTMX = {"HTTP_HX_REQUEST": "true"}
HOURS_AGO = [timezone.now() - dt.timedelta(hours=h) for h in range(0, 48)]


@pytest.fixture
def as_viewer(client, make_user):
    client.force_login(make_user("viewer"))
    return client


def numbers(response):
    assert response.status_code == 200
    return [wo.number for wo in response.context["work_orders"]]


def finish(wo, action, at, reason="test"):
    """Move ``wo`` on with ``action`` at ``at`` (complete, close or cancel)."""
    return services.work_order_transition(action=action, work_order=wo, actor=None, reason=reason, at=at)


@pytest.fixture
def finished(shifts):
    """Completed, closed and cancelled orders, each ended at a different time, and some open ones."""
    bracket = make_routed_item(sku="BRKT-1")
    frame = make_routed_item(sku="FRAME-9")
    frame.name = "Welded frame, galvanised"
    frame.save()
    orders = {}
    for key, item, due, ref in (
        ("c1", bracket, dt.date(2026, 12, 3), "ACME-1"),
        ("c2", frame, dt.date(2026, 12, 1), ""),
        ("c3", bracket, None, "ZENITH-4"),
        ("x1", bracket, dt.date(2026, 11, 2), "ACME-2"),
        ("x2", frame, dt.date(2026, 11, 1), ""),
        ("k1", bracket, dt.date(2026, 10, 1), "ACME-3"),
    ):
        status = "in_progress" if key[0] in "cx" else "released"
        orders[key] = make_work_order(item=item, status=status, due_date=due, customer_ref=ref, moved_at=HOURS_AGO[47])
    finish(orders["c2"], "complete", HOURS_AGO[30])
    finish(orders["c1"], "complete", HOURS_AGO[20])
    finish(orders["c3"], "complete", HOURS_AGO[10])
    finish(orders["x1"], "complete", HOURS_AGO[40])
    finish(orders["x2"], "complete", HOURS_AGO[40])
    finish(orders["x1"], "close", HOURS_AGO[5])
    finish(orders["x2"], "close", HOURS_AGO[15])
    finish(orders["k1"], "cancel", HOURS_AGO[8])
    make_work_order(item=bracket, status="released")
    make_work_order(item=bracket)
    return {key: WorkOrder.objects.get(pk=wo.pk) for key, wo in orders.items()}


def test_lists_need_a_login(client):
    for url in (COMPLETED, HISTORY):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_completed_lists_the_orders_waiting_to_be_closed_longest_waiting_first(as_viewer, finished):
    response = as_viewer.get(COMPLETED)
    assert numbers(response) == [finished[k].number for k in ("c2", "c1", "c3")]
    html = response.content.decode()
    assert "Sorted by completed, oldest first (the default)." in html
    assert "Showing 1–3 of 3 completed work orders." in html
    assert 'aria-sort="ascending"' in html  # the completed column


def test_history_lists_closed_and_cancelled_most_recently_ended_first(as_viewer, finished):
    response = as_viewer.get(HISTORY)
    # closed 5 h ago, cancelled 8 h ago, closed 15 h ago
    assert numbers(response) == [finished[k].number for k in ("x1", "k1", "x2")]
    assert "Sorted by ended, newest first (the default)." in response.content.decode()
    assert numbers(as_viewer.get(HISTORY, {"status": "cancelled"})) == [finished["k1"].number]
    assert numbers(as_viewer.get(HISTORY, {"status": "closed"})) == [finished[k].number for k in ("x1", "x2")]
    # the history holds no open or completed order, whatever the filter asks
    assert numbers(as_viewer.get(HISTORY, {"status": "completed"})) == []


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("acme", ["x1", "k1"]),  # customer reference
        ("frame-9", ["x2"]),  # SKU
        ("galvanised", ["x2"]),  # item name
        ("nothing-like-it", []),
    ],
)
def test_history_searches_number_item_and_customer_reference(as_viewer, finished, search, expected):
    assert numbers(as_viewer.get(HISTORY, {"search": search})) == [finished[k].number for k in expected]


def test_history_finds_an_order_by_its_number(as_viewer, finished):
    assert numbers(as_viewer.get(HISTORY, {"search": finished["k1"].number.lower()})) == [finished["k1"].number]


def test_completed_searches_too(as_viewer, finished):
    assert numbers(as_viewer.get(COMPLETED, {"search": "zenith"})) == [finished["c3"].number]
    html = as_viewer.get(COMPLETED, {"search": "no-such-thing"}).content.decode()
    assert "No completed work order matches this search." in html


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("due_date", ["c2", "c1", "c3"]),  # no due date last, either way
        ("-due_date", ["c1", "c2", "c3"]),
        ("-completed_at", ["c3", "c1", "c2"]),
        ("customer_ref", ["c2", "c1", "c3"]),  # "" < ACME-1 < ZENITH-4
        ("item", ["c1", "c3", "c2"]),  # BRKT-1 twice (by number), then FRAME-9
    ],
)
def test_completed_sorts_by_its_columns(as_viewer, finished, ordering, expected):
    response = as_viewer.get(COMPLETED, {"ordering": ordering})
    if ordering == "item":
        expected = sorted(expected[:2], key=lambda k: finished[k].number) + expected[2:]
    assert numbers(response) == [finished[k].number for k in expected]
    assert "the default is completed, oldest first" in response.content.decode()


def test_an_unknown_sort_is_the_default_not_an_error(as_viewer, finished):
    for ordering in ("secret_field", "--due_date", "-", "status"):
        response = as_viewer.get(COMPLETED, {"ordering": ordering})
        assert numbers(response) == [finished[k].number for k in ("c2", "c1", "c3")]
        assert response.context["is_default_sort"]


def test_a_column_head_sorts_by_it_then_reverses_and_keeps_the_search(as_viewer, finished):
    response = as_viewer.get(HISTORY, {"search": "acme"})
    assert response.context["sort"]["due_date"] == {"url": "?search=acme&ordering=due_date", "sort": "none", "label": "Due"}
    assert response.context["sort"]["ended_at"] == {
        "url": "?search=acme&ordering=ended_at",
        "sort": "descending",
        "label": "Ended",
    }
    response = as_viewer.get(HISTORY, {"search": "acme", "ordering": "due_date", "page": "1"})
    assert response.context["sort"]["due_date"] == {"url": "?search=acme&ordering=-due_date", "sort": "ascending", "label": "Due"}
    html = response.content.decode()
    assert "Sorted by due, earliest first; the default is ended, newest first." in html
    # the pages keep the search and the sort
    assert response.context["query"] == "search=acme&ordering=due_date"


def test_history_pages_fifty_at_a_time(as_viewer, shifts):
    item = make_routed_item()
    rows = [{"item": item, "quantity": Decimal("5")} for _ in range(51)]
    orders = services.work_orders_create(actor=None, rows=rows)
    services.work_orders_transition(actor=None, action="cancel", rows=[{"work_order": wo, "reason": "x"} for wo in orders])
    first = as_viewer.get(HISTORY)
    assert len(first.context["work_orders"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    second = as_viewer.get(HISTORY, {"page": 2})
    assert len(second.context["work_orders"]) == 1
    assert as_viewer.get(HISTORY, {"page": "x"}).status_code == 200  # a bad page number shows the first


def test_an_htmx_request_gets_only_the_table(as_viewer, finished):
    response = as_viewer.get(HISTORY, {"search": "acme"}, **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="work-order-table"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_ended_column_says_closed_or_cancelled_and_when(as_viewer, finished):
    html = as_viewer.get(HISTORY).content.decode()
    assert '<span class="badge badge--cancelled">Cancelled</span>' in html
    assert '<span class="badge badge--closed">Closed</span>' in html
    at = timezone.localtime(finished["k1"].cancelled_at)
    assert f"{at:%b} {at.day}, {at:%Y %H:%M}" in html


def test_list_query_counts(as_viewer, finished, assert_query_baseline):
    # session, user with stamp, role permissions (navigation), roles (header), count, page
    with assert_query_baseline("page: completed work orders"):
        response = as_viewer.get(COMPLETED)
    assert len(response.context["work_orders"]) == 3
    # the same, the permissions now from the cache
    with assert_query_baseline("page: work-order history"):
        response = as_viewer.get(HISTORY)
    assert len(response.context["work_orders"]) == 3
    # session, user with stamp, count, page: only the table, no header
    with assert_query_baseline("page: work-order history, searched and sorted (htmx)"):
        response = as_viewer.get(HISTORY, {"search": "acme", "ordering": "-due_date"}, **HTMX)
    assert len(response.context["work_orders"]) == 2
