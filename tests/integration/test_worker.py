"""Background work through a real Celery worker and Redis, and what happens when the broker is down
(the outbox with a hung or down broker: test_outbox.py)."""

import datetime as dt
import time

import pytest
from django.conf import settings
from django.db import transaction

from prodcoord.core import request_id
from prodcoord.events.models import Event
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.services import outbox_message_enqueue
from tests.brokers import CLOSED_PORT_BROKER
from tests.factories import make_work_order
from tests.integration.support import wait_until
from workorders.models import WorkOrder
from workorders.tasks import work_orders_flag_overdue_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

LONG_AGO = dt.date.today() - dt.timedelta(days=60)  # overdue, within the plan-date window
NEXT_YEAR = dt.date.today() + dt.timedelta(days=365)


def is_overdue(work_order):
    return WorkOrder.objects.filter(pk=work_order.pk, is_overdue=True).exists()


def test_follow_up_queued_on_commit_runs_in_the_worker(worker_app, celery_worker):
    stale = make_work_order(status="in_progress", due_date=LONG_AGO)
    WorkOrder.objects.filter(pk=stale.pk).update(is_overdue=False)  # as if the date had just rolled over

    with transaction.atomic():
        pk = outbox_message_enqueue(task=work_orders_flag_overdue_task)
        time.sleep(0.5)
        assert not is_overdue(stale)  # nothing is sent before the commit

    wait_until(lambda: is_overdue(stale), worker=celery_worker, what=f"the worker to flag {stale.number} overdue")
    wait_until(lambda: OutboxMessage.objects.get(pk=pk).state == "done", worker=celery_worker, what="the message marked done")
    assert "work_orders_flag_overdue_task" in celery_worker.log()


def test_the_worker_logs_a_task_with_the_id_of_the_request_that_queued_it(worker_app, celery_worker):
    stale = make_work_order(status="in_progress", due_date=LONG_AGO)
    WorkOrder.objects.filter(pk=stale.pk).update(is_overdue=False)
    token = request_id._current.set("req-worker-7")
    try:
        with transaction.atomic():
            outbox_message_enqueue(task=work_orders_flag_overdue_task)
    finally:
        request_id._current.reset(token)

    wait_until(lambda: is_overdue(stale), worker=celery_worker, what=f"the worker to flag {stale.number} overdue")
    wait_until(lambda: "succeeded" in _lines_with(celery_worker, "req-worker-7"), worker=celery_worker, what="the task's log")
    assert "work_orders_flag_overdue_task" in _lines_with(celery_worker, "req-worker-7")


def _lines_with(worker, text):
    return "\n".join(line for line in worker.log().splitlines() if text in line)


def test_the_periodic_scan_runs_in_the_worker(worker_app, celery_worker):
    stale = make_work_order(status="in_progress", due_date=LONG_AGO)
    WorkOrder.objects.filter(pk=stale.pk).update(is_overdue=False)  # as if its follow-up had been lost
    entry = settings.CELERY_BEAT_SCHEDULE["flag-overdue-work-orders"]

    worker_app.send_task(entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))

    wait_until(lambda: is_overdue(stale), worker=celery_worker, what="the periodic scan to flag the stale work order")
    assert entry["task"] in celery_worker.log()


def test_broker_down_a_change_commits_at_once_with_its_overdue_flag(use_broker, api_as, make_user):
    wo = make_work_order(status="released", due_date=NEXT_YEAR)
    client = api_as(user=make_user(is_superuser=True))
    use_broker(broker=CLOSED_PORT_BROKER)

    started = time.monotonic()
    response = client.patch(
        f"/api/v1/work-orders/{wo.number}/",
        {"due_date": LONG_AGO.isoformat(), "reason": "Customer pulled the date in.", "version": wo.version},
        format="json",
    )
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.content
    assert elapsed < 2, f"a down broker held the request for {elapsed:.1f}s"
    assert response.json()["is_overdue"] is True  # set in the change's own transaction, no follow-up needed
    wo.refresh_from_db()
    assert (wo.due_date, wo.is_overdue) == (LONG_AGO, True)
    assert Event.objects.filter(work_order_id=wo.pk, verb="work_order.rescheduled").count() == 1
