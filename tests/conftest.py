import pytest
from rest_framework.test import APIClient

from tests.brokers import reset_broker_connections
from tests.factories import UserFactory, standard_shifts

# assert_query_baseline and --record-query-counts (tests/query_counts.json)
pytest_plugins = ["tests.query_baseline"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a user cached by an earlier test (whose rows were
    rolled back, its ids free to be used again) must not stand in for this test's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def shifts(db):
    return standard_shifts()


@pytest.fixture
def make_user(db):
    def _make(role=None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(make_user):
    """``api_as("planner")`` → an APIClient authenticated with a token for a new user in that role."""
    from rest_framework.authtoken.models import Token

    def _client(role=None, user=None):
        user = user or make_user(role)
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        client.user = user
        return client

    return _client


@pytest.fixture
def use_broker(monkeypatch):
    """``use_broker(broker=url, queue=…)``: this process's Celery app sends tasks through ``broker`` instead of
    running them in process (tests/brokers.py has brokers that fail). Restored after the test."""
    from prodcoord.celery import app

    keys = ("task_always_eager", "broker_url", "task_default_queue")
    saved = {key: app.conf[key] for key in keys}

    def _use(*, broker, queue="celery"):
        # Celery reads the CELERY_BROKER_URL environment variable before its own configuration.
        monkeypatch.setenv("CELERY_BROKER_URL", broker)
        app.conf.update(task_always_eager=False, broker_url=broker, task_default_queue=queue)
        reset_broker_connections(app)
        return app

    yield _use
    app.conf.update(saved)
    reset_broker_connections(app)
