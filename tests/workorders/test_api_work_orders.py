"""Work orders over the API: create, read, change, delete, list and filter."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prodcoord.events.models import Event
from tests.api_helpers import make_bracket
from tests.factories import DepartmentFactory, ItemFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import WorkOrder
from workorders.services import hold_place

pytestmark = pytest.mark.django_db

# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]
URL = "/api/v1/work-orders/"


@pytest.fixture
def item(db):
    return make_bracket()


def test_planner_creates_work_order_with_operations_from_routing(api_as, item):
    client = api_as("planner")
    response = client.post(
        URL,
        {"item": "BRKT-100", "quantity": "12", "priority": 2, "due_date": "2026-12-01", "customer_ref": "PO-77"},
        format="json",
    )
    assert response.status_code == 201, response.data
    data = response.data
    assert data["number"].startswith("WO-")
    assert data["item"] == "BRKT-100"
    assert data["quantity"] == "12.000"
    assert data["quantity_completed"] == "0.000"
    assert data["status"] == "draft"
    assert data["priority"] == 2
    assert data["due_date"] == "2026-12-01"
    assert data["bom_revision"] == "A"
    assert data["routing_revision"] == "A"
    assert data["on_hold"] is False
    assert data["version"] == 1
    assert [(op["sequence"], op["work_center"], op["status"]) for op in data["operations"]] == [
        (10, "CNC-01", "pending"),
        (20, "PACK-01", "pending"),
    ]
    assert data["operations"][0]["planned_run_minutes"] == "24.00"
    assert client.get(f"{URL}{data['number']}/").data == data


def test_work_order_number_given_by_planner(api_as, item):
    response = api_as("planner").post(URL, {"number": "RUSH-1", "item": "BRKT-100", "quantity": "1"}, format="json")
    assert response.status_code == 201
    assert WorkOrder.objects.filter(number="RUSH-1").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"item": "NO-SUCH"}, "item"),
        ({"item": None}, "item"),
        ({"quantity": "-3"}, "quantity"),
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "1.0001"}, "quantity"),
        ({"quantity": "ten"}, "quantity"),
        ({"quantity": "NaN"}, "quantity"),
        ({"quantity": "123456789012345"}, "quantity"),
        ({"priority": 0}, "priority"),
        ({"priority": 6}, "priority"),
        ({"priority": "high"}, "priority"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"planned_start": "not a time"}, "planned_start"),
        ({"planned_start": "2026-12-02T08:00:00Z", "planned_end": "2026-12-01T08:00:00Z"}, "planned_end"),
        ({"number": "HAS SPACE"}, "number"),
        ({"number": "X" * 31}, "number"),
        ({"customer_ref": "C" * 61}, "customer_ref"),
        ({"status": "released"}, "status"),
    ],
)
def test_create_bad_input_is_field_error_and_writes_nothing(api_as, item, payload, field):
    body = {"item": "BRKT-100", "quantity": "10"} | payload
    response = api_as("planner").post(URL, body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not WorkOrder.objects.exists()
    assert not Event.objects.filter(verb="work_order.created").exists()


def test_item_without_released_routing_is_refused(api_as):
    ItemFactory(sku="NEW-1")
    response = api_as("planner").post(URL, {"item": "NEW-1", "quantity": "1"}, format="json")
    assert response.status_code == 400
    assert "routing" in response.data["item"][0]


def test_duplicate_number_is_field_error(api_as, item):
    make_work_order(item=item, number="WO-DUP")
    response = api_as("planner").post(URL, {"number": "WO-DUP", "item": "BRKT-100", "quantity": "1"}, format="json")
    assert response.status_code == 400
    assert "number" in response.data


def test_malformed_json_is_400(api_as, item):
    response = api_as("planner").post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_create_permission_by_role(api_as, item, role):
    creates = role in ("planner", "coordinator")  # "work orders created by planners and coordinators"
    response = api_as(role).post(URL, {"item": "BRKT-100", "quantity": "1"}, format="json")
    assert response.status_code == (201 if creates else 403)
    assert WorkOrder.objects.count() == (1 if creates else 0)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_work_orders(api_as, item, role):
    wo = make_work_order(item=item)
    client = api_as(role)
    assert client.get(URL).data["count"] == 1
    assert client.get(f"{URL}{wo.number}/").status_code == 200


def test_unauthenticated_is_401(api_client, item):
    wo = make_work_order(item=item)
    assert api_client.get(URL).status_code == 401
    assert api_client.get(f"{URL}{wo.number}/").status_code == 401
    assert api_client.post(f"{URL}{wo.number}/release/", {}, format="json").status_code == 401


def test_unknown_number_is_404(api_as):
    assert api_as("planner").get(f"{URL}WO-NOPE/").status_code == 404
    assert api_as("coordinator").post(f"{URL}WO-NOPE/release/", {}, format="json").status_code == 404


# --- changes -----------------------------------------------------------------------------


def test_priority_change_needs_reason_and_is_recorded(api_as, item):
    wo = make_work_order(item=item, status="released")
    client = api_as("coordinator")
    response = client.patch(f"{URL}{wo.number}/", {"priority": 1}, format="json")
    assert response.status_code == 400
    assert "reason" in response.data
    response = client.patch(f"{URL}{wo.number}/", {"priority": 1, "reason": "Customer escalation"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["priority"] == 1
    assert response.data["version"] == wo.version + 1
    event = Event.objects.get(verb="work_order.priority_changed", work_order=wo)
    assert event.reason == "Customer escalation"
    assert event.actor == client.user
    assert event.changes == {"priority": [3, 1]}


def test_coordinator_may_reschedule_but_not_change_quantity(api_as, item):
    wo = make_work_order(item=item, status="released")
    client = api_as("coordinator")
    response = client.patch(f"{URL}{wo.number}/", {"quantity": "50", "reason": "x"}, format="json")
    assert response.status_code == 403
    assert "quantity" in response.data["detail"]
    response = client.patch(f"{URL}{wo.number}/", {"due_date": "2026-12-24", "reason": "Material late"}, format="json")
    assert response.status_code == 200
    assert response.data["due_date"] == "2026-12-24"
    wo.refresh_from_db()
    assert wo.quantity == Decimal("100")


def test_coordinator_shapes_a_draft_but_not_a_released_order(api_as, item):
    """A draft is still being written: whoever may create work orders sets its quantity and customer reference."""
    draft = make_work_order(item=item)
    client = api_as("coordinator")
    response = client.patch(f"{URL}{draft.number}/", {"quantity": "40", "customer_ref": "ACME-7"}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["quantity"], response.data["customer_ref"]) == ("40.000", "ACME-7")
    services.work_order_release(work_order=draft, actor=None)
    response = client.patch(f"{URL}{draft.number}/", {"quantity": "50"}, format="json")
    assert response.status_code == 403
    assert response.data["detail"] == "Your role does not allow changing: quantity."
    # the supervisor creates none, so shapes none
    other = make_work_order(item=item)
    assert api_as("supervisor").patch(f"{URL}{other.number}/", {"customer_ref": "X"}, format="json").status_code == 403


def test_supervisor_may_change_priority_but_not_dates(api_as, item):
    wo = make_work_order(item=item, status="released")
    client = api_as("supervisor")
    assert client.patch(f"{URL}{wo.number}/", {"priority": 5, "reason": "Deprioritised"}, format="json").status_code == 200
    response = client.patch(f"{URL}{wo.number}/", {"due_date": "2027-01-01", "reason": "x"}, format="json")
    assert response.status_code == 403
    wo.refresh_from_db()
    assert wo.due_date is None


@pytest.mark.parametrize("role", ["viewer"])
def test_viewer_and_operator_cannot_change_work_orders(api_as, item, role):
    wo = make_work_order(item=item)
    response = api_as(role).patch(f"{URL}{wo.number}/", {"customer_ref": "X"}, format="json")
    assert response.status_code == 403
    wo.refresh_from_db()
    assert wo.customer_ref == ""


def test_planner_changes_quantity_and_operations_follow(api_as, item):
    wo = make_work_order(item=item)
    response = api_as("planner").patch(f"{URL}{wo.number}/", {"quantity": "40", "customer_ref": "PO-9"}, format="json")
    assert response.status_code == 200
    assert response.data["quantity"] == "40.000"
    assert response.data["operations"][0]["planned_run_minutes"] == "80.00"


def test_unchanged_fields_need_no_permission(api_as, item):
    """Sending back what was read (e.g. the same quantity) is not a change a coordinator is refused."""
    wo = make_work_order(item=item, status="released")
    response = api_as("coordinator").patch(
        f"{URL}{wo.number}/", {"quantity": "100", "priority": 2, "reason": "Line down elsewhere"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["priority"] == 2


def test_the_field_permission_is_checked_on_the_order_as_it_is_now_not_as_it_was_read(api_as, item, make_user):
    """The coordinator's request read the order (quantity 100) before a planner raised it to 120;
    sending that quantity back would change a planner's field, so the whole edit is refused."""
    wo = make_work_order(item=item, status="released")
    stale = WorkOrder.objects.get(pk=wo.pk)
    services.work_order_update(work_order=wo, actor=make_user("planner"), quantity=Decimal("120"))
    events = Event.objects.count()
    with mock.patch("workorders.api.views.WorkOrderViewSet.get_object", return_value=stale):
        response = api_as("coordinator").patch(
            f"{URL}{wo.number}/", {"quantity": "100", "priority": 1, "reason": "Rush"}, format="json"
        )
    assert response.status_code == 403
    assert response.data["detail"] == "Your role does not allow changing: quantity."
    wo.refresh_from_db()
    assert (wo.quantity, wo.priority) == (Decimal("120"), 3)
    assert Event.objects.count() == events


