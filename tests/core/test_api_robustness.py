"""Hostile and malformed input gets a 4xx answer, never a 500, and the schema says so."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from prodcoord.events.filters import EventFilter
from tests.api_helpers import build_schema
from tests.factories import ShiftFactory, make_routed_item, make_work_order
from workorders.filters import WorkOrderFilter

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    return build_schema(tmp_path_factory, django_db_blocker)


# --- date/time filters -----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [("/api/v1/events/", "until"), ("/api/v1/events/", "since"), ("/api/v1/work-orders/", "planned_start_after")],
)
def test_datetime_filter_with_a_far_offset_is_answered(api_as, url, param):
    # +20:00 is valid ISO 8601 but beyond what PostgreSQL accepts as an offset.
    response = api_as("planner").get(url, {param: "2026-01-01T00:00:00+20:00"})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59", "0001-01-01T00:00:00"])
@pytest.mark.parametrize(
    ("url", "param"),
    [("/api/v1/events/", "since"), ("/api/v1/work-orders/", "planned_start_before")],
)
def test_datetime_filter_out_of_range_is_a_400(api_as, url, param, value):
    response = api_as("planner").get(url, {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_datetime_filters_hand_the_database_plant_time():
    for filterset, param in [(EventFilter, "until"), (WorkOrderFilter, "planned_start_after")]:
        form = filterset({param: "2026-01-01T00:00:00+20:00"}).form
        assert form.is_valid(), form.errors
        value = form.cleaned_data[param]
        assert value.utcoffset() == timezone.localtime(value).utcoffset()


# --- pagination ------------------------------------------------------------------


@pytest.mark.parametrize("page_size", ["0", "-5", "abc", "1.5", "1e3", "٣"])
def test_invalid_page_size_is_a_400(api_as, page_size):
    response = api_as("planner").get("/api/v1/work-orders/", {"page_size": page_size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_large_page_size_is_a_400_naming_the_limit(api_as):
    response = api_as("planner").get("/api/v1/departments/", {"page_size": "99999999999999999999"})
    assert response.status_code == 400
    assert "API_MAX_PAGE_SIZE" in response.json()["page_size"][0]


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999"])
def test_invalid_page_is_a_404(api_as, page):
    assert api_as("planner").get("/api/v1/departments/", {"page": page}).status_code == 404


@pytest.mark.parametrize("page", ["99999999999999999999", "60964709112774561628160", str(2**63 // 50 + 1)])
def test_a_page_past_what_the_database_can_count_is_a_404_on_the_work_order_list(api_as, page):
    """The list built by PostgreSQL asks for its page by OFFSET, a bigint there."""
    make_work_order(item=make_routed_item(with_bom=False))
    assert api_as("planner").get("/api/v1/work-orders/", {"page": page}).status_code == 404


# --- the schema documents the error answers ------------------------------------


def test_error_answers_are_documented(schema):
    paths = schema["paths"]
    assert {"200", "400", "401", "403", "404"} <= set(paths["/api/v1/work-orders/"]["get"]["responses"])
    assert {"201", "400", "401", "403", "409", "415"} <= set(paths["/api/v1/work-orders/"]["post"]["responses"])
    assert {"200", "401", "403", "404"} <= set(paths["/api/v1/shifts/{code}/"]["get"]["responses"])
    assert {"200", "400", "404", "409"} <= set(paths["/api/v1/boms/{id}/"]["put"]["responses"])
    assert {"204", "404", "409"} <= set(paths["/api/v1/departments/{code}/"]["delete"]["responses"])
    assert {"200", "400"} <= set(paths["/api/v1/auth/token/"]["post"]["responses"])


def test_page_parameters_are_documented_from_one(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"]["minimum"] == 1


def test_times_of_day_are_documented_as_they_are_written(schema, api_as):
    ShiftFactory(code="EARLY", start_time=dt.time(6), end_time=dt.time(14))
    body = api_as("planner").get("/api/v1/shifts/EARLY/").json()
    documented = schema["components"]["schemas"]["Shift"]["properties"]["start_time"]
    # format: time would require an offset ("06:00:00Z"); the API writes plant time without one.
    assert documented.get("format") != "time"
    assert re.fullmatch(documented["pattern"].replace("\\d", "[0-9]"), body["start_time"])


# --- Idempotency-Key ---------------------------------------------------------------


@pytest.mark.parametrize("key", ["a\x00b", "tab\there", "bell\x07"])
def test_idempotency_key_with_control_characters_is_a_400(api_as, key):
    response = api_as("planner").post(
        "/api/v1/departments/", {"code": "IDK", "name": "Keyed"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()


# --- malformed ids -------------------------------------------------------------------


@pytest.mark.parametrize("path", ["boms/0.5/", "routings/1.5/", "holds/x.y/", "events/0.5/", "boms/0.5/release/"])
def test_malformed_id_is_a_json_404(api_as, path):
    client = api_as("planner")
    response = client.post(f"/api/v1/{path}", {}, format="json") if path.endswith("release/") else client.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_primary_keys_in_paths_are_documented_as_integers(schema):
    for path in ["/api/v1/boms/{id}/", "/api/v1/routings/{id}/release/", "/api/v1/holds/{id}/release/"]:
        operation = next(op for method, op in schema["paths"][path].items() if method in ("get", "post"))
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["schema"]["type"] == "integer", path


# --- natural keys go into URLs ------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/departments/", {"code": "A/B", "name": "Slash"}, "code"),
        ("/api/v1/shifts/", {"code": "E\x03", "name": "Ctl", "start_time": "06:00", "end_time": "14:00"}, "code"),
        ("/api/v1/items/", {"sku": "PN/1", "name": "Slash", "kind": "raw"}, "sku"),
        ("/api/v1/work-orders/", {"number": "WO/1", "item": "NOPE", "quantity": "1"}, "number"),
    ],
)
def test_natural_key_with_a_slash_or_control_character_is_refused(api_as, make_user, url, body, field):
    client = api_as(user=make_user(is_superuser=True))
    response = client.post(url, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


# --- a NUL in a natural key (PostgreSQL cannot even compare one) ------------------------


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/work-centers/", {"code": "W1", "name": "W", "department": "a\x00b"}, "department"),
        ("/api/v1/boms/", {"item": "\x00", "revision": "A", "lines": []}, "item"),
        ("/api/v1/routings/", {"item": "a\x00b", "revision": "A", "steps": []}, "item"),
        ("/api/v1/work-orders/", {"item": "a\x00b", "quantity": "1"}, "item"),
    ],
)
def test_nul_in_a_related_key_is_a_field_error(api_as, make_user, url, body, field):
    response = api_as(user=make_user(is_superuser=True)).post(url, body, format="json")
    assert response.status_code == 400
    assert "No " in response.json()[field][0]


@pytest.mark.parametrize(
    "path", ["items/a%00b/", "departments/%00/", "shifts/%00/", "work-orders/WO%00/", "work-orders/%00/holds/"]
)
def test_nul_in_a_path_key_is_a_json_404(api_as, path):
    response = api_as("planner").get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- every endpoint, every field: extreme dates, deep nesting, over-long numbers and paths ---------
#
# Driven by the schema, so an endpoint or field added later is covered (or the first test below
# asks for its valid body). Each case starts from a valid body and changes one field, so the
# value reaches the services and the database, not only the serializer.


@pytest.fixture
def plant(shifts):
    """A small plant with one of everything the paths name: codes, a BOM, a routing, work orders, a hold."""
    from materials.services import bom_create
    from plant.models import DowntimeReason
    from plant.services import downtime_start
    from tests.api_helpers import make_bracket
    from tests.factories import DepartmentFactory, ItemFactory, make_work_order, scrap_reason
    from workorders.services import hold_place, operation_report_progress, routing_create

    bracket = make_bracket()
    DepartmentFactory(code="MACH")
    ItemFactory(sku="STEEL-10", kind="raw")
    bom = bom_create(actor=None, item=bracket, revision="B", lines=[{"component": ItemFactory(sku="BOLT"), "quantity_per": 1}])
    cnc = bracket.routings.first().steps.first().work_center
    routing = routing_create(actor=None, item=bracket, revision="B", steps=[{"sequence": 10, "work_center": cnc}])
    draft = make_work_order(item=bracket, number="WO-DRAFT")
    running = make_work_order(item=bracket, number="WO-RUN", status="in_progress")
    held = make_work_order(item=bracket, number="WO-HELD", status="released")
    hold = hold_place(actor=None, work_order=held, kind="quality", reason="Burr")
    scrap_reason(code="BURR")
    report = operation_report_progress(actor=None, work_order=running, operation=10, quantity_good=5)
    stock_keys = _stock_for_robustness()
    downtime = downtime_start(actor=None, work_center=cnc, reason=DowntimeReason.objects.get(code="BREAKDOWN"))
    from planning.services import schedule_entry_upsert
    from plant.models import Shift

    entry = schedule_entry_upsert(
        actor=None,
        date="2026-12-01",
        shift=Shift.objects.get(code="DAY"),
        work_center=cnc,
        work_order=running,
        planned_quantity=5,
    )
    action_item, handover = _coordination_for_robustness(hold)
    from planning.shortages import shortages_net

    shortages_net()  # the released orders' components are not in stock
    from planning.models import Shortage

    return {
        "schedule": str(entry.pk),
        "action-items": str(action_item.pk),
        "shift-handovers": str(handover.pk),
        **stock_keys,
        "shortages": str(Shortage.objects.order_by("pk").first().pk),
        "downtime-reasons": "BREAKDOWN",
        "downtime-events": str(downtime.pk),
        "scrap-reasons": "BURR",
        "production-reports": str(report.pk),
        "departments": "MACH",
        "work-centers": "CNC-01",
        "shifts": "DAY",
        "items": "STEEL-10",
        "boms": str(bom.pk),
        "routings": str(routing.pk),
        "holds": str(hold.pk),
        "events": "1",
        "subscriptions": "1",
        "notifications": "1",
        "work-orders": {"default": draft.number, "progress": running.number, "holds": running.number},
    }


def _coordination_for_robustness(hold):
    """An action item (from the hold) and a draft handover of MACH's day shift yesterday."""
    from coordination.services import action_item_create, shift_handover_open
    from plant.models import Department, Shift
    from prodcoord.core.plant_time import plant_today
    from tests.factories import UserFactory

    owner = UserFactory(username="owner1")
    item = action_item_create(actor=None, title="Clear the hold", owner=owner, due_date=plant_today(), hold=hold)
    handover = shift_handover_open(
        actor=None,
        department=Department.objects.get(code="MACH"),
        date=SOON - dt.timedelta(days=3),
        shift=Shift.objects.get(code="DAY"),
    )
    return item, handover


