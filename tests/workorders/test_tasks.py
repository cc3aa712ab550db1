"""Follow-up work: the overdue flag after changes, the periodic scan, and a broker outage."""

import datetime as dt
import logging
from unittest import mock

import pytest
from django.utils import timezone

from prodcoord.core.exceptions import TransitionError
from prodcoord.core.plant_time import plant_today
from tests.factories import make_work_order
from workorders import services
from workorders.models import WorkOrder
from workorders.tasks import work_order_refresh_overdue_task, work_orders_flag_overdue_task

pytestmark = pytest.mark.django_db


def _yesterday():
    return plant_today() - dt.timedelta(days=1)


def test_refresh_task_is_queued_after_a_change_commits(django_capture_on_commit_callbacks):
    wo = make_work_order(status="released")
    with mock.patch.object(work_order_refresh_overdue_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="expedite")
        apply_async.assert_not_called()  # not before the commit
        assert len(callbacks) == 1
        callbacks[0]()
    apply_async.assert_called_once_with(args=(wo.pk,), kwargs={}, retry=False)


@pytest.mark.parametrize(
    "change",
    [
        lambda wo: services.work_order_reschedule(work_order=wo, actor=None, reason="r", due_date=dt.date(2031, 1, 1)),
        lambda wo: services.work_order_start(work_order=wo, actor=None),
        lambda wo: services.work_order_cancel(work_order=wo, actor=None, reason="r"),
        lambda wo: services.hold_place(work_order=wo, actor=None, kind="quality", reason="r"),
    ],
    ids=["reschedule", "start", "cancel", "hold"],
)
def test_every_change_queues_the_refresh(change, django_capture_on_commit_callbacks):
    wo = make_work_order(status="released")
    with (
        mock.patch.object(work_order_refresh_overdue_task, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        change(wo)
    apply_async.assert_called_once_with(args=(wo.pk,), kwargs={}, retry=False)


def test_failed_change_queues_nothing(django_capture_on_commit_callbacks):
    wo = make_work_order(status="released")
    with (
        mock.patch.object(work_order_refresh_overdue_task, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(TransitionError),
    ):
        services.work_order_close(work_order=wo, actor=None)
    assert callbacks == []
    apply_async.assert_not_called()


def test_overdue_flag_is_right_after_callbacks_run(django_capture_on_commit_callbacks):
    wo = make_work_order(status="released")
    assert not wo.is_overdue

    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_reschedule(work_order=wo, actor=None, reason="slipped", due_date=_yesterday())
    wo.refresh_from_db()
    assert wo.is_overdue

    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_reschedule(work_order=wo, actor=None, reason="new date agreed", due_date=plant_today())
    wo.refresh_from_db()
    assert not wo.is_overdue  # due today is not yet overdue


def test_overdue_flag_cleared_when_order_is_cancelled(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wo = make_work_order(status="released", due_date=_yesterday())
    wo.refresh_from_db()
    assert wo.is_overdue
    with django_capture_on_commit_callbacks(execute=True):
        services.work_order_cancel(work_order=wo, actor=None, reason="no longer needed")
    wo.refresh_from_db()
    assert not wo.is_overdue


def test_periodic_scan_flags_and_clears_and_is_idempotent():
    late_open = [make_work_order(status=s, due_date=_yesterday()) for s in ("draft", "released", "in_progress")]
    late_done = [make_work_order(status=s, due_date=_yesterday()) for s in ("completed", "closed", "cancelled")]
    on_time = make_work_order(status="released", due_date=plant_today())
    no_date = make_work_order(status="released")
    # a stale flag on an order that is no longer late
    WorkOrder.objects.filter(pk=on_time.pk).update(is_overdue=True)

    result = work_orders_flag_overdue_task.apply().get()
    assert result == {"flagged": 3, "cleared": 1}
    flags = dict(WorkOrder.objects.values_list("pk", "is_overdue"))
    assert all(flags[wo.pk] for wo in late_open)
    assert not any(flags[wo.pk] for wo in late_done)
    assert not flags[on_time.pk]
    assert not flags[no_date.pk]

    assert work_orders_flag_overdue_task.apply().get() == {"flagged": 0, "cleared": 0}
    assert dict(WorkOrder.objects.values_list("pk", "is_overdue")) == flags


def test_overdue_is_judged_on_the_plant_date(settings, monkeypatch):
    settings.PLANT_TIME_ZONE = "America/Chicago"
    wo = make_work_order(status="released", due_date=dt.date(2026, 6, 15))
    # 03:30 UTC on the 16th is still 22:30 on the 15th in the plant: not overdue yet.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 6, 16, 3, 30, tzinfo=dt.UTC))
    work_orders_flag_overdue_task.apply()
    wo.refresh_from_db()
    assert not wo.is_overdue
    # 05:00 UTC on the 16th is 00:00 on the 16th in the plant: now it is.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 6, 16, 5, 0, tzinfo=dt.UTC))
    work_orders_flag_overdue_task.apply()
    wo.refresh_from_db()
    assert wo.is_overdue


def test_single_refresh_task_touches_only_its_order():
    a = make_work_order(status="released", due_date=_yesterday())
    b = make_work_order(status="released", due_date=_yesterday())
    work_order_refresh_overdue_task.apply(args=(a.pk,))
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_overdue
    assert not b.is_overdue
    work_order_refresh_overdue_task.apply(args=(a.pk,))  # twice: same result
    a.refresh_from_db()
    assert a.is_overdue


def test_broker_down_does_not_undo_the_committed_change(django_capture_on_commit_callbacks, caplog):
    wo = make_work_order(status="released", due_date=_yesterday())
    with (
        mock.patch.object(work_order_refresh_overdue_task, "apply_async", side_effect=ConnectionError("redis down")),
        caplog.at_level(logging.WARNING, logger="prodcoord.core.queue"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="expedite")
    wo.refresh_from_db()
    assert wo.priority == 1  # the user's change stands
    assert not wo.is_overdue  # the follow-up did not run…
    assert "periodic run will pick it up" in caplog.text
    work_orders_flag_overdue_task.apply()  # …and the periodic run catches up
    wo.refresh_from_db()
    assert wo.is_overdue
