"""Changes to a work order: priority, plan, quantity, the version check, delete."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError, StaleVersionError, TransitionError
from prodcoord.events.models import Event
from tests.factories import make_work_order
from workorders import services
from workorders.models import Hold, Operation, WorkOrder

pytestmark = pytest.mark.django_db


def _snapshot(wo):
    wo.refresh_from_db()
    return (
        wo.status,
        wo.version,
        wo.priority,
        wo.quantity,
        wo.planned_start,
        wo.planned_end,
        wo.due_date,
        wo.customer_ref,
        Event.objects.count(),
    )


# --- priority ----------------------------------------------------------------------


def test_priority_change_is_recorded_with_reason(make_user):
    actor = make_user("supervisor")
    wo = make_work_order(status="released", priority=3)
    version = wo.version
    services.work_order_change_priority(work_order=wo, actor=actor, priority=1, reason="line-down at customer")
    wo.refresh_from_db()
    assert wo.priority == 1
    assert wo.version == version + 1
    event = Event.objects.get(verb="work_order.priority_changed")
    assert event.actor == actor
    assert event.work_order_id == wo.pk
    assert event.changes == {"priority": [3, 1]}
    assert event.reason == "line-down at customer"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_priority_change_requires_a_reason(reason):
    wo = make_work_order(status="released")
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason=reason)
    assert "reason" in exc.value.message_dict
    assert _snapshot(wo) == before


@pytest.mark.parametrize("priority", [0, 6, -1, None, "urgent", "2.5"])
def test_priority_must_be_one_to_five(priority):
    wo = make_work_order(status="released")
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_change_priority(work_order=wo, actor=None, priority=priority, reason="x")
    assert "priority" in exc.value.message_dict
    assert _snapshot(wo) == before


def test_unchanged_priority_is_a_no_op():
    wo = make_work_order(status="released", priority=2)
    before = _snapshot(wo)
    services.work_order_change_priority(work_order=wo, actor=None, priority=2, reason="")
    assert _snapshot(wo) == before


# --- reschedule --------------------------------------------------------------------


def test_reschedule_records_old_and_new_plan(make_user):
    actor = make_user("planner")
    start = timezone.now().replace(microsecond=0)
    wo = make_work_order(status="released", planned_start=start, planned_end=start + dt.timedelta(hours=4))
    new_start = start + dt.timedelta(days=1)
    services.work_order_reschedule(
        work_order=wo,
        actor=actor,
        reason="material late",
        planned_start=new_start,
        planned_end=new_start + dt.timedelta(hours=4),
        due_date=dt.date(2030, 1, 5),
    )
    wo.refresh_from_db()
    assert wo.planned_start == new_start
    assert wo.due_date == dt.date(2030, 1, 5)
    event = Event.objects.get(verb="work_order.rescheduled")
    assert event.actor == actor
    assert event.reason == "material late"
    assert event.changes == {
        "planned_start": [start.isoformat(), new_start.isoformat()],
        "planned_end": [(start + dt.timedelta(hours=4)).isoformat(), (new_start + dt.timedelta(hours=4)).isoformat()],
        "due_date": [None, "2030-01-05"],
    }


def test_reschedule_requires_a_reason():
    wo = make_work_order(status="released")
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_reschedule(work_order=wo, actor=None, reason="", due_date=dt.date(2030, 1, 1))
    assert "reason" in exc.value.message_dict
    assert _snapshot(wo) == before


def test_reschedule_refuses_end_before_start_including_against_stored_start():
    start = timezone.now()
    wo = make_work_order(status="draft", planned_start=start, planned_end=start + dt.timedelta(hours=2))
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_reschedule(
            work_order=wo, actor=None, reason="x", planned_start=start, planned_end=start - dt.timedelta(seconds=1)
        )
    assert "planned_end" in exc.value.message_dict
    # only the end given: it is checked against the stored start
    with pytest.raises(ValidationError) as exc:
        services.work_order_reschedule(work_order=wo, actor=None, reason="x", planned_end=start - dt.timedelta(hours=1))
    assert "planned_end" in exc.value.message_dict
    assert _snapshot(wo) == before
    # end equal to start is allowed
    services.work_order_reschedule(work_order=wo, actor=None, reason="x", planned_end=start)
    wo.refresh_from_db()
    assert wo.planned_end == start


def test_reschedule_with_nothing_to_change_is_a_field_error():
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError):
        services.work_order_reschedule(work_order=wo, actor=None, reason="x")


# --- quantity and other fields ------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "released"])
def test_quantity_change_replans_operations(status, make_user):
    wo = make_work_order(status=status, quantity=Decimal("10"))
    assert {op.planned_run_minutes for op in wo.operations.all()} == {Decimal("20.00")}
    services.work_order_update(work_order=wo, actor=make_user("planner"), quantity=Decimal("25"))
    wo.refresh_from_db()
    assert wo.quantity == 25
    assert {op.planned_run_minutes for op in wo.operations.all()} == {Decimal("50.00")}
    assert {op.planned_setup_minutes for op in wo.operations.all()} == {Decimal("10.00")}
    event = Event.objects.get(verb="work_order.updated")
    assert [Decimal(v) for v in event.changes["quantity"]] == [10, 25]


def test_quantity_change_refused_once_work_started(shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    before = _snapshot(wo)
    minutes = list(Operation.objects.filter(work_order=wo).values_list("planned_run_minutes", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.work_order_update(work_order=wo, actor=None, quantity=Decimal("12"))
    assert "started" in exc.value.message_dict["quantity"][0]
    assert _snapshot(wo) == before
    assert list(Operation.objects.filter(work_order=wo).values_list("planned_run_minutes", flat=True)) == minutes


@pytest.mark.parametrize("quantity", [0, Decimal("-3"), None, "lots", Decimal("NaN")])
def test_quantity_must_be_positive(quantity):
    wo = make_work_order(status="draft")
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_update(work_order=wo, actor=None, quantity=quantity)
    assert "quantity" in exc.value.message_dict
    assert _snapshot(wo) == before


def test_unknown_fields_are_refused():
    wo = make_work_order(status="draft")
    before = _snapshot(wo)
    with pytest.raises(ValidationError) as exc:
        services.work_order_update(work_order=wo, actor=None, status="closed", number="X")
    assert set(exc.value.message_dict) == {"status", "number"}
    assert _snapshot(wo) == before


def test_customer_ref_change_needs_no_reason_and_is_stripped():
    wo = make_work_order(status="released")
    services.work_order_update(work_order=wo, actor=None, customer_ref="  PO-991 ")
    wo.refresh_from_db()
    assert wo.customer_ref == "PO-991"
    assert Event.objects.get(verb="work_order.updated").changes == {"customer_ref": ["", "PO-991"]}
    # the same value with stray spaces is not a change
    before = _snapshot(wo)
    services.work_order_update(work_order=wo, actor=None, customer_ref="PO-991  ")
    assert _snapshot(wo) == before


def test_one_save_with_priority_and_plan_writes_one_event_per_kind_and_one_version():
    wo = make_work_order(status="released", priority=3)
    version = wo.version
    services.work_order_update(
        work_order=wo, actor=None, reason="expedite", priority=1, due_date=dt.date(2030, 2, 1), customer_ref="PO-1"
    )
    wo.refresh_from_db()
    assert wo.version == version + 1
    verbs = sorted(
        Event.objects.filter(work_order=wo)
        .exclude(verb__in=["work_order.created", "work_order.released"])
        .values_list("verb", flat=True)
    )
    assert verbs == ["work_order.priority_changed", "work_order.rescheduled", "work_order.updated"]


@pytest.mark.parametrize("status", ["completed", "closed", "cancelled"])
def test_finished_orders_cannot_be_changed(status):
    wo = make_work_order(status=status)
    before = _snapshot(wo)
    for kwargs in ({"priority": 1}, {"due_date": dt.date(2030, 1, 1)}, {"customer_ref": "X"}):
        with pytest.raises(TransitionError) as exc:
            services.work_order_update(work_order=wo, actor=None, reason="x", **kwargs)
        assert wo.number in str(exc.value)
    assert _snapshot(wo) == before


# --- version check ------------------------------------------------------------------


def test_second_save_with_stale_version_is_refused():
    wo = make_work_order(status="released", priority=3)
    seen_version = wo.version
    # first person saves
    services.work_order_change_priority(work_order=wo, actor=None, priority=2, reason="first", version=seen_version)
    before = _snapshot(wo)
    # second person, still holding the old version
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_change_priority(work_order=wo, actor=None, priority=5, reason="second", version=seen_version)
    assert exc.value.code == "stale_version"
    assert "changed priority 3 → 2" in str(exc.value)
    assert _snapshot(wo) == before
    assert wo.priority == 2


def test_version_given_as_text_is_accepted():
    wo = make_work_order(status="released")
    services.work_order_update(work_order=wo, actor=None, customer_ref="A", version=str(wo.version))
    wo.refresh_from_db()
    assert wo.customer_ref == "A"


def test_every_change_bumps_version():
    wo = make_work_order(status="draft")
    versions = [wo.version]
    services.work_order_update(work_order=wo, actor=None, customer_ref="A")
    services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="r")
    services.work_order_reschedule(work_order=wo, actor=None, reason="r", due_date=dt.date(2030, 1, 1))
    wo.refresh_from_db()
    versions.append(wo.version)
    assert versions == [versions[0], versions[0] + 3]


# --- delete ------------------------------------------------------------------------


def test_draft_can_be_deleted_and_its_trail_stays(make_user):
    actor = make_user("planner")
    wo = make_work_order(status="draft")
    pk, number = wo.pk, wo.number
    services.work_order_delete(work_order=wo, actor=actor, reason="entered twice")
    assert not WorkOrder.objects.filter(pk=pk).exists()
    assert not Operation.objects.filter(work_order_id=pk).exists()
    trail = list(Event.objects.filter(work_order_id=pk).order_by("id").values_list("verb", flat=True))
    assert trail == ["work_order.created", "work_order.deleted"]
    deleted = Event.objects.get(verb="work_order.deleted")
    assert deleted.actor == actor
    assert deleted.object_repr == number
    assert deleted.reason == "entered twice"


@pytest.mark.parametrize("status", ["released", "in_progress", "completed", "closed", "cancelled"])
def test_only_drafts_can_be_deleted(status):
    wo = make_work_order(status=status)
    before = _snapshot(wo)
    with pytest.raises(TransitionError) as exc:
        services.work_order_delete(work_order=wo, actor=None)
    assert "Cancel it instead" in str(exc.value)
    assert _snapshot(wo) == before


def test_draft_with_hold_cannot_be_deleted():
    wo = make_work_order(status="draft")
    services.hold_place(work_order=wo, actor=None, kind="engineering", reason="drawing change")
    before = _snapshot(wo)
    with pytest.raises(ConflictError):
        services.work_order_delete(work_order=wo, actor=None)
    assert _snapshot(wo) == before
    assert Hold.objects.filter(work_order=wo).exists()


def test_create_with_non_numeric_priority_is_a_field_error():
    from tests.factories import make_routed_item

    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=make_routed_item(), quantity=1, priority="high")
    assert "priority" in exc.value.message_dict
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize("quantity", ["lots", "", Decimal("NaN")])
def test_create_with_non_numeric_quantity_is_a_field_error(quantity):
    from tests.factories import make_routed_item

    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=make_routed_item(), quantity=quantity)
    assert "quantity" in exc.value.message_dict
    assert not WorkOrder.objects.exists()
