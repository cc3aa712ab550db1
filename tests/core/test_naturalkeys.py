"""Codes, SKUs and work-order numbers: a safe ASCII character set, unique regardless of case."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from plant import services as plant_services
from plant.models import Department
from prodcoord.core.naturalkeys import PATTERN, natural_key_problem
from prodcoord.core.rows import RowsInvalid
from tests.factories import DepartmentFactory, make_routed_item
from workorders import services


@pytest.mark.parametrize("value", ["CNC-01", "RM_BAR-C45-25", "WO-000123", "oelpumpe-2", "7", "x"])
def test_keys_people_write_are_fine(value):
    assert natural_key_problem(value) is None


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("M8.1.25", "not “.”"),
        ("..", "not “.”"),
        ("CNC 01", "not spaces"),
        ("A/B", "not “/”"),
        ("E\x03", "not control characters"),
        ("-CNC", "Start with a letter or a digit."),
        ("MАCH", "not “А”"),  # the second letter is Cyrillic А: it reads as MACH
        ("ÖLPUMPE", "not “Ö”"),  # barcodes and floor scanners carry ASCII
        ("WO-٣", "not “٣”"),  # an Arabic-Indic digit
    ],
)
def test_keys_that_break_urls_or_read_alike_are_refused(value, says):
    problem = natural_key_problem(value)
    assert problem is not None and says in problem, problem
    assert not re.match(PATTERN, value)  # the schema's pattern says the same


def test_the_schema_pattern_and_the_rule_agree_on_the_keys_people_write():
    for value in ["CNC-01", "RM_BAR-C45-25", "WO-000123", "7"]:
        assert re.match(PATTERN, value) and natural_key_problem(value) is None


@pytest.mark.django_db
def test_codes_are_unique_regardless_of_case_and_the_error_names_the_one_that_exists():
    DepartmentFactory(code="MACH")
    with pytest.raises(ValidationError) as exc:
        plant_services.department_create(actor=None, code="mach", name="Machining again")
    assert exc.value.message_dict == {
        "code": ["Department with this Code already exists (as “MACH”; codes are unique regardless of case)."]
    }
    with pytest.raises(RowsInvalid) as exc:
        plant_services.departments_create(actor=None, rows=[{"code": "ASSY", "name": "A"}, {"code": "assy", "name": "B"}])
    assert [str(e) for e in exc.value.errors] == ["Row 1, code: Same code as row 0."]
    assert list(Department.objects.values_list("code", flat=True)) == ["MACH"]


@pytest.mark.django_db
def test_work_order_numbers_are_unique_regardless_of_case(shifts):
    item = make_routed_item()
    first = services.work_order_create(actor=None, item=item, quantity=Decimal("1"), number="RUSH-7")
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=Decimal("1"), number="rush-7")
    assert exc.value.message_dict == {
        "number": ["Work order rush-7 already exists (as RUSH-7; numbers are unique regardless of case)."]
    }
    # a generated number skips one typed by hand in another case
    typed = services.work_order_create(actor=None, item=item, quantity=Decimal("1"), number="wo-000003")
    generated = [services.work_order_create(actor=None, item=item, quantity=Decimal("1")).number for _ in range(3)]
    assert first.number == "RUSH-7" and typed.number == "wo-000003"
    assert generated == ["WO-000001", "WO-000002", "WO-000004"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/departments/", {"code": "ASSY.1", "name": "Dot"}, "code"),
        ("/api/v1/departments/", {"code": "mach", "name": "Case"}, "code"),
        ("/api/v1/work-centers/", {"code": "CNC 01", "name": "Space", "department": "MACH"}, "code"),
        ("/api/v1/shifts/", {"code": "NАCHT", "name": "Mixed", "start_time": "22:00", "end_time": "06:00"}, "code"),
        ("/api/v1/items/", {"sku": "..", "name": "Dots", "kind": "raw"}, "sku"),
        ("/api/v1/work-orders/", {"number": "WO.1", "item": "NOPE", "quantity": "1"}, "number"),
    ],
)
def test_the_api_answers_a_bad_key_with_a_field_error(api_as, make_user, url, body, field):
    DepartmentFactory(code="MACH")
    response = api_as(user=make_user(is_superuser=True)).post(url, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
