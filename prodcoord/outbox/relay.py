"""The relay: hands pending outbox messages to the broker, or runs them here when there is none.

Two callers:

- ``relay_after_commit(ids)``, right after the commit that queued messages:
  those messages, at once — or, in a request with a broker configured, once
  the response has gone to the client (``HandOverAfterResponseMiddleware``:
  the worker runs them later either way, so the user need not wait for the
  hand-over; without a broker they run before the response, as the
  single-process setup promises). It never raises,
  and a broker that is down or hung costs the request at most one
  ``OUTBOX_BROKER_TIMEOUT`` (connect, or one reply); after such a failure this
  process leaves the broker alone for ``OUTBOX_BROKER_PAUSE_SECONDS`` and its
  messages wait, pending, for the periodic run.
- ``relay_pending()``, the periodic ``outbox_relay_task`` (every minute, by
  Celery beat or ``manage.py runperiodic``): every message due — pending ones,
  and sent ones whose lease ran out — in batches of ``OUTBOX_RELAY_BATCH_SIZE``.

A hand-over is a message on the broker for ``outbox_deliver_task(message_id)``,
sent over a connection of its own (kept per thread between hand-overs) with
short socket timeouts and no publish retries. With no broker configured (Celery runs tasks eagerly), the message is
run right here instead (``outbox_message_run``).
"""

import contextlib
import contextvars
import logging
import os
import threading
import time

from celery import current_app
from django.conf import settings

from .services import outbox_message_run, outbox_messages_claim, outbox_messages_claim_new, outbox_messages_release

logger = logging.getLogger(__name__)

DELIVER_TASK = "prodcoord.outbox.tasks.outbox_deliver_task"
# The periodic run stops taking new batches after this long; the next run goes on.
RELAY_TIME_BUDGET_SECONDS = 50

# Broker URL → time.monotonic() until which relay_after_commit does not try it (this process only).
_paused_until = {}


def _eager(app):
    return bool(app.conf.task_always_eager)


def _broker(app):
    return app.conf.broker_write_url


def broker_paused(app=None):
    """Whether a recent failure makes ``relay_after_commit`` leave the broker alone for now."""
    app = app or current_app
    return _paused_until.get(_broker(app), 0.0) > time.monotonic()


def reset_broker_pauses():
    """Forget recent failures and kept connections: ``relay_after_commit`` tries every broker again at once."""
    _paused_until.clear()
    _connections.drop()


def _transport_options():
    timeout = settings.OUTBOX_BROKER_TIMEOUT
    # max_retries=0: one connection attempt, not the transport's default retries.
    return {"socket_timeout": timeout, "socket_connect_timeout": timeout, "max_retries": 0}


class _Connections(threading.local):
    """This thread's broker connection for hand-overs, kept between them: opening one costs several round
    trips (about 7 ms against a local Redis), a publish on an open one a fraction of a millisecond."""

    key = None  # (process id, broker URL): never shared with a forked child, or used for another broker
    connection = None
    used_at = 0.0

    def get(self, app):
        """``(connection, reused)``. A connection idle for REUSE_SECONDS is not trusted: a new one is opened."""
        key, now = (os.getpid(), _broker(app)), time.monotonic()
        reused = self.connection is not None and self.key == key and now - self.used_at < REUSE_SECONDS
        if not reused:
            self.drop()
            self.connection = app.connection_for_write(
                connect_timeout=settings.OUTBOX_BROKER_TIMEOUT, transport_options=_transport_options()
            )
            self.key = key
        self.used_at = now
        return self.connection, reused

    def drop(self):
        connection, self.connection, self.key = self.connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection: nothing left to do
                connection.release()


# An idle connection older than this is replaced (below redis-py's 25 s health check, which would PING first).
REUSE_SECONDS = 20
_connections = _Connections()


