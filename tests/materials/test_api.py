"""Items and BOMs over the API."""

from decimal import Decimal

import pytest

from materials.models import BOM, Item
from materials.services import bom_create, bom_release
from prodcoord.events.models import Event
from tests.factories import ItemFactory, make_routed_item, make_work_order

pytestmark = pytest.mark.django_db

# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]
NOT_PLANNERS = ["viewer", "supervisor", "coordinator"]


# --- items ----------------------------------------------------------------------------


def test_planner_creates_item(api_as):
    client = api_as("planner")
    body = {
        "sku": "STEEL-10",
        "name": "Steel sheet 10mm",
        "kind": "raw",
        "uom": "kg",
        "lead_time_days": 5,
        "safety_stock": "12.5",
    }
    response = client.post("/api/v1/items/", body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["safety_stock"] == "12.500"
    assert response.data["uom"] == "kg"
    assert Item.objects.get(sku="STEEL-10").lead_time_days == 5
    assert Event.objects.filter(verb="item.created", object_repr="STEEL-10").exists()


def test_item_defaults(api_as):
    response = api_as("planner").post("/api/v1/items/", {"sku": "BOLT-1", "name": "Bolt", "kind": "component"}, format="json")
    assert response.status_code == 201
    assert response.data["uom"] == "ea"
    assert response.data["safety_stock"] == "0.000"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "gadget"}, "kind"),
        ({"uom": "parsec"}, "uom"),
        ({"lead_time_days": -1}, "lead_time_days"),
        ({"lead_time_days": "soon"}, "lead_time_days"),
        ({"safety_stock": "-2"}, "safety_stock"),
        ({"safety_stock": "1.2345"}, "safety_stock"),
        ({"sku": ""}, "sku"),
        ({"sku": "S" * 41}, "sku"),
        ({"name": ""}, "name"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_item_bad_input_is_field_error(api_as, payload, field):
    body = {"sku": "NEW-1", "name": "New", "kind": "raw"} | payload
    response = api_as("planner").post("/api/v1/items/", body, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not Item.objects.exists()


def test_duplicate_sku_is_field_error(api_as):
    ItemFactory(sku="DUP")
    response = api_as("planner").post("/api/v1/items/", {"sku": "DUP", "name": "x", "kind": "raw"}, format="json")
    assert response.status_code == 400
    assert "sku" in response.data


def test_item_by_sku_updated_and_filtered(api_as):
    ItemFactory(sku="M8-1_25", name="Bolt M8", kind="component")
    ItemFactory(sku="PAINT-RED", name="Red paint", kind="supply", is_active=False)
    client = api_as("planner")
    response = client.patch("/api/v1/items/M8-1_25/", {"lead_time_days": 3}, format="json")
    assert response.status_code == 200
    assert response.data["lead_time_days"] == 3
    assert [i["sku"] for i in client.get("/api/v1/items/?kind=supply").data["results"]] == ["PAINT-RED"]
    assert [i["sku"] for i in client.get("/api/v1/items/?kind=component,supply&is_active=true").data["results"]] == ["M8-1_25"]
    assert [i["sku"] for i in client.get("/api/v1/items/?search=bolt").data["results"]] == ["M8-1_25"]
    assert client.get("/api/v1/items/?kind=gadget").status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_item_permissions_by_role(api_as, role):
    ItemFactory(sku="OLD")
    client = api_as(role)
    assert client.get("/api/v1/items/").status_code == 200
    assert client.get("/api/v1/items/OLD/").status_code == 200
    create = client.post("/api/v1/items/", {"sku": "NEW", "name": "n", "kind": "raw"}, format="json")
    change = client.patch("/api/v1/items/OLD/", {"name": "renamed"}, format="json")
    expected = 201 if role == "planner" else 403
    assert create.status_code == expected
    assert change.status_code == (200 if role == "planner" else 403)
    # deleting master data is not part of any role (deactivate with is_active=false)
    assert client.delete("/api/v1/items/OLD/").status_code == 403


def test_admin_deletes_unused_item_but_not_one_in_a_bom(api_as, make_user):
    client = api_as(user=make_user(is_superuser=True))
    ItemFactory(sku="LONELY")
    parent, component = ItemFactory(sku="P"), ItemFactory(sku="C")
    bom_create(actor=None, item=parent, revision="A", lines=[{"component": component, "quantity_per": Decimal("1")}])
    assert client.delete("/api/v1/items/LONELY/").status_code == 204
    response = client.delete("/api/v1/items/C/")
    assert response.status_code == 409
    assert Item.objects.filter(sku="C").exists()


def test_items_unauthenticated(api_client):
    assert api_client.get("/api/v1/items/").status_code == 401


def test_item_list_query_count(api_as, assert_query_baseline):
    ItemFactory.create_batch(8)
    client = api_as("viewer")
    with assert_query_baseline("api: items list"):
        response = client.get("/api/v1/items/")
    assert response.data["count"] == 8


# --- BOMs -----------------------------------------------------------------------------------


@pytest.fixture
def parts(db):
    return {
        "item": ItemFactory(sku="FRAME-1"),
        "steel": ItemFactory(sku="STEEL-10", kind="raw", uom="kg"),
        "bolt": ItemFactory(sku="BOLT-M8", kind="component"),
    }


def _bom_body(**extra):
    return {
        "item": "FRAME-1",
        "revision": "A",
        "lines": [
            {"component": "STEEL-10", "quantity_per": "2.5", "scrap_pct": "3"},
            {"component": "BOLT-M8", "quantity_per": "4"},
        ],
    } | extra


def test_planner_creates_and_releases_bom(api_as, parts):
    client = api_as("planner")
    response = client.post("/api/v1/boms/", _bom_body(), format="json")
    assert response.status_code == 201, response.data
    assert response.data["item"] == "FRAME-1"
    assert response.data["status"] == "draft"
    assert response.data["lines"] == [
        {"component": "STEEL-10", "quantity_per": "2.500", "scrap_pct": "3.00"},
        {"component": "BOLT-M8", "quantity_per": "4.000", "scrap_pct": "0.00"},
    ]
    response = client.post(f"/api/v1/boms/{response.data['id']}/release/", {"reason": "First article approved"}, format="json")
    assert response.status_code == 200
    assert response.data["status"] == "released"
    assert response.data["released_at"] is not None


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        ([{"component": "NOPE", "quantity_per": "1"}], "NOPE"),
        ([{"component": "STEEL-10", "quantity_per": "0"}], "quantity_per"),
        ([{"component": "STEEL-10", "quantity_per": "-1"}], "quantity_per"),
        ([{"component": "STEEL-10", "quantity_per": "1.00001"}], "quantity_per"),
        ([{"component": "STEEL-10", "quantity_per": "1", "scrap_pct": "100"}], "scrap_pct"),
        ([{"component": "STEEL-10", "quantity_per": "1", "scrap_pct": "-1"}], "scrap_pct"),
        ([{"component": "FRAME-1", "quantity_per": "1"}], "itself"),
        ([{"component": "STEEL-10", "quantity_per": "1"}, {"component": "STEEL-10", "quantity_per": "2"}], "more than once"),
        ([{"component": "STEEL-10"}], "quantity_per"),
        ("not a list", "list"),
    ],
)
def test_bom_bad_lines_are_field_errors_and_write_nothing(api_as, parts, lines, fragment):
    response = api_as("planner").post("/api/v1/boms/", _bom_body(lines=lines), format="json")
    assert response.status_code == 400, response.data
    assert fragment in str(response.data["lines"])
    assert not BOM.objects.exists()


