"""The overdue flag: set by every change in its own transaction, and by the periodic scan when the date rolls over."""

import datetime as dt

import pytest
from django.utils import timezone

from prodcoord.core.plant_time import plant_today
from prodcoord.outbox.models import OutboxMessage
from tests.factories import make_work_order
from workorders import services
from workorders.models import WorkOrder
from workorders.tasks import work_orders_flag_overdue_task

pytestmark = pytest.mark.django_db


def _yesterday():
    return plant_today() - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("make", "change", "overdue"),
    [
        (
            dict(status="released"),
            lambda wo: services.work_order_reschedule(work_order=wo, actor=None, reason="slipped", due_date=_yesterday()),
            True,
        ),
        (
            dict(status="released", due_date="yesterday"),
            lambda wo: services.work_order_reschedule(
                work_order=wo, actor=None, reason="new date agreed", due_date=plant_today()
            ),
            False,
        ),
        (
            dict(status="released", due_date="yesterday"),
            lambda wo: services.work_order_cancel(work_order=wo, actor=None, reason="no longer needed"),
            False,
        ),
        (
            dict(status="in_progress", due_date="yesterday"),
            lambda wo: services.work_order_complete(work_order=wo, actor=None, reason="short"),
            False,
        ),
        (dict(status="draft", due_date="yesterday"), lambda wo: services.work_order_release(work_order=wo, actor=None), True),
    ],
    ids=["rescheduled-late", "rescheduled-to-today", "cancelled", "completed", "released-late"],
)
def test_the_overdue_flag_is_set_in_the_changes_own_transaction(make, change, overdue, django_capture_on_commit_callbacks):
    if make.get("due_date") == "yesterday":
        make = {**make, "due_date": _yesterday()}
    wo = make_work_order(**make)
    with django_capture_on_commit_callbacks(execute=False):
        changed = change(wo)
        # already right inside the transaction, for the API's answer and any read after it
        assert WorkOrder.objects.get(pk=wo.pk).is_overdue is overdue
    assert changed.is_overdue is overdue
    # …and no follow-up task is queued to set it
    assert not OutboxMessage.objects.filter(task=work_orders_flag_overdue_task.name).exists()


def test_a_new_order_due_yesterday_is_overdue_at_once():
    wo = make_work_order(status="draft", due_date=_yesterday())
    assert WorkOrder.objects.get(pk=wo.pk).is_overdue
    assert not make_work_order(status="draft", due_date=plant_today()).is_overdue


def test_workorders_services_do_not_import_tasks():
    """The services set the flag themselves: no services ↔ tasks import cycle."""
    import ast
    import pathlib

    import workorders.services as package

    for path in pathlib.Path(package.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        imported = [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)] + [
            alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
        ]
        assert not any(name.endswith("tasks") for name in imported), path


def test_periodic_scan_flags_and_clears_when_the_date_rolls_over_and_is_idempotent(monkeypatch):
    today = plant_today()
    due_today_open = [make_work_order(status=s, due_date=today) for s in ("draft", "released", "in_progress")]
    due_today_done = [make_work_order(status=s, due_date=today) for s in ("completed", "closed", "cancelled")]
    due_tomorrow = make_work_order(status="released", due_date=today + dt.timedelta(days=1))
    no_date = make_work_order(status="released")
    assert not WorkOrder.objects.filter(is_overdue=True).exists()
    # a stale flag on an order that is not late
    WorkOrder.objects.filter(pk=due_tomorrow.pk).update(is_overdue=True)

    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    result = work_orders_flag_overdue_task.apply().get()
    assert result == {"flagged": 3, "cleared": 1}
    flags = dict(WorkOrder.objects.values_list("pk", "is_overdue"))
    assert all(flags[wo.pk] for wo in due_today_open)
    assert not any(flags[wo.pk] for wo in due_today_done)
    assert not flags[due_tomorrow.pk]
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