def _stock_for_robustness():
    """Locations, a lot, stock and an expected receipt of STEEL-10, for the stock paths."""
    from materials import stock
    from materials.models import Item

    steel = Item.objects.get(sku="STEEL-10")
    stock.location_create(actor=None, code="WH-A", name="Warehouse", kind="warehouse")
    stock.location_create(actor=None, code="STAGE-1", name="Staging", kind="staging")
    lot = stock.lot_create(actor=None, item=steel, code="H-1")
    move = stock.stock_move_post(actor=None, kind="receipt", item=steel, quantity=50, to_location=stock_location("WH-A"), lot=lot)
    receipt = stock.expected_receipt_create(actor=None, item=steel, quantity=100, due_date="2026-12-01", reference="PO-9")
    return {
        "locations": "WH-A",
        "lots": str(lot.pk),
        "stock-moves": str(move.pk),
        "expected-receipts": str(receipt.pk),
    }


def stock_location(code):
    from materials.models import Location

    return Location.objects.get(code=code)


# Dates the coordination bodies use: tomorrow, so a due date is valid and a handover's shift has started.
SOON = dt.date.today() + dt.timedelta(days=1)

# A valid body for every operation that takes one; each case changes one field of it.
STEEL_LINE = {"component": "STEEL-10", "quantity_per": "2"}
CNC_STEP = {"sequence": 10, "work_center": "CNC-01"}
VALID_BODIES = {
    ("post", "/api/v1/auth/token/"): {"username": "nobody", "password": "wrong"},
    ("post", "/api/v1/reports/morning-brief/generate/"): {"date": "2026-11-02"},
    ("post", "/api/v1/departments/"): {"code": "ASSY", "name": "Assembly"},
    ("put", "/api/v1/departments/{code}/"): {"code": "MACH", "name": "Machining"},
    ("patch", "/api/v1/departments/{code}/"): {"name": "Machining"},
    ("post", "/api/v1/work-centers/"): {"code": "CNC-09", "name": "CNC", "department": "MACH", "capacity_hours_per_shift": "8"},
    ("put", "/api/v1/work-centers/{code}/"): {"code": "CNC-01", "name": "CNC", "department": "MACH"},
    ("patch", "/api/v1/work-centers/{code}/"): {"capacity_hours_per_shift": "7.5"},
    ("post", "/api/v1/shifts/"): {"code": "EARLY", "name": "Early", "start_time": "05:00", "end_time": "13:00"},
    ("put", "/api/v1/shifts/{code}/"): {"code": "DAY", "name": "Day", "start_time": "06:00", "end_time": "14:00"},
    ("patch", "/api/v1/shifts/{code}/"): {"name": "Day"},
    ("post", "/api/v1/items/"): {"sku": "PN-1", "name": "Part", "kind": "raw", "lead_time_days": 3, "safety_stock": "5"},
    ("put", "/api/v1/items/{sku}/"): {"sku": "STEEL-10", "name": "Steel", "kind": "raw"},
    ("patch", "/api/v1/items/{sku}/"): {"safety_stock": "10", "lead_time_days": 2},
    ("post", "/api/v1/boms/"): {"item": "BRKT-100", "revision": "C", "lines": [STEEL_LINE]},
    ("put", "/api/v1/boms/{id}/"): {"item": "BRKT-100", "revision": "B", "lines": [STEEL_LINE]},
    ("patch", "/api/v1/boms/{id}/"): {"lines": [{"component": "STEEL-10", "quantity_per": "2", "scrap_pct": "1.5"}]},
    ("post", "/api/v1/boms/{id}/release/"): {"reason": "Approved"},
    ("post", "/api/v1/routings/"): {
        "item": "BRKT-100",
        "revision": "C",
        "steps": [{"sequence": 10, "work_center": "CNC-01", "setup_minutes": "5", "run_minutes_per_unit": "1.5"}],
    },
    ("put", "/api/v1/routings/{id}/"): {"item": "BRKT-100", "revision": "B", "steps": [CNC_STEP]},
    ("patch", "/api/v1/routings/{id}/"): {"steps": [{"sequence": 20, "work_center": "PACK-01", "run_minutes_per_unit": "2"}]},
    ("post", "/api/v1/routings/{id}/release/"): {"reason": "Approved"},
    ("post", "/api/v1/work-orders/"): {
        "item": "BRKT-100",
        "quantity": "40",
        "priority": 2,
        "due_date": "2026-12-01",
        "planned_start": "2026-11-20T06:00:00",
        "planned_end": "2026-11-21T06:00:00-06:00",
        "customer_ref": "PO-1",
    },
    ("put", "/api/v1/work-orders/{number}/"): {
        "quantity": "50",
        "priority": 1,
        "due_date": "2026-12-02",
        "planned_start": "2026-11-20T06:00:00",
        "planned_end": "2026-11-22T06:00:00",
        "reason": "Customer call",
    },
    ("patch", "/api/v1/work-orders/{number}/"): {"planned_start": "2026-11-20T06:00Z", "reason": "Plan"},
    ("post", "/api/v1/work-orders/{number}/progress/"): {
        "operation": 10,
        "quantity_good": "2",
        "quantity_scrap": "1",
        "scrap_reason": "BURR",
        "reported_at": "2026-01-05T08:00:00",
    },
    ("post", "/api/v1/scrap-reasons/"): {"code": "DENT", "name": "Dent"},
    ("put", "/api/v1/scrap-reasons/{code}/"): {"code": "BURR", "name": "Burr on edge", "is_active": True},
    ("patch", "/api/v1/scrap-reasons/{code}/"): {"name": "Burr"},
    ("post", "/api/v1/production-reports/{id}/reverse/"): {"reason": "Keyed in twice."},
    ("post", "/api/v1/locations/"): {"code": "LINE-9", "name": "Rack", "kind": "line_side", "work_center": "CNC-01"},
    ("put", "/api/v1/locations/{code}/"): {"code": "WH-A", "name": "Warehouse A", "kind": "warehouse"},
    ("patch", "/api/v1/locations/{code}/"): {"name": "Warehouse A"},
    ("post", "/api/v1/lots/"): {"item": "STEEL-10", "code": "H-2", "expires_on": "2027-01-31"},
    ("put", "/api/v1/lots/{id}/"): {"item": "STEEL-10", "code": "H-1", "expires_on": "2027-02-28"},
    ("patch", "/api/v1/lots/{id}/"): {"expires_on": "2027-03-31"},
    ("post", "/api/v1/stock-moves/"): {
        "kind": "transfer",
        "item": "STEEL-10",
        "quantity": "5",
        "from_location": "WH-A",
        "to_location": "STAGE-1",
        "lot": "H-1",
        "note": "To the line",
    },
    ("post", "/api/v1/stock-moves/{id}/reverse/"): {"reason": "Booked twice"},
    ("post", "/api/v1/expected-receipts/"): {
        "item": "STEEL-10",
        "quantity": "20",
        "due_date": "2026-12-05",
        "reference": "PO-10",
    },
    ("put", "/api/v1/expected-receipts/{id}/"): {"item": "STEEL-10", "quantity": "120", "due_date": "2026-12-02"},
    ("patch", "/api/v1/expected-receipts/{id}/"): {"quantity": "110", "supplier": "Acme"},
    ("post", "/api/v1/expected-receipts/{id}/receive/"): {"quantity": "10", "location": "WH-A", "lot": "H-1"},
    ("post", "/api/v1/expected-receipts/{id}/cancel/"): {"reason": "Supplier cannot deliver"},
    ("post", "/api/v1/shortages/{id}/acknowledge/"): {"note": "Chasing the supplier"},
    ("post", "/api/v1/shortages/{id}/escalate/"): {"note": "Line stops Thursday"},
    ("post", "/api/v1/shortages/{id}/resolve/"): {"note": "Borrowed from line 2"},
    ("post", "/api/v1/downtime-reasons/"): {"code": "TOOLING", "name": "Tooling", "is_planned": False},
    ("put", "/api/v1/downtime-reasons/{code}/"): {"code": "BREAKDOWN", "name": "Breakdown", "is_active": True},
    ("patch", "/api/v1/downtime-reasons/{code}/"): {"name": "Breakdown"},
    ("post", "/api/v1/downtime-events/"): {"work_center": "CNC-01", "reason": "CHANGEOVER", "note": "die change"},
    ("put", "/api/v1/downtime-events/{id}/"): {"work_center": "CNC-01", "reason": "BREAKDOWN", "note": "motor"},
    ("patch", "/api/v1/downtime-events/{id}/"): {"note": "motor"},
    ("post", "/api/v1/downtime-events/{id}/stop/"): {"note": "fixed"},
    ("post", "/api/v1/schedule/"): {
        "date": "2026-12-02",
        "shift": "DAY",
        "work_center": "CNC-01",
        "work_order": "WO-RUN",
        "planned_quantity": "5",
    },
    ("put", "/api/v1/schedule/{id}/"): {
        "date": "2026-12-01",
        "shift": "SWING",
        "work_center": "CNC-01",
        "work_order": "WO-RUN",
        "planned_quantity": "6",
        "sequence": 2,
        "reason": "Swing has the operator",
    },
    ("patch", "/api/v1/schedule/{id}/"): {"planned_quantity": "7", "reason": "Less material"},
    ("post", "/api/v1/schedule/bulk/"): {
        "entries": [
            {"date": "2026-12-03", "shift": "DAY", "work_center": "CNC-01", "work_order": "WO-RUN", "planned_quantity": "5"}
        ]
    },
    ("post", "/api/v1/work-orders/{number}/holds/"): {"kind": "material", "reason": "Short"},
    ("post", "/api/v1/holds/{id}/release/"): {"release_note": "Reworked"},
    ("post", "/api/v1/subscriptions/"): {"kind": "department", "target": "MACH", "verbs": ["hold.placed"], "email": "digest"},
    ("put", "/api/v1/subscriptions/{id}/"): {"verbs": ["hold.placed"], "email": "immediate"},
    ("patch", "/api/v1/subscriptions/{id}/"): {"email": "immediate"},
    ("post", "/api/v1/notifications/read-all/"): {"up_to": 5},
    ("post", "/api/v1/action-items/"): {"title": "Chase the coil", "owner": "owner1", "due_date": SOON.isoformat()},
    ("put", "/api/v1/action-items/{id}/"): {"title": "Clear the hold", "owner": "owner1", "due_date": SOON.isoformat()},
    ("patch", "/api/v1/action-items/{id}/"): {"status": "done", "closing_note": "Cleared"},
    ("post", "/api/v1/shift-handovers/"): {
        "date": (SOON - dt.timedelta(days=4)).isoformat(),
        "shift": "DAY",
        "department": "MACH",
    },
    ("put", "/api/v1/shift-handovers/{id}/"): {"notes": "Die worn", "open_items": [{"action_item": 1, "is_critical": True}]},
    ("patch", "/api/v1/shift-handovers/{id}/"): {
        "notes": "Die worn",
        "open_items": [{"action_item": 1, "is_critical": False}],
        "version": 1,
    },
    ("post", "/api/v1/shift-handovers/{id}/submit/"): {"notes": "Handed over"},
    **{
        ("post", f"/api/v1/work-orders/{{number}}/{action}/"): {"reason": "Planned"}
        for action in ("release", "start", "complete", "close", "cancel")
    },
}

