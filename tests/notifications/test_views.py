"""The activity feed, the notifications list and the settings page, as people use them."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from prodcoord.events.models import Event
from prodcoord.notifications.models import Notification, NotificationSettings, Subscription
from tests.factories import UserFactory
from tests.notifications.helpers import follower, later, routed_plant
from workorders import services as wo

pytestmark = pytest.mark.django_db

ACTIVITY = reverse("activity")
INBOX = reverse("notifications")
SETTINGS = reverse("notification-settings")


@pytest.fixture
def plant(shifts):
    return routed_plant()


DAYS = itertools.count(2)  # each reschedule a new due date: a change that changes nothing records nothing


def reschedule(plant, capture, *, times=1, actor=None):
    actor = actor or UserFactory(role="coordinator")
    for i in range(times):
        plant.order.refresh_from_db()
        with capture(execute=True):
            wo.work_order_update(work_order=plant.order, actor=actor, due_date=later(next(DAYS)), reason=f"Moved {i}.")


def event_ids(response):
    assert response.status_code == 200
    return [row["id"] for row in response.context["rows"]]


# --- the activity feed ----------------------------------------------------------------------------------------


def test_the_feed_shows_every_change_newest_first_linking_to_its_order(plant, client):
    client.force_login(UserFactory(role="viewer"))
    response = client.get(ACTIVITY)
    ids = event_ids(response)
    assert ids == sorted(Event.objects.values_list("pk", flat=True), reverse=True)
    html = response.content.decode()
    assert f'href="/work-orders/{plant.order.number}/"' in html
    assert "Released" in html and '<span class="place place--department">PAINT</span>' in html


def test_the_feed_marks_what_is_new_since_the_last_visit(plant, client, django_capture_on_commit_callbacks):
    viewer = UserFactory(role="viewer")
    client.force_login(viewer)
    first = client.get(ACTIVITY)
    assert all(row["new"] for row in first.context["rows"])  # a first visit: everything is new
    assert not any(row["new"] for row in client.get(ACTIVITY).context["rows"])
    reschedule(plant, django_capture_on_commit_callbacks)
    rows = client.get(ACTIVITY).context["rows"]
    assert [row["verb"] for row in rows if row["new"]] == ["work_order.rescheduled"]
    assert NotificationSettings.objects.get(user=viewer).activity_seen_event == rows[0]["id"]


def test_the_feed_filters_by_department_work_center_kind_person_and_date(plant, client, django_capture_on_commit_callbacks):
    coordinator = UserFactory(role="coordinator", username="cora")
    client.force_login(UserFactory(role="viewer"))
    reschedule(plant, django_capture_on_commit_callbacks, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        wo.operation_report_progress(work_order=plant.order, actor=None, operation=10, quantity_good=5)
    progress = Event.objects.get(verb="work_order.progress_reported").pk

    assert progress not in event_ids(client.get(ACTIVITY, {"department": "PAINT"}))
    assert progress in event_ids(client.get(ACTIVITY, {"work_center": "LASER-01"}))
    assert event_ids(client.get(ACTIVITY, {"kind": "work_order.rescheduled"})) == list(
        Event.objects.filter(verb="work_order.rescheduled").values_list("pk", flat=True)
    )
    assert event_ids(client.get(ACTIVITY, {"person": "cora"})) == list(
        Event.objects.filter(actor=coordinator).values_list("pk", flat=True)
    )
    today = timezone.localtime(Event.objects.get(pk=progress).at).date()  # plant days
    assert progress in event_ids(client.get(ACTIVITY, {"date_from": today.isoformat(), "date_to": today.isoformat()}))
    assert event_ids(client.get(ACTIVITY, {"date_from": "2001-01-01", "date_to": "2001-01-02"})) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"department": "NOPE"}, "department"),
        ({"kind": "moon.landed"}, "kind"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
        ({"before": "x"}, "before"),
        ({"person": "ghost\x00"}, "person"),
    ],
)
def test_bad_filters_get_a_field_error_not_a_500(plant, client, query, field):
    client.force_login(UserFactory(role="viewer"))
    response = client.get(ACTIVITY, query)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["rows"] == []


def test_the_feed_pages_by_cursor(plant, client, django_capture_on_commit_callbacks, monkeypatch):
    from prodcoord.events import selectors

    monkeypatch.setattr(selectors, "FEED_PAGE_SIZE", 3)
    reschedule(plant, django_capture_on_commit_callbacks, times=4)
    client.force_login(UserFactory(role="viewer"))
    everything = list(Event.objects.order_by("-pk").values_list("pk", flat=True))
    seen, url = [], ACTIVITY
    while url:
        response = client.get(url)
        seen += event_ids(response)
        url = f"{ACTIVITY}?{response.context['older_query']}" if response.context["older_query"] else None
    assert seen == everything


@pytest.mark.query_baseline
def test_the_feed_costs_the_same_for_any_number_of_rows(plant, client, django_capture_on_commit_callbacks, assert_query_baseline):
    client.force_login(UserFactory(role="viewer"))
    client.get(ACTIVITY)  # the first visit sets the person up; each measurement is of a page already warm
    with assert_query_baseline("page: activity feed"):
        few = len(client.get(ACTIVITY).context["rows"])
    reschedule(plant, django_capture_on_commit_callbacks, times=5)
    client.get(ACTIVITY)  # a new person (the coordinator) renewed the permission cache's stamp
    with assert_query_baseline("page: activity feed"):
        assert len(client.get(ACTIVITY).context["rows"]) == few + 5
    with assert_query_baseline("page: activity feed by department"):
        client.get(ACTIVITY, {"department": "PAINT"})


# --- the notifications list and the header ---------------------------------------------------------------------


def test_the_header_counts_unread_notifications_in_one_query(plant, client, django_capture_on_commit_callbacks):
    me = follower("department", "PAINT")
    reschedule(plant, django_capture_on_commit_callbacks, times=2)
    client.force_login(me)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert 'data-unread-count="2"' in response.content.decode()
    assert sum("notifications_notification" in q["sql"] for q in queries.captured_queries) == 1


def test_a_follower_reads_marks_read_and_marks_all_read(plant, client, django_capture_on_commit_callbacks):
    me = follower("department", "PAINT")
    reschedule(plant, django_capture_on_commit_callbacks, times=3)
    client.force_login(me)
    response = client.get(INBOX)
    rows = response.context["notifications"]
    assert len(rows) == 3 and 'data-unread-count="3"' in response.content.decode()
    assert client.post(reverse("notification-read", args=[rows[0].pk]), {"next": INBOX}).status_code == 302
    assert Notification.objects.get(pk=rows[0].pk).read_at is not None
    assert len(client.get(INBOX, {"unread": "on"}).context["notifications"]) == 2

    newest_shown = rows[0].pk
    reschedule(plant, django_capture_on_commit_callbacks)  # arrives after the page was shown
    client.post(reverse("notifications-read-all"), {"up_to": newest_shown, "next": "https://evil.example/"})
    assert Notification.objects.filter(user=me, read_at__isnull=True).count() == 1  # the one not yet seen


def test_nobody_marks_another_persons_notifications(plant, client, django_capture_on_commit_callbacks):
    theirs = follower("department", "PAINT")
    reschedule(plant, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(user=theirs)
    client.force_login(UserFactory(role="supervisor"))
    assert client.post(reverse("notification-read", args=[notification.pk])).status_code == 404
    client.post(reverse("notifications-read-all"))
    assert Notification.objects.get(pk=notification.pk).read_at is None
    assert notification.pk not in [n.pk for n in client.get(INBOX).context["notifications"]]


@pytest.mark.query_baseline
def test_the_notifications_list_costs_the_same_for_any_number_of_rows(
    plant, client, django_capture_on_commit_callbacks, assert_query_baseline
):
    me = follower("department", "PAINT")
    client.force_login(me)
    reschedule(plant, django_capture_on_commit_callbacks)
    client.get(INBOX)  # warm: a new person (the coordinator) renewed the permission cache's stamp
    with assert_query_baseline("page: notifications"):
        assert len(client.get(INBOX).context["notifications"]) == 1
    reschedule(plant, django_capture_on_commit_callbacks, times=5)
    client.get(INBOX)
    with assert_query_baseline("page: notifications"):
        assert len(client.get(INBOX).context["notifications"]) == 6


def test_pages_need_a_login(client):
    for url in (ACTIVITY, INBOX, SETTINGS):
        assert client.get(url).status_code == 302


# --- what I follow ----------------------------------------------------------------------------------------------


def test_settings_add_change_and_stop_following(plant, client):
    me = UserFactory(role="viewer")
    client.force_login(me)
    assert client.get(SETTINGS).status_code == 200
    response = client.post(SETTINGS, {"action": "add", "kind": "work_center", "target": "ASM-01", "email": "digest"})
    assert response.status_code == 302
    subscription = Subscription.objects.get(user=me)
    assert (subscription.work_center, subscription.email) == (plant.bench, "digest")
    client.post(reverse("subscription-change", args=[subscription.pk]), {f"s{subscription.pk}-email": "immediate"})
    assert Subscription.objects.get(pk=subscription.pk).email == "immediate"
    client.post(SETTINGS, {"action": "add", "kind": "event", "event_kind": "hold.placed", "email": "none"})
    assert Subscription.objects.filter(user=me, kind="event", verb="hold.placed").exists()
    client.post(reverse("subscription-delete", args=[subscription.pk]))
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "department", "target": "NOPE", "email": "none"}, "target"),
        ({"kind": "department", "target": "", "email": "none"}, "target"),
        ({"kind": "event", "event_kind": "", "email": "none"}, "event_kind"),
        ({"kind": "event", "event_kind": "hold.placed", "verbs": ["hold.placed"], "email": "none"}, "verbs"),
        ({"kind": "department", "target": "PAINT", "email": "weekly"}, "email"),
        ({"kind": "department", "target": "PAINT", "email": "none", "verbs": ["moon.landed"]}, "verbs"),
    ],
)
def test_settings_bad_input_gets_a_field_error_and_writes_nothing(plant, client, data, field):
    me = UserFactory(role="viewer")
    client.force_login(me)
    response = client.post(SETTINGS, {"action": "add", **data})
    assert response.status_code == 400
    assert field in response.context["add_form"].errors
    assert 'class="field__error"' in response.content.decode()
    assert not Subscription.objects.filter(user=me).exists()


def test_settings_a_bad_e_mail_choice_is_a_field_error_and_changes_nothing(plant, client):
    me = follower("department", "PAINT")
    subscription = Subscription.objects.get(user=me)
    client.force_login(me)
    response = client.post(reverse("subscription-change", args=[subscription.pk]), {f"s{subscription.pk}-email": "weekly"})
    assert response.status_code == 400
    assert 'class="field__error"' in response.content.decode()
    assert Subscription.objects.get(pk=subscription.pk).email == "none"


def test_settings_refuse_following_twice_and_a_bad_department(plant, client):
    me = UserFactory(role="supervisor")
    client.force_login(me)
    client.post(SETTINGS, {"action": "department", "department": "PAINT"})
    assert NotificationSettings.objects.get(user=me).department == plant.paint
    assert Subscription.objects.filter(user=me, department=plant.paint).count() == 1  # a supervisor's default
    again = client.post(SETTINGS, {"action": "add", "kind": "department", "target": "PAINT", "email": "none"})
    assert again.status_code == 400 and again.context["add_form"].errors["target"] == ["You already follow this."]
    bad = client.post(SETTINGS, {"action": "department", "department": "NOPE"})
    assert bad.status_code == 400 and "department" in bad.context["department_form"].errors
    assert NotificationSettings.objects.get(user=me).department == plant.paint


def test_another_persons_subscription_is_a_404_on_the_settings_actions(plant, client):
    theirs = follower("department", "PAINT")
    subscription = Subscription.objects.get(user=theirs)
    client.force_login(UserFactory(role="viewer"))
    assert (
        client.post(
            reverse("subscription-change", args=[subscription.pk]), {f"s{subscription.pk}-email": "immediate"}
        ).status_code
        == 404
    )
    assert client.post(reverse("subscription-delete", args=[subscription.pk])).status_code == 404
    assert Subscription.objects.get(pk=subscription.pk).email == "none"


def test_the_settings_page_costs_the_same_for_any_number_of_subscriptions(plant, client, assert_query_baseline):
    from prodcoord.notifications.services import subscription_create

    me = follower("department", "FAB", email="digest")
    client.force_login(me)
    client.get(SETTINGS)  # the person's permissions are cached from here on, as on any later page
    with assert_query_baseline("page: notification settings"):
        assert client.get(SETTINGS).status_code == 200
    for kind, target in (("department", "ASM"), ("work_center", "LASER-01"), ("work_center", "BOOTH-01")):
        subscription_create(user=me, kind=kind, target=target, email="immediate")
    subscription_create(user=me, kind="work_order", target=plant.order.number, email="none")
    with assert_query_baseline("page: notification settings"):
        response = client.get(SETTINGS)
    assert response.status_code == 200
    assert len(response.context["rows"]) == 5
