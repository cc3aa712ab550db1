"""Events that can notify: each names its subject and the departments and work centers it concerns,
and is handed to the subscribers after its transaction commits — never before, never on a rollback."""

import logging
from decimal import Decimal

import pytest
from django.db import transaction

from plant import services as plant_services
from prodcoord.events import hooks
from prodcoord.events.models import Event, EventScope
from prodcoord.outbox.models import OutboxMessage
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order
from tests.outbox.tasks import count_events_task, runs
from workorders import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_this_files_task_subscribers(monkeypatch):
    """The hook alone: the apps' own task subscribers (the notifications' fan-out) are set aside, so the
    messages and callbacks counted here are the ones these tests subscribe."""
    monkeypatch.setattr(hooks, "_task_subscriptions", [])


@pytest.fixture
def received():
    calls = []

    def handler(events):
        calls.append([(e.verb, e.pk) for e in events])

    hooks.subscribe(handler)
    yield calls
    hooks.unsubscribe(handler)


def test_subscribers_get_the_events_after_the_commit(received, django_capture_on_commit_callbacks):
    wo = make_work_order(status="draft")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.work_order_release(work_order=wo, actor=None)
        assert received == []  # not before the commit
    assert len(callbacks) == 1
    event = Event.objects.get(verb="work_order.released", work_order=wo)
    assert received == [[("work_order.released", event.pk)]]


def test_one_call_per_transaction_with_every_event_in_order(received, django_capture_on_commit_callbacks, shifts):
    wo = make_work_order(status="released", quantity=Decimal("10"))
    with django_capture_on_commit_callbacks(execute=True):
        services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal("3"))
    assert [verbs for verbs in received] == [
        [("work_order.started", received[0][0][1]), ("work_order.progress_reported", received[0][1][1])]
    ]
    assert received[0][0][1] < received[0][1][1]


def test_nothing_is_dispatched_for_a_rolled_back_change(received, django_capture_on_commit_callbacks):
    wo = make_work_order(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                services.work_order_release(work_order=wo, actor=None)
                raise RuntimeError("the rest of the request fails")
        except RuntimeError:
            pass
    assert received == []
    assert not Event.objects.filter(verb="work_order.released").exists()


def test_a_subscriber_can_ask_for_some_verbs_only(django_capture_on_commit_callbacks):
    got = []

    def holds_only(events):
        got.extend(e.verb for e in events)

    hooks.subscribe(holds_only, prefixes=("hold.",))
    try:
        wo = make_work_order(status="released")
        with django_capture_on_commit_callbacks(execute=True):
            services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr.")
        with django_capture_on_commit_callbacks(execute=True):
            services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="Rush.")
    finally:
        hooks.unsubscribe(holds_only)
    assert got == ["hold.placed"]


def test_a_failing_subscriber_is_logged_and_the_others_still_run(received, django_capture_on_commit_callbacks, caplog):
    def broken(events):
        raise RuntimeError("subscriber bug")

    hooks.subscribe(broken)
    try:
        wo = make_work_order(status="draft")
        with caplog.at_level(logging.ERROR, logger="prodcoord.events.hooks"), django_capture_on_commit_callbacks(execute=True):
            services.work_order_release(work_order=wo, actor=None)
    finally:
        hooks.unsubscribe(broken)
    assert [verb for verb, _ in received[-1]] == ["work_order.released"]
    assert "subscriber bug" in caplog.text
    assert wo.__class__.objects.get(pk=wo.pk).status == "released"


@pytest.fixture
def hold_task():
    """``count_events_task`` subscribed to the hold events."""
    name = hooks.subscribe_task(count_events_task, prefixes=("hold.",))
    yield name
    hooks.unsubscribe_task(name)


def test_a_subscribed_task_is_queued_in_the_changes_transaction_and_runs_after_the_commit(
    hold_task, django_capture_on_commit_callbacks
):
    wo = make_work_order(status="released")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        hold = services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr.")
        services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="Rush.")
        placed = Event.objects.get(verb="hold.placed", object_id=str(hold.pk))
        message = OutboxMessage.objects.get()  # one, for the hold event only
        assert (message.task, message.kwargs, message.state) == (hold_task, {"event_ids": [placed.pk]}, "pending")
        assert runs(f"event-{placed.pk}") == 0
    message.refresh_from_db()
    assert message.state == "done"
    assert runs(f"event-{placed.pk}") == 1


