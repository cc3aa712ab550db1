"""Check constraints evaluated in Python agree with the database's own check, row for row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import CheckConstraint, Q
from django.db.models.functions import Length

from materials.models import Item
from plant.models import Shift, WorkCenter
from prodcoord.core.constraints import UNSUPPORTED, check_constraints_validate, evaluate
from prodcoord.core.crud import full_clean
from tests.factories import DepartmentFactory
from workorders.models import Hold, WorkOrder

pytestmark = pytest.mark.django_db

OUR_APPS = {"plant", "materials", "workorders", "planning", "core", "events"}


def test_every_check_constraint_we_declare_is_evaluated_in_python():
    """So a batch never falls back to a query per row."""
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                assert evaluate(constraint.condition, model()) is not UNSUPPORTED, (model, constraint.name)


@pytest.mark.parametrize(
    ("obj", "violates"),
    [
        (lambda d: WorkCenter(code="W", name="w", department=d, capacity_hours_per_shift=Decimal("25")), True),
        (lambda d: WorkCenter(code="W", name="w", department=d, capacity_hours_per_shift=Decimal("-1")), True),
        (lambda d: WorkCenter(code="W", name="w", department=d, capacity_hours_per_shift=Decimal("24")), False),
        (lambda d: Shift(code="S", name="s", start_time=dt.time(6), end_time=dt.time(6)), True),
        (lambda d: Shift(code="S", name="s", start_time=dt.time(22), end_time=dt.time(6)), False),
        (lambda d: Item(sku="I", name="i", kind="raw", safety_stock=Decimal("-0.001")), True),
        (lambda d: Item(sku="I", name="i", kind="raw", safety_stock=Decimal("0")), False),
        # NULL compares as unknown, and a CHECK passes unless its condition is false
        (
            lambda d: WorkOrder(quantity=Decimal("1"), planned_start=None, planned_end=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
            False,
        ),
        (
            lambda d: WorkOrder(
                quantity=Decimal("1"),
                planned_start=dt.datetime(2026, 1, 2, tzinfo=dt.UTC),
                planned_end=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            ),
            True,
        ),
        (lambda d: Hold(reason="", placed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)), True),
    ],
)
def test_python_and_the_database_agree(obj, violates):
    obj = obj(DepartmentFactory())
    model = type(obj)
    by_database = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            try:
                constraint.validate(model, obj)
            except ValidationError as exc:
                by_database.extend(exc.messages)
    try:
        check_constraints_validate(obj, exclude={f.name for f in model._meta.fields if f.is_relation})
        by_python = []
    except ValidationError as exc:
        by_python = exc.messages
    assert bool(by_database) is violates
    assert sorted(by_python) == sorted(by_database)


def test_a_condition_it_cannot_evaluate_is_left_to_the_database(monkeypatch):
    odd = CheckConstraint(condition=Q(name__startswith="W"), name="odd_starts_with_w")
    monkeypatch.setattr(WorkCenter._meta, "constraints", [*WorkCenter._meta.constraints, odd])
    assert evaluate(odd.condition, WorkCenter(name="Xray")) is UNSUPPORTED
    assert evaluate(CheckConstraint(condition=Q(Length("name")), name="x").condition, WorkCenter()) is UNSUPPORTED
    with pytest.raises(ValidationError) as exc:
        full_clean(WorkCenter(code="X", name="Xray", department=DepartmentFactory()))
    assert "odd_starts_with_w" in str(exc.value)
