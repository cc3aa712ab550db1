"""The outbox: follow-up work is a row written in the change's transaction, run once after the commit
(here in process: no broker), retried with a backoff when it fails, and never run twice."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from plant.models import Department
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.relay import relay_pending
from prodcoord.outbox.services import (
    SUPERSEDED,
    backoff,
    outbox_enqueue,
    outbox_message_enqueue,
    outbox_message_run,
    outbox_messages_claim,
    outbox_messages_claim_new,
    outbox_messages_purge,
    outbox_messages_retry,
)
from prodcoord.outbox.tasks import outbox_deliver_task, outbox_relay_task
from tests.factories import DepartmentFactory
from tests.outbox.tasks import count_run_task, count_run_then_fail_task, runs

pytestmark = pytest.mark.django_db

COUNT = count_run_task.name
FAIL = count_run_then_fail_task.name


def message(pk):
    return OutboxMessage.objects.get(pk=pk)


@pytest.fixture
def clock(monkeypatch):
    """``clock.move(seconds=…)``: timezone.now() runs ahead by that much from here on."""

    class Clock:
        offset = dt.timedelta(0)

        def move(self, **delta):
            self.offset += dt.timedelta(**delta)

    clock, real_now = Clock(), timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


# --- written with the change ------------------------------------------------------------------


def test_a_follow_up_is_a_row_of_the_changes_transaction_and_runs_once_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        DepartmentFactory(code="MACH")
        [pk] = outbox_enqueue(messages=[{"task": COUNT, "args": ["machining"]}])
        row = message(pk)
        assert (row.task, row.args, row.kwargs, row.state, row.attempts) == (COUNT, ["machining"], {}, "pending", 0)
        assert runs("machining") == 0  # nothing runs before the commit

    row = message(pk)
    assert (row.state, row.attempts, row.last_error) == ("done", 1, "")
    assert row.sent_at is not None and row.done_at >= row.sent_at
    assert runs("machining") == 1


def test_a_rolled_back_change_leaves_no_follow_up(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        DepartmentFactory(code="MACH")
        outbox_message_enqueue(task=COUNT, args=["machining"])
        raise RuntimeError("the rest of the change fails")
    assert callbacks == []
    assert not OutboxMessage.objects.exists()
    assert not Department.objects.filter(code="MACH").exists()
    assert runs("machining") == 0


def test_many_follow_ups_in_one_insert_are_handed_over_after_one_commit(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    rows = [{"task": count_run_task, "args": [f"order-{n}"]} for n in range(3)] + [{"task": COUNT, "kwargs": {"name": "k"}}]
    with django_capture_on_commit_callbacks(execute=False) as callbacks, django_assert_num_queries(1):
        ids = outbox_enqueue(messages=rows)  # one INSERT, in the caller's transaction (no savepoint)
    assert len(callbacks) == 1
    assert [message(pk).args for pk in ids] == [["order-0"], ["order-1"], ["order-2"], []]
    assert message(ids[3]).kwargs == {"name": "k"}
    callbacks[0]()
    assert [runs(f"order-{n}") for n in range(3)] + [runs("k")] == [1, 1, 1, 1]


def test_after_the_commit_the_new_messages_still_pending_and_due_are_claimed_in_one_statement(django_assert_num_queries):
    ids = outbox_enqueue(messages=[{"task": COUNT, "args": [name]} for name in "abcd"])
    OutboxMessage.objects.filter(pk=ids[0]).update(state="sent", attempts=1)  # the periodic relay took it meanwhile
    OutboxMessage.objects.filter(pk=ids[1]).update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    before = timezone.now()
    with django_assert_num_queries(1):
        assert outbox_messages_claim_new(ids=[ids[3], ids[2], ids[0], ids[1]]) == [ids[2], ids[3]]  # oldest first
    rows = {m.pk: m for m in OutboxMessage.objects.filter(pk__in=ids)}
    assert [(rows[pk].state, rows[pk].attempts) for pk in ids] == [("sent", 1), ("pending", 0), ("sent", 1), ("sent", 1)]
    assert before <= rows[ids[2]].sent_at <= timezone.now()
    assert outbox_messages_claim_new(ids=ids) == []  # claimed once only
    assert outbox_messages_claim_new(ids=[]) == []


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ({"task": "no.such.task"}, "No Celery task named 'no.such.task'"),
        ({"task": COUNT, "args": [Department(code="X")]}, "must be plain JSON values"),
        ({"task": COUNT, "args": [dt.date(2026, 6, 1)]}, "must be plain JSON values"),
        ({"task": COUNT, "priority": 1}, "Unknown outbox message fields: priority"),
        ({"task": COUNT, "delay": -5}, "cannot be negative"),
        ({"task": COUNT, "dedupe_key": "k" * 201}, "at most 200 characters"),
    ],
    ids=["unknown-task", "a-model-instance", "a-date", "unknown-field", "negative-delay", "long-key"],
)
def test_a_follow_up_that_could_never_run_is_refused_when_queued(row, error):
    with pytest.raises(ValueError, match=error):
        outbox_enqueue(messages=[{"task": COUNT, "args": ["fine"]}, row])
    assert not OutboxMessage.objects.exists()


# --- run once --------------------------------------------------------------------------------


def test_a_message_that_ran_is_skipped_when_delivered_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        pk = outbox_message_enqueue(task=COUNT, args=["once"])
    assert message(pk).state == "done"

    assert outbox_message_run(message_id=pk) == "skipped"
    assert outbox_deliver_task.apply(args=[pk]).get() == "skipped"  # what the worker runs
    assert runs("once") == 1


def test_the_task_and_done_commit_together(django_capture_on_commit_callbacks):
    """The task runs inside the transaction that marks its message done: both or neither."""
    with django_capture_on_commit_callbacks(execute=False):
        pk = outbox_message_enqueue(task=COUNT, args=["together"])
    with pytest.raises(IntegrityError), transaction.atomic():
        assert outbox_message_run(message_id=pk) == "done"
        assert runs("together") == 1
        raise IntegrityError("the connection died before the commit")
    assert (message(pk).state, runs("together")) == ("pending", 0)
    assert outbox_message_run(message_id=pk) == "done"
    assert runs("together") == 1


def test_a_failure_is_rolled_back_recorded_and_retried_after_a_backoff(django_capture_on_commit_callbacks, clock):
    with django_capture_on_commit_callbacks(execute=True):
        DepartmentFactory(code="MACH")
        pk = outbox_message_enqueue(task=FAIL, args=["flaky"])
    assert Department.objects.filter(code="MACH").exists()  # the change stands

    row = message(pk)
    assert (row.state, row.attempts, runs("flaky")) == ("pending", 1, 0)  # the task's own write rolled back
    assert "RuntimeError: The mail server said no." in row.last_error
    assert row.next_attempt_at - timezone.now() == pytest.approx(dt.timedelta(seconds=30), abs=dt.timedelta(seconds=2))

    assert relay_pending() == {"handed_over": 0}  # not before its time
    clock.move(seconds=31)
    assert outbox_relay_task.apply().get() == {"handed_over": 1, "retry": 1}
    row = message(pk)
    assert (row.state, row.attempts) == ("pending", 2)
    assert row.next_attempt_at - timezone.now() == pytest.approx(dt.timedelta(seconds=60), abs=dt.timedelta(seconds=2))


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in range(1, 11)] == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


def test_after_the_last_attempt_a_message_fails_until_an_admin_retries_it(django_capture_on_commit_callbacks, settings, clock):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        pk = outbox_message_enqueue(task=FAIL, args=["doomed"])
    clock.move(minutes=1)
    assert relay_pending() == {"handed_over": 1, "failed": 1}
    assert (message(pk).state, message(pk).attempts) == ("failed", 2)
    clock.move(days=1)
    assert relay_pending() == {"handed_over": 0}  # failed stays failed

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox_messages_retry(ids=[pk]) == 1
    row = message(pk)
    assert (row.state, row.attempts) == ("pending", 0)
    assert "The mail server said no." in row.last_error  # kept until the next run says otherwise
    assert len(callbacks) == 1  # handed over after the commit, like a new message


def test_a_sent_message_not_done_within_the_lease_is_handed_over_again(settings, clock):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    pk = outbox_message_enqueue(task=COUNT, args=["lost"])
    assert outbox_messages_claim(limit=10) == [pk]  # handed to a worker that then died
    assert outbox_messages_claim(limit=10) == []  # within the lease: still its worker's

    clock.move(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert outbox_messages_claim(limit=10) == [pk]
    assert (message(pk).state, message(pk).attempts) == ("sent", 2)
    clock.move(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert outbox_messages_claim(limit=10) == [pk]
    clock.move(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
    assert outbox_messages_claim(limit=10) == []  # the third lease ran out too: given up
    row = message(pk)
    assert (row.state, row.attempts) == ("failed", 3)
    assert "never finished within the lease" in row.last_error


def test_the_relay_works_in_batches_oldest_first(settings):
    settings.OUTBOX_RELAY_BATCH_SIZE = 2
    ids = outbox_enqueue(messages=[{"task": COUNT, "args": [f"b{n}"]} for n in range(5)])
    assert outbox_messages_claim(limit=2) == ids[:2]
    assert relay_pending() == {"handed_over": 3, "done": 3}
    assert [runs(f"b{n}") for n in range(5)] == [0, 0, 1, 1, 1]


# --- delays and dedupe keys ---------------------------------------------------------------------


def test_a_delayed_message_waits_for_the_periodic_relay(django_capture_on_commit_callbacks, clock):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pk = outbox_message_enqueue(task=COUNT, args=["later"], delay=dt.timedelta(minutes=5))
    assert callbacks == []  # nothing to hand over after the commit
    assert relay_pending() == {"handed_over": 0}
    clock.move(minutes=5, seconds=1)
    assert relay_pending() == {"handed_over": 1, "done": 1}
    assert (message(pk).state, runs("later")) == ("done", 1)


def test_one_pending_message_per_dedupe_key():
    first = outbox_message_enqueue(task=COUNT, args=["recompute"], dedupe_key="attainment:CNC-01", delay=60)
    again = outbox_message_enqueue(task=COUNT, args=["recompute"], dedupe_key="attainment:CNC-01", delay=60)
    other = outbox_message_enqueue(task=COUNT, args=["recompute"], dedupe_key="attainment:CNC-02", delay=60)
    batch = outbox_enqueue(
        messages=[
            {"task": COUNT, "args": ["recompute"], "dedupe_key": "attainment:CNC-01"},
            {"task": COUNT, "args": ["recompute"], "dedupe_key": "attainment:LATHE"},
            {"task": COUNT, "args": ["recompute"], "dedupe_key": "attainment:LATHE"},
            {"task": COUNT, "args": ["recompute"]},
            {"task": COUNT, "args": ["recompute"]},
        ]
    )
    assert first == again == batch[0] != other
    assert batch[1] == batch[2] and batch[3] != batch[4]
    assert OutboxMessage.objects.count() == 5

    # Once handed over, the work may already have read the data: a new change queues a new message.
    OutboxMessage.objects.filter(pk=first).update(state="sent")
    later = outbox_message_enqueue(task=COUNT, args=["recompute"], dedupe_key="attainment:CNC-01")
    assert later not in (first, other)
    with pytest.raises(IntegrityError), transaction.atomic():
        OutboxMessage.objects.create(task=COUNT, dedupe_key="attainment:CNC-01", next_attempt_at=timezone.now())


def test_a_failed_run_is_superseded_by_the_pending_message_with_its_key():
    pk = outbox_message_enqueue(task=FAIL, args=["recompute"], dedupe_key="shortages:BRKT-1")
    outbox_messages_claim_new(ids=[pk])
    newer = outbox_message_enqueue(task=FAIL, args=["recompute"], dedupe_key="shortages:BRKT-1")
    assert newer != pk

    assert outbox_message_run(message_id=pk) == "retry"
    row = message(pk)
    assert row.state == "done"  # nothing left for it to do: the newer message does the same work
    assert "The mail server said no." in row.last_error and SUPERSEDED in row.last_error
    assert message(newer).state == "pending"


# --- housekeeping ----------------------------------------------------------------------------------


def test_done_messages_are_purged_after_the_configured_days(settings, clock):
    settings.OUTBOX_KEEP_DONE_DAYS = 7
    old_done, old_failed, old_pending = (outbox_message_enqueue(task=COUNT, args=[name]) for name in ("a", "b", "c"))
    for pk in (old_done, old_failed):
        outbox_messages_claim_new(ids=[pk])
    outbox_message_run(message_id=old_done)
    OutboxMessage.objects.filter(pk=old_failed).update(state="failed")
    clock.move(days=7, seconds=1)
    recent = outbox_message_enqueue(task=COUNT, args=["d"])
    outbox_messages_claim_new(ids=[recent])
    outbox_message_run(message_id=recent)

    assert outbox_messages_purge() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {old_failed, old_pending, recent}
    assert outbox_messages_purge() == 0


def test_without_a_broker_the_periodic_runner_runs_what_is_still_pending():
    pk = outbox_message_enqueue(task=COUNT, args=["periodic"])  # its after-commit relay never ran: the process died
    call_command("runperiodic", "--once")
    assert (message(pk).state, runs("periodic")) == ("done", 1)
