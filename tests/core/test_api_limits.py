"""Inputs that answered 500, and the limits of one API request: each a clear 400/413/404 that
names what was wrong, each limit configurable. Run on PostgreSQL too (``DATABASE_URL``): some of
these only failed there (a numeric or a varchar column overflowing)."""

import json
import time
from decimal import Decimal

import pytest
from django.test import override_settings

from materials.models import BOM, Item
from plant.models import Department
from prodcoord.core.api.parsers import json_depth_exceeds
from tests.api_helpers import build_schema, make_bracket
from tests.factories import ItemFactory, WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders.models import Routing, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(api_as, make_user):
    """A superuser's client that answers a server error with a 500 response instead of raising it."""
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    return build_schema(tmp_path_factory, django_db_blocker)


def post_raw(client, url, body, content_type="application/json", **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


# --- the inputs that answered 500 ------------------------------------------------------------


@pytest.mark.parametrize("value", ["9999-12-31T23:59:59", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_planned_start_at_the_edge_of_the_calendar_is_a_400(admin, shifts, value):
    make_bracket()
    response = admin.post("/api/v1/work-orders/", {"item": "BRKT-100", "quantity": "1", "planned_start": value}, format="json")
    assert response.status_code == 400
    assert response.json() == {"planned_start": ["Give a date and time between 0001-01-03 and 9999-12-29."]}
    assert not WorkOrder.objects.exists()


def test_rescheduling_to_the_end_of_the_calendar_is_a_400(admin, shifts):
    wo = make_work_order(item=make_bracket())
    response = admin.patch(
        f"/api/v1/work-orders/{wo.number}/", {"planned_end": "9999-12-31T23:59:59", "reason": "Later"}, format="json"
    )
    assert response.status_code == 400
    assert "planned_end" in response.json()


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-02T12:00:00"])
def test_reported_at_at_the_start_of_the_calendar_is_a_400(admin, shifts, value):
    wo = make_work_order(item=make_bracket(), status="released")
    response = admin.post(
        f"/api/v1/work-orders/{wo.number}/progress/", {"operation": 10, "quantity_good": "1", "reported_at": value}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["reported_at"]
    assert not wo.production_reports.exists()


def test_a_date_just_inside_the_calendar_is_taken(admin, shifts, settings):
    settings.PLAN_DATES_YEARS_AHEAD = 8000  # the calendar's edge, not the plan-date window, is what is tested
    make_bracket()
    body = {"item": "BRKT-100", "quantity": "1", "planned_start": "9999-12-29T00:00:00", "planned_end": "9999-12-29T12:00:00"}
    response = admin.post("/api/v1/work-orders/", body, format="json")
    assert response.status_code == 201, response.content


def test_json_nested_100000_deep_is_a_400_naming_the_limit(admin):
    response = post_raw(admin, "/api/v1/departments/", "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON nested deeper than the limit of 20 levels (API_MAX_JSON_DEPTH)."}


def test_quantity_whose_planned_run_minutes_overflow_is_a_400(admin, shifts):
    make_bracket()  # 2 run minutes per unit: 99,999,999,999 units plan 199,999,999,998 minutes
    response = admin.post("/api/v1/work-orders/", {"item": "BRKT-100", "quantity": "99999999999"}, format="json")
    assert response.status_code == 400
    assert "run minutes" in response.json()["quantity"][0]
    assert not WorkOrder.objects.exists()


def test_raising_a_quantity_until_the_run_minutes_overflow_is_a_400(admin, shifts):
    wo = make_work_order(item=make_bracket())
    response = admin.patch(f"/api/v1/work-orders/{wo.number}/", {"quantity": "99999999999"}, format="json")
    assert response.status_code == 400
    assert "run minutes" in response.json()["quantity"][0]
    wo.refresh_from_db()
    assert wo.quantity == Decimal("100")


def test_scrap_beyond_the_largest_quantity_is_a_400(admin, shifts):
    # An order as large as a quantity holds (no run time to overflow): its first operation may
    # scrap the whole quantity, again and again, until the scrap total would pass the largest.
    item = make_routed_item(uom="kg", run_minutes_per_unit=Decimal("0"))
    wo = make_work_order(item=item, status="released", quantity=Decimal("99999999999.999"))
    scrap_reason(code="BURR")
    url = f"/api/v1/work-orders/{wo.number}/progress/"
    body = {"operation": 10, "quantity_scrap": "99999999999.999", "scrap_reason": "BURR"}
    assert admin.post(url, body, format="json").status_code == 201
    response = admin.post(url, body, format="json")
    assert response.status_code == 400
    assert "largest quantity" in response.json()["quantity_scrap"][0]
    assert wo.production_reports.count() == 1


def test_idempotency_key_on_a_500_character_path_is_a_404(admin):
    response = admin.post("/api/v1/departments/" + "x" * 500 + "/", {"code": "X"}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- the API takes JSON only -------------------------------------------------------------------


def test_multipart_post_is_a_415_and_creates_nothing(admin):
    response = admin.post("/api/v1/departments/", {"code": "MP", "name": "Multipart"}, format="multipart")
    assert response.status_code == 415
    assert not Department.objects.exists()


def test_form_post_is_a_415(admin):
    response = post_raw(admin, "/api/v1/items/", "sku=F1&name=Form&kind=raw", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert not Item.objects.exists()


def test_every_request_body_is_declared_as_json_only(schema):
    bodies = [
        (path, method, op["requestBody"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if "requestBody" in op
    ]
    assert len(bodies) > 20
    for path, method, body in bodies:
        assert list(body["content"]) == ["application/json"], (method, path)


# --- body size ---------------------------------------------------------------------------------


@override_settings(API_MAX_BODY_BYTES=1000)
@pytest.mark.parametrize("key", [None, "big-1"])
def test_body_over_the_limit_is_a_413_naming_it(admin, key):
    body = json.dumps({"code": "BIG", "name": "x" * 2000})
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = post_raw(admin, "/api/v1/departments/", body, **extra)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the limit of 1000 bytes (API_MAX_BODY_BYTES)."}
    assert not Department.objects.exists()


@override_settings(API_MAX_BODY_BYTES=1000)
def test_body_within_the_limit_is_read(admin):
    response = admin.post("/api/v1/departments/", {"code": "SMALL", "name": "x" * 100, "is_active": True}, format="json")
    assert response.status_code == 201


def test_parser_counts_the_bytes_it_reads_without_a_content_length(admin, rf):
    from io import BytesIO

    from prodcoord.core.api.limits import RequestBodyTooLarge
    from prodcoord.core.api.parsers import JSONParser

    with override_settings(API_MAX_BODY_BYTES=10), pytest.raises(RequestBodyTooLarge):
        JSONParser().parse(BytesIO(b'{"name": "more than ten bytes"}'), "application/json", {})


# --- JSON depth ----------------------------------------------------------------------------------


@override_settings(API_MAX_JSON_DEPTH=3)
def test_json_depth_limit_is_configurable(admin):
    deep = {"code": "D", "name": "n", "x": [[["too deep"]]]}
    response = admin.post("/api/v1/departments/", deep, format="json")
    assert response.json() == {"detail": "JSON nested deeper than the limit of 3 levels (API_MAX_JSON_DEPTH)."}
    shallow = {"code": "D", "name": "[[[[[[ brackets in a string do not count {{{{"}
    assert admin.post("/api/v1/departments/", shallow, format="json").status_code == 201


@pytest.mark.parametrize(
    ("text", "limit", "deeper"),
    [
        ("[[[]]]", 2, True),
        ("[[[]]]", 3, False),
        ('["[[[[", {"a": [1]}]', 3, False),
        ('["[[[[", {"a": [1]}]', 2, True),
        ('[["\\"[[[["]]', 2, False),
        ('{"a": {"b": {"c": {}}}}', 3, True),
        ('["never closed [[[[[[', 1, False),
        ("[]" * 1000, 1, False),
    ],
)
def test_json_depth_is_measured_outside_strings(text, limit, deeper):
    assert json_depth_exceeds(text, limit) is deeper


# --- lines per BOM, steps per routing ---------------------------------------------------------


def _parts(count):
    ItemFactory(sku="FRAME-1", kind=Item.Kind.FINISHED)
    return [{"component": f"P-{i}", "quantity_per": "1"} for i in range(count)]


@override_settings(BOM_MAX_LINES=2)
def test_bom_with_more_lines_than_the_limit_is_a_400_naming_it(admin, django_assert_max_num_queries):
    lines = _parts(3)  # the components do not even exist: the count is refused before any line is read
    with django_assert_max_num_queries(6):
        response = admin.post("/api/v1/boms/", {"item": "FRAME-1", "revision": "A", "lines": lines}, format="json")
    assert response.status_code == 400
    assert response.json() == {"lines": ["At most 2 lines per BOM (BOM_MAX_LINES); this list has 3."]}
    assert not BOM.objects.exists()


@override_settings(BOM_MAX_LINES=2)
def test_bom_service_obeys_the_line_limit_for_every_caller():
    from django.core.exceptions import ValidationError

    from materials import services

    item = ItemFactory()
    parts = [{"component": ItemFactory(kind="raw"), "quantity_per": 1} for _ in range(3)]
    with pytest.raises(ValidationError) as exc:
        services.boms_create(actor=None, rows=[{"item": item, "revision": "A", "lines": parts}])
    assert "At most 2 lines per BOM (BOM_MAX_LINES)" in str(exc.value)
    assert not BOM.objects.exists()


@override_settings(ROUTING_MAX_STEPS=2)
def test_routing_service_obeys_the_step_limit_for_every_caller():
    from django.core.exceptions import ValidationError

    from workorders import services

    wc = WorkCenterFactory()
    steps = [{"sequence": 10 * (i + 1), "work_center": wc} for i in range(3)]
    with pytest.raises(ValidationError) as exc:
        services.routing_create(actor=None, item=ItemFactory(), revision="A", steps=steps)
    assert exc.value.message_dict == {"steps": ["At most 2 steps per routing (ROUTING_MAX_STEPS); this one has 3."]}


@override_settings(API_MAX_BODY_BYTES=10_000_000)
def test_a_50000_step_routing_is_refused_at_once(admin, django_assert_max_num_queries):
    WorkCenterFactory(code="CNC-01")
    item = ItemFactory()
    steps = [{"sequence": i + 1, "work_center": "CNC-01"} for i in range(50_000)]
    started = time.monotonic()
    with django_assert_max_num_queries(6):
        response = admin.post("/api/v1/routings/", {"item": item.sku, "revision": "A", "steps": steps}, format="json")
    assert time.monotonic() - started < 5
    assert response.status_code == 400
    assert response.json() == {"steps": ["At most 500 steps per routing (ROUTING_MAX_STEPS); this list has 50000."]}
    assert not Routing.objects.exists()


def test_limits_are_documented_in_the_schema(schema):
    components = schema["components"]["schemas"]
    assert components["BOMInputRequest"]["properties"]["lines"]["maxItems"] == 1000
    assert components["RoutingInputRequest"]["properties"]["steps"]["maxItems"] == 500
    post = schema["paths"]["/api/v1/boms/"]["post"]["responses"]
    assert {"413", "415"} <= set(post)


# --- page size ---------------------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["501", "99999999999999999999", "9" * 5000])
def test_page_size_over_the_limit_is_a_400_naming_it(api_as, page_size):
    response = api_as("planner").get("/api/v1/departments/", {"page_size": page_size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["At most 500 results per page (API_MAX_PAGE_SIZE); ask for the next page."]}


@override_settings(API_MAX_PAGE_SIZE=10)
def test_page_size_limit_is_configurable(api_as, tmp_path_factory, django_db_blocker):
    client = api_as("planner")
    assert client.get("/api/v1/items/", {"page_size": "10"}).status_code == 200
    assert client.get("/api/v1/items/", {"page_size": "0010"}).status_code == 200
    assert "At most 10 results" in client.get("/api/v1/items/", {"page_size": "11"}).json()["page_size"][0]
    operation = build_schema(tmp_path_factory, django_db_blocker)["paths"]["/api/v1/items/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["page_size"]["schema"]["maximum"] == 10


def test_page_size_maximum_is_documented(schema):
    for path, ops in schema["paths"].items():
        for parameter in ops.get("get", {}).get("parameters", []):
            if parameter["name"] == "page_size":
                assert parameter["schema"]["maximum"] == 500, path


# --- ordering ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/v1/departments/", "/api/v1/items/", "/api/v1/holds/", "/api/v1/events/"])
def test_unknown_ordering_is_a_400(api_as, url):
    response = api_as("planner").get(url, {"ordering": "password"})
    assert response.status_code == 400
    assert "password" in response.json()["ordering"][0]


def test_ordering_is_comma_separated_or_repeated(api_as):
    for code, name in [("A", "x"), ("B", "y"), ("C", "x")]:
        Department.objects.create(code=code, name=name)
    client = api_as("planner")
    expected = ["C", "A", "B"]  # by name, then by code descending
    assert [d["code"] for d in client.get("/api/v1/departments/?ordering=name,-code").json()["results"]] == expected
    assert [d["code"] for d in client.get("/api/v1/departments/?ordering=name&ordering=-code").json()["results"]] == expected


def test_ordering_values_are_documented(schema):
    for path, ops in schema["paths"].items():
        for parameter in ops.get("get", {}).get("parameters", []):
            if parameter["name"] == "ordering":
                values = parameter["schema"]["items"]["enum"]
                assert values and all(f"-{v}" in values for v in values if not v.startswith("-")), path
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/work-orders/"]["get"]["parameters"]}
    assert {"priority", "-due_date", "number"} <= set(parameters["ordering"]["schema"]["items"]["enum"])


# --- the schema declares Idempotency-Key on every POST -------------------------------------------


def test_idempotency_key_is_declared_on_every_post(schema):
    posts = [(path, ops["post"]) for path, ops in schema["paths"].items() if "post" in ops]
    for path, op in posts:
        headers = [p for p in op.get("parameters", []) if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        if path == "/api/v1/auth/token/":  # no user yet, so nothing to remember a key for
            assert not headers
            continue
        assert len(headers) == 1, path
        assert headers[0]["schema"]["maxLength"] == 200


# --- natural keys: what the schema promises, the API takes -----------------------------------------


@pytest.mark.parametrize("code", [".", ".."])
def test_a_code_that_a_url_resolves_away_is_refused(admin, code):
    response = admin.post("/api/v1/departments/", {"code": code, "name": "Dots"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


def test_natural_keys_are_documented_without_a_slash(schema):
    import re

    components = schema["components"]["schemas"]
    for component, field in [
        ("DepartmentRequest", "code"),
        ("WorkCenterRequest", "code"),
        ("ShiftRequest", "code"),
        ("ItemRequest", "sku"),
    ]:
        pattern = components[component]["properties"][field]["pattern"].replace("\\u00", "\\x")
        assert re.fullmatch(pattern, "CNC-01") and not re.fullmatch(pattern, "A/B"), component
    parameter = schema["paths"]["/api/v1/items/{sku}/"]["get"]["parameters"][0]
    assert not re.fullmatch(parameter["schema"]["pattern"], "..")


# --- nested errors come back per row, like the input ----------------------------------------------


def test_bom_line_errors_found_by_the_service_come_back_per_row(admin):
    ItemFactory(sku="FRAME-1", kind=Item.Kind.FINISHED)
    ItemFactory(sku="STEEL-10", kind=Item.Kind.RAW)
    lines = [
        {"component": "STEEL-10", "quantity_per": "1"},
        {"component": "STEEL-10", "quantity_per": "2"},
        {"component": "FRAME-1", "quantity_per": "1"},
    ]
    response = admin.post("/api/v1/boms/", {"item": "FRAME-1", "revision": "A", "lines": lines}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "lines": [
            {},
            {"component": ["STEEL-10 appears more than once; combine the lines."]},
            {"component": ["An item cannot be a component of itself."]},
        ]
    }


def test_bom_line_errors_found_by_the_serializer_come_back_per_row(admin):
    ItemFactory(sku="FRAME-1", kind=Item.Kind.FINISHED)
    ItemFactory(sku="STEEL-10", kind=Item.Kind.RAW)
    lines = [{"component": "STEEL-10", "quantity_per": "1"}, {"component": "STEEL-10", "quantity_per": "0"}]
    response = admin.post("/api/v1/boms/", {"item": "FRAME-1", "revision": "A", "lines": lines}, format="json")
    body = response.json()
    assert body["lines"][0] == {}
    assert list(body["lines"][1]) == ["quantity_per"]


def test_routing_step_errors_come_back_per_row(admin):
    WorkCenterFactory(code="CNC-01")
    WorkCenterFactory(code="OLD", is_active=False)
    item = ItemFactory()
    steps = [{"sequence": 10, "work_center": "CNC-01"}, {"sequence": 10, "work_center": "OLD"}]
    response = admin.post("/api/v1/routings/", {"item": item.sku, "revision": "A", "steps": steps}, format="json")
    assert response.status_code == 400
    assert response.json() == {"steps": [{}, {"sequence": ["10 is used twice."], "work_center": ["OLD is inactive."]}]}


def test_a_list_that_is_not_a_list_is_a_list_of_messages(admin):
    ItemFactory(sku="FRAME-1")
    response = admin.post("/api/v1/boms/", {"item": "FRAME-1", "revision": "A", "lines": "many"}, format="json")
    assert response.json() == {"lines": ["Give the lines as a list."]}


def test_a_row_that_is_no_object_answers_with_its_messages(admin):
    ItemFactory(sku="FRAME-1")
    ItemFactory(sku="STEEL-10", kind=Item.Kind.RAW)
    lines = [{"component": "STEEL-10", "quantity_per": "1"}, None, "x"]
    response = admin.post("/api/v1/boms/", {"item": "FRAME-1", "revision": "A", "lines": lines}, format="json")
    body = response.json()["lines"]
    assert body[0] == {}
    assert list(body[1]) == list(body[2]) == ["non_field_errors"]
