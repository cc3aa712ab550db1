"""The OpenAPI schema describes the API exactly and builds without warnings."""

import pytest

from tests.api_helpers import build_schema
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order

pytestmark = pytest.mark.django_db

PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/departments/",
    "/api/v1/departments/{code}/",
    "/api/v1/work-centers/{code}/",
    "/api/v1/shifts/{code}/",
    "/api/v1/items/{sku}/",
    "/api/v1/boms/{id}/release/",
    "/api/v1/routings/{id}/release/",
    "/api/v1/work-orders/",
    "/api/v1/work-orders/{number}/",
    "/api/v1/work-orders/{number}/release/",
    "/api/v1/work-orders/{number}/start/",
    "/api/v1/work-orders/{number}/complete/",
    "/api/v1/work-orders/{number}/close/",
    "/api/v1/work-orders/{number}/cancel/",
    "/api/v1/work-orders/{number}/progress/",
    "/api/v1/work-orders/{number}/holds/",
    "/api/v1/holds/",
    "/api/v1/holds/{id}/release/",
    "/api/v1/production-reports/",
    "/api/v1/production-reports/{id}/",
    "/api/v1/production-reports/{id}/reverse/",
    "/api/v1/scrap-reasons/",
    "/api/v1/scrap-reasons/{code}/",
    "/api/v1/events/",
]


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    return build_schema(tmp_path_factory, django_db_blocker)


def test_schema_builds_without_warnings_and_has_every_endpoint(schema):
    for path in PATHS:
        assert path in schema["paths"], path


def test_schema_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/work-orders/" in response.content


def test_actions_document_their_bodies(schema):
    paths = schema["paths"]
    progress = paths["/api/v1/work-orders/{number}/progress/"]["post"]
    assert progress["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProgressRequest")
    assert progress["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProductionReport")
    assert "409" in progress["responses"]
    holds = paths["/api/v1/work-orders/{number}/holds/"]
    assert holds["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/HoldPlaceRequest")
    assert holds["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/PaginatedHoldList")
    patch = paths["/api/v1/work-orders/{number}/"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PatchedWorkOrderUpdateRequest")
    filters = {p["name"] for p in paths["/api/v1/work-orders/"]["get"]["parameters"]}
    assert {"status", "item", "work_center", "priority", "on_hold", "due_before", "due_after", "search", "ordering"} <= filters


def test_work_order_schema_matches_what_the_api_returns(schema, api_as):
    wo = make_work_order(item=make_routed_item(work_centers=[WorkCenterFactory()]))
    client = api_as("viewer")
    listed = client.get("/api/v1/work-orders/").json()["results"][0]
    detail = client.get(f"/api/v1/work-orders/{wo.number}/").json()
    components = schema["components"]["schemas"]
    assert set(listed) == set(detail) == set(components["WorkOrder"]["properties"])
    assert set(listed["operations"][0]) == set(components["Operation"]["properties"])
    assert set(components["WorkOrderStatusEnum"]["enum"]) == {
        "draft",
        "released",
        "in_progress",
        "completed",
        "closed",
        "cancelled",
    }


def test_production_report_schema_matches_what_the_api_returns(schema, api_as, shifts):
    from workorders.services import operation_report_progress, production_report_reverse

    wo = make_work_order(item=make_routed_item(work_centers=[WorkCenterFactory()]), status="in_progress")
    report = operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=2)
    production_report_reverse(report=report, actor=None, reason="Keyed in twice")
    rows = api_as("viewer").get("/api/v1/production-reports/").json()["results"]
    components = schema["components"]["schemas"]
    assert all(set(row) == set(components["ProductionReport"]["properties"]) for row in rows)
    reverse = schema["paths"]["/api/v1/production-reports/{id}/reverse/"]["post"]
    assert reverse["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReverseRequest")
    assert {"201", "400", "403", "404", "409"} <= set(reverse["responses"])
    progress = components["ProgressRequest"]["properties"]
    assert progress["scrap_reason"]["nullable"] is True
    filters = {p["name"] for p in schema["paths"]["/api/v1/production-reports/"]["get"]["parameters"]}
    assert {"work_order", "work_center", "shift", "shift_date", "shift_date_after", "shift_date_before"} <= filters
    assert {"reported_after", "reported_before", "reported_by", "scrap_reason", "ordering"} <= filters