def test_stale_version_is_409_and_changes_nothing(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("planner")
    assert client.patch(f"{URL}{wo.number}/", {"customer_ref": "first", "version": 1}, format="json").status_code == 200
    response = client.patch(f"{URL}{wo.number}/", {"customer_ref": "second", "version": 1}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "stale_version"
    wo.refresh_from_db()
    assert wo.customer_ref == "first"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"quantity": "-1"}, "quantity"),
        ({"priority": 9, "reason": "x"}, "priority"),
        ({"planned_start": "2026-12-02T08:00:00Z", "planned_end": "2026-12-01T08:00:00Z", "reason": "x"}, "planned_end"),
        ({"version": "abc"}, "version"),
        ({"status": "closed"}, "status"),
        ({"item": "OTHER"}, "item"),
    ],
)
def test_update_bad_input_is_field_error(api_as, item, payload, field):
    wo = make_work_order(item=item)
    response = api_as("planner").patch(f"{URL}{wo.number}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert WorkOrder.objects.get(pk=wo.pk).version == wo.version


def test_put_requires_quantity_and_priority(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("planner")
    response = client.put(f"{URL}{wo.number}/", {"customer_ref": "X"}, format="json")
    assert response.status_code == 400
    assert set(response.data) == {"quantity", "priority"}
    response = client.put(f"{URL}{wo.number}/", {"quantity": "100", "priority": 3, "customer_ref": "X"}, format="json")
    assert response.status_code == 200
    assert response.data["customer_ref"] == "X"


def test_quantity_cannot_change_once_started(api_as, item):
    wo = make_work_order(item=item, status="in_progress")
    response = api_as("planner").patch(f"{URL}{wo.number}/", {"quantity": "5"}, format="json")
    assert response.status_code == 400
    assert "quantity" in response.data


def test_closed_work_order_cannot_change(api_as, item):
    wo = make_work_order(item=item, status="closed")
    response = api_as("planner").patch(f"{URL}{wo.number}/", {"customer_ref": "late"}, format="json")
    assert response.status_code == 409


# --- delete ---------------------------------------------------------------------------------


def test_planner_deletes_draft_work_order(api_as, item):
    wo = make_work_order(item=item)
    assert api_as("planner").delete(f"{URL}{wo.number}/").status_code == 204
    assert not WorkOrder.objects.filter(pk=wo.pk).exists()
    assert Event.objects.filter(verb="work_order.deleted", object_repr=wo.number).exists()


def test_released_work_order_cannot_be_deleted(api_as, item):
    wo = make_work_order(item=item, status="released")
    response = api_as("planner").delete(f"{URL}{wo.number}/")
    assert response.status_code == 409
    assert WorkOrder.objects.filter(pk=wo.pk).exists()


@pytest.mark.parametrize("role", ["viewer", "supervisor", "coordinator"])
def test_only_planner_deletes(api_as, item, role):
    wo = make_work_order(item=item)
    assert api_as(role).delete(f"{URL}{wo.number}/").status_code == 403
    assert WorkOrder.objects.filter(pk=wo.pk).exists()


# --- list, filters, ordering, performance ---------------------------------------------------------


@pytest.fixture
def board(db):
    cnc = WorkCenterFactory(code="CNC-01")
    weld = WorkCenterFactory(code="WELD-01")
    pack = WorkCenterFactory(code="PACK-01")
    bracket = make_routed_item(sku="BRKT-1", work_centers=[cnc, pack])
    frame = make_routed_item(sku="FRAME-1", work_centers=[weld, pack])
    orders = {
        "a": make_work_order(item=bracket, number="WO-A", priority=1, due_date=dt.date(2026, 11, 1), customer_ref="ACME-1"),
        "b": make_work_order(item=bracket, number="WO-B", priority=3, due_date=dt.date(2026, 12, 1), status="released"),
        "c": make_work_order(item=frame, number="WO-C", priority=2, due_date=dt.date(2026, 12, 15), status="in_progress"),
        "d": make_work_order(item=frame, number="WO-D", priority=5, status="closed"),
    }
    hold_place(work_order=orders["b"], actor=None, kind="quality", reason="Burrs")
    return orders


def _numbers(response):
    assert response.status_code == 200, response.data
    return [wo["number"] for wo in response.data["results"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["WO-A", "WO-B", "WO-C", "WO-D"]),
        ("status=released", ["WO-B"]),
        ("status=released,in_progress", ["WO-B", "WO-C"]),
        ("status=draft&status=closed", ["WO-A", "WO-D"]),
        ("item=FRAME-1", ["WO-C", "WO-D"]),
        # the work center of the current operation: the first not yet done, of an open order
        ("work_center=CNC-01", ["WO-A", "WO-B"]),
        ("work_center=WELD-01", ["WO-C"]),
        ("work_center=PACK-01", []),
        ("priority=1", ["WO-A"]),
        ("priority=1,2", ["WO-A", "WO-C"]),
        ("on_hold=true", ["WO-B"]),
        ("on_hold=false", ["WO-A", "WO-C", "WO-D"]),
        ("due_before=2026-12-01", ["WO-A", "WO-B"]),
        ("due_after=2026-12-02", ["WO-C"]),
        ("search=acme", ["WO-A"]),
        ("search=frame", ["WO-C", "WO-D"]),
        ("search=wo-c", ["WO-C"]),
        ("ordering=priority", ["WO-A", "WO-C", "WO-B", "WO-D"]),
        ("ordering=-due_date&due_after=2026-01-01", ["WO-C", "WO-B", "WO-A"]),
        ("status=draft,released&work_center=CNC-01&ordering=-number", ["WO-B", "WO-A"]),
    ],
)
def test_work_order_filters(api_as, board, query, expected):
    assert _numbers(api_as("viewer").get(f"{URL}?{query}")) == expected


def test_work_center_filter_follows_the_current_operation(api_as, board, shifts):
    client = api_as("viewer")
    assert _numbers(client.get(f"{URL}?work_center=PACK-01")) == []
    # WO-C's welding is done: it now stands at packing, and no longer at welding
    services.operation_report_progress(work_order=board["c"], actor=None, operation=10, quantity_good=Decimal("100"))
    assert _numbers(client.get(f"{URL}?work_center=PACK-01")) == ["WO-C"]
    assert _numbers(client.get(f"{URL}?work_center=WELD-01")) == []
    detail = client.get(f"{URL}WO-C/").json()
    assert (detail["current_operation"], detail["current_work_center"]) == (20, "PACK-01")
    # completed: no current operation, at no work center
    services.work_order_complete(work_order=board["c"], actor=None, reason="Short")
    assert _numbers(client.get(f"{URL}?work_center=PACK-01")) == []
    detail = client.get(f"{URL}WO-C/").json()
    assert (detail["current_operation"], detail["current_work_center"]) == (None, None)


def test_search_finds_the_item_name(api_as, board):
    from materials.models import Item

    Item.objects.filter(sku="FRAME-1").update(name="Welded frame, galvanised")
    assert _numbers(api_as("viewer").get(f"{URL}?search=galvanised")) == ["WO-C", "WO-D"]


def test_list_shows_on_hold_badge(api_as, board):
    results = {wo["number"]: wo for wo in api_as("viewer").get(URL).data["results"]}
    assert results["WO-B"]["on_hold"] is True
    assert results["WO-A"]["on_hold"] is False


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=shipped", "status"),
        ("priority=9", "priority"),
        ("on_hold=maybe", "on_hold"),
        ("due_before=31-12-2026", "due_before"),
        ("planned_start_after=yesterday", "planned_start_after"),
    ],
)
def test_bad_filter_is_field_error(api_as, board, query, field):
    response = api_as("viewer").get(f"{URL}?{query}")
    assert response.status_code == 400
    assert field in response.data


