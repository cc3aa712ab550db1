"""The event log: one event per change, in the change's transaction, never edited."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from prodcoord.core.exceptions import TransitionError
from prodcoord.events.models import AppendOnlyError, Event
from prodcoord.events.services import EventBatch, diff, event_record
from tests.factories import make_work_order
from workorders import services
from workorders.models import Hold, WorkOrder

pytestmark = pytest.mark.django_db


# --- append-only ---------------------------------------------------------------------


@pytest.fixture
def event(db):
    wo = make_work_order()
    return Event.objects.get(verb="work_order.created", work_order=wo)


def test_saving_an_existing_event_is_refused(event):
    event.reason = "rewritten history"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["reason"])
    event.refresh_from_db()
    assert event.reason == ""


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "operation",
    [
        lambda qs: qs.update(reason="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.filter(verb="work_order.created").update(verb="x"),
        lambda qs: qs.bulk_update(list(qs), ["reason"]),
    ],
    ids=["update", "delete", "filtered-update", "bulk-update"],
)
def test_queryset_writes_are_refused(event, operation):
    count = Event.objects.count()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        operation(Event.objects.all())
    event.refresh_from_db()
    assert event.verb == "work_order.created"
    assert event.reason == ""
    assert Event.objects.count() == count


def test_related_manager_cannot_delete_a_work_orders_history(event):
    with pytest.raises(AppendOnlyError):
        event.work_order.events.all().delete()
    assert Event.objects.filter(pk=event.pk).exists()


# --- recording -----------------------------------------------------------------------


def test_event_record_stores_values_with_their_types_and_normalises_the_actor(db):
    wo = make_work_order()
    e = event_record(
        actor=AnonymousUser(),
        verb="test.changed",
        subject=wo,
        work_order=wo,
        changes={
            "qty": [Decimal("1.500"), Decimal("2")],
            "due": [None, dt.date(2026, 1, 2)],
            "item": [None, wo.item],
            "status": ["draft", "released"],
            "priority": [3, 1],
            "on_hold": [False, True],
            "customer_ref": ["", "PO-1"],
        },
        reason=None,
    )
    e.refresh_from_db()
    assert e.actor is None
    assert e.changes == {
        "qty": ["1.500", "2"],
        "due": [None, "2026-01-02"],
        "item": [None, wo.item.sku],
        "status": ["draft", "released"],
        "priority": [3, 1],
        "on_hold": [False, True],
        "customer_ref": ["", "PO-1"],
    }
    assert e.change_types == {
        "qty": "decimal",
        "due": "date",
        "item": "ref",
        "status": "choice",
        "priority": "int",
        "on_hold": "bool",
        "customer_ref": "str",
    }
    assert e.reason == ""
    assert e.object_repr == wo.number
    assert e.object_id == str(wo.pk)
    assert e.object_type.model == "workorder"


def test_diff_lists_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


def _run(name, wo, actor):
    calls = {
        "release": lambda: services.work_order_release(work_order=wo, actor=actor, reason="go"),
        "priority": lambda: services.work_order_change_priority(work_order=wo, actor=actor, priority=1, reason="go"),
        "reschedule": lambda: services.work_order_reschedule(
            work_order=wo, actor=actor, reason="go", due_date=dt.date(2031, 1, 1)
        ),
        "update": lambda: services.work_order_update(work_order=wo, actor=actor, customer_ref="PO-1"),
        "hold_place": lambda: services.hold_place(work_order=wo, actor=actor, kind="quality", reason="go"),
    }
    return calls[name]()


@pytest.mark.parametrize(
    ("name", "verb", "object_is_hold"),
    [
        ("release", "work_order.released", False),
        ("priority", "work_order.priority_changed", False),
        ("reschedule", "work_order.rescheduled", False),
        ("update", "work_order.updated", False),
        ("hold_place", "hold.placed", True),
        ("hold_release", "hold.released", True),
    ],
)
def test_each_service_writes_exactly_one_linked_event(name, verb, object_is_hold, make_user):
    actor = make_user("planner")
    wo = make_work_order(status="draft")
    before = set(Event.objects.values_list("pk", flat=True))
    if name == "hold_release":
        hold = services.hold_place(work_order=wo, actor=actor, kind="equipment", reason="r")
        before = set(Event.objects.values_list("pk", flat=True))
        services.hold_release(hold=hold, actor=actor, release_note="go")
    else:
        _run(name, wo, actor)
    new = list(Event.objects.exclude(pk__in=before))
    assert len(new) == 1
    e = new[0]
    assert e.verb == verb
    assert e.actor == actor
    assert e.work_order_id == wo.pk
    assert e.reason == ("go" if name != "update" else "")
    assert e.changes
    if object_is_hold:
        assert e.object_type.model == "hold"
        assert Hold.objects.filter(pk=e.object_id, work_order=wo).exists()
    else:
        assert (e.object_type.model, e.object_id) == ("workorder", str(wo.pk))


@pytest.mark.parametrize("name", ["release", "priority", "hold_place"])
def test_event_is_rolled_back_with_a_failing_service(name):
    """The event is written in the service's own transaction: if the service
    fails after writing it, neither the change nor the event remains."""
    wo = make_work_order(status="draft")
    events = Event.objects.count()
    written = []
    real_save = EventBatch.save

    def save_then_fail(batch):
        written.extend(real_save(batch))
        assert Event.objects.count() > events  # the event is in the transaction…
        raise RuntimeError("boom")

    with mock.patch.object(EventBatch, "save", save_then_fail), pytest.raises(RuntimeError):
        _run(name, wo, None)
    assert written
    assert Event.objects.count() == events  # …and gone with it
    fresh = WorkOrder.objects.get(pk=wo.pk)
    assert (fresh.status, fresh.priority, fresh.version, fresh.active_hold_count) == (
        wo.status,
        wo.priority,
        wo.version,
        0,
    )
    assert not Hold.objects.exists()


def test_refused_service_writes_no_event():
    wo = make_work_order(status="closed")
    events = Event.objects.count()
    with pytest.raises(TransitionError):
        services.work_order_release(work_order=wo, actor=None)
    assert Event.objects.count() == events


def test_work_order_history_is_one_lookup(make_user, shifts):
    actor = make_user("coordinator")
    wo = make_work_order(status="released", actor=actor)
    hold = services.hold_place(work_order=wo, actor=actor, kind="material", reason="no resin")
    services.hold_release(hold=hold, actor=actor, release_note="resin arrived")
    services.operation_report_progress(work_order=wo, actor=actor, operation=10, quantity_good=5)
    verbs = list(Event.objects.filter(work_order=wo).order_by("id").values_list("verb", flat=True))
    assert verbs == [
        "work_order.created",
        "work_order.released",
        "hold.placed",
        "hold.released",
        "work_order.started",
        "work_order.progress_reported",
    ]