def test_bom_unknown_item_and_duplicate_revision(api_as, parts):
    client = api_as("planner")
    response = client.post("/api/v1/boms/", _bom_body(item="GHOST"), format="json")
    assert response.status_code == 400
    assert "item" in response.data
    assert client.post("/api/v1/boms/", _bom_body(), format="json").status_code == 201
    response = client.post("/api/v1/boms/", _bom_body(), format="json")
    assert response.status_code == 400
    assert "revision" in response.data


def test_bom_status_cannot_be_written(api_as, parts):
    response = api_as("planner").post("/api/v1/boms/", _bom_body(status="released"), format="json")
    assert response.status_code == 400
    assert "release action" in response.data["status"][0]


def test_bom_cycle_is_refused_on_release(api_as, parts):
    client = api_as("planner")
    sub = bom_create(actor=None, item=parts["steel"], revision="A", lines=[{"component": parts["item"], "quantity_per": 1}])
    bom_release(actor=None, bom=sub)
    bom_id = client.post("/api/v1/boms/", _bom_body(), format="json").data["id"]
    response = client.post(f"/api/v1/boms/{bom_id}/release/", {}, format="json")
    assert response.status_code == 400
    assert "cycle" in str(response.data["lines"])
    assert BOM.objects.get(pk=bom_id).status == "draft"