def test_unknown_ordering_is_a_400_naming_the_choices(api_as, board):
    response = api_as("viewer").get(f"{URL}?ordering=priority,secret_field")
    assert response.status_code == 400
    [message] = response.json()["ordering"]
    assert "secret_field" in message
    assert "-due_date" in message


def test_pagination_and_page_size_cap(api_as, board):
    client = api_as("viewer")
    response = client.get(f"{URL}?page_size=2")
    assert response.data["count"] == 4
    assert len(response.data["results"]) == 2
    assert response.data["next"] is not None
    second = client.get(f"{URL}?page_size=2&page=2")
    assert _numbers(second) == ["WO-C", "WO-D"]
    assert client.get(f"{URL}?page=99").status_code == 404
    response = client.get(f"{URL}?page_size=100000")
    assert response.status_code == 400
    assert response.json() == {"page_size": ["At most 500 results per page (API_MAX_PAGE_SIZE); ask for the next page."]}


def test_list_items_have_same_shape_as_detail(api_as, board):
    client = api_as("viewer")
    listed = {wo["number"]: wo for wo in client.get(URL).data["results"]}
    for number, row in listed.items():
        assert client.get(f"{URL}{number}/").data == row


def test_list_query_count(api_as, assert_query_baseline):
    item = make_routed_item(work_centers=[WorkCenterFactory(), WorkCenterFactory(), WorkCenterFactory()])
    for _ in range(12):
        make_work_order(item=item, quantity=Decimal("3"))
    code = item.routings.get().steps.first().work_center.code
    client = api_as("viewer")
    # token, user and group permissions + count, page of rows, their operations
    with assert_query_baseline("api: work-orders list"):
        response = client.get(f"{URL}?page_size=100&status=draft&work_center={code}")
    assert response.data["count"] == 12
    assert all(len(wo["operations"]) == 3 for wo in response.data["results"])


