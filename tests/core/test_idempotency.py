"""``Idempotency-Key`` on API POSTs: a retry returns the first answer and changes nothing more."""

import pytest

from prodcoord.core.models import IdempotencyKey
from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
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


def test_refused_request_is_replayed_too(api_as, item):
    client = api_as("planner")
    first = _post(client, URL, {"item": "BRKT-1", "quantity": "-1"}, "bad")
    assert first.status_code == 400
    retry = _post(client, URL, {"item": "BRKT-1", "quantity": "-1"}, "bad")
    assert retry.status_code == 400
    assert retry.json() == first.json()


def test_overlong_key_is_400(api_as, item):
    response = _post(api_as("planner"), URL, {"item": "BRKT-1", "quantity": "5"}, "k" * 201)
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()


def test_unauthenticated_request_with_key_is_401_and_not_remembered(api_client, item):
    response = _post(api_client, URL, {"item": "BRKT-1", "quantity": "5"}, "anon")
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_forbidden_request_does_not_consume_the_permission_check(api_as, item):
    """A 403 is remembered for that user only; another user with the same key still acts."""
    viewer = api_as("viewer")
    assert _post(viewer, URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 403
    assert _post(viewer, URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 403
    assert _post(api_as("planner"), URL, {"item": "BRKT-1", "quantity": "5"}, "k1").status_code == 201


def test_the_periodic_purge_forgets_only_expired_keys(make_user, settings):
    import datetime as dt

    from django.utils import timezone

    from prodcoord.core.models import IdempotencyKey
    from prodcoord.core.tasks import idempotency_keys_purge_task

    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    user = make_user("planner")
    old = IdempotencyKey.objects.create(user=user, key="old", method="POST", path="/api/v1/x/", request_hash="h")
    fresh = IdempotencyKey.objects.create(user=user, key="fresh", method="POST", path="/api/v1/x/", request_hash="h")
    IdempotencyKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency_keys_purge_task.apply().get() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == [fresh.key]
    assert idempotency_keys_purge_task.apply().get() == 0  # running it again changes nothing
