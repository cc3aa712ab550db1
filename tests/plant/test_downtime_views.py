"""The downtime page: who sees what, one-tap start and stop, refusals that keep the form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from plant.models import DowntimeEvent, DowntimeReason
from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, WorkCenterFactory

pytestmark = pytest.mark.django_db

PAGE = "/downtime/"


@pytest.fixture
def form_dept(db):
    return DepartmentFactory(code="FORM", name="Forming")


@pytest.fixture
def press(form_dept):
    return WorkCenterFactory(code="PRESS-01", name="Press brake", department=form_dept)


def login(client, make_user, role):
    user = make_user(role)
    client.force_login(user)
    return user


@pytest.mark.parametrize("role", ["viewer", "supervisor", "coordinator", "planner", "quality", "materials_handler"])
def test_every_role_sees_the_page_and_only_recorders_get_the_buttons(client, make_user, press, role):
    login(client, make_user, role)
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "PRESS-01" in html
    assert ('action="/downtime/start/"' in html) == (role in ("supervisor", "coordinator"))


def test_one_tap_down_and_running_again(client, make_user, press):
    user = login(client, make_user, "coordinator")
    response = client.post(
        "/downtime/start/", {"work_center": "PRESS-01", "reason": "BREAKDOWN", "note": "ram stuck", "department": "FORM"}
    )
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?department=FORM"
    event = DowntimeEvent.objects.get()
    assert (event.work_center, event.reason.code, event.note, event.started_by) == (press, "BREAKDOWN", "ram stuck", user)
    page = client.get(response["Location"]).content.decode()
    assert "DOWN" in page and "1 down now" in page and "Running again" in page
    stopped = client.post(reverse("downtime-stop", args=[event.pk]), {"note": "hydraulics bled"})
    assert stopped.status_code == 302
    event.refresh_from_db()
    assert event.ended_at is not None and event.note == "ram stuck\nhydraulics bled"
    assert "everything running" in client.get(PAGE).content.decode()
    assert list(Event.objects.filter(verb__startswith="downtime.").order_by("pk").values_list("verb", flat=True)) == [
        "downtime.started",
        "downtime.ended",
    ]


def test_a_start_without_a_reason_keeps_the_note_and_says_why(client, make_user, press):
    login(client, make_user, "coordinator")
    response = client.post("/downtime/start/", {"work_center": "PRESS-01", "reason": "", "note": "smoke from motor"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Say why it stopped" in html
    assert 'value="smoke from motor"' in html
    assert not DowntimeEvent.objects.exists()


def test_a_retired_reason_is_refused(client, make_user, press):
    login(client, make_user, "coordinator")
    DowntimeReason.objects.filter(code="QUALITY").update(is_active=False)
    response = client.post("/downtime/start/", {"work_center": "PRESS-01", "reason": "QUALITY"})
    assert response.status_code == 400
    assert not DowntimeEvent.objects.exists()


def test_a_second_start_is_refused_with_what_is_already_there(client, make_user, press):
    login(client, make_user, "coordinator")
    DowntimeEvent.objects.create(
        work_center=press,
        reason=DowntimeReason.objects.get(code="CHANGEOVER"),
        started_at=timezone.now() - dt.timedelta(minutes=5),
    )
    # A page opened before it went down still shows the start form.
    response = client.post("/downtime/start/", {"work_center": "PRESS-01", "reason": "BREAKDOWN"})
    assert response.status_code == 400
    assert "already has downtime then" in response.content.decode()
    assert DowntimeEvent.objects.count() == 1


def test_stopping_what_someone_else_stopped_says_so(client, make_user, press):
    login(client, make_user, "supervisor")
    event = DowntimeEvent.objects.create(
        work_center=press,
        reason=DowntimeReason.objects.get(code="OTHER"),
        started_at=timezone.now() - dt.timedelta(hours=1),
        ended_at=timezone.now() - dt.timedelta(minutes=1),
    )
    response = client.post(reverse("downtime-stop", args=[event.pk]), {}, follow=True)
    assert "already ended" in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_who_may_not_record_gets_403(client, make_user, press, role):
    login(client, make_user, role)
    assert client.post("/downtime/start/", {"work_center": "PRESS-01", "reason": "BREAKDOWN"}).status_code == 403
    assert not DowntimeEvent.objects.exists()


def test_an_unknown_department_is_404(client, make_user):
    login(client, make_user, "viewer")
    assert client.get(f"{PAGE}?department=NOPE").status_code == 404


def test_the_page_costs_the_same_with_more_work_centers_and_downtime(client, make_user, form_dept, assert_query_baseline):
    login(client, make_user, "coordinator")
    reason = DowntimeReason.objects.get(code="BREAKDOWN")
    now = timezone.now()
    for n in range(8):
        wc = WorkCenterFactory(department=form_dept)
        DowntimeEvent.objects.create(
            work_center=wc, reason=reason, started_at=now - dt.timedelta(hours=3), ended_at=now - dt.timedelta(hours=2)
        )
        if n % 2:
            DowntimeEvent.objects.create(work_center=wc, reason=reason, started_at=now - dt.timedelta(minutes=30))
    with assert_query_baseline("page: downtime"):
        response = client.get(f"{PAGE}?department=FORM")
    assert response.content.decode().count("DOWN</span>") == 4
    assert len(response.context["recent"]) == 12