def publish(ids, *, app=None):
    """Hand the claimed messages ``ids`` to the broker, in order; returns ``(handed over, error)``. On the
    first failure the ones not handed over go back to pending and the error is returned (else ``None``).

    Each try is bounded by ``OUTBOX_BROKER_TIMEOUT`` (connect, or one reply). A kept connection that fails
    at once (Redis restarted, the connection was closed) is replaced by a new one, once.
    """
    app = app or current_app
    handed = 0
    try:
        connection, reused = _connections.get(app)
        started = time.monotonic()
        try:
            for pk in ids:
                app.send_task(DELIVER_TASK, args=[pk], connection=connection, retry=False)
                handed += 1
        except Exception:
            _connections.drop()
            if not reused or time.monotonic() - started >= settings.OUTBOX_BROKER_TIMEOUT:
                raise
            connection, _ = _connections.get(app)
            for pk in ids[handed:]:
                app.send_task(DELIVER_TASK, args=[pk], connection=connection, retry=False)
                handed += 1
    except Exception as exc:
        _connections.drop()
        error = f"The broker did not take it: {type(exc).__name__}: {exc}"
        outbox_messages_release(ids=ids[handed:], error=error)
        return handed, error
    return handed, None


def run_here(ids):
    """Run the claimed messages ``ids`` in this process, one transaction each (no broker)."""
    outcomes = {}
    for pk in ids:
        outcome = outbox_message_run(message_id=pk)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


# In a request handled by HandOverAfterResponseMiddleware: the ids committed so far, handed over after the response.
_after_response = contextvars.ContextVar("outbox_after_response", default=None)


class HandOverAfterResponseMiddleware:
    """With a broker, the follow-ups a request commits are handed over when the server closes the response,
    that is once the client has it: the hand-over (a claim and a publish, a few milliseconds) is not part of
    the user's wait, and the worker runs them afterwards either way. Without a broker (tasks run in this
    process) nothing changes: they run before the response, so a page shows their effect at once.

    Should the process die between the response and the hand-over, the messages are pending and the
    periodic relay hands them over, as after any lost hand-over."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _eager(current_app):
            return self.get_response(request)
        ids = []
        token = _after_response.set(ids)
        try:
            response = self.get_response(request)
        finally:
            _after_response.reset(token)
        if ids:
            close = response.close

            def hand_over_then_close():
                try:
                    relay_after_commit(ids)
                finally:
                    close()

            response.close = hand_over_then_close
        return response


def relay_after_commit(ids):
    """Hand over the messages ``ids`` just committed (in a request with a broker: once its response is sent).
    Never raises: whatever is not handed over stays pending."""
    waiting = _after_response.get()
    if waiting is not None:
        waiting.extend(ids)
        return
    try:
        app = current_app
        if _eager(app):
            run_here(outbox_messages_claim_new(ids=ids))
            return
        if broker_paused(app):
            return
        claimed = outbox_messages_claim_new(ids=ids)
        _, error = publish(claimed, app=app) if claimed else (0, None)
        if error:
            pause = settings.OUTBOX_BROKER_PAUSE_SECONDS
            _paused_until[_broker(app)] = time.monotonic() + pause
            logger.warning(
                "%s — %d follow-up(s) stay pending for the periodic relay; this process leaves the broker alone for %ss.",
                error,
                len(claimed),
                pause,
            )
    except Exception:
        logger.exception("Handing over outbox messages %s failed; they stay for the periodic relay.", ids)


def relay_pending(*, batch_size=None):
    """Hand over (or, with no broker, run) every message due, oldest first. Returns counts for the log."""
    app = current_app
    batch_size = batch_size or settings.OUTBOX_RELAY_BATCH_SIZE
    deadline = time.monotonic() + RELAY_TIME_BUDGET_SECONDS
    result = {"handed_over": 0}
    while True:
        claimed = outbox_messages_claim(limit=batch_size)
        if not claimed:
            break
        if _eager(app):
            for outcome, count in run_here(claimed).items():
                result[outcome] = result.get(outcome, 0) + count
            result["handed_over"] += len(claimed)
        else:
            handed, error = publish(claimed, app=app)
            result["handed_over"] += handed
            if error:
                logger.warning("%s Outbox messages stay pending until the next relay run.", error)
                result["error"] = error
                break
        if len(claimed) < batch_size or time.monotonic() > deadline:
            break
    return result
