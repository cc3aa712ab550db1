"""Helpers for tests that wait on another process or race two connections."""

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


def race(*calls, hold_lock_for=0.3):
    """Run each call in its own thread and database connection, all starting at once.

    Each call runs in a transaction that stays open ``hold_lock_for`` seconds
    after the call returns, so whichever takes a row lock first still holds it
    while the others arrive. Returns one ``("ok", value)`` or ``("error", exc)``
    per call, in order.
    """
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
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
