"""Departments, work centers and shifts over the API."""

import datetime as dt

import pytest

from plant.models import Department, Shift, WorkCenter
from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, WorkCenterFactory

pytestmark = pytest.mark.django_db

# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]
NOT_PLANNERS = ["viewer", "supervisor", "coordinator"]


# --- departments ----------------------------------------------------------------------


def test_planner_creates_department_and_it_is_recorded(api_as):
    client = api_as("planner")
    response = client.post("/api/v1/departments/", {"code": "MACH", "name": "Machining"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["code"] == "MACH"
    assert response.data["is_active"] is True
    assert Event.objects.filter(verb="department.created", object_repr="MACH", actor=client.user).exists()


def test_department_retrieved_and_updated_by_code(api_as):
    DepartmentFactory(code="ASSY_1", name="Assembly")
    client = api_as("planner")
    assert client.get("/api/v1/departments/ASSY_1/").data["name"] == "Assembly"
    response = client.patch("/api/v1/departments/ASSY_1/", {"name": "Final assembly"}, format="json")
    assert response.status_code == 200
    assert Department.objects.get(code="ASSY_1").name == "Final assembly"


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


def test_work_center_list_query_count(api_as, assert_query_baseline):
    for i in range(6):
        WorkCenterFactory(code=f"WC-{i}", department=DepartmentFactory(code=f"D{i}"))
    client = api_as("viewer")
    with assert_query_baseline("api: work-centers list"):
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


def test_shift_list_ordered_by_start_time_and_query_count(api_as, shifts, assert_query_baseline):
    client = api_as("viewer")
    with assert_query_baseline("api: shifts list"):
        response = client.get("/api/v1/shifts/")
    assert [s["code"] for s in response.data["results"]] == ["DAY", "SWING", "NIGHT"]


def test_department_list_query_count(api_as, assert_query_baseline):
    DepartmentFactory.create_batch(7)
    client = api_as("viewer")
    with assert_query_baseline("api: departments list"):
        response = client.get("/api/v1/departments/")
    assert response.data["count"] == 7
