"""The relay with a broker: after the commit it hands the new messages over, bounded by short timeouts; a
broker that is down or hung costs the request at most one timeout, and the periodic relay delivers later."""

import logging
import time
from unittest import mock

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, transaction

from prodcoord.outbox import relay
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.relay import DELIVER_TASK, relay_after_commit, relay_pending
from prodcoord.outbox.services import outbox_enqueue, outbox_message_enqueue, outbox_message_run
from tests.brokers import CLOSED_PORT_BROKER, deadline, hung_broker
from tests.outbox.tasks import count_run_task, runs

pytestmark = pytest.mark.django_db

COUNT = count_run_task.name
MEMORY_BROKER = "memory://localhost/"


def states(ids):
    rows = {pk: (state, attempts) for pk, state, attempts in OutboxMessage.objects.values_list("pk", "state", "attempts")}
    return [rows[pk] for pk in ids]


def commit_follow_ups(capture, *names):
    """Queue one follow-up per name in a transaction, commit it; return the ids and the seconds the commit took."""
    with capture(execute=False) as callbacks, transaction.atomic():
        ids = outbox_enqueue(messages=[{"task": COUNT, "args": [name]} for name in names])
    started = time.monotonic()
    with deadline(10, "the relay after the commit"):
        for callback in callbacks:
            callback()
    return ids, time.monotonic() - started


@pytest.fixture
def sent(use_broker):
    """Switch to an in-memory broker; the list of message ids handed to it, in order."""
    app = use_broker(broker=MEMORY_BROKER)
    handed = []
    real_send = app.send_task

    def send_task(name, args=None, **options):
        assert name == DELIVER_TASK
        assert options["retry"] is False  # one try, bounded by the socket timeouts
        handed.extend(args)
        return real_send(name, args=args, **options)

    with mock.patch.object(app, "send_task", side_effect=send_task):
        yield handed


def test_after_the_commit_the_new_messages_are_handed_to_the_broker(sent, django_capture_on_commit_callbacks):
    ids, _ = commit_follow_ups(django_capture_on_commit_callbacks, "a", "b")
    assert sent == ids
    assert states(ids) == [("sent", 1), ("sent", 1)]
    assert runs("a") == 0  # the worker runs them, not this process

    # what the worker does with each, twice (the broker may deliver a message more than once)
    assert [outbox_message_run(message_id=pk) for pk in ids * 2] == ["done", "done", "skipped", "skipped"]
    assert (runs("a"), runs("b")) == (1, 1)


def test_broker_down_the_commit_returns_at_once_and_the_periodic_relay_delivers_later(
    use_broker, django_capture_on_commit_callbacks, caplog
):
    use_broker(broker=CLOSED_PORT_BROKER)
    with caplog.at_level(logging.WARNING, logger="prodcoord.outbox.relay"):
        ids, seconds = commit_follow_ups(django_capture_on_commit_callbacks, "a", "b")
    assert seconds < 2, f"the commit took {seconds:.2f}s"  # a refused connection: no wait (but a busy machine)
    assert states(ids) == [("pending", 0), ("pending", 0)]  # a refused hand-over is not an attempt
    assert "Connection refused" in OutboxMessage.objects.get(pk=ids[0]).last_error
    assert "stay pending for the periodic relay" in caplog.text

    # The broker is back: the periodic relay hands over whatever is pending.
    use_broker(broker=MEMORY_BROKER)
    assert relay_pending() == {"handed_over": 2}
    assert states(ids) == [("sent", 1), ("sent", 1)]


