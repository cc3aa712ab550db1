"""The broker hung or down: user writes answer in their normal time, and every follow-up runs once when the
broker is back — through PostgreSQL, Redis and a real Celery worker."""

import datetime as dt
import threading
import time
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import connection, transaction

from prodcoord.core.models import NumberSequence
from prodcoord.events import hooks
from prodcoord.events.models import Event
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.relay import DELIVER_TASK
from prodcoord.outbox.services import outbox_enqueue, outbox_message_run, outbox_messages_claim, outbox_messages_claim_new
from tests.brokers import CLOSED_PORT_BROKER, deadline, hung_broker
from tests.factories import make_work_order
from tests.integration.support import race, wait_until
from tests.integration.tasks import count_follow_up_runs_task, runs_counter

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RELAY_TASK = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]["task"]
FIRST_DUE = dt.date.today() + dt.timedelta(days=30)


@pytest.fixture
def follow_up_on_reschedule():
    """A follow-up for every reschedule: ``count_follow_up_runs_task`` subscribed to its event, and
    only it (the apps' own subscribers, such as the notifications' fan-out, are set aside meanwhile, so
    the outbox holds exactly the messages this test counts)."""
    apps_subscribers = list(hooks._task_subscriptions)
    hooks._task_subscriptions[:] = []
    name = hooks.subscribe_task(count_follow_up_runs_task, verbs={"work_order.rescheduled"})
    yield name
    hooks.unsubscribe_task(name)
    hooks._task_subscriptions[:] = apps_subscribers


class Planner:
    """Reschedules one work order through the API, a day later each time, timing each request."""

    def __init__(self, client, work_order):
        self.client, self.number, self.version = client, work_order.number, work_order.version
        self.due = FIRST_DUE

    def reschedule(self):
        self.due += dt.timedelta(days=1)
        started = time.monotonic()
        with deadline(10, "the PATCH"):
            response = self.client.patch(
                f"/api/v1/work-orders/{self.number}/",
                {"due_date": self.due.isoformat(), "reason": "Customer moved the date.", "version": self.version},
                format="json",
            )
        seconds = time.monotonic() - started
        assert response.status_code == 200, response.content
        self.version = response.json()["version"]
        return seconds


def runs(event_id):
    return NumberSequence.objects.filter(name=runs_counter(event_id)).values_list("last_value", flat=True).first() or 0


def follow_ups():
    """{event id: (message state, runs)} for every reschedule so far."""
    events = Event.objects.filter(verb="work_order.rescheduled").values_list("pk", flat=True)
    states = {tuple(kwargs["event_ids"]): state for kwargs, state in OutboxMessage.objects.values_list("kwargs", "state")}
    return {pk: (states.get((pk,)), runs(pk)) for pk in events}


def deliveries_finished(worker):
    """How many ``outbox_deliver_task`` runs the worker finished (whatever each did)."""
    return sum(1 for line in worker.log().splitlines() if "outbox_deliver_task[" in line and " succeeded in " in line)


