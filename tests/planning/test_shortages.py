"""Shortage netting on small hand-built plants: every rule of the definition with its exact shortfall,
idempotency, resolution, escalation and the people acting on shortages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from materials import stock
from materials.models import Location
from materials.services import bom_create, bom_release
from planning.models import Shortage, ShortageDirtyItem
from planning.shortages import (
    EVERYTHING,
    items_touched,
    net,
    shortage_acknowledge,
    shortage_escalate,
    shortage_resolve,
    shortages_mark,
    shortages_net,
    shortages_net_marked,
)
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_datetime, plant_today
from prodcoord.events.models import Event
from prodcoord.notifications.models import Notification, NotificationSettings
from prodcoord.notifications.services import notifications_fan_out
from tests.factories import UserFactory, WorkCenterFactory, make_routed_item, make_work_order
from tests.materials.stock_helpers import location, raw_item, receive
from workorders.services import hold_place

pytestmark = pytest.mark.django_db
D = Decimal
S = Shortage.Status


def day(n, hour=8):
    return plant_datetime(plant_today() + dt.timedelta(days=n), dt.time(hour))


@pytest.fixture
def plant():
    """BOLT (pieces) in a warehouse; a finished item needing 1 BOLT a unit, made at one work center."""
    return build_plant()


def build_plant():
    wc = WorkCenterFactory()
    bolt = raw_item("BOLT", uom="ea")
    item = make_routed_item(with_bom=False, work_centers=[wc])
    bom = bom_create(actor=None, item=item, revision="A", lines=[{"component": bolt, "quantity_per": D("1")}])
    bom_release(actor=None, bom=bom)
    return {
        "wc": wc,
        "bolt": bolt,
        "item": item,
        "wh": location("WH-A", receives_output=True),
        "quar": location("QUAR", Location.Kind.QUARANTINE),
        "stage": location("STAGE-1", Location.Kind.STAGING),
    }


def order(plant, quantity, start_day, *, priority=3, status="released", item=None, end_day=None, **kwargs):
    return make_work_order(
        item=item or plant["item"],
        quantity=D(quantity),
        status=status,
        priority=priority,
        planned_start=day(start_day),
        planned_end=day(end_day if end_day is not None else start_day, 16),
        **kwargs,
    )


def found(plant=None):
    """``{number: (required, available, shortfall)}`` of what netting finds now."""
    result, orders, _ = net()
    return {orders[wo_id][0]: figures[:3] for (wo_id, _), figures in result.items()}


def test_earlier_need_dates_consume_supply_first(plant):
    receive(plant["bolt"], plant["wh"], "60")
    late = order(plant, 50, 5, priority=1)  # created first and more urgent, but needed later
    early = order(plant, 50, 2, priority=5)
    assert found() == {late.number: (D("50"), D("10"), D("40"))}
    assert early.number not in found()


def test_priority_breaks_ties_between_orders_needed_the_same_day(plant):
    receive(plant["bolt"], plant["wh"], "50")
    low = order(plant, 40, 2, priority=4)
    high = order(plant, 40, 2, priority=1)
    assert found() == {low.number: (D("40"), D("10"), D("30"))}
    assert high.number not in found()


def test_the_first_requirement_below_zero_is_short_by_exactly_the_uncovered_part_and_later_ones_in_full(plant):
    receive(plant["bolt"], plant["wh"], "100")
    first = order(plant, 60, 1)
    second = order(plant, 60, 2)
    third = order(plant, 25, 3)
    assert found() == {second.number: (D("60"), D("40"), D("20")), third.number: (D("25"), D("0"), D("25"))}
    assert first.number not in found()


def test_quarantine_and_expired_lots_are_not_supply(plant):
    receive(plant["bolt"], plant["quar"], "500")
    expired = stock.lot_create(actor=None, item=plant["bolt"], code="OLD", expires_on=plant_today() - dt.timedelta(days=1))
    fresh = stock.lot_create(actor=None, item=plant["bolt"], code="NEW", expires_on=plant_today() + dt.timedelta(days=30))
    receive(plant["bolt"], plant["wh"], "300", lot=expired)
    receive(plant["bolt"], plant["wh"], "20", lot=fresh)
    wo = order(plant, 50, 1)
    assert found() == {wo.number: (D("50"), D("20"), D("30"))}


def test_expected_receipts_count_only_on_or_before_the_need_date_and_only_what_is_still_open(plant):
    receive(plant["bolt"], plant["wh"], "20")
    receipt = stock.expected_receipt_create(
        actor=None, item=plant["bolt"], quantity=D("50"), due_date=plant_today() + dt.timedelta(days=3), reference="PO-1"
    )
    stock.expected_receipt_receive(actor=None, receipt=receipt, quantity=D("20"), location=plant["quar"])  # 30 still to come
    before = order(plant, 15, 2)  # the receipt is due a day after it: 20 on hand covers it, 5 left
    on_the_day = order(plant, 40, 3)  # due that day: 5 + 30 = 35 for 40
    after = order(plant, 10, 4)  # nothing left for it
    assert found() == {on_the_day.number: (D("40"), D("35"), D("5")), after.number: (D("10"), D("0"), D("10"))}
    assert before.number not in found()


def test_open_work_orders_making_the_item_count_at_their_planned_end(plant):
    sub = make_routed_item(with_bom=False, work_centers=[plant["wc"]])
    top = make_routed_item(with_bom=False, work_centers=[plant["wc"]])
    bom = bom_create(actor=None, item=top, revision="A", lines=[{"component": sub, "quantity_per": D("1")}])
    bom_release(actor=None, bom=bom)
    receive(sub, plant["wh"], "10")
    order(plant, 25, 1, item=sub, end_day=2)  # 25 made by day 2
    order(plant, 100, 0, item=sub, status="draft")  # a draft makes nothing yet
    too_early = order(plant, 30, 1, item=top)  # before the output: 10 on hand for 30
    after = order(plant, 10, 3, item=top)  # the 25 have arrived, 20 of them owed to the first: 5 for 10
    assert found() == {too_early.number: (D("30"), D("10"), D("20")), after.number: (D("10"), D("5"), D("5"))}


def test_issued_quantity_is_no_longer_required_and_draft_and_cancelled_orders_need_nothing(plant):
    receive(plant["bolt"], plant["wh"], "30")
    wo = order(plant, 50, 1)
    order(plant, 500, 1, status="draft")
    order(plant, 500, 1, status="cancelled")
    assert found() == {wo.number: (D("50"), D("30"), D("20"))}
    stock.stock_move_post(
        actor=None, kind="issue", item=plant["bolt"], quantity=D("25"), from_location=plant["wh"], work_order=wo
    )
    # 25 issued: 25 still required, 5 on hand.
    assert found() == {wo.number: (D("25"), D("5"), D("20"))}


def test_orders_on_hold_and_in_progress_are_netted_and_staged_stock_still_counts(plant):
    receive(plant["bolt"], plant["wh"], "30")
    held = order(plant, 20, 1)
    hold_place(work_order=held, actor=None, kind="material", reason="Waiting for bolts")
    running = order(plant, 20, 2, status="in_progress")
    stock.stock_move_post(
        actor=None,
        kind="transfer",
        item=plant["bolt"],
        quantity=D("20"),
        from_location=plant["wh"],
        to_location=plant["stage"],
        work_order=held,
    )
    assert found() == {running.number: (D("20"), D("10"), D("10"))}


@override_settings(SHORTAGE_ESCALATION_HORIZON_DAYS=3)
def test_stored_idempotently_resolved_when_it_disappears_never_deleted(plant):
    receive(plant["bolt"], plant["wh"], "30")
    wo = order(plant, 50, 10)
    first = shortages_net()
    assert first == {"raised": 1, "updated": 0, "resolved": 0, "escalated": 0}
    shortage = Shortage.objects.get()
    assert (shortage.required, shortage.available, shortage.shortfall, shortage.status) == (D("50"), D("30"), D("20"), S.OPEN)
    assert shortage.needed_by == plant_today() + dt.timedelta(days=10)
    wo.refresh_from_db()
    assert wo.shortage_count == 1
    events = Event.objects.count()
    rows = list(Shortage.objects.values())
    assert shortages_net() == {"raised": 0, "updated": 0, "resolved": 0, "escalated": 0}
    assert list(Shortage.objects.values()) == rows and Event.objects.count() == events

    receive(plant["bolt"], plant["wh"], "5")  # better, still short: the figures follow
    assert shortages_net()["updated"] == 1
    assert Shortage.objects.get().shortfall == D("15")

    receive(plant["bolt"], plant["wh"], "15")
    assert shortages_net()["resolved"] == 1
    shortage = Shortage.objects.get()
    assert shortage.status == S.RESOLVED and shortage.resolved_at is not None
    assert shortage.resolution.startswith("Covered")
    wo.refresh_from_db()
    assert wo.shortage_count == 0

    stock.stock_move_post(
        actor=None, kind="scrap", item=plant["bolt"], quantity=D("50"), from_location=plant["wh"], note="Rusted"
    )
    shortages_net()  # short again: a new shortage, the old one kept as history
    assert Shortage.objects.filter(status=S.OPEN).count() == 1 and Shortage.objects.count() == 2


def test_a_cancelled_order_resolves_its_shortage_with_that_reason(plant):
    wo = order(plant, 50, 10)
    shortages_net()
    from workorders import services

    services.work_order_transition(action="cancel", work_order=wo, actor=None, reason="Customer cancelled")
    shortages_net()
    assert Shortage.objects.get().resolution == "The work order is no longer released or in progress."


@override_settings(SHORTAGE_ESCALATION_HORIZON_DAYS=3)
def test_shortages_within_the_horizon_are_escalated_once_to_planners_and_the_departments_coordinators(plant):
    planner = UserFactory(role="planner")
    coordinator = UserFactory(role="coordinator")
    elsewhere = UserFactory(role="coordinator")
    NotificationSettings.objects.create(user=coordinator, department=plant["wc"].department)
    NotificationSettings.objects.create(user=elsewhere, department=WorkCenterFactory().department)
    soon = order(plant, 10, 2)
    later = order(plant, 10, 8)
    assert shortages_net()["escalated"] == 1
    by_order = {s.work_order_id: s for s in Shortage.objects.all()}
    assert by_order[soon.pk].status == S.ESCALATED and by_order[soon.pk].escalated_at is not None
    assert by_order[later.pk].status == S.OPEN
    events = list(Event.objects.filter(verb="shortage.escalated").values_list("pk", flat=True))
    assert len(events) == 1
    notifications_fan_out(event_ids=events)
    notified = set(Notification.objects.filter(verb="shortage.escalated").values_list("user_id", flat=True))
    assert notified == {planner.pk, coordinator.pk}
    # Once: running again escalates nothing and the fan-out makes nothing new.
    assert shortages_net()["escalated"] == 0
    notifications_fan_out(event_ids=events)
    assert Notification.objects.filter(verb="shortage.escalated").count() == 2


@override_settings(SHORTAGE_ESCALATION_HORIZON_DAYS=3)
def test_people_acknowledge_escalate_and_resolve_with_a_note(plant):
    coordinator = UserFactory(role="coordinator")
    receive(plant["bolt"], plant["wh"], "30")
    wo = order(plant, 50, 10)
    shortages_net()
    shortage = Shortage.objects.get()
    shortage = shortage_acknowledge(actor=coordinator, shortage=shortage, note="Calling the supplier")
    assert (shortage.status, shortage.acknowledged_by, shortage.acknowledged_note) == (
        S.ACKNOWLEDGED,
        coordinator,
        "Calling the supplier",
    )
    with pytest.raises(ConflictError):
        shortage_acknowledge(actor=coordinator, shortage=shortage)
    shortage = shortage_escalate(actor=coordinator, shortage=shortage, note="Line stops Thursday")
    assert shortage.status == S.ESCALATED
    assert Event.objects.filter(verb="shortage.escalated", reason="Line stops Thursday").exists()
    with pytest.raises(ValidationError) as exc:
        shortage_resolve(actor=coordinator, shortage=shortage, note="  ")
    assert "note" in exc.value.message_dict
    shortage = shortage_resolve(actor=coordinator, shortage=shortage, note="Borrowed from the other plant")
    assert (shortage.status, shortage.resolution, shortage.resolved_by) == (
        S.RESOLVED,
        "Borrowed from the other plant",
        coordinator,
    )
    wo.refresh_from_db()
    assert wo.shortage_count == 0
    with pytest.raises(ConflictError):
        shortage_resolve(actor=coordinator, shortage=shortage, note="again")
    # Resolved by a person, it stays resolved while it is no worse …
    assert shortages_net()["raised"] == 0
    # … and comes back when it gets worse.
    order(plant, 5, 11)  # later: takes nothing from it
    assert shortages_net()["raised"] == 1 and not Shortage.objects.filter(work_order=wo, status=S.OPEN).exists()
    order(plant, 5, 9)  # earlier: takes 5 of its 30
    shortages_net()
    assert Shortage.objects.get(work_order=wo, status=S.OPEN).shortfall == D("25")


def test_a_change_marks_its_items_and_the_debounced_run_nets_only_those(plant, django_capture_on_commit_callbacks):
    other = raw_item("NUT", uom="ea")
    wo = order(plant, 50, 10)
    shortages_net()
    assert Shortage.objects.get().shortfall == D("50")
    with django_capture_on_commit_callbacks(execute=True):
        move = receive(plant["bolt"], plant["wh"], "50")
    event = Event.objects.get(verb="stock.received", object_id=str(move.pk))
    assert items_touched([event.pk]) == {plant["bolt"].pk}
    # The outbox ran the marking and the debounced run in process (no broker): resolved.
    assert not ShortageDirtyItem.objects.exists()
    assert Shortage.objects.get().status == S.RESOLVED
    wo.refresh_from_db()
    assert wo.shortage_count == 0
    # A run over other items leaves this one alone.
    shortages_mark(event_ids=[Event.objects.filter(verb="work_order.released", work_order=wo).get().pk])
    assert set(ShortageDirtyItem.objects.values_list("item_id", flat=True)) == {plant["bolt"].pk, plant["item"].pk}
    receive(other, plant["wh"], "1")
    assert shortages_net_marked()["raised"] == 0


def test_a_location_change_marks_everything(plant):
    stock.location_update(actor=None, location=plant["stage"], name="Staging lane one")
    event = Event.objects.filter(verb="location.updated").latest("pk")
    assert items_touched([event.pk]) == {EVERYTHING}


def test_the_whole_plant_is_netted_in_a_handful_of_queries(plant, django_assert_max_num_queries):
    receive(plant["bolt"], plant["wh"], "10")
    for n in range(12):
        order(plant, 5, n % 4 + 1, priority=n % 5 + 1)
    with django_assert_max_num_queries(6):
        net()
    shortages_net()
    with django_assert_max_num_queries(12):
        shortages_net(now=timezone.now())