def test_detail_query_count(api_as, assert_query_baseline):
    item = make_routed_item(work_centers=[WorkCenterFactory() for _ in range(4)])
    wo = make_work_order(item=item)
    hold_place(work_order=wo, actor=None, kind="quality", reason="Burrs")
    client = api_as("viewer")
    # token with its user, role permissions (cached for the next request) + the work order's row, its operations
    with assert_query_baseline("api: work-orders detail"):
        response = client.get(f"{URL}{wo.number}/")
    assert len(response.data["operations"]) == 4
    assert response.data["on_hold"] is True


def test_detail_reads_the_work_order_once(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("viewer")
    client.get(f"{URL}{wo.number}/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}{wo.number}/")
    assert response.status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert "authtoken_token" in sql[0]  # the token, its user and the auth stamp; permissions come from the cache
    if connection.vendor == "postgresql":
        assert len(sql) == 2  # PostgreSQL writes the work order with its operations as JSON, in one statement
    else:
        tables = [s.split(" FROM ")[1].split()[0].strip('"') for s in sql[1:]]
        assert tables == ["workorders_workorder", "workorders_operation"]
    listed = [r for r in client.get(f"{URL}?search={wo.number}").data["results"] if r["number"] == wo.number]
    assert response.data == listed[0]  # the same representation as the list's


def test_detail_of_an_unknown_or_nul_number_is_a_json_404(api_as):
    client = api_as("viewer")
    for number in ("WO-NOPE", "WO%00X"):
        response = client.get(f"{URL}{number}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()


def test_times_are_iso_with_offset(api_as, item):
    start = timezone.make_aware(dt.datetime(2026, 7, 1, 6, 0), timezone.get_fixed_timezone(0))
    wo = make_work_order(item=item, planned_start=start, planned_end=start + dt.timedelta(hours=8))
    data = api_as("viewer").get(f"{URL}{wo.number}/").data
    parsed = dt.datetime.fromisoformat(data["planned_start"])
    assert parsed.utcoffset() is not None
    assert parsed == start


def test_pages_never_overlap_when_ordering_has_ties(api_as, item):
    for _ in range(5):
        make_work_order(item=item, priority=3)
    client = api_as("viewer")
    seen = []
    for page in (1, 2, 3):
        seen += _numbers(client.get(f"{URL}?ordering=priority&page_size=2&page={page}"))
    assert len(seen) == len(set(seen)) == 5


def test_department_filter_follows_the_current_operation(api_as, shifts):
    machining = DepartmentFactory(code="MACH")
    finishing = DepartmentFactory(code="FIN")
    mill = WorkCenterFactory(code="MILL-01", department=machining)
    paint = WorkCenterFactory(code="PAINT-01", department=finishing)
    item = make_routed_item(sku="PANEL-1", work_centers=[mill, paint])
    make_work_order(item=item, number="WO-M", status="released")
    moved = make_work_order(item=item, number="WO-P", status="released")
    services.operation_report_progress(work_order=moved, actor=None, operation=10, quantity_good=Decimal("100"))
    client = api_as("viewer")
    assert _numbers(client.get(f"{URL}?department=MACH")) == ["WO-M"]
    assert _numbers(client.get(f"{URL}?department=FIN")) == ["WO-P"]
    assert _numbers(client.get(f"{URL}?department=FIN&work_center=MILL-01")) == []
    assert _numbers(client.get(f"{URL}?department=NOPE")) == []