@pytest.mark.parametrize("broker", ["hung", "down"])
def test_broker_broken_writes_answer_in_normal_time_and_each_follow_up_runs_once_when_it_is_back(
    broker, follow_up_on_reschedule, use_broker, celery_worker, api_as, make_user
):
    planner = Planner(api_as(user=make_user(is_superuser=True)), make_work_order(status="released"))
    worker_broker = {"broker": celery_worker.broker_url, "queue": celery_worker.queue}

    # Broker up: the normal time of a write, and its follow-up runs in the worker right after.
    app = use_broker(**worker_broker)
    planner.reschedule()  # warm-up
    normal = min(planner.reschedule() for _ in range(2))
    wait_until(lambda: all(done == ("done", 1) for done in follow_ups().values()), worker=celery_worker, what="the follow-ups")

    # Broker broken: every write still answers in its normal time; its follow-up waits, pending.
    if broker == "hung":
        with hung_broker() as (url, accepted):
            use_broker(broker=url, queue=celery_worker.queue)
            broken = [planner.reschedule() for _ in range(3)]
            assert len(accepted) == 1, "the first write's relay should have tried the hung broker, and only it"
    else:
        use_broker(broker=CLOSED_PORT_BROKER, queue=celery_worker.queue)
        broken = [planner.reschedule() for _ in range(3)]
    print(f"broker {broker}: normal {normal:.3f}s, broker broken {[round(s, 3) for s in broken]}")
    # Normal time plus at most one OUTBOX_BROKER_TIMEOUT (0.5 s), with room for a busy machine.
    assert max(broken) < 2, f"writes took {broken}s with the broker {broker} (normal {normal:.3f}s)"
    assert sorted(state for state, _ in follow_ups().values()) == ["done"] * 3 + ["pending"] * 3
    assert all(count == 1 for state, count in follow_ups().values() if state == "done")
    assert all(count == 0 for state, count in follow_ups().values() if state == "pending")

    # The broker is back: the periodic relay (as beat sends it) hands them over; each runs once.
    app = use_broker(**worker_broker)
    app.send_task(RELAY_TASK)
    wait_until(lambda: set(follow_ups().values()) == {("done", 1)}, worker=celery_worker, what="the pending follow-ups to run")

    # At least once, and still only once to any visible effect: another periodic run, and every message
    # delivered again (as a broker may after a lost acknowledgement), change nothing.
    finished = deliveries_finished(celery_worker)
    app.send_task(RELAY_TASK)
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        app.send_task(DELIVER_TASK, args=[pk])
    wait_until(lambda: deliveries_finished(celery_worker) == finished + 6, worker=celery_worker, what="the redeliveries")
    assert set(follow_ups().values()) == {("done", 1)}
    assert len(follow_ups()) == 6
    assert celery_worker.log().count("'skipped'") >= 6


def waiting_messages(count):
    """``count`` pending messages, due now but not yet handed over."""
    ids = outbox_enqueue(
        messages=[{"task": count_follow_up_runs_task, "kwargs": {"event_ids": [-n]}, "delay": 600} for n in range(count)]
    )
    OutboxMessage.objects.update(next_attempt_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    return ids


def test_two_relays_at_once_never_hand_over_the_same_message():
    ids = waiting_messages(6)
    (first, a), (second, b) = race(lambda: outbox_messages_claim(limit=4), lambda: outbox_messages_claim(limit=4))
    assert (first, second) == ("ok", "ok")
    assert not set(a) & set(b)
    assert sorted(a + b) == ids[: len(a) + len(b)]
    assert len(a + b) >= 4
    assert OutboxMessage.objects.filter(state="sent").count() == len(a + b)


@contextmanager
def row_locked_elsewhere(pk):
    """Another connection holds message ``pk``'s row lock (a worker running it, a relay claiming it)
    for the duration of the block."""
    holding, finish = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                OutboxMessage.objects.select_for_update().get(pk=pk)
                holding.set()
                finish.wait(timeout=20)
        finally:
            connection.close()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert holding.wait(timeout=10)
        yield
    finally:
        finish.set()
        other.join(timeout=30)


def test_a_message_being_run_is_neither_run_again_nor_handed_over_again(settings):
    [pk] = waiting_messages(1)
    OutboxMessage.objects.filter(pk=pk).update(state="sent", sent_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))  # lease over
    with row_locked_elsewhere(pk):  # a worker in the middle of running it
        assert outbox_message_run(message_id=pk) == "busy"  # a second delivery does not wait, nor run it
        assert outbox_messages_claim(limit=10) == []  # nor does the periodic relay take it, lease or not
    assert outbox_messages_claim(limit=10) == [pk]


def test_the_claim_after_a_commit_skips_a_message_another_process_holds_without_waiting():
    first, second = waiting_messages(2)
    with row_locked_elsewhere(first), deadline(5, "the claim after the commit"):  # the periodic relay claiming it
        assert outbox_messages_claim_new(ids=[first, second]) == [second]
    assert dict(OutboxMessage.objects.values_list("pk", "state")) == {first: "pending", second: "sent"}
