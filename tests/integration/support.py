"""Helpers for tests that wait on another process or race two connections."""

import queue
import threading
import time

import pytest
from django.db import connection, transaction


def wait_until(predicate, *, timeout=20, interval=0.2, worker=None, what="the condition"):
    """Poll ``predicate`` until it is true; fail with the worker's log when it never is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    log = f"\nWorker log:\n{worker.log()[-4000:]}" if worker is not None else ""
    pytest.fail(f"Timed out after {timeout}s waiting for {what}.{log}", pytrace=False)


def race(*calls, hold_lock_for=0.3, in_transaction=True):
    """Run each call in its own thread and database connection, all starting at once.

    Each call runs in a transaction that stays open ``hold_lock_for`` seconds
    after the call returns, so whichever takes a row lock first still holds it
    while the others arrive (``in_transaction=False``: the call as it is, e.g. a
    request, which commits its own). Returns one ``("ok", value)`` or
    ``("error", exc)`` per call, in order.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            if not in_transaction:
                value = call()
            else:
                with transaction.atomic():
                    value = call()
                    time.sleep(hold_lock_for)
            results[index] = ("ok", value)
        except Exception as exc:
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(not t.is_alive() for t in threads), "a racing call never finished (deadlock?)"
    return results


def one_waits_for_the_other(first, second, *, timeout=20):
    """Run ``first``, then ``second`` while ``first``'s transaction still holds its row locks.

    Each call runs in its own thread, database connection and transaction.
    ``first`` runs to its end; its transaction stays open until ``second`` —
    started only then — is seen waiting for a lock in PostgreSQL
    (``pg_stat_activity``), and only then commits. So the order is certain,
    and the test fails if ``second`` never waits, that is if the two calls do
    not take the same row lock. Returns ``("ok", value)`` or ``("error", exc)``
    for each call, in order.
    """
    results = [None, None]
    first_returned, commit_first = threading.Event(), threading.Event()
    second_pid = queue.Queue()

    def run_first():
        try:
            with transaction.atomic():
                try:
                    results[0] = ("ok", first())
                finally:
                    first_returned.set()
                commit_first.wait(timeout=timeout)
        except Exception as exc:
            results[0] = ("error", exc)
        finally:
            connection.close()

    def run_second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second_pid.put(cursor.fetchone()[0])
            with transaction.atomic():
                results[1] = ("ok", second())
        except Exception as exc:
            results[1] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    threads[0].start()
    try:
        assert first_returned.wait(timeout=timeout), "the first call never returned"
        assert results[0][0] == "ok", f"the first call failed: {results[0][1]!r}"
        threads[1].start()
        pid = second_pid.get(timeout=timeout)
        waited = _wait_for_lock_wait(pid, thread=threads[1], timeout=timeout)
    finally:
        commit_first.set()
        for thread in threads:
            if thread.ident is not None:
                thread.join(timeout=60)
    assert all(not t.is_alive() for t in threads), "a call never finished (deadlock?)"
    assert waited, f"the second call did not wait for the first's row lock: {results[1]!r}"
    return results


def _wait_for_lock_wait(pid, *, thread, timeout):
    """Whether the backend ``pid`` is seen waiting for a lock before ``thread`` ends (or the time is up)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and thread.is_alive():
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
            time.sleep(0.02)
    return False
