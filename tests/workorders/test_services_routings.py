"""Routings: the revisioned steps that make an item; a new work order copies the released one."""

import pytest
from django.core.exceptions import ValidationError

from prodcoord.core.exceptions import ConflictError
from tests.factories import ItemFactory, WorkCenterFactory
from workorders import services
from workorders.models import Routing

pytestmark = pytest.mark.django_db


def test_routing_release_needs_steps():
    item = ItemFactory()
    routing = services.routing_create(actor=None, item=item, revision="A")
    with pytest.raises(ValidationError) as exc:
        services.routing_release(actor=None, routing=routing)
    assert "steps" in exc.value.message_dict
    routing.refresh_from_db()
    assert routing.status == "draft"


def test_routing_release_obsoletes_previous_and_pins_on_new_orders():
    item = ItemFactory()
    wc = WorkCenterFactory()
    step = {"sequence": 10, "work_center": wc, "run_minutes_per_unit": 1}
    rev_a = services.routing_create(actor=None, item=item, revision="A", steps=[step])
    services.routing_release(actor=None, routing=rev_a)
    rev_b = services.routing_create(actor=None, item=item, revision="B", steps=[step, {**step, "sequence": 20}])
    services.routing_release(actor=None, routing=rev_b)
    rev_a.refresh_from_db()
    assert rev_a.status == "obsolete"
    assert Routing.objects.filter(item=item, status="released").get() == rev_b
    wo = services.work_order_create(actor=None, item=item, quantity=1)
    assert wo.routing == rev_b
    assert [op.sequence for op in wo.operations.order_by("sequence")] == [10, 20]


@pytest.mark.parametrize(
    ("steps", "field", "text"),
    [
        ([{"sequence": 0}], "steps[0].sequence", "positive"),
        ([{"sequence": 10}, {"sequence": 10}], "steps[1].sequence", "used twice"),
        ([{"sequence": 10, "work_center": None}], "steps[0].work_center", "required"),
        ([{"sequence": 10, "setup_minutes": -1}], "steps[0].setup_minutes", "negative"),
        ([{"sequence": 10, "run_minutes_per_unit": -1}], "steps[0].run_minutes_per_unit", "negative"),
    ],
)
def test_routing_step_validation(steps, field, text):
    wc = WorkCenterFactory()
    steps = [{"work_center": wc, **s} for s in steps]
    with pytest.raises(ValidationError) as exc:
        services.routing_create(actor=None, item=ItemFactory(), revision="A", steps=steps)
    assert list(exc.value.message_dict) == [field]
    assert text in exc.value.message_dict[field][0]
    assert not Routing.objects.exists()


def test_routing_step_on_inactive_work_center_is_refused():
    wc = WorkCenterFactory(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.routing_create(actor=None, item=ItemFactory(), revision="A", steps=[{"sequence": 10, "work_center": wc}])
    assert "inactive" in exc.value.message_dict["steps[0].work_center"][0]


def test_released_routing_cannot_be_edited():
    wc = WorkCenterFactory()
    routing = services.routing_create(actor=None, item=ItemFactory(), revision="A", steps=[{"sequence": 10, "work_center": wc}])
    services.routing_release(actor=None, routing=routing)
    with pytest.raises(ConflictError):
        services.routing_update(actor=None, routing=routing, steps=[{"sequence": 20, "work_center": wc}])
    assert list(routing.steps.values_list("sequence", flat=True)) == [10]
