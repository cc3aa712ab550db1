"""Departments, work centers, shifts and routings over the API."""

import datetime as dt
from decimal import Decimal

import pytest

from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, ItemFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders.models import Department, Routing, Shift, WorkCenter
from workorders.services import routing_create

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "operator", "supervisor", "coordinator", "planner"]
NOT_PLANNERS = ["viewer", "operator", "supervisor", "coordinator"]


# --- departments ----------------------------------------------------------------------


def test_planner_creates_department_and_it_is_recorded(api_as):
    client = api_as("planner")
    response = client.post("/api/v1/departments/", {"code": "MACH", "name": "Machining"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["code"] == "MACH"
    assert response.data["is_active"] is True
    assert Event.objects.filter(verb="department.created", object_repr="MACH", actor=client.user).exists()


def test_department_retrieved_and_updated_by_code(api_as):
    DepartmentFactory(code="ASSY.1", name="Assembly")
    client = api_as("planner")
    assert client.get("/api/v1/departments/ASSY.1/").data["name"] == "Assembly"
    response = client.patch("/api/v1/departments/ASSY.1/", {"name": "Final assembly"}, format="json")
    assert response.status_code == 200
    assert Department.objects.get(code="ASSY.1").name == "Final assembly"


def test_department_duplicate_code_is_field_error(api_as):
    DepartmentFactory(code="MACH")
    response = api_as("planner").post("/api/v1/departments/", {"code": "MACH", "name": "Again"}, format="json")
    assert response.status_code == 400
    assert "code" in response.data


def test_department_unknown_field_is_refused(api_as):
    response = api_as("planner").post("/api/v1/departments/", {"code": "X", "name": "X", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert "colour" in response.data
    assert not Department.objects.filter(code="X").exists()


@pytest.mark.parametrize("role", ROLES)
def test_every_role_lists_departments(api_as, role):
    DepartmentFactory.create_batch(3)
    response = api_as(role).get("/api/v1/departments/")
    assert response.status_code == 200
    assert response.data["count"] == 3


@pytest.mark.parametrize("role", NOT_PLANNERS)
def test_only_planner_writes_departments(api_as, role):
    DepartmentFactory(code="MACH")
    client = api_as(role)
    assert client.post("/api/v1/departments/", {"code": "NEW", "name": "New"}, format="json").status_code == 403
    assert client.patch("/api/v1/departments/MACH/", {"name": "Renamed"}, format="json").status_code == 403
    assert Department.objects.get(code="MACH").name != "Renamed"


@pytest.mark.parametrize("role", ROLES)
def test_no_role_deletes_master_data(api_as, role):
    """Master data is deactivated (is_active=false), not deleted, by the roles."""
    DepartmentFactory(code="MACH")
    assert api_as(role).delete("/api/v1/departments/MACH/").status_code == 403
    assert Department.objects.filter(code="MACH").exists()


def test_admin_deletes_unused_department_but_not_one_in_use(api_as, make_user):
    admin = make_user(is_superuser=True)
    client = api_as(user=admin)
    DepartmentFactory(code="EMPTY")
    WorkCenterFactory(code="CNC-01", department=DepartmentFactory(code="USED"))
    assert client.delete("/api/v1/departments/EMPTY/").status_code == 204
    assert not Department.objects.filter(code="EMPTY").exists()
    response = client.delete("/api/v1/departments/USED/")
    assert response.status_code == 409
    assert Department.objects.filter(code="USED").exists()
    assert not Event.objects.filter(verb="department.deleted", object_repr="USED").exists()


def test_unauthenticated_is_401(api_client):
    assert api_client.get("/api/v1/departments/").status_code == 401
    assert api_client.post("/api/v1/departments/", {"code": "X", "name": "X"}, format="json").status_code == 401


def test_department_filters_and_search(api_as):
    DepartmentFactory(code="MACH", name="Machining")
    DepartmentFactory(code="PAINT", name="Paint shop", is_active=False)
    client = api_as("viewer")
    assert [d["code"] for d in client.get("/api/v1/departments/?is_active=false").data["results"]] == ["PAINT"]
    assert [d["code"] for d in client.get("/api/v1/departments/?search=machin").data["results"]] == ["MACH"]
    assert [d["code"] for d in client.get("/api/v1/departments/?ordering=-code").data["results"]] == ["PAINT", "MACH"]


# --- work centers -----------------------------------------------------------------------


def test_work_center_written_and_read_with_department_code(api_as):
    DepartmentFactory(code="MACH")
    client = api_as("planner")
    response = client.post(
        "/api/v1/work-centers/",
        {"code": "CNC-01", "name": "CNC 1", "department": "MACH", "capacity_hours_per_shift": "7.5"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["department"] == "MACH"
    assert response.data["capacity_hours_per_shift"] == "7.50"
    assert WorkCenter.objects.get(code="CNC-01").department.code == "MACH"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"department": "NOPE"}, "department"),
        ({"capacity_hours_per_shift": "25"}, "capacity_hours_per_shift"),
        ({"capacity_hours_per_shift": "-1"}, "capacity_hours_per_shift"),
        ({"capacity_hours_per_shift": "8.123"}, "capacity_hours_per_shift"),
        ({"capacity_hours_per_shift": "lots"}, "capacity_hours_per_shift"),
        ({"code": ""}, "code"),
    ],
)
def test_work_center_bad_input_is_field_error(api_as, payload, field):
    DepartmentFactory(code="MACH")
    body = {"code": "CNC-01", "name": "CNC 1", "department": "MACH"} | payload
    response = api_as("planner").post("/api/v1/work-centers/", body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not WorkCenter.objects.exists()


def test_work_center_moves_department_and_filters_by_it(api_as):
    WorkCenterFactory(code="CNC-01", department=DepartmentFactory(code="MACH"))
    WorkCenterFactory(code="WELD-01", department=DepartmentFactory(code="FAB"))
    client = api_as("planner")
    assert client.patch("/api/v1/work-centers/CNC-01/", {"department": "FAB"}, format="json").status_code == 200
    codes = [w["code"] for w in client.get("/api/v1/work-centers/?department=FAB").data["results"]]
    assert codes == ["CNC-01", "WELD-01"]


def test_work_center_list_query_count(api_as, django_assert_max_num_queries):
    for i in range(6):
        WorkCenterFactory(code=f"WC-{i}", department=DepartmentFactory(code=f"D{i}"))
    client = api_as("viewer")
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/work-centers/")
    assert response.data["count"] == 6
    assert {w["department"] for w in response.data["results"]} == {f"D{i}" for i in range(6)}


@pytest.mark.parametrize("role", NOT_PLANNERS)
def test_only_planner_writes_work_centers(api_as, role):
    DepartmentFactory(code="MACH")
    response = api_as(role).post("/api/v1/work-centers/", {"code": "X", "name": "X", "department": "MACH"}, format="json")
    assert response.status_code == 403
    assert api_as(role).get("/api/v1/work-centers/").status_code == 200


# --- shifts ---------------------------------------------------------------------------------


def test_shift_crossing_midnight(api_as):
    response = api_as("planner").post(
        "/api/v1/shifts/", {"code": "NIGHT", "name": "Night", "start_time": "22:00", "end_time": "06:00"}, format="json"
    )
    assert response.status_code == 201, response.data
    assert response.data["crosses_midnight"] is True
    assert Shift.objects.get(code="NIGHT").end_time == dt.time(6)


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"end_time": "06:00"}, "end_time"), ({"start_time": "25:00"}, "start_time"), ({"end_time": "noon"}, "end_time")],
)
def test_shift_bad_times(api_as, payload, field):
    body = {"code": "DAY", "name": "Day", "start_time": "06:00", "end_time": "14:00"} | payload
    response = api_as("planner").post("/api/v1/shifts/", body, format="json")
    assert response.status_code == 400
    assert field in response.data


