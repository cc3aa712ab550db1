"""Brokers for tests: switch this process's Celery app to one, or to one that fails.

``use_broker`` (a fixture in tests/conftest.py) points the app at a broker URL
and stops running tasks in process; ``CLOSED_PORT_BROKER`` refuses every
connection; ``hung_broker()`` accepts every connection and never answers;
``deadline()`` fails a test that a hung broker would otherwise hold forever.
"""

import contextlib
import signal
import socket
import threading

import pytest

# Nothing listens on port 1 of this machine: a connection is refused at once.
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


def reset_broker_connections(app):
    """Forget pooled connections and past broker failures, so the next send uses the broker now configured."""
    from kombu import pools

    from prodcoord.outbox import relay

    pools.reset()  # kombu's process-wide connection and producer pools
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    relay.reset_broker_pauses()


@contextlib.contextmanager
def hung_broker():
    """A broker that hangs: a TCP server on this machine that accepts every connection and never answers.
    Yields its ``redis://`` URL and the list of the connections it accepted."""
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    server.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)  # held open, never read from or written to

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0", accepted
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()
        for conn in accepted:
            conn.close()


@contextlib.contextmanager
def deadline(seconds, what):
    """Fail the test if the block takes more than ``seconds``, even while it waits on a socket (SIGALRM: main
    thread only). The failure is a ``BaseException``, so no ``except Exception`` in the code under test hides it."""

    def expired(signum, frame):
        pytest.fail(f"{what} still waiting after {seconds}s", pytrace=False)

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
