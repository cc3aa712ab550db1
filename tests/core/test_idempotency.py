"""``Idempotency-Key`` on API POSTs: a retry returns the first answer and changes nothing more."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from prodcoord.core.models import IdempotencyKey
from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.api.views import WorkOrderViewSet
from workorders.models import Hold, WorkOrder

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


@pytest.fixture
def item(db):
    return make_routed_item(sku="BRKT-1", work_centers=[WorkCenterFactory(code="CNC-01")])


def _post(client, url, body, key):
    return client.post(url, body, format="json", headers={"Idempotency-Key": key})


def test_retry_returns_first_response_and_creates_nothing_more(api_as, item):
    client = api_as("planner")
    first = _post(client, URL, {"item": "BRKT-1", "quantity": "5"}, "create-1")
    assert first.status_code == 201
    retry = _post(client, URL, {"item": "BRKT-1", "quantity": "5"}, "create-1")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert WorkOrder.objects.count() == 1
    assert Event.objects.filter(verb="work_order.created").count() == 1


def test_retried_transition_is_not_a_conflict(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("coordinator")
    first = _post(client, f"{URL}{wo.number}/release/", {}, "release-1")
    retry = _post(client, f"{URL}{wo.number}/release/", {}, "release-1")
    assert first.status_code == retry.status_code == 200
    assert retry.json()["version"] == first.json()["version"]
    assert Event.objects.filter(verb="work_order.released", work_order=wo).count() == 1
    # without the key the same request is a real second attempt, refused as illegal
    assert client.post(f"{URL}{wo.number}/release/", {}, format="json").status_code == 409


def test_retried_hold_places_one_hold(api_as, item):
    wo = make_work_order(item=item, status="released")
    client = api_as("supervisor")
    body = {"kind": "quality", "reason": "Cracks"}
    assert _post(client, f"{URL}{wo.number}/holds/", body, "hold-1").status_code == 201
    assert _post(client, f"{URL}{wo.number}/holds/", body, "hold-1").status_code == 201
    assert Hold.objects.filter(work_order=wo).count() == 1
    wo.refresh_from_db()
    assert wo.active_hold_count == 1


def test_same_key_with_different_body_is_409(api_as, item):
    client = api_as("planner")
    assert _post(client, URL, {"item": "BRKT-1", "quantity": "5"}, "k").status_code == 201
    response = _post(client, URL, {"item": "BRKT-1", "quantity": "6"}, "k")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert WorkOrder.objects.count() == 1


def test_same_key_on_another_path_is_409(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("planner")
    assert _post(client, f"{URL}{wo.number}/release/", {}, "k").status_code == 200
    assert _post(client, f"{URL}{wo.number}/cancel/", {}, "k").status_code == 409
    wo.refresh_from_db()
    assert wo.status == "released"


def test_keys_of_different_users_are_independent(api_as, item):
    one, two = api_as("planner"), api_as("planner")
    assert _post(one, URL, {"item": "BRKT-1", "quantity": "5"}, "shared").status_code == 201
    second = _post(two, URL, {"item": "BRKT-1", "quantity": "5"}, "shared")
    assert second.status_code == 201
    assert "Idempotent-Replayed" not in second
    assert WorkOrder.objects.count() == 2


def test_refused_request_stores_nothing_so_the_corrected_body_can_use_the_key(api_as, item):
    client = api_as("planner")
    refused = _post(client, URL, {"item": "BRKT-1", "quantity": "-1"}, "bad")
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    corrected = _post(client, URL, {"item": "BRKT-1", "quantity": "5"}, "bad")
    assert corrected.status_code == 201
    assert "Idempotent-Replayed" not in corrected
    assert WorkOrder.objects.count() == 1
    # from now on the key holds the successful answer
    assert _post(client, URL, {"item": "BRKT-1", "quantity": "5"}, "bad")["Idempotent-Replayed"] == "true"


def test_a_conflict_stores_nothing_so_the_retry_runs_again(api_as, item, make_user):
    """A 409 of state (here: on hold) changed nothing; once the hold is released the same key releases the order."""
    wo = make_work_order(item=item)
    hold = services.hold_place(work_order=wo, actor=make_user("supervisor"), kind="quality", reason="Cracks")
    client = api_as("coordinator")
    refused = _post(client, f"{URL}{wo.number}/release/", {}, "release-1")
    assert refused.status_code == 409
    assert refused.json()["code"] == "on_hold"
    assert not IdempotencyKey.objects.exists()
    services.hold_release(hold=hold, actor=make_user("supervisor"), release_note="Reworked", disposition="rework")
    retry = _post(client, f"{URL}{wo.number}/release/", {}, "release-1")
    assert retry.status_code == 200
    assert "Idempotent-Replayed" not in retry
    wo.refresh_from_db()
    assert wo.status == "released"


def test_a_pending_key_past_its_lease_is_taken_over_by_the_retry(api_as, item, settings):
    """The first request crashed or timed out after claiming the key: the retry runs instead of waiting a day."""
    settings.IDEMPOTENCY_KEY_LEASE_SECONDS = 60
    client = api_as("planner")
    body = {"item": "BRKT-1", "quantity": "5"}
    stale = IdempotencyKey.objects.create(
        user=client.user, key="crashed", method="POST", path=URL, request_hash=hashlib.sha256(b"whatever").hexdigest()
    )
    IdempotencyKey.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(seconds=61))
    retry = _post(client, URL, body, "crashed")
    assert retry.status_code == 201
    assert WorkOrder.objects.count() == 1
    assert _post(client, URL, body, "crashed")["Idempotent-Replayed"] == "true"


def test_a_pending_key_within_its_lease_is_still_in_progress(api_as, item, settings):
    settings.IDEMPOTENCY_KEY_LEASE_SECONDS = 60
    client = api_as("planner")
    body = {"item": "BRKT-1", "quantity": "5"}
    running = IdempotencyKey.objects.create(
        user=client.user, key="running", method="POST", path=URL, request_hash=hashlib.sha256(_json(body)).hexdigest()
    )
    IdempotencyKey.objects.filter(pk=running.pk).update(created_at=timezone.now() - dt.timedelta(seconds=50))
    response = _post(client, URL, body, "running")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert not WorkOrder.objects.exists()


def test_a_request_that_fails_after_its_write_leaves_nothing_and_the_retry_writes_once(api_as, item, monkeypatch):
    """The answer and the change are kept together: a crash between the write and the answer undoes the write,
    so the retry with the same key creates the order exactly once."""
    client = api_as("planner")
    client.raise_request_exception = False
    body = {"item": "BRKT-1", "quantity": "5"}
    with monkeypatch.context() as patched:
        patched.setattr(WorkOrderViewSet, "work_order_response", _crash)
        crashed = _post(client, URL, body, "create-1")
    assert crashed.status_code == 500
    assert not WorkOrder.objects.exists()
    assert not IdempotencyKey.objects.exists()
    retry = _post(client, URL, body, "create-1")
    assert retry.status_code == 201
    assert WorkOrder.objects.count() == 1
    assert Event.objects.filter(verb="work_order.created").count() == 1


def _crash(self, *args, **kwargs):
    raise RuntimeError("the worker died before answering")


def _json(body):
    """The bytes the test client sends for ``format="json"``."""
    from rest_framework.renderers import JSONRenderer

    return JSONRenderer().render(body)


def test_overlong_key_is_400(api_as, item):
    response = _post(api_as("planner"), URL, {"item": "BRKT-1", "quantity": "5"}, "k" * 201)
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        f"{URL}{'W' * 600}/release/",  # longer than any path the database column ever held
        f"{URL}WO%00-1/release/",  # a NUL, which PostgreSQL refuses to store
        f"/api/v1/{'x' * 600}/",  # no such endpoint at all
    ],
)
def test_odd_paths_with_a_key_are_404_not_a_database_error(api_as, item, path):
    response = _post(api_as("coordinator"), path, {}, "odd-path")
    assert response.status_code == 404
    assert not IdempotencyKey.objects.exists()


def test_the_token_endpoint_takes_no_key(api_client, make_user):
    """Keys are per user and the token endpoint knows no user yet: a key there is ignored, not stored."""
    make_user("planner", username="pat")
    body = {"username": "pat", "password": "pass-word-123"}
    assert _post(api_client, "/api/v1/auth/token/", body, "token-1").status_code == 200
    assert not IdempotencyKey.objects.exists()


def test_unauthenticated_request_with_key_is_401_and_not_remembered(api_client, item):
    response = _post(api_client, URL, {"item": "BRKT-1", "quantity": "5"}, "anon")
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_forbidden_request_is_not_remembered(api_as, item):
    """A 403 stores nothing; another user with the same key still acts."""
    viewer = api_as("viewer")
    assert _post(viewer, URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 403
    assert not IdempotencyKey.objects.exists()
    assert _post(viewer, URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 403
    assert _post(api_as("planner"), URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 201


def test_the_periodic_purge_forgets_expired_keys_and_abandoned_claims(make_user, settings):
    from prodcoord.core.tasks import idempotency_keys_purge_task

    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    settings.IDEMPOTENCY_KEY_LEASE_SECONDS = 60
    user = make_user("planner")

    def key(name, *, age, state=IdempotencyKey.State.DONE):
        record = IdempotencyKey.objects.create(
            user=user, key=name, method="POST", path="/api/v1/x/", request_hash="h", state=state
        )
        IdempotencyKey.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)

    key("old", age=dt.timedelta(hours=25))
    key("done-an-hour-ago", age=dt.timedelta(hours=1))
    key("abandoned", age=dt.timedelta(minutes=2), state=IdempotencyKey.State.PENDING)
    key("running", age=dt.timedelta(seconds=5), state=IdempotencyKey.State.PENDING)
    assert idempotency_keys_purge_task.apply().get() == 2
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["done-an-hour-ago", "running"]
    assert idempotency_keys_purge_task.apply().get() == 0  # running it again changes nothing
