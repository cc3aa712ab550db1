"""downtime-events/ and downtime-reasons/: the downtime rules answer 400 with the field, 409 on a conflict."""

import datetime as dt

import pytest
from django.utils import timezone

from plant.models import DowntimeEvent, DowntimeReason
from tests.factories import DepartmentFactory, WorkCenterFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/downtime-events/"


@pytest.fixture
def press(db):
    return WorkCenterFactory(code="PRESS-01", department=DepartmentFactory(code="FORM"))


def iso(value):
    return value.isoformat()


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


def test_a_coordinator_starts_and_stops_downtime(api_as, press):
    client = api_as("coordinator")
    response = client.post(URL, {"work_center": "PRESS-01", "reason": "BREAKDOWN", "note": "no air"}, format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["is_open"] is True and body["ended_at"] is None
    assert (body["work_center"], body["department"], body["reason"]) == ("PRESS-01", "FORM", "BREAKDOWN")
    assert body["started_by"] == client.user.username
    stopped = client.post(f"{URL}{body['id']}/stop/", {"note": "compressor reset"}, format="json")
    assert stopped.status_code == 200, stopped.data
    assert stopped.data["is_open"] is False and stopped.data["ended_by"] == client.user.username
    assert stopped.data["note"] == "no air\ncompressor reset"
    again = client.post(f"{URL}{body['id']}/stop/", {}, format="json")
    assert again.status_code == 409
    assert "already ended" in again.data["detail"]


def test_a_second_open_downtime_is_a_field_error(api_as, press):
    client = api_as("coordinator")
    assert client.post(URL, {"work_center": "PRESS-01", "reason": "BREAKDOWN"}, format="json").status_code == 201
    response = client.post(URL, {"work_center": "PRESS-01", "reason": "QUALITY"}, format="json")
    assert response.status_code == 400
    assert "already has downtime then" in response.data["work_center"][0]
    assert DowntimeEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"reason": "NOPE"}, "reason"),
        ({"work_center": "NOPE"}, "work_center"),
        ({"started_at": "yesterday"}, "started_at"),
        ({"started_at": "9999-12-31T23:59:59"}, "started_at"),
        ({"note": "x" * 2001}, "note"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_400_with_the_field(api_as, press, body, field):
    data = {"work_center": "PRESS-01", "reason": "BREAKDOWN", **body}
    response = api_as("coordinator").post(URL, data, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not DowntimeEvent.objects.exists()


def test_times_in_the_future_or_backwards_are_400(api_as, press):
    client = api_as("supervisor")
    future = client.post(URL, {"work_center": "PRESS-01", "reason": "BREAKDOWN", "started_at": iso(ago(hours=-2))}, format="json")
    assert future.status_code == 400 and "started_at" in future.data
    backwards = client.post(
        URL,
        {"work_center": "PRESS-01", "reason": "BREAKDOWN", "started_at": iso(ago(hours=1)), "ended_at": iso(ago(hours=2))},
        format="json",
    )
    assert backwards.status_code == 400 and "ended_at" in backwards.data


def test_recorded_afterwards_and_corrected(api_as, press):
    client = api_as("supervisor")
    created = client.post(
        URL,
        {"work_center": "PRESS-01", "reason": "CHANGEOVER", "started_at": iso(ago(hours=3)), "ended_at": iso(ago(hours=2))},
        format="json",
    )
    assert created.status_code == 201, created.data
    assert created.data["minutes"] == 60
    patched = client.patch(f"{URL}{created.data['id']}/", {"reason": "PLANNED-MAINT"}, format="json")
    assert patched.status_code == 200 and patched.data["reason"] == "PLANNED-MAINT"
    assert client.delete(f"{URL}{created.data['id']}/").status_code == 204


@pytest.mark.parametrize("role", ["viewer", "planner"])
def test_who_may_not_record_downtime(api_as, press, role):
    response = api_as(role).post(URL, {"work_center": "PRESS-01", "reason": "BREAKDOWN"}, format="json")
    assert response.status_code == 403
    assert not DowntimeEvent.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"), [("operator", 403), ("coordinator", 403), ("supervisor", 204)]
)  # operators: floor mode only
def test_only_supervisors_delete_downtime(api_as, press, role, status):
    event = DowntimeEvent.objects.create(
        work_center=press, reason=DowntimeReason.objects.get(code="OTHER"), started_at=ago(hours=3), ended_at=ago(hours=2)
    )
    assert api_as(role).delete(f"{URL}{event.pk}/").status_code == status


def test_filters(api_as, press):
    other = WorkCenterFactory(code="SAW-01", department=DepartmentFactory(code="CUT"))
    reason = DowntimeReason.objects.get(code="BREAKDOWN")
    DowntimeEvent.objects.create(work_center=press, reason=reason, started_at=ago(hours=5), ended_at=ago(hours=4))
    DowntimeEvent.objects.create(work_center=press, reason=reason, started_at=ago(hours=1))
    DowntimeEvent.objects.create(
        work_center=other, reason=DowntimeReason.objects.get(code="QUALITY"), started_at=ago(hours=2), ended_at=ago(hours=1)
    )
    client = api_as("viewer")

    def count(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.data
        return response.data["count"]

    assert count("") == 3
    assert count("work_center=PRESS-01") == 2
    assert count("department=CUT") == 1
    assert count("reason=QUALITY") == 1
    assert count("open=true") == 1
    assert count("open=false") == 2
    assert count(f"started_after={ago(hours=3).isoformat().replace('+', '%2B')}") == 2
    assert client.get(f"{URL}?ordering=bogus").status_code == 400


def test_list_query_count_does_not_grow(api_as, press, assert_query_baseline):
    reason = DowntimeReason.objects.get(code="BREAKDOWN")
    for n in range(6):
        wc = WorkCenterFactory(department=press.department)
        DowntimeEvent.objects.create(work_center=wc, reason=reason, started_at=ago(hours=n + 2), ended_at=ago(hours=n + 1))
    client = api_as("viewer")
    with assert_query_baseline("api: downtime-events list"):
        response = client.get(URL)
    assert response.data["count"] == 6


def test_reasons_are_master_data(api_as, assert_query_baseline):
    planner = api_as("planner")
    created = planner.post("/api/v1/downtime-reasons/", {"code": "TOOLING", "name": "Tooling"}, format="json")
    assert created.status_code == 201, created.data
    assert planner.post("/api/v1/downtime-reasons/", {"code": "tooling", "name": "Again"}, format="json").status_code == 400
    assert api_as("coordinator").post("/api/v1/downtime-reasons/", {"code": "X", "name": "X"}, format="json").status_code == 403
    viewer = api_as("viewer")
    with assert_query_baseline("api: downtime-reasons list"):
        listed = viewer.get("/api/v1/downtime-reasons/")
    assert listed.data["count"] == DowntimeReason.objects.count()
