"""Real services: PostgreSQL, Redis and a Celery worker in its own process.

Every test here is marked ``integration``. Locally, a missing service skips
the test with the reason; in CI (``CI=true``) it fails it (see
tests/service_guard.py). ``make test`` runs these in its PostgreSQL + Redis
phase:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 pytest tests/integration

The worker is started once per session — per xdist process that runs these
tests — against that process's test database that pytest-django created
(``test_<name>``, or ``test_<name>_gw0``, … in parallel runs), and consumes a
queue of its own, so another worker on the same Redis cannot take its tasks
(and sends what it queues itself, such as the outbox relay's hand-overs, to
that queue). It also imports ``tests.integration.tasks``, the tasks that
exist only for these tests.
Tests that need the worker to see their data commit it: they use
``transactional_db``.
"""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from tests.service_guard import require

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
WORKER_START_TIMEOUT = 60


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.integration)


# --- PostgreSQL -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _require_postgresql():
    from django.db import connection

    require(
        connection.vendor == "postgresql",
        f"tests/integration need PostgreSQL (set DATABASE_URL=postgres://…); this run uses {connection.vendor}",
    )


def database_url(settings_dict):
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


# --- Redis ------------------------------------------------------------------------


def redis_problem(url):
    """Why Redis at ``url`` cannot be used, or None."""
    if not url.startswith(("redis://", "rediss://")):
        return f"tests/integration need Redis as the broker (set CELERY_BROKER_URL=redis://…); it is {url!r}"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=3).ping()
    except Exception as exc:
        return f"Redis not reachable at {url} ({exc})"
    return None


@pytest.fixture(scope="session")
def broker_url():
    url = settings.CELERY_BROKER_URL or ""
    problem = redis_problem(url)
    require(problem is None, problem)
    return url


# --- the worker -----------------------------------------------------------------


@dataclass
class Worker:
    process: subprocess.Popen
    queue: str
    broker_url: str
    database_url: str
    log_path: Path

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self):
        return self.process.poll() is None


def _start_worker(*, broker, db_url, queue, log_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prodcoord.settings.test",
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "PYTHONUNBUFFERED": "1",
    }
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "prodcoord",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-mingle",
        "--without-gossip",
        # tasks that exist only for the tests (tests/integration/tasks.py)
        "--include",
        "tests.integration.tasks",
        "-Q",
        queue,
        "-n",
        f"{queue}@%h",
    ]
    log = log_path.open("w")
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process


def _stop_worker(worker):
    if worker.alive():
        worker.process.terminate()  # warm shutdown: finishes the current task
        try:
            worker.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=10)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, broker_url, tmp_path_factory):
    """A real ``celery -A prodcoord worker --pool=solo`` on the test database, for the whole session."""
    from django.db import connection

    require(connection.vendor == "postgresql", f"the integration worker needs PostgreSQL; this run uses {connection.vendor}")
    queue = f"prodcoord-test-{uuid.uuid4().hex[:10]}"
    worker = Worker(
        process=None,
        queue=queue,
        broker_url=broker_url,
        database_url=database_url(connection.settings_dict),
        log_path=tmp_path_factory.mktemp("worker") / "worker.log",
    )
    worker.process = _start_worker(broker=broker_url, db_url=worker.database_url, queue=queue, log_path=worker.log_path)
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while " ready." not in worker.log():
        if not worker.alive() or time.monotonic() > deadline:
            _stop_worker(worker)
            pytest.fail(f"The Celery worker did not start. Its log:\n{worker.log()[-4000:]}", pytrace=False)
        time.sleep(0.2)
    yield worker
    _stop_worker(worker)


@pytest.fixture
def worker_app(celery_worker, use_broker):
    """This process sends tasks to the running worker (not in process)."""
    return use_broker(broker=celery_worker.broker_url, queue=celery_worker.queue)
