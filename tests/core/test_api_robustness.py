"""Hostile and malformed input gets a 4xx answer, never a 500, and the schema says so."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from prodcoord.events.filters import EventFilter
from tests.api_helpers import build_schema
from tests.factories import ShiftFactory
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


@pytest.mark.parametrize(
    ("url", "param"),
    [("/api/v1/events/", "since"), ("/api/v1/work-orders/", "planned_start_before")],
)
def test_datetime_filter_out_of_range_is_a_400(api_as, url, param):
    response = api_as("planner").get(url, {param: "0001-01-01T00:00:00+01:00"})
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


def test_large_page_size_reads_as_the_maximum(api_as):
    response = api_as("planner").get("/api/v1/departments/", {"page_size": "99999999999999999999"})
    assert response.status_code == 200


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999"])
def test_invalid_page_is_a_404(api_as, page):
    assert api_as("planner").get("/api/v1/departments/", {"page": page}).status_code == 404


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
