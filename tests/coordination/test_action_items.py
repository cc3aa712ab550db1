"""Action items: the services' rules, the owner's notifications, the daily digest, the API and the pages."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from coordination.models import ActionItem, ActionItemDigest
from coordination.services import (
    action_item_close,
    action_item_create,
    action_item_digest_send,
    action_item_digests_build,
    action_item_update,
)
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_datetime
from prodcoord.events.models import Event
from prodcoord.notifications.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/action-items/"


def login(client, make_user, role, **kwargs):
    user = make_user(role, **kwargs)
    client.force_login(user)
    return user


# --- services ---------------------------------------------------------------------------------


def test_an_item_from_a_hold_links_its_order_and_department_and_records_an_event(make_user, held_order, form_dept, today):
    wo, hold = held_order
    boss, owner = make_user("coordinator"), make_user("supervisor")
    item = action_item_create(actor=boss, title="Find the coil", owner=owner, due_date=today, hold=hold)
    assert (item.source, item.work_order, item.department, item.status) == ("hold", wo, form_dept, "open")
    event = Event.objects.get(verb="action_item.created")
    assert event.work_order_id == wo.pk and event.actor == boss
    assert list(event.scopes.values_list("department_id", flat=True)) == [form_dept.pk]


def test_an_item_from_downtime_takes_the_work_centers_department(make_user, downtime, form_dept, today):
    owner = make_user("coordinator")
    item = action_item_create(actor=None, title="Fix the press", owner=owner, due_date=today, downtime_event=downtime)
    assert (item.source, item.department) == ("downtime", form_dept)


def test_without_a_source_the_department_is_the_owners_roster(make_user, on_roster, form_dept, shifts, today):
    owner = make_user("coordinator")
    on_roster(owner, form_dept, shifts[0])
    item = action_item_create(actor=None, title="Call the supplier", owner=owner, due_date=today, source="meeting")
    assert item.department == form_dept


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"title": "  "}, "title"),
        ({"due_date": None}, "due_date"),
        ({"due_date": "yesterday"}, "due_date"),
        ({"source": "hold"}, "hold"),
        ({"source": "downtime"}, "downtime_event"),
        ({"source": "shortage"}, "source_reference"),
        ({"source": "gossip"}, "source"),
    ],
)
def test_refused_rows_say_which_field_and_write_nothing(make_user, today, row, field):
    data = {"title": "Something", "owner": make_user("coordinator"), "due_date": today, **row}
    if data["due_date"] == "yesterday":
        data["due_date"] = today - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        action_item_create(actor=None, **data)
    assert field in exc.value.message_dict
    assert not ActionItem.objects.exists() and not Event.objects.filter(verb__startswith="action_item").exists()


def test_an_inactive_owner_is_refused(make_user, today):
    with pytest.raises(ValidationError) as exc:
        action_item_create(actor=None, title="x", owner=make_user("viewer", is_active=False), due_date=today)
    assert "owner" in exc.value.message_dict


def test_a_hold_on_another_order_is_refused(make_user, held_order, today):
    from tests.factories import make_work_order

    _, hold = held_order
    other = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        action_item_create(actor=None, title="x", owner=make_user("coordinator"), due_date=today, hold=hold, work_order=other)
    assert "work_order" in exc.value.message_dict


def test_the_owner_closes_their_own_and_reopens_it(make_user, today):
    owner = make_user("viewer")
    item = action_item_create(actor=None, title="Check the gauge", owner=owner, due_date=today)
    done = action_item_close(actor=owner, action_item=item, note="Gauge calibrated", check_permissions=True)
    assert (done.status, done.closed_by, done.closing_note) == ("done", owner, "Gauge calibrated")
    assert done.closed_at is not None
    again = action_item_update(actor=owner, action_item=item, status="open", check_permissions=True)
    assert (again.status, again.closed_at, again.closed_by) == ("open", None, None)
    verbs = list(Event.objects.filter(verb__startswith="action_item").order_by("pk").values_list("verb", flat=True))
    assert verbs == ["action_item.created", "action_item.done", "action_item.reopened"]


def test_someone_elses_item_is_changed_only_by_coordinators_and_supervisors(make_user, today):
    item = action_item_create(actor=None, title="x", owner=make_user("viewer"), due_date=today)
    with pytest.raises(PermissionDenied):
        action_item_close(actor=make_user("planner"), action_item=item, check_permissions=True)
    assert action_item_close(actor=make_user("supervisor"), action_item=item, check_permissions=True).status == "done"


def test_a_cancelled_item_cannot_be_done_without_reopening(make_user, today):
    item = action_item_create(actor=None, title="x", owner=make_user("viewer"), due_date=today)
    action_item_close(actor=None, action_item=item, status="cancelled")
    with pytest.raises(ConflictError):
        action_item_close(actor=None, action_item=item, status="done")


# --- the owner is told --------------------------------------------------------------------------


def test_the_owner_is_notified_and_emailed_once_when_given_an_item(make_user, today, django_capture_on_commit_callbacks):
    boss, owner = make_user("coordinator"), make_user("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        item = action_item_create(actor=boss, title="Quote the rework", owner=owner, due_date=today)
    note = Notification.objects.get(user=owner)
    assert note.verb == "action_item.created" and "Quote the rework" in note.message and note.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[owner.email]]
    # Their own change is no news; closing it notifies nobody else either.
    with django_capture_on_commit_callbacks(execute=True):
        action_item_close(actor=owner, action_item=item)
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1


def test_handing_an_item_to_someone_else_tells_them(make_user, today, django_capture_on_commit_callbacks):
    boss, first, second = make_user("coordinator"), make_user("supervisor"), make_user("supervisor")
    with django_capture_on_commit_callbacks(execute=True):
        item = action_item_create(actor=boss, title="x", owner=first, due_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        action_item_update(actor=boss, action_item=item, owner=second)
    assert Notification.objects.filter(user=second, email="immediate").count() == 1
    assert len(mail.outbox) == 2


# --- the daily digest -----------------------------------------------------------------------------


def test_one_digest_per_owner_per_day_at_the_configured_hour(make_user, today, settings, django_capture_on_commit_callbacks):
    settings.ACTION_ITEMS_DIGEST_HOUR = 7
    owner, other = make_user("supervisor"), make_user("planner")
    late = action_item_create(actor=None, title="Late one", owner=owner, due_date=today)
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=2))
    action_item_create(actor=None, title="Today's", owner=owner, due_date=today)
    done = action_item_create(actor=None, title="Done one", owner=other, due_date=today)
    action_item_close(actor=None, action_item=done)
    mail.outbox.clear()
    assert action_item_digests_build(now=plant_datetime(today, dt.time(6, 59))) == []
    with django_capture_on_commit_callbacks(execute=True):
        made = action_item_digests_build(now=plant_datetime(today, dt.time(7, 5)))
    assert [d.user for d in made] == [owner]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.endswith("2 open action items, 1 overdue")
    assert message.body.index("OVERDUE") < message.body.index("Late one") < message.body.index("DUE TODAY")
    # The next hour's run, and a second delivery of the same digest, send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert action_item_digests_build(now=plant_datetime(today, dt.time(8, 5))) == []
    assert action_item_digest_send(digest_id=made[0].pk) is False
    assert len(mail.outbox) == 1 and ActionItemDigest.objects.count() == 1


# --- the API --------------------------------------------------------------------------------------


def test_api_create_filter_and_close(api_as, make_user, held_order, today):
    wo, hold = held_order
    client = api_as("coordinator")
    owner = make_user("supervisor", username="sam")
    response = client.post(
        URL, {"title": "Find the coil", "owner": "sam", "due_date": today.isoformat(), "hold": hold.pk}, format="json"
    )
    assert response.status_code == 201, response.data
    body = response.data
    assert (body["source"], body["work_order"], body["department"], body["status"]) == ("hold", wo.number, "FORM", "open")
    late = action_item_create(actor=None, title="Old", owner=owner, due_date=today)
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=1))
    overdue = client.get(URL, {"overdue": "true"}).data
    assert [row["title"] for row in overdue["results"]] == ["Old"] and overdue["results"][0]["is_overdue"] is True
    assert client.get(URL, {"owner": "sam", "source": "hold"}).data["count"] == 1
    assert client.get(URL, {"status": "done"}).data["count"] == 0
    # The owner closes their own with a supervisor's role; a planner may not close it.
    planner = api_as("planner")
    assert planner.patch(f"{URL}{body['id']}/", {"status": "done"}, format="json").status_code == 403
    mine = api_as(user=owner)
    closed = mine.patch(f"{URL}{body['id']}/", {"status": "done", "closing_note": "Coil found"}, format="json")
    assert closed.status_code == 200 and closed.data["status"] == "done" and closed.data["closed_by"] == "sam"
    assert mine.patch(f"{URL}{body['id']}/", {"status": "cancelled"}, format="json").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner": "nobody"}, "owner"),
        ({"due_date": "soon"}, "due_date"),
        ({"title": ""}, "title"),
        ({"source": "rumour"}, "source"),
        ({"hold": 999999}, "hold"),
        ({"work_order": "NOPE"}, "work_order"),
        ({"status": "done"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_bad_input_is_a_400_with_the_field(api_as, make_user, today, body, field):
    make_user("supervisor", username="sam")
    data = {"title": "x", "owner": "sam", "due_date": today.isoformat(), **body}
    response = api_as("coordinator").post(URL, data, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not ActionItem.objects.exists()


def test_api_roles(api_as, make_user, today):
    make_user("supervisor", username="sam")
    data = {"title": "x", "owner": "sam", "due_date": today.isoformat()}
    assert api_as("viewer").post(URL, data, format="json").status_code == 403
    assert api_as("planner").post(URL, data, format="json").status_code == 201
    item_id = ActionItem.objects.get().pk
    assert api_as("planner").delete(f"{URL}{item_id}/").status_code == 403
    assert api_as("coordinator").delete(f"{URL}{item_id}/").status_code == 204


def test_api_list_query_count(api_as, make_user, held_order, downtime, today, assert_query_baseline):
    _, hold = held_order
    client = api_as("coordinator")
    for n in range(6):
        action_item_create(
            actor=client.user,
            title=f"Item {n}",
            owner=make_user("supervisor"),
            due_date=today,
            **({"hold": hold} if n % 2 else {"downtime_event": downtime}),
        )
    with assert_query_baseline("api: action-items list"):
        response = client.get(URL)
    assert response.data["count"] == 6


# --- the pages ------------------------------------------------------------------------------------


def test_my_actions_shows_mine_with_overdue_in_words(client, make_user, today):
    me = login(client, make_user, "supervisor")
    late = action_item_create(actor=None, title="Late thing", owner=me, due_date=today)
    ActionItem.objects.filter(pk=late.pk).update(due_date=today - dt.timedelta(days=3))
    action_item_create(actor=None, title="Not mine", owner=make_user("viewer"), due_date=today)
    page = client.get("/actions/").content.decode()
    assert "Late thing" in page and "Overdue 3 days" in page and "Not mine" not in page
    everyone = client.get("/actions/?owner=all").content.decode()
    assert "Not mine" in everyone


def test_others_items_are_for_coordinators_and_supervisors(client, make_user, today):
    action_item_create(actor=None, title="Not mine", owner=make_user("viewer"), due_date=today)
    login(client, make_user, "planner")
    assert "Not mine" not in client.get("/actions/?owner=all").content.decode()


def test_one_step_from_a_hold_inline(client, make_user, held_order, today):
    wo, hold = held_order
    login(client, make_user, "coordinator")
    detail = client.get(f"/work-orders/{wo.number}/").content.decode()
    assert f"/actions/new/?hold={hold.pk}" in detail
    form = client.get(f"/actions/new/?hold={hold.pk}&slot=ai-hold-{hold.pk}", HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "clear the material hold" in form.content.decode()
    owner = make_user("supervisor")
    created = client.post(
        "/actions/new/",
        {"hold": hold.pk, "source": "hold", "title": "Chase the coil", "owner": owner.pk, "due_date": today.isoformat()},
        HTTP_HX_REQUEST="true",
    )
    assert created.status_code == 200 and "given to" in created.content.decode()
    item = ActionItem.objects.get()
    assert (item.hold, item.work_order, item.owner) == (hold, wo, owner)


def test_a_refused_form_keeps_the_input_and_says_why(client, make_user, held_order, today):
    _, hold = held_order
    login(client, make_user, "coordinator")
    response = client.post("/actions/new/", {"hold": hold.pk, "title": "", "owner": "", "due_date": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ActionItem.objects.exists()


def test_one_step_from_downtime(client, make_user, downtime, today):
    login(client, make_user, "supervisor")
    page = client.get("/downtime/").content.decode()
    assert f"/actions/new/?downtime={downtime.pk}" in page
    response = client.post(
        "/actions/new/",
        {"downtime_event": downtime.pk, "title": "Replace the seal", "owner": make_user("coordinator").pk, "due_date": today},
    )
    assert response.status_code == 302
    assert ActionItem.objects.get().downtime_event == downtime


def test_the_form_says_when_the_downtime_started_on_the_plants_clock(client, make_user, downtime):
    login(client, make_user, "coordinator")
    page = client.get("/actions/new/", {"downtime": downtime.pk}).content.decode()
    local = timezone.localtime(downtime.started_at)
    assert local.utcoffset()  # the plant is not on UTC, so UTC would show another hour
    assert f"down (Breakdown) from {local:%a %b %-d %H:%M}" in page


def test_who_may_not_create_gets_403(client, make_user):
    login(client, make_user, "viewer")
    assert client.get("/actions/new/").status_code == 403


def test_done_from_the_list(client, make_user, today):
    me = login(client, make_user, "viewer")
    item = action_item_create(actor=None, title="x", owner=me, due_date=today)
    response = client.post(f"/actions/{item.pk}/status/", {"status": "done", "next": "/actions/"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_my_actions_query_count(client, make_user, held_order, downtime, today, assert_query_baseline):
    _, hold = held_order
    me = login(client, make_user, "coordinator")
    for n in range(6):
        action_item_create(actor=None, title=f"Item {n}", owner=me, due_date=today, **({"hold": hold} if n % 2 else {}))
    with assert_query_baseline("page: my actions"):
        response = client.get("/actions/")
    assert len(response.context["items"]) == 6