def test_a_subscribed_task_gets_every_matching_event_of_one_save_in_one_message(hold_task, shifts):
    wo = make_work_order(status="released")
    services.holds_place(
        actor=None,
        rows=[
            {"work_order": wo, "kind": "quality", "reason": "Burr."},
            {"work_order": wo, "kind": "material", "reason": "Short."},
        ],
    )
    placed = list(Event.objects.filter(verb="hold.placed").order_by("pk").values_list("pk", flat=True))
    assert len(placed) == 2
    assert list(OutboxMessage.objects.values_list("kwargs", flat=True)) == [{"event_ids": placed}]


def test_no_message_for_a_rolled_back_change_or_an_unsubscribed_task(hold_task, django_capture_on_commit_callbacks):
    wo = make_work_order(status="released")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr.")
        raise RuntimeError("the rest of the request fails")
    hooks.unsubscribe_task(hold_task)
    assert hold_task not in hooks.task_subscribers()
    services.hold_place(work_order=wo, actor=None, kind="quality", reason="Burr.")
    assert not OutboxMessage.objects.exists()


def _scope(event):
    return sorted(
        (s.department.code if s.department else None, s.work_center.code if s.work_center else None)
        for s in EventScope.objects.filter(event=event).select_related("department", "work_center")
    )


def test_events_name_the_departments_and_work_centers_they_concern(shifts):
    fab, asm = DepartmentFactory(code="FAB"), DepartmentFactory(code="ASM")
    laser = WorkCenterFactory(code="LASER-01", department=fab)
    weld = WorkCenterFactory(code="WELD-01", department=fab)
    bench = WorkCenterFactory(code="ASM-01", department=asm)
    wo = make_work_order(item=make_routed_item(work_centers=[laser, weld, bench]), status="released")

    whole_order = [("ASM", "ASM-01"), ("FAB", "LASER-01"), ("FAB", "WELD-01")]
    assert _scope(Event.objects.get(verb="work_order.created", work_order=wo)) == whole_order
    assert _scope(Event.objects.get(verb="work_order.released", work_order=wo)) == whole_order
    hold = services.hold_place(work_order=wo, actor=None, kind="equipment", reason="Laser lens.")
    assert _scope(Event.objects.get(verb="hold.placed", object_id=str(hold.pk))) == whole_order
    services.hold_release(hold=hold, actor=None, release_note="Lens cleaned.")
    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal("1"))
    assert _scope(Event.objects.get(verb="work_order.progress_reported", work_order=wo)) == [("FAB", "LASER-01")]

    renamed = plant_services.work_center_update(actor=None, work_center=bench, name="Bench 1")
    assert _scope(Event.objects.get(verb="work_center.updated", object_id=str(renamed.pk))) == [("ASM", "ASM-01")]
    plant_services.department_update(actor=None, department=asm, name="Final assembly")
    assert _scope(Event.objects.get(verb="department.updated")) == [("ASM", None)]


def test_the_feed_can_filter_events_by_department_with_one_indexed_lookup(shifts):
    fab, asm = DepartmentFactory(code="FAB"), DepartmentFactory(code="ASM")
    in_fab = make_work_order(item=make_routed_item(work_centers=[WorkCenterFactory(department=fab)]), status="released")
    in_asm = make_work_order(item=make_routed_item(work_centers=[WorkCenterFactory(department=asm)]), status="released")
    concerning_fab = Event.objects.filter(scopes__department=fab, work_order__isnull=False).distinct()
    assert set(concerning_fab.values_list("work_order_id", flat=True)) == {in_fab.pk}
    assert in_asm.pk not in set(concerning_fab.values_list("work_order_id", flat=True))
    index_fields = [tuple(index.fields) for index in EventScope._meta.indexes]
    assert ("department", "event") in index_fields and ("work_center", "event") in index_fields