def test_broker_hung_the_commit_waits_one_short_timeout_then_this_process_leaves_the_broker_alone(
    use_broker, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOX_BROKER_TIMEOUT = 0.3
    with hung_broker() as (url, accepted):
        use_broker(broker=url)
        ids, first = commit_follow_ups(django_capture_on_commit_callbacks, "a")
        assert 0.3 <= first < 2, f"the first commit with a hung broker took {first:.2f}s"  # one 0.3 s timeout
        assert len(accepted) == 1  # one connection attempt, no retries
        assert relay.broker_paused()

        more, second = commit_follow_ups(django_capture_on_commit_callbacks, "b")
        assert second < 0.3, f"the next commit took {second:.2f}s"
        assert len(accepted) == 1  # not tried again while paused
    assert states(ids + more) == [("pending", 0), ("pending", 0)]
    assert "Timeout" in OutboxMessage.objects.get(pk=ids[0]).last_error


def test_the_pause_ends_after_the_configured_seconds(use_broker, django_capture_on_commit_callbacks, settings, monkeypatch):
    settings.OUTBOX_BROKER_PAUSE_SECONDS = 30
    use_broker(broker=CLOSED_PORT_BROKER)
    commit_follow_ups(django_capture_on_commit_callbacks, "a")
    assert relay.broker_paused()
    later = time.monotonic() + 31
    monkeypatch.setattr(relay.time, "monotonic", lambda: later)
    assert not relay.broker_paused()


def test_a_hand_over_that_fails_midway_keeps_the_rest_pending(sent, use_broker, django_capture_on_commit_callbacks):
    ids = outbox_enqueue(messages=[{"task": COUNT, "args": [name]} for name in "abc"])
    from prodcoord.celery import app

    real = app.send_task.side_effect

    def second_fails(name, args=None, **options):
        if len(sent) == 1:
            raise ConnectionError("connection reset by peer")
        return real(name, args=args, **options)

    app.send_task.side_effect = second_fails
    result = relay_pending()
    assert result["handed_over"] == 1 and "connection reset by peer" in result["error"]
    assert states(ids) == [("sent", 1), ("pending", 0), ("pending", 0)]

    app.send_task.side_effect = real
    assert relay_pending() == {"handed_over": 2}
    assert sent == ids


@pytest.fixture
def connections_opened(sent):
    """How many broker connections the relay opened."""
    from prodcoord.celery import app

    opened = []
    real = app.connection_for_write

    def connection_for_write(*args, **kwargs):
        opened.append(kwargs["transport_options"])
        return real(*args, **kwargs)

    with mock.patch.object(app, "connection_for_write", side_effect=connection_for_write):
        yield opened


def test_hand_overs_share_one_connection_while_it_is_in_use(
    connections_opened, sent, django_capture_on_commit_callbacks, monkeypatch
):
    for name in "abc":
        commit_follow_ups(django_capture_on_commit_callbacks, name)
    assert len(sent) == 3
    assert len(connections_opened) == 1
    assert connections_opened[0]["socket_timeout"] == connections_opened[0]["socket_connect_timeout"] == 0.5
    assert connections_opened[0]["max_retries"] == 0

    later = time.monotonic() + relay.REUSE_SECONDS + 1  # idle too long: not trusted any more
    monkeypatch.setattr(relay.time, "monotonic", lambda: later)
    commit_follow_ups(django_capture_on_commit_callbacks, "d")
    assert (len(sent), len(connections_opened)) == (4, 2)


def test_a_kept_connection_that_fails_at_once_is_replaced_once(connections_opened, sent, django_capture_on_commit_callbacks):
    from prodcoord.celery import app

    commit_follow_ups(django_capture_on_commit_callbacks, "a")
    real = app.send_task.side_effect
    failures = []

    def closed_by_the_server_once(name, args=None, **options):
        if not failures:
            failures.append(args)
            raise ConnectionError("Connection closed by server.")  # Redis restarted meanwhile
        return real(name, args=args, **options)

    app.send_task.side_effect = closed_by_the_server_once
    ids, _ = commit_follow_ups(django_capture_on_commit_callbacks, "b", "c")
    assert states(ids) == [("sent", 1), ("sent", 1)]
    assert len(connections_opened) == 2
    assert not relay.broker_paused()

    # a new connection that fails is not tried again: the messages wait for the periodic relay
    relay.reset_broker_pauses()  # forgets the kept connection too
    failures.clear()
    ids, _ = commit_follow_ups(django_capture_on_commit_callbacks, "d")
    assert states(ids) == [("pending", 0)]
    assert relay.broker_paused()


def test_the_relay_after_a_commit_never_fails_the_request(sent, caplog):
    pk = outbox_message_enqueue(task=COUNT, args=["a"])
    with (
        mock.patch.object(relay, "outbox_messages_claim_new", side_effect=RuntimeError("database gone")),
        caplog.at_level(logging.ERROR, logger="prodcoord.outbox.relay"),
    ):
        relay_after_commit([pk])
    assert "database gone" in caplog.text
    assert states([pk]) == [("pending", 0)]


def test_in_a_request_the_follow_ups_are_handed_over_once_the_response_is_sent(sent, rf, django_capture_on_commit_callbacks):
    from django.http import HttpResponse

    from prodcoord.outbox.relay import HandOverAfterResponseMiddleware

    committed = []

    def view(request):  # two commits, each with a follow-up
        for name in "ab":
            with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
                committed.extend(outbox_enqueue(messages=[{"task": COUNT, "args": [name]}]))
        return HttpResponse("moved")

    response = HandOverAfterResponseMiddleware(view)(rf.post("/api/v1/stock-moves/"))
    assert response.content == b"moved"
    assert sent == [] and states(committed) == [("pending", 0), ("pending", 0)]  # not while the response is on its way

    # What the server does once the client has the response. Closing a response also signals the
    # request's end, which closes the database connection the test's transaction lives on (on
    # PostgreSQL): kept open here as Django's test client does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert sent == committed
    assert states(committed) == [("sent", 1), ("sent", 1)]

    relay_after_commit(more := [outbox_message_enqueue(task=COUNT, args=["c"])])  # outside a request: at once
    assert sent == committed + more


def test_without_a_broker_a_requests_follow_ups_run_before_its_response():
    # The in-process setup: a page shows what its follow-ups did as soon as it answers.
    from prodcoord.outbox.relay import HandOverAfterResponseMiddleware

    calls = []
    response = HandOverAfterResponseMiddleware(lambda request: calls.append(relay._after_response.get()) or "answer")(None)
    assert response == "answer" and calls == [None]  # nothing is held back for later
