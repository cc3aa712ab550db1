"""The version check guards the fields a change writes, not the whole order: a progress report
or a hold is an addition and is never refused because someone changed the priority; an edit of
the due date is not refused because the priority changed; an edit of the priority is. A refusal
says who changed what, and when, from the event log."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from prodcoord.core.exceptions import StaleVersionError
from prodcoord.events.models import Event
from tests.factories import make_work_order
from workorders import services
from workorders.models import Hold, ProductionReport, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(make_user):
    return make_user("supervisor", username="maria", first_name="Maria", last_name="Lopez")


def _reprioritised(wo, actor, priority=1, at=None):
    """Someone else changes the priority after ``wo`` was read; returns the version that was read."""
    read = wo.version
    services.work_order_change_priority(work_order=wo, actor=actor, priority=priority, reason="customer escalation", at=at)
    return read


def test_events_carry_the_version_each_change_left(maria):
    wo = make_work_order(status="released")
    services.work_order_change_priority(work_order=wo, actor=maria, priority=1, reason="rush")
    wo.refresh_from_db()
    event = Event.objects.filter(work_order=wo, verb="work_order.priority_changed").get()
    assert event.work_order_version == wo.version


def test_progress_after_a_priority_change_goes_through(maria, shifts, make_user):
    wo = make_work_order(status="released")
    read = _reprioritised(wo, maria)
    report = services.operation_report_progress(
        work_order=wo, actor=make_user("operator"), operation=10, quantity_good=Decimal("5"), version=read
    )
    assert report.quantity_good == 5
    assert WorkOrder.objects.get(pk=wo.pk).quantity_completed == 0  # one operation of two done so far
    assert ProductionReport.objects.filter(work_order=wo).count() == 1


def test_a_hold_after_a_priority_change_goes_through(maria):
    wo = make_work_order(status="released")
    read = _reprioritised(wo, maria)
    services.hold_place(work_order=wo, actor=maria, kind="material", reason="resin late", version=read)
    assert Hold.objects.filter(work_order=wo).count() == 1


def test_a_due_date_edit_is_not_refused_because_the_priority_changed(maria, make_user):
    wo = make_work_order(status="released", due_date=timezone.localdate() + dt.timedelta(days=10))
    read = _reprioritised(wo, maria)
    new_due = timezone.localdate() + dt.timedelta(days=12)
    services.work_order_reschedule(
        work_order=wo, actor=make_user("planner"), due_date=new_due, reason="customer agreed", version=read
    )
    wo = WorkOrder.objects.get(pk=wo.pk)
    assert wo.due_date == new_due
    assert wo.priority == 1  # the other change stands


def test_a_stale_priority_edit_is_refused_and_says_who_changed_what_and_when(maria, make_user):
    wo = make_work_order(status="released")
    read = _reprioritised(wo, maria)
    event = Event.objects.get(work_order=wo, verb="work_order.priority_changed")
    events = Event.objects.count()
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_change_priority(
            work_order=wo, actor=make_user("coordinator"), priority=2, reason="mine", version=read
        )
    at = timezone.localtime(event.at)
    assert f"Maria Lopez changed priority 3 → 1 at {at:%H:%M}" in exc.value.message
    assert exc.value.code == "stale_version"
    [change] = exc.value.changes
    assert change["field"] == "priority"
    assert (change["old"], change["new"], change["by"]) == ("3", "1", "Maria Lopez")
    assert change["at"] == at.isoformat()
    assert exc.value.version == WorkOrder.objects.get(pk=wo.pk).version
    assert WorkOrder.objects.get(pk=wo.pk).priority == 1  # nothing overwritten
    assert Event.objects.count() == events


def test_a_change_made_on_another_day_is_dated(maria, make_user):
    wo = make_work_order(status="released")
    earlier = timezone.now() - dt.timedelta(days=3)
    read = _reprioritised(wo, maria, at=earlier)
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_change_priority(work_order=wo, actor=make_user("coordinator"), priority=2, reason="x", version=read)
    assert f"at {timezone.localtime(earlier):%Y-%m-%d %H:%M}" in exc.value.message


def test_only_the_fields_edited_are_named(maria, make_user):
    """A stale edit of priority and due date names only those changed since: not the customer ref."""
    wo = make_work_order(status="draft", due_date=timezone.localdate() + dt.timedelta(days=5))
    read = wo.version
    planner = make_user("planner", first_name="Priya", last_name="Raman")
    services.work_order_update(work_order=wo, actor=planner, customer_ref="PO-1")
    services.work_order_change_priority(work_order=wo, actor=maria, priority=2, reason="rush")
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_update(work_order=wo, actor=planner, priority=4, reason="x", version=read, customer_ref="PO-1")
    assert [c["field"] for c in exc.value.changes] == ["priority"]
    assert "customer ref" not in exc.value.message


def test_sending_back_the_value_someone_else_wrote_is_no_change(maria, make_user):
    wo = make_work_order(status="released")
    read = _reprioritised(wo, maria, priority=1)
    result = services.work_order_update(work_order=wo, actor=make_user("planner"), priority=1, reason="x", version=read)
    assert result.priority == 1


def test_a_transition_from_a_stale_read_is_refused_on_its_status(maria, make_user):
    wo = make_work_order(status="draft")
    read = wo.version
    services.work_order_release(work_order=wo, actor=maria)
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_cancel(work_order=wo, actor=make_user("coordinator"), reason="not needed", version=read)
    assert "Maria Lopez changed status Draft → Released" in exc.value.message
    assert WorkOrder.objects.get(pk=wo.pk).status == "released"


def test_a_transition_is_not_refused_because_the_priority_changed(maria, make_user):
    wo = make_work_order(status="released")
    read = _reprioritised(wo, maria)
    services.work_order_start(work_order=wo, actor=make_user("coordinator"), version=read)
    assert WorkOrder.objects.get(pk=wo.pk).status == "in_progress"


def test_a_version_the_order_never_had_is_refused(make_user):
    wo = make_work_order(status="released")
    with pytest.raises(StaleVersionError) as exc:
        services.hold_place(work_order=wo, actor=None, kind="material", reason="x", version=wo.version + 5)
    assert "has no version" in exc.value.message
    assert not Hold.objects.exists()


def test_without_a_versioned_log_the_whole_order_is_guarded(maria):
    """Changes the log cannot date by version (recorded before events carried it) refuse any stale edit."""
    wo = make_work_order(status="released")
    read = wo.version
    WorkOrder.objects.filter(pk=wo.pk).update(version=wo.version + 1)  # a change with no versioned event
    wo.refresh_from_db()
    with pytest.raises(StaleVersionError) as exc:
        services.work_order_reschedule(work_order=wo, actor=maria, due_date=timezone.localdate(), reason="x", version=read)
    assert exc.value.changes == []
    assert "changed by someone else" in exc.value.message
