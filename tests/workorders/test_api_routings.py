"""Routings over the API."""

from decimal import Decimal

import pytest

from tests.factories import ItemFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders.models import Routing
from workorders.services import routing_create

pytestmark = pytest.mark.django_db

ROLES = ["viewer", "operator", "supervisor", "coordinator", "planner"]
NOT_PLANNERS = ["viewer", "operator", "supervisor", "coordinator"]


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


def test_routing_list_query_count(api_as, centers, assert_query_baseline):
    for _ in range(5):
        make_routed_item(work_centers=centers, with_bom=False)
    client = api_as("viewer")
    with assert_query_baseline("api: routings list"):
        response = client.get("/api/v1/routings/")
    assert response.data["count"] == 5
    assert all(len(r["steps"]) == 2 for r in response.data["results"])
    assert Decimal(response.data["results"][0]["steps"][0]["setup_minutes"]) == Decimal("10")


def test_routing_detail_query_count(api_as, assert_query_baseline):
    item = make_routed_item(work_centers=[WorkCenterFactory(code=f"WC-{i}") for i in range(5)], with_bom=False)
    routing = Routing.objects.get(item=item)
    client = api_as("viewer")
    # token with its user, role permissions + the routing with its item, its steps with their work centers
    with assert_query_baseline("api: routings detail"):
        response = client.get(f"/api/v1/routings/{routing.pk}/")
    assert [s["work_center"] for s in response.data["steps"]] == [f"WC-{i}" for i in range(5)]
