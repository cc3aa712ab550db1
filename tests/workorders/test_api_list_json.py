"""On PostgreSQL the work-order list's page is built by the database (selectors.work_order_page_json);
it must be exactly the representation work_order_payloads builds in Python."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import selectors, services
from workorders.api.serializers import work_order_payloads
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the database-built page exists on PostgreSQL only; elsewhere the list is built in Python")


def aware(*args, tz="America/Chicago", **kwargs):
    from zoneinfo import ZoneInfo

    return dt.datetime(*args, **kwargs, tzinfo=ZoneInfo(tz))


@pytest.fixture
def assorted(shifts):
    """Orders that differ in every way the representation has to get right."""
    item = make_routed_item(sku='BRKT-"Ω"', uom="kg")  # measured: its quantities have decimals
    orders = [
        # winter and summer offsets, with and without microseconds, no plan at all
        make_work_order(item=item, planned_start=aware(2026, 1, 15, 6), planned_end=aware(2026, 1, 15, 14, 30, 5, 120000)),
        make_work_order(item=item, planned_start=aware(2026, 7, 1, 6, 0, 0, 1), due_date=dt.date(2026, 7, 3)),
        make_work_order(item=item, quantity=Decimal("12.5"), customer_ref='ACME "west"\tline\u2028two ü'),
        make_work_order(item=item, status="in_progress", priority=1),
        # three operations, no BOM (a null revision), the smallest quantity
        make_work_order(
            item=make_routed_item(sku="PLAIN-1", work_centers=[WorkCenterFactory() for _ in range(3)], with_bom=False, uom="kg"),
            quantity=Decimal("0.001"),
        ),
        make_work_order(item=item, status="released"),
        # over: no current operation
        make_work_order(item=item, status="completed"),
    ]
    services.hold_place(work_order=orders[5], actor=None, kind="quality", reason="Burr")
    services.operation_report_progress(work_order=orders[3], actor=None, operation=10, quantity_good=Decimal("3.25"))
    return orders


def python_page(queryset):
    return work_order_payloads(list(selectors.work_order_rows(queryset)))


def database_page(queryset):
    return json.loads(selectors.work_order_page_json(queryset)[1])


@pytest.mark.parametrize("tz", ["America/Chicago", "UTC", "Asia/Kolkata"])
def test_the_database_page_is_the_python_page(assorted, tz):
    queryset = WorkOrder.objects.order_by("number")[0:100]
    with timezone.override(tz):
        expected = python_page(queryset)
        assert database_page(queryset) == expected
    assert len(expected) == 7
    assert {len(wo["operations"]) for wo in expected} == {2, 3}
    assert {(wo["current_operation"], wo["current_work_center"] is None) for wo in expected} == {(10, False), (None, True)}
    assert None in {wo["bom_revision"] for wo in expected}
    assert any(wo["on_hold"] for wo in expected)


def test_the_page_keeps_the_querysets_order_and_slice(assorted):
    queryset = WorkOrder.objects.order_by("-priority", "-number")[1:4]
    assert [wo["number"] for wo in database_page(queryset)] == [wo["number"] for wo in python_page(queryset)]
    assert len(database_page(queryset)) == 3
    assert database_page(WorkOrder.objects.filter(number="nothing")[0:10]) == []


def test_the_api_list_on_postgresql_is_one_statement_for_the_page(api_as, assorted):
    client = api_as("viewer")
    client.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{URL}?page_size=4&ordering=-number")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert len(ctx.captured_queries) == 2  # the token (with user and stamp); the count with the page
    body = json.loads(response.content)
    assert body["count"] == 7
    assert body["next"].endswith("?ordering=-number&page=2&page_size=4")
    assert body["previous"] is None
    assert body["results"] == python_page(WorkOrder.objects.order_by("-number")[0:4])


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=2&page=2",
        "?page_size=4&page=last",
        "?page_size=2&page=3&ordering=-priority",
        "?status=released",
        "?search=acme",
        "?status=closed",
        "?page=0",
        "?page=abc",
        "?page=99",
        "?page_size=5&page=2",
    ],
)
def test_the_list_answers_as_the_python_path_does(api_as, assorted, monkeypatch, query):
    from workorders.api.views import WorkOrderViewSet

    client = api_as("viewer")
    database = client.get(URL + query)
    monkeypatch.setattr(WorkOrderViewSet, "json_in_database", lambda self: False)
    python = client.get(URL + query)
    assert database.status_code == python.status_code
    assert json.loads(database.content) == json.loads(python.content)


def test_the_browsable_api_still_renders_the_list(make_user, assorted):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(make_user("viewer"))
    response = client.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 406)  # production settings offer JSON only


def test_the_page_statement_is_prepared_once_per_connection(api_as, assorted, settings):
    client = api_as("viewer")
    for _ in range(3):
        assert client.get(URL).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%json_agg(row_to_json(w)%"])
        assert cursor.fetchone()[0] == 1
    with connection.cursor() as cursor:  # Django's own statements stay unprepared
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone()[0] == 1


def test_prepared_statements_can_be_switched_off(api_as, assorted, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    client = api_as("viewer")
    for _ in range(3):
        assert client.get(URL).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%json_agg(row_to_json(w)%"])
        assert cursor.fetchone()[0] == 0