@pytest.mark.parametrize("role", NOT_PLANNERS)
def test_only_planner_writes_shifts(api_as, role, shifts):
    assert api_as(role).patch("/api/v1/shifts/DAY/", {"name": "Early"}, format="json").status_code == 403
    assert api_as(role).get("/api/v1/shifts/DAY/").data["name"] == "Day"


def test_shift_list_ordered_by_start_time_with_few_queries(api_as, shifts, django_assert_max_num_queries):
    client = api_as("viewer")
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/shifts/")
    assert [s["code"] for s in response.data["results"]] == ["DAY", "SWING", "NIGHT"]


# --- routings -------------------------------------------------------------------------------


def _routing_body(item, **extra):
    return {
        "item": item.sku,
        "revision": "B",
        "steps": [
            {"sequence": 10, "work_center": "CNC-01", "setup_minutes": "15", "run_minutes_per_unit": "1.25"},
            {"sequence": 20, "work_center": "PACK-01", "description": "Pack"},
        ],
    } | extra


@pytest.fixture
def centers(db):
    return [WorkCenterFactory(code="CNC-01"), WorkCenterFactory(code="PACK-01")]


def test_planner_creates_and_releases_routing(api_as, centers):
    item = ItemFactory(sku="BRKT-1")
    client = api_as("planner")
    response = client.post("/api/v1/routings/", _routing_body(item), format="json")
    assert response.status_code == 201, response.data
    assert response.data["status"] == "draft"
    assert [(s["sequence"], s["work_center"]) for s in response.data["steps"]] == [(10, "CNC-01"), (20, "PACK-01")]
    assert response.data["steps"][0]["run_minutes_per_unit"] == "1.2500"
    routing_id = response.data["id"]
    response = client.post(f"/api/v1/routings/{routing_id}/release/", {}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "released"
    # released now: the item can get work orders
    assert client.post("/api/v1/work-orders/", {"item": "BRKT-1", "quantity": "5"}, format="json").status_code == 201


def test_releasing_released_routing_is_409(api_as, centers):
    item = make_routed_item(work_centers=centers)
    routing = Routing.objects.get(item=item)
    response = api_as("planner").post(f"/api/v1/routings/{routing.pk}/release/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "illegal_transition"


def test_routing_new_revision_supersedes_old(api_as, centers):
    item = make_routed_item(work_centers=centers)
    client = api_as("planner")
    new_id = client.post("/api/v1/routings/", _routing_body(item), format="json").data["id"]
    client.post(f"/api/v1/routings/{new_id}/release/", {}, format="json")
    statuses = {r["revision"]: r["status"] for r in client.get(f"/api/v1/routings/?item={item.sku}").data["results"]}
    assert statuses == {"A": "obsolete", "B": "released"}


@pytest.mark.parametrize(
    ("steps", "fragment"),
    [
        ([{"sequence": 10, "work_center": "NOPE"}], "work_center"),
        ([{"sequence": 0, "work_center": "CNC-01"}], "sequence"),
        ([{"sequence": 10, "work_center": "CNC-01", "setup_minutes": "-5"}], "setup_minutes"),
        ([{"sequence": 10, "work_center": "CNC-01", "run_minutes_per_unit": "1.00001"}], "run_minutes_per_unit"),
    ],
)
def test_routing_bad_steps_are_field_errors(api_as, centers, steps, fragment):
    item = ItemFactory()
    response = api_as("planner").post("/api/v1/routings/", _routing_body(item, steps=steps), format="json")
    assert response.status_code == 400
    assert fragment in str(response.data["steps"])
    assert not Routing.objects.exists()


def test_routing_duplicate_sequence_and_unknown_item(api_as, centers):
    client = api_as("planner")
    item = ItemFactory()
    dup = [{"sequence": 10, "work_center": "CNC-01"}, {"sequence": 10, "work_center": "PACK-01"}]
    response = client.post("/api/v1/routings/", _routing_body(item, steps=dup), format="json")
    assert response.status_code == 400
    assert "steps" in response.data
    response = client.post("/api/v1/routings/", _routing_body(item) | {"item": "NO-SUCH-SKU"}, format="json")
    assert response.status_code == 400
    assert "NO-SUCH-SKU" in response.data["item"][0]


def test_released_routing_cannot_be_edited_or_deleted(api_as, centers):
    item = make_routed_item(work_centers=centers)
    routing = Routing.objects.get(item=item)
    client = api_as("planner")
    assert client.patch(f"/api/v1/routings/{routing.pk}/", {"revision": "Z"}, format="json").status_code == 409
    assert client.delete(f"/api/v1/routings/{routing.pk}/").status_code == 409
    assert Routing.objects.get(pk=routing.pk).revision == "A"


def test_draft_routing_edit_and_delete(api_as, centers):
    item = ItemFactory()
    routing = routing_create(actor=None, item=item, revision="A", steps=[{"sequence": 10, "work_center": centers[0]}])
    client = api_as("planner")
    response = client.patch(
        f"/api/v1/routings/{routing.pk}/", {"steps": [{"sequence": 5, "work_center": "PACK-01"}]}, format="json"
    )
    assert response.status_code == 200
    assert [s["work_center"] for s in response.data["steps"]] == ["PACK-01"]
    other = ItemFactory()
    response = client.patch(f"/api/v1/routings/{routing.pk}/", {"item": other.sku}, format="json")
    assert response.status_code == 400
    assert "item" in response.data
    assert client.delete(f"/api/v1/routings/{routing.pk}/").status_code == 204
    assert not Routing.objects.filter(pk=routing.pk).exists()


def test_routing_in_use_by_work_order_cannot_be_deleted(api_as, centers):
    wo = make_work_order(item=make_routed_item(work_centers=centers))
    routing = wo.routing
    # make the pinned routing obsolete so only the reference protects it
    client = api_as("planner")
    new_id = client.post("/api/v1/routings/", _routing_body(wo.item), format="json").data["id"]
    client.post(f"/api/v1/routings/{new_id}/release/", {}, format="json")
    response = client.delete(f"/api/v1/routings/{routing.pk}/")
    assert response.status_code == 409
    assert response.data["code"] == "protected"


@pytest.mark.parametrize("role", NOT_PLANNERS)
def test_only_planner_writes_and_releases_routings(api_as, centers, role):
    item = ItemFactory()
    routing = routing_create(actor=None, item=item, revision="A", steps=[{"sequence": 10, "work_center": centers[0]}])
    client = api_as(role)
    assert client.post("/api/v1/routings/", _routing_body(item), format="json").status_code == 403
    assert client.post(f"/api/v1/routings/{routing.pk}/release/", {}, format="json").status_code == 403
    assert client.delete(f"/api/v1/routings/{routing.pk}/").status_code == 403
    assert Routing.objects.get(pk=routing.pk).status == "draft"


def test_routing_list_query_count(api_as, centers, django_assert_max_num_queries):
    for _ in range(5):
        make_routed_item(work_centers=centers, with_bom=False)
    client = api_as("viewer")
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/routings/")
    assert response.data["count"] == 5
    assert all(len(r["steps"]) == 2 for r in response.data["results"])
    assert Decimal(response.data["results"][0]["steps"][0]["setup_minutes"]) == Decimal("10")


def test_department_list_query_count(api_as, django_assert_max_num_queries):
    DepartmentFactory.create_batch(7)
    client = api_as("viewer")
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/departments/")
    assert response.data["count"] == 7


def test_routing_detail_query_count(api_as, django_assert_max_num_queries):
    item = make_routed_item(work_centers=[WorkCenterFactory(code=f"WC-{i}") for i in range(5)], with_bom=False)
    routing = Routing.objects.get(item=item)
    client = api_as("viewer")
    # token with its user, role permissions (2) + the routing with its item, its steps with their work centers (2)
    with django_assert_max_num_queries(4):
        response = client.get(f"/api/v1/routings/{routing.pk}/")
    assert [s["work_center"] for s in response.data["steps"]] == [f"WC-{i}" for i in range(5)]
