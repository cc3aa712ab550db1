"""subscriptions/ and notifications/: each person's own, every input checked; events/ filtered as the feed."""

import pytest

from prodcoord.notifications.models import Notification, Subscription
from tests.factories import UserFactory
from tests.notifications.helpers import follower, later, routed_plant
from workorders import services as wo

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant(shifts):
    return routed_plant()


def notify(plant, capture, *, times=1):
    coordinator = UserFactory(role="coordinator")
    for i in range(times):
        plant.order.refresh_from_db()
        with capture(execute=True):
            wo.work_order_update(work_order=plant.order, actor=coordinator, due_date=later(i + 2), reason=f"Moved {i}.")


# --- subscriptions/ -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "operator", "supervisor", "coordinator", "planner"])
def test_every_role_follows_and_unfollows_for_itself(plant, api_as, role):
    client = api_as(role)
    response = client.post(
        "/api/v1/subscriptions/",
        {"kind": "department", "target": "PAINT", "email": "digest", "verbs": ["hold.placed"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["target"], body["email"], body["verbs"]) == ("department", "PAINT", "digest", ["hold.placed"])
    listed = client.get("/api/v1/subscriptions/").json()["results"]
    assert body["id"] in [row["id"] for row in listed]
    assert (
        client.patch(f"/api/v1/subscriptions/{body['id']}/", {"email": "immediate"}, format="json").json()["email"] == "immediate"
    )
    assert client.delete(f"/api/v1/subscriptions/{body['id']}/").status_code == 204
    assert not Subscription.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "department", "target": "NOPE"}, "target"),
        ({"kind": "event", "target": "hold.exploded"}, "target"),
        ({"kind": "moon", "target": "PAINT"}, "kind"),
        ({"kind": "department"}, "target"),
        ({"kind": "department", "target": "PAINT", "email": "weekly"}, "email"),
        ({"kind": "department", "target": "PAINT", "verbs": "hold.placed"}, "verbs"),
        ({"kind": "department", "target": "PAINT", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_subscription_is_a_400_on_its_field_and_writes_nothing(plant, api_as, payload, field):
    client = api_as("viewer")
    response = client.post("/api/v1/subscriptions/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Subscription.objects.filter(user=client.user).exists()


def test_following_twice_is_a_400_and_kind_or_target_cannot_change(plant, api_as):
    client = api_as("viewer")
    first = client.post("/api/v1/subscriptions/", {"kind": "work_center", "target": "ASM-01"}, format="json").json()
    again = client.post("/api/v1/subscriptions/", {"kind": "work_center", "target": "ASM-01"}, format="json")
    assert again.status_code == 400 and again.json() == {"target": ["You already follow this."]}
    moved = client.patch(f"/api/v1/subscriptions/{first['id']}/", {"target": "BOOTH-01"}, format="json")
    assert moved.status_code == 400 and "target" in moved.json()


def test_nobody_sees_or_changes_another_persons_subscriptions(plant, api_as):
    theirs = follower("department", "PAINT")
    subscription = Subscription.objects.get(user=theirs)
    client = api_as("supervisor")
    assert subscription.pk not in [row["id"] for row in client.get("/api/v1/subscriptions/").json()["results"]]
    assert client.get(f"/api/v1/subscriptions/{subscription.pk}/").status_code == 404
    assert client.patch(f"/api/v1/subscriptions/{subscription.pk}/", {"email": "immediate"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/subscriptions/{subscription.pk}/").status_code == 404
    assert Subscription.objects.get(pk=subscription.pk).email == "none"


def test_anonymous_callers_are_refused(api_client):
    assert api_client.get("/api/v1/subscriptions/").status_code == 401
    assert api_client.get("/api/v1/notifications/").status_code == 401


# --- notifications/ -------------------------------------------------------------------------------------------


def test_the_caller_lists_reads_and_marks_read_only_their_own(plant, api_as, django_capture_on_commit_callbacks):
    me = follower("department", "PAINT")
    someone = follower("department", "PAINT")
    notify(plant, django_capture_on_commit_callbacks, times=3)
    client = api_as(user=me)
    rows = client.get("/api/v1/notifications/").json()["results"]
    assert len(rows) == 3 and all(row["read_at"] is None for row in rows)
    assert rows[0]["verb"] == "work_order.rescheduled" and rows[0]["url"] == f"/work-orders/{plant.order.number}/"

    theirs = Notification.objects.filter(user=someone).first()
    assert client.get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None

    read = client.post(f"/api/v1/notifications/{rows[-1]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert [row["id"] for row in client.get("/api/v1/notifications/?unread=true").json()["results"]] == [
        r["id"] for r in rows[:2]
    ]
    assert [row["id"] for row in client.get("/api/v1/notifications/?unread=false").json()["results"]] == [rows[-1]["id"]]
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400

    up_to = client.post("/api/v1/notifications/read-all/", {"up_to": rows[1]["id"]}, format="json").json()
    assert up_to == {"marked_read": 1, "unread": 1}
    assert client.post("/api/v1/notifications/read-all/", {}, format="json").json() == {"marked_read": 1, "unread": 0}
    assert client.post("/api/v1/notifications/read-all/", {"up_to": "all"}, format="json").status_code == 400
    assert Notification.objects.filter(user=someone, read_at__isnull=True).count() == 3


@pytest.mark.query_baseline
def test_the_notification_list_costs_the_same_for_any_number_of_rows(
    plant, api_as, django_capture_on_commit_callbacks, assert_query_baseline
):
    me = follower("department", "PAINT")
    client = api_as(user=me)
    notify(plant, django_capture_on_commit_callbacks, times=2)
    client.get("/api/v1/notifications/")  # warm (a new person renewed the permission cache's stamp)
    with assert_query_baseline("api: notifications list"):
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 2
    notify(plant, django_capture_on_commit_callbacks, times=4)
    client.get("/api/v1/notifications/")
    with assert_query_baseline("api: notifications list"):
        assert len(client.get("/api/v1/notifications/").json()["results"]) == 6


@pytest.mark.query_baseline
def test_the_subscription_list_costs_the_same_for_any_number_of_rows(plant, api_as, assert_query_baseline):
    client = api_as("viewer")
    client.post("/api/v1/subscriptions/", {"kind": "department", "target": "PAINT"}, format="json")
    client.get("/api/v1/subscriptions/")
    with assert_query_baseline("api: subscriptions list"):
        assert len(client.get("/api/v1/subscriptions/").json()["results"]) == 1
    for kind, target in [("work_center", "ASM-01"), ("work_order", plant.order.number), ("event", "hold.placed")]:
        client.post("/api/v1/subscriptions/", {"kind": kind, "target": target}, format="json")
    with assert_query_baseline("api: subscriptions list"):
        assert len(client.get("/api/v1/subscriptions/").json()["results"]) == 4


# --- events/: the feed's filters ------------------------------------------------------------------------------


def test_events_filter_by_department_work_center_and_after_an_id(plant, api_as, django_capture_on_commit_callbacks):
    client = api_as("planner")
    with django_capture_on_commit_callbacks(execute=True):
        wo.operation_report_progress(work_order=plant.order, actor=None, operation=10, quantity_good=5)
    everything = client.get("/api/v1/events/?page_size=100").json()["results"]
    progress = next(e for e in everything if e["verb"] == "work_order.progress_reported")

    in_paint = client.get("/api/v1/events/?department=PAINT&page_size=100").json()["results"]
    assert progress["id"] not in [e["id"] for e in in_paint]  # progress at LASER-01 concerns FAB only
    assert {e["verb"] for e in in_paint} >= {"work_order.created", "work_order.released"}
    at_laser = client.get("/api/v1/events/?work_center=LASER-01&page_size=100").json()["results"]
    assert progress["id"] in [e["id"] for e in at_laser]
    assert len({e["id"] for e in at_laser}) == len(at_laser)  # one row per event, however many scopes match
    assert client.get("/api/v1/events/?department=NOPE").json()["results"] == []

    newest = max(e["id"] for e in everything)
    assert client.get(f"/api/v1/events/?after={newest}").json()["results"] == []
    assert [e["id"] for e in client.get(f"/api/v1/events/?after={newest - 1}").json()["results"]] == [newest]
    assert client.get("/api/v1/events/?after=soon").status_code == 400
    assert client.get("/api/v1/events/?after=-1").status_code == 400


@pytest.mark.query_baseline
def test_the_filtered_event_list_costs_the_same_for_any_number_of_rows(plant, api_as, assert_query_baseline):
    client = api_as("planner")
    client.get("/api/v1/events/")  # warm: the caller's permissions are read once, then cached
    with assert_query_baseline("api: events list by department"):
        few = len(client.get("/api/v1/events/?department=PAINT").json()["results"])
    for days in range(2, 6):
        plant.order.refresh_from_db()
        wo.work_order_update(work_order=plant.order, actor=None, due_date=later(days), reason="Moved.")
    with assert_query_baseline("api: events list by department"):
        assert len(client.get("/api/v1/events/?department=PAINT").json()["results"]) == few + 4