EXTREME_VALUES = {
    "date-time": ["9999-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"],
    "date": ["9999-12-31", "0001-01-01"],
    "decimal": ["99999999999.999", "-99999999999.999", "9" * 100, "1e999999", "0." + "0" * 100 + "1"],
    "integer": [2**63, -(2**63), 10**40, 99999999999.999],
    "string": ["x" * 100_000, "\x00", "9999-12-31T23:59:59"],
}


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _kind(schema, node):
    node = _resolve(schema, node)
    for option in node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", []):
        if _kind(schema, option) is not None:
            return _kind(schema, option)
    if node.get("type") == "integer":
        return "integer"
    if node.get("type") == "string":
        return node.get("format") if node.get("format") in ("date-time", "date", "decimal") else "string"
    return None


def _fields(schema, body_schema):
    """(path into the body, kind) for every scalar field, one level into lists of rows."""
    properties = _resolve(schema, body_schema).get("properties", {})
    for name, node in properties.items():
        if node.get("readOnly"):
            continue
        if _resolve(schema, node).get("type") == "array":
            for child, child_node in _resolve(schema, node["items"]).get("properties", {}).items():
                kind = _kind(schema, child_node)
                if kind:
                    yield (name, 0, child), kind
        elif _kind(schema, node):
            yield (name,), _kind(schema, node)


