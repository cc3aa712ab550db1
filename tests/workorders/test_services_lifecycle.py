"""Work-order creation and the state machine: every legal move, every illegal one refused."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from prodcoord.core.exceptions import HoldActiveError, TransitionError
from prodcoord.events.models import Event
from tests.factories import ItemFactory, RoutingFactory, RoutingStepFactory, make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import WorkOrder
from workorders.services import TRANSITIONS

S = WorkOrder.Status
pytestmark = pytest.mark.django_db

ACTIONS = ("release", "start", "complete", "close", "cancel")
LEGAL = [(source, action) for action, (sources, _) in TRANSITIONS.items() for source in sources]
VERBS = {
    "release": "work_order.released",
    "start": "work_order.started",
    "complete": "work_order.completed",
    "close": "work_order.closed",
    "cancel": "work_order.cancelled",
}
ILLEGAL = [(state, action) for state in S.values for action in ACTIONS if (state, action) not in LEGAL]


def _transition(action, wo, actor=None, **kwargs):
    kwargs.setdefault("reason", "because the plan changed")
    return services.work_order_transition(action=action, work_order=wo, actor=actor, **kwargs)


def _events(wo):
    return list(Event.objects.filter(work_order_id=wo.pk).order_by("id"))


# --- the transition table itself -----------------------------------------------------


def test_transition_table_matches_the_documented_lifecycle():
    assert {action: (set(sources), target) for action, (sources, target) in TRANSITIONS.items()} == {
        "release": ({S.DRAFT}, S.RELEASED),
        "start": ({S.RELEASED}, S.IN_PROGRESS),
        "complete": ({S.IN_PROGRESS}, S.COMPLETED),
        "close": ({S.COMPLETED}, S.CLOSED),
        "cancel": ({S.DRAFT, S.RELEASED}, S.CANCELLED),
    }
    assert len(ILLEGAL) == len(S.values) * len(ACTIONS) - 6


# --- legal transitions ---------------------------------------------------------------


@pytest.mark.parametrize(("source", "action"), LEGAL)
def test_every_legal_transition_moves_state_bumps_version_and_records_event(source, action, make_user):
    actor = make_user("coordinator")
    wo = make_work_order(status=source)
    before_version = wo.version
    before_events = len(_events(wo))

    result = _transition(action, wo, actor=actor, reason="customer asked")

    wo.refresh_from_db()
    target = TRANSITIONS[action][1]
    assert result.status == wo.status == target
    assert wo.version == before_version + 1
    events = _events(wo)
    assert len(events) == before_events + 1
    event = events[-1]
    assert event.verb == VERBS[action]
    assert event.actor == actor
    assert event.changes == {"status": [source, target]}
    assert event.reason == "customer asked"
    assert event.object_id == str(wo.pk)


def test_full_happy_path_stamps_each_milestone(make_user):
    actor = make_user("planner")
    wo = make_work_order(quantity=Decimal("5"))
    assert wo.released_at is None
    for action, stamp in (
        ("release", "released_at"),
        ("start", "started_at"),
        ("complete", "completed_at"),
        ("close", "closed_at"),
    ):
        wo = _transition(action, wo, actor=actor)
        wo.refresh_from_db()
        assert getattr(wo, stamp) is not None
    assert wo.status == S.CLOSED
    verbs = [e.verb for e in _events(wo)]
    assert verbs == [
        "work_order.created",
        "work_order.released",
        "work_order.started",
        "work_order.completed",
        "work_order.closed",
    ]


# --- illegal transitions -------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_writes_nothing(state, action):
    wo = make_work_order(status=state)
    before = (wo.status, wo.version, len(_events(wo)))

    with pytest.raises(TransitionError) as exc:
        _transition(action, wo)

    message = str(exc.value)
    assert wo.number in message
    assert S(state).label.lower() in message
    assert f"Cannot {action}" in message
    assert exc.value.code == "illegal_transition"
    wo.refresh_from_db()
    assert (wo.status, wo.version, len(_events(wo))) == before


def test_cancel_needs_a_reason_and_writes_nothing_without_one():
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        services.work_order_cancel(work_order=wo, actor=None, reason="   ")
    assert "reason" in exc.value.message_dict
    wo.refresh_from_db()
    assert wo.status == S.RELEASED
    assert wo.version == 2


def test_completing_short_needs_a_reason():
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        services.work_order_complete(work_order=wo, actor=None)
    assert "reason" in exc.value.message_dict
    assert "0 of 10" in exc.value.message_dict["reason"][0]
    wo.refresh_from_db()
    assert wo.status == S.IN_PROGRESS


def test_completing_the_full_quantity_needs_no_reason(shifts):
    wo = make_work_order(status="released", quantity=Decimal("3"))
    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=3)
    services.operation_report_progress(work_order=wo, actor=None, operation=20, quantity_good=3)
    wo = services.work_order_complete(work_order=wo, actor=None)
    assert wo.status == S.COMPLETED


# "close" starts from completed, and a completed order cannot take a hold (test_services_holds).
@pytest.mark.parametrize(("source", "action"), [("draft", "release"), ("released", "start"), ("in_progress", "complete")])
def test_active_hold_blocks_every_transition_but_cancel(source, action):
    wo = make_work_order(status=source)
    services.hold_place(work_order=wo, actor=None, kind="quality", reason="porosity on casting")
    wo.refresh_from_db()
    before = (wo.status, wo.version, Event.objects.count())
    with pytest.raises(HoldActiveError) as exc:
        _transition(action, wo)
    assert "on hold" in str(exc.value)
    wo.refresh_from_db()
    assert (wo.status, wo.version, Event.objects.count()) == before


def test_version_check_on_transition():
    from prodcoord.core.exceptions import StaleVersionError

    wo = make_work_order()
    with pytest.raises(StaleVersionError):
        services.work_order_release(work_order=wo, actor=None, version=wo.version + 1)
    wo.refresh_from_db()
    assert wo.status == S.DRAFT
    services.work_order_release(work_order=wo, actor=None, version=wo.version)
    wo.refresh_from_db()
    assert wo.status == S.RELEASED


# --- creation ------------------------------------------------------------------------


def test_create_generates_sequential_unique_numbers():
    item = make_routed_item()
    numbers = [services.work_order_create(actor=None, item=item, quantity=1).number for _ in range(3)]
    assert len(set(numbers)) == 3
    ints = [int(n.removeprefix("WO-")) for n in numbers]
    assert ints == [ints[0], ints[0] + 1, ints[0] + 2]
    assert all(n.startswith("WO-") and len(n) == 9 for n in numbers)


def test_generated_number_skips_one_taken_by_hand():
    item = make_routed_item()
    first = services.work_order_create(actor=None, item=item, quantity=1)
    nxt = int(first.number.removeprefix("WO-")) + 1
    services.work_order_create(actor=None, item=item, quantity=1, number=f"WO-{nxt:06d}")
    third = services.work_order_create(actor=None, item=item, quantity=1)
    assert third.number == f"WO-{nxt + 1:06d}"


def test_explicit_number_is_kept_and_stripped():
    item = make_routed_item()
    wo = services.work_order_create(actor=None, item=item, quantity=1, number="  CUST-77  ")
    assert wo.number == "CUST-77"


@pytest.mark.parametrize("number", ["WO 1", "A\tB", "X" * 31])
def test_explicit_number_with_spaces_or_too_long_is_refused(number):
    item = make_routed_item()
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=1, number=number)
    assert "number" in exc.value.message_dict
    assert not WorkOrder.objects.exists()


def test_duplicate_explicit_number_is_refused():
    item = make_routed_item()
    services.work_order_create(actor=None, item=item, quantity=1, number="RUSH-1")
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=1, number="RUSH-1")
    assert "already exists" in exc.value.message_dict["number"][0]
    assert WorkOrder.objects.count() == 1


def test_item_without_released_routing_is_refused_on_item():
    item = ItemFactory()
    RoutingStepFactory(routing=RoutingFactory(item=item))  # a draft routing does not count
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=5)
    assert "no released routing" in exc.value.message_dict["item"][0]
    assert not WorkOrder.objects.exists()
    assert not Event.objects.filter(verb="work_order.created").exists()


def test_inactive_item_is_refused():
    item = make_routed_item()
    item.is_active = False
    item.save()
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=5)
    assert "inactive" in exc.value.message_dict["item"][0]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": Decimal("-1")}, "quantity"),
        ({"quantity": 1, "priority": 0}, "priority"),
        ({"quantity": 1, "priority": 6}, "priority"),
    ],
)
def test_create_field_errors(kwargs, field):
    item = make_routed_item()
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, **kwargs)
    assert field in exc.value.message_dict
    assert not WorkOrder.objects.exists()


def test_create_refuses_end_before_start():
    import datetime as dt

    from django.utils import timezone

    item = make_routed_item()
    start = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(
            actor=None, item=item, quantity=1, planned_start=start, planned_end=start - dt.timedelta(hours=1)
        )
    assert "planned_end" in exc.value.message_dict


def test_create_pins_released_revisions_and_copies_operations(make_user):
    from materials.models import BOM
    from materials.services import bom_create, bom_release
    from workorders.models import Routing

    actor = make_user("planner")
    item = make_routed_item()
    wo = services.work_order_create(actor=actor, item=item, quantity=Decimal("20"))
    routing = Routing.objects.get(item=item, status="released")
    bom = BOM.objects.get(item=item, status="released")
    assert wo.status == S.DRAFT
    assert wo.routing == routing
    assert wo.bom == bom
    ops = list(wo.operations.order_by("sequence"))
    steps = list(routing.steps.order_by("sequence"))
    assert [(o.sequence, o.work_center_id) for o in ops] == [(s.sequence, s.work_center_id) for s in steps]
    assert all(o.planned_setup_minutes == Decimal("10") for o in ops)
    assert all(o.planned_run_minutes == Decimal("40.00") for o in ops)  # 2 min/unit × 20
    assert all(o.status == "pending" for o in ops)

    # A new BOM revision released later does not move the existing order.
    raw = ItemFactory(kind="raw")
    rev_b = bom_create(actor=None, item=item, revision="B", lines=[{"component": raw, "quantity_per": 2}])
    bom_release(actor=None, bom=rev_b)
    wo.refresh_from_db()
    assert wo.bom == bom
    assert services.work_order_create(actor=None, item=item, quantity=1).bom == rev_b

    event = Event.objects.get(verb="work_order.created", work_order=wo)
    assert event.actor == actor
    assert event.changes == {
        "status": [None, "draft"],
        "item": [None, item.sku],
        "quantity": [None, "20"],
        "bom_revision": [None, "A"],
        "routing_revision": [None, "A"],
    }


def test_create_without_bom_pins_none():
    item = make_routed_item(with_bom=False)
    wo = services.work_order_create(actor=None, item=item, quantity=1)
    assert wo.bom is None
    assert wo.routing is not None


def test_completing_an_order_finishes_every_operation_even_with_scrap(shifts):
    from workorders.services import operation_report_progress, work_order_complete

    wo = make_work_order(status="in_progress", quantity=10)
    operation_report_progress(
        work_order=wo, actor=None, operation=10, quantity_good=9, quantity_scrap=1, scrap_reason=scrap_reason()
    )
    operation_report_progress(work_order=wo, actor=None, operation=20, quantity_good=9)
    assert set(wo.operations.values_list("status", flat=True)) == {"in_progress"}
    work_order_complete(work_order=wo, actor=None, reason="one scrapped at turning, customer accepts 9")
    assert set(wo.operations.values_list("status", flat=True)) == {"done"}


def test_unknown_action_is_a_field_error():
    import pytest
    from django.core.exceptions import ValidationError

    from workorders.services import work_order_transition

    with pytest.raises(ValidationError) as exc:
        work_order_transition(action="explode", work_order=None, actor=None)
    assert "action" in exc.value.message_dict