def test_draft_bom_replaced_lines_and_released_bom_frozen(api_as, parts):
    client = api_as("planner")
    bom_id = client.post("/api/v1/boms/", _bom_body(), format="json").data["id"]
    response = client.put(
        f"/api/v1/boms/{bom_id}/",
        _bom_body(revision="A1", lines=[{"component": "BOLT-M8", "quantity_per": "6"}]),
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["revision"] == "A1"
    assert [line["component"] for line in response.data["lines"]] == ["BOLT-M8"]
    client.post(f"/api/v1/boms/{bom_id}/release/", {}, format="json")
    response = client.patch(f"/api/v1/boms/{bom_id}/", {"revision": "B"}, format="json")
    assert response.status_code == 409
    assert client.post(f"/api/v1/boms/{bom_id}/release/", {}, format="json").status_code == 409
    assert client.delete(f"/api/v1/boms/{bom_id}/").status_code == 409


def test_obsolete_bom_pinned_by_work_order_cannot_be_deleted(api_as):
    wo = make_work_order(item=make_routed_item())
    old = wo.bom
    client = api_as("planner")
    new = bom_create(actor=None, item=wo.item, revision="B", lines=[{"component": ItemFactory(), "quantity_per": 1}])
    bom_release(actor=None, bom=new)
    response = client.delete(f"/api/v1/boms/{old.pk}/")
    assert response.status_code == 409
    assert response.data["code"] == "protected"
    assert BOM.objects.filter(pk=old.pk).exists()


def test_draft_bom_deleted(api_as, parts):
    client = api_as("planner")
    bom_id = client.post("/api/v1/boms/", _bom_body(), format="json").data["id"]
    assert client.delete(f"/api/v1/boms/{bom_id}/").status_code == 204
    assert not BOM.objects.exists()
    assert Event.objects.filter(verb="bom.deleted").exists()


@pytest.mark.parametrize("role", NOT_PLANNERS)
def test_only_planner_writes_boms(api_as, parts, role):
    bom = bom_create(actor=None, item=parts["item"], revision="A", lines=[{"component": parts["bolt"], "quantity_per": 1}])
    client = api_as(role)
    assert client.get(f"/api/v1/boms/{bom.pk}/").status_code == 200
    assert client.post("/api/v1/boms/", _bom_body(revision="B"), format="json").status_code == 403
    assert client.patch(f"/api/v1/boms/{bom.pk}/", {"revision": "Z"}, format="json").status_code == 403
    assert client.post(f"/api/v1/boms/{bom.pk}/release/", {}, format="json").status_code == 403
    assert client.delete(f"/api/v1/boms/{bom.pk}/").status_code == 403
    bom.refresh_from_db()
    assert (bom.revision, bom.status) == ("A", "draft")


def test_bom_list_filters_and_query_count(api_as, parts, assert_query_baseline):
    for i in range(5):
        bom_create(
            actor=None,
            item=ItemFactory(sku=f"ASSY-{i}"),
            revision="A",
            lines=[{"component": parts["steel"], "quantity_per": 1}, {"component": parts["bolt"], "quantity_per": 2}],
        )
    client = api_as("viewer")
    with assert_query_baseline("api: boms list"):
        response = client.get("/api/v1/boms/")
    assert response.data["count"] == 5
    assert all(len(b["lines"]) == 2 for b in response.data["results"])
    assert client.get("/api/v1/boms/?item=ASSY-3").data["count"] == 1
    assert client.get("/api/v1/boms/?component=BOLT-M8").data["count"] == 5
    assert client.get("/api/v1/boms/?status=released").data["count"] == 0


def test_bom_item_cannot_change(api_as, parts):
    client = api_as("planner")
    bom_id = client.post("/api/v1/boms/", _bom_body(), format="json").data["id"]
    response = client.patch(f"/api/v1/boms/{bom_id}/", {"item": "BOLT-M8"}, format="json")
    assert response.status_code == 400
    assert "cannot change" in response.data["item"][0]
    assert BOM.objects.get(pk=bom_id).item == parts["item"]
    assert client.patch(f"/api/v1/boms/{bom_id}/", {"item": "FRAME-1", "revision": "A2"}, format="json").status_code == 200


def test_bom_detail_query_count(api_as, parts, assert_query_baseline):
    components = [ItemFactory(sku=f"PART-{i}") for i in range(6)]
    bom = bom_create(
        actor=None, item=parts["item"], revision="A", lines=[{"component": c, "quantity_per": 1} for c in components]
    )
    client = api_as("viewer")
    # token with its user, role permissions + the BOM with its item, its lines with their components
    with assert_query_baseline("api: boms detail"):
        response = client.get(f"/api/v1/boms/{bom.pk}/")
    assert [line["component"] for line in response.data["lines"]] == [f"PART-{i}" for i in range(6)]