def _url(template, plant):
    if "{" not in template:
        return template
    resource = template.split("/")[3]
    key = plant[resource]
    if isinstance(key, dict):
        action = template.rstrip("/").rsplit("/", 1)[-1]
        key = key.get(action, key["default"])
    return re.sub(r"\{[^}]+\}", key, template)


def _with(body, path, value):
    body = json.loads(json.dumps(body))
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


def _write_operations(schema):
    return [
        (method, path, op)
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch") and "requestBody" in op
    ]


def test_every_write_operation_has_a_valid_body_here(schema):
    assert {(method, path) for method, path, _ in _write_operations(schema)} == set(VALID_BODIES)


def _no_server_error(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), what


def test_extreme_values_in_every_field_of_every_body_are_answered(schema, api_as, make_user, plant):
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    cases = 0
    for method, template, op in _write_operations(schema):
        body_schema = op["requestBody"]["content"]["application/json"]["schema"]
        url = _url(template, plant)
        for path, kind in _fields(schema, body_schema):
            for value in EXTREME_VALUES[kind]:
                body = _with(VALID_BODIES[(method, template)], path, value)
                response = getattr(client, method)(url, body, format="json")
                _no_server_error(response, (method, template, path, value))
                cases += 1
    assert cases > 300


def test_deep_nesting_is_answered_by_every_endpoint(schema, api_as, make_user, plant):
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    deep = "[" * 100_000 + "]" * 100_000
    for method, template, _ in _write_operations(schema):
        response = client.generic(method.upper(), _url(template, plant), deep, content_type="application/json")
        assert response.status_code == 400, (method, template)
        assert "API_MAX_JSON_DEPTH" in response.json()["detail"]


