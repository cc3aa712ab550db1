"""The activity feed / audit trail over the API."""

import datetime as dt

import pytest
from django.utils import timezone

from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"
# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]


@pytest.fixture
def wo(db):
    return make_work_order(item=make_routed_item(work_centers=[WorkCenterFactory()]), number="WO-EV1")


def test_api_change_shows_in_feed_with_who_what_why(api_as, wo):
    planner = api_as("planner")
    planner.patch(f"/api/v1/work-orders/{wo.number}/", {"priority": 1, "reason": "Customer escalation"}, format="json")
    event = api_as("viewer").get(f"{URL}?work_order=WO-EV1&verb=work_order.priority_changed").json()["results"][0]
    assert event["actor"] == planner.user.username
    assert event["verb"] == "work_order.priority_changed"
    assert event["object"] == {"type": "workorders.workorder", "id": str(wo.pk), "repr": "WO-EV1"}
    assert event["work_order"] == "WO-EV1"
    assert event["changes"] == {"priority": [3, 1]}
    assert event["reason"] == "Customer escalation"
    assert dt.datetime.fromisoformat(event["at"]).utcoffset() is not None


def test_feed_is_newest_first_and_filters(api_as, wo):
    coordinator = api_as("coordinator")
    coordinator.post(f"/api/v1/work-orders/{wo.number}/release/", {}, format="json")
    other = make_work_order(item=wo.item, number="WO-EV2")
    client = api_as("viewer")
    verbs = [e["verb"] for e in client.get(f"{URL}?work_order=WO-EV1").json()["results"]]
    assert verbs == ["work_order.released", "work_order.created"]
    assert {e["work_order"] for e in client.get(f"{URL}?verb=work_order.created").json()["results"]} >= {"WO-EV1", "WO-EV2"}
    mine = client.get(f"{URL}?actor={coordinator.user.username}").json()["results"]
    assert [e["verb"] for e in mine] == ["work_order.released"]
    assert other.number not in {e["work_order"] for e in mine}
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    assert client.get(URL, {"since": future}).json()["count"] == 0
    assert client.get(f"{URL}?verb_prefix=routing.").json()["count"] >= 2


def test_bad_since_is_field_error(api_as, wo):
    response = api_as("viewer").get(f"{URL}?since=yesterday")
    assert response.status_code == 400
    assert "since" in response.json()


def test_system_events_have_no_actor(api_as, wo):
    services.hold_place(work_order=wo, actor=None, kind="quality", reason="Auto check")
    event = api_as("viewer").get(f"{URL}?verb=hold.placed").json()["results"][0]
    assert event["actor"] is None
    assert event["object"]["type"] == "workorders.hold"
    assert event["work_order"] == "WO-EV1"


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_feed_but_cannot_write_it(api_as, wo, role):
    client = api_as(role)
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"verb": "fake"}, format="json").status_code == 405
    assert not Event.objects.filter(verb="fake").exists()


def test_unauthenticated_is_401(api_client):
    assert api_client.get(URL).status_code == 401


def test_feed_query_count(api_as, make_user, wo, assert_query_baseline):
    other = make_work_order(item=wo.item, number="WO-EV2")
    before = Event.objects.count()
    for i in range(6):  # each by another person, on one of two orders, about a hold or the order itself
        actor = make_user("supervisor")
        services.hold_place(work_order=(wo, other)[i % 2], actor=actor, kind="quality", reason=f"r{i}")
        services.work_order_change_priority(work_order=(wo, other)[i % 2], actor=actor, priority=1 + i % 5, reason=f"p{i}")
    client = api_as("viewer")
    with assert_query_baseline("api: events list"):
        response = client.get(URL)
    results = response.json()["results"]
    assert response.json()["count"] == len(results) == before + 12
    assert {e["work_order"] for e in results} >= {"WO-EV1", "WO-EV2"}
    assert {e["object"]["type"] for e in results} >= {"workorders.hold", "workorders.workorder"}
    assert len({e["actor"] for e in results if e["actor"]}) == 6