def test_over_long_path_keys_are_answered_by_every_endpoint(schema, api_as, make_user, plant):
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    for template, ops in schema["paths"].items():
        if "{" not in template:
            continue
        for length in (200, 500, 5000):
            url = re.sub(r"\{[^}]+\}", "9" * length, template)
            for method in ops:
                body = json.dumps(VALID_BODIES.get((method, template), {})) if method != "get" else None
                extra = {"HTTP_IDEMPOTENCY_KEY": f"long-{length}-{method}-{template}"[:200]} if method == "post" else {}
                response = client.generic(method.upper(), url, body or "", content_type="application/json", **extra)
                _no_server_error(response, (method, template, length))
                assert response.status_code == 404, (method, template, length)


QUERY_VALUES = {
    "date-time": ["9999-12-31T23:59:59", "0001-01-01T00:00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"],
    "date": ["9999-12-31", "0001-01-01", "99999-01-01"],
    "integer": ["9" * 5000, "-" + "9" * 30, "1e999"],
    "string": ["x" * 10_000, "9999-12-31T23:59:59", "9" * 5000],
    "boolean": ["9" * 5000],
    "array": ["x" * 10_000, ",".join(["x"] * 1000)],
}


def test_extreme_query_parameters_on_every_list_are_answered(schema, api_as, make_user, plant):
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    cases = 0
    for template, ops in schema["paths"].items():
        operation = ops.get("get")
        if operation is None:
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            node = parameter["schema"]
            kind = node.get("format") if node.get("format") in ("date-time", "date") else node.get("type", "string")
            for value in QUERY_VALUES.get(kind, QUERY_VALUES["string"]):
                response = client.get(_url(template, plant), {parameter["name"]: value})
                _no_server_error(response, (template, parameter["name"], value[:40]))
                cases += 1
    assert cases > 100
