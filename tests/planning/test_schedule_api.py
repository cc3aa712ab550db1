"""schedule/ and schedule/bulk/: natural keys, upsert by slot, all-or-nothing uploads with per-row
errors, moves that need a reason, filters, roles."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from planning import services as planning_services
from planning.models import ScheduleEntry
from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/schedule/"
BULK = "/api/v1/schedule/bulk/"
DAY = dt.date(2026, 12, 1)


@pytest.fixture
def plant(shifts):
    laser = WorkCenterFactory(code="LASER-01", department=DepartmentFactory(code="CUT"))
    brake = WorkCenterFactory(code="BRAKE-01", department=DepartmentFactory(code="FORM"))
    item = make_routed_item(work_centers=[laser, brake])
    wo1 = make_work_order(item=item, status="released", number="WO-1")
    wo2 = make_work_order(item=item, status="released", number="WO-2")
    return {"laser": laser, "brake": brake, "wo1": wo1, "wo2": wo2, "shifts": {s.code: s for s in shifts}}


def row(**kwargs):
    data = {"date": "2026-12-01", "shift": "DAY", "work_center": "LASER-01", "work_order": "WO-1", "planned_quantity": "40"}
    data.update(kwargs)
    return data


def test_a_planner_schedules_by_natural_keys(api_as, plant):
    client = api_as("planner")
    response = client.post(URL, row(sequence=2), format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert (body["date"], body["shift"], body["work_center"], body["department"], body["work_order"]) == (
        "2026-12-01",
        "DAY",
        "LASER-01",
        "CUT",
        "WO-1",
    )
    assert (body["planned_quantity"], body["sequence"]) == ("40.000", 2)
    assert "reason" not in body
    # The same slot again is an upsert: 200, one entry.
    again = client.post(URL, row(planned_quantity="55"), format="json")
    assert again.status_code == 200 and again.data["id"] == body["id"] and again.data["planned_quantity"] == "55.000"
    assert ScheduleEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"shift": "NOPE"}, "shift"),
        ({"work_center": "NOPE"}, "work_center"),
        ({"work_order": "WO-404"}, "work_order"),
        ({"planned_quantity": "0"}, "planned_quantity"),
        ({"planned_quantity": "-3"}, "planned_quantity"),
        ({"planned_quantity": "lots"}, "planned_quantity"),
        ({"date": "tomorrow"}, "date"),
        ({"sequence": 0}, "sequence"),
        ({"colour": "red"}, "colour"),
        ({"shift": "DAY\x00"}, "shift"),
    ],
)
def test_bad_input_is_a_400_with_the_field(api_as, plant, body, field):
    response = api_as("planner").post(URL, row(**body), format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not ScheduleEntry.objects.exists()


def test_a_work_center_the_order_is_not_routed_through_is_refused(api_as, plant):
    WorkCenterFactory(code="PAINT-01")
    response = api_as("planner").post(URL, row(work_center="PAINT-01"), format="json")
    assert response.status_code == 400
    assert "no operation at PAINT-01" in response.data["work_center"][0]


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("coordinator", 403), ("supervisor", 403), ("planner", 201)])
def test_planners_write_the_schedule(api_as, plant, role, status):
    assert api_as(role).post(URL, row(), format="json").status_code == status
    assert api_as(role).post(BULK, {"entries": [row(work_order="WO-2")]}, format="json").status_code == (
        200 if role == "planner" else 403
    )


def test_everyone_reads_and_filters(api_as, plant, assert_query_baseline):
    s = plant["shifts"]
    for day in range(3):
        for code, wc in (("DAY", plant["laser"]), ("SWING", plant["brake"])):
            planning_services.schedule_entry_upsert(
                actor=None,
                date=DAY + dt.timedelta(days=day),
                shift=s[code],
                work_center=wc,
                work_order=plant["wo1"],
                planned_quantity=Decimal("10"),
            )
    planning_services.schedule_entry_upsert(
        actor=None, date=DAY, shift=s["DAY"], work_center=plant["laser"], work_order=plant["wo2"], planned_quantity=5
    )
    client = api_as("viewer")
    with assert_query_baseline("api: schedule list"):
        listed = client.get(URL)
    assert listed.status_code == 200 and listed.data["count"] == 7

    def count(query):
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, response.data
        return response.data["count"]

    assert count("date=2026-12-01") == 3
    assert count("date_after=2026-12-02&date_before=2026-12-03") == 4
    assert count("shift=SWING") == 3
    assert count("work_center=LASER-01") == 4
    assert count("department=FORM") == 3
    assert count("work_order=WO-2") == 1
    assert count("ordering=-planned_quantity") == 7
    assert client.get(f"{URL}?date_after=someday").status_code == 400
    assert client.get(f"{URL}?ordering=bogus").status_code == 400


def test_bulk_upserts_all_rows(api_as, plant):
    client = api_as("planner")
    first = client.post(BULK, {"entries": [row(), row(work_order="WO-2", planned_quantity="8", sequence=2)]}, format="json")
    assert first.status_code == 200, first.data
    assert (first.data["count"], first.data["created"], first.data["changed"], first.data["unchanged"]) == (2, 2, 0, 0)
    again = client.post(
        BULK, {"entries": [row(), row(work_order="WO-2", planned_quantity="9", sequence=2), row(shift="SWING")]}, format="json"
    )
    assert again.status_code == 200, again.data
    assert (again.data["created"], again.data["changed"], again.data["unchanged"]) == (1, 1, 1)
    assert again.data["ids"][:2] == first.data["ids"]
    assert ScheduleEntry.objects.count() == 3
    assert ScheduleEntry.objects.get(work_order=plant["wo2"]).planned_quantity == 9


def test_bulk_is_all_or_nothing_with_the_row_and_field_of_each_problem(api_as, plant):
    client = api_as("planner")
    entries = [
        row(),
        row(work_order="WO-2", planned_quantity="0"),
        row(shift="NOPE"),
        row(),  # the same slot as row 0
        row(date="2026-13-01"),
    ]
    response = client.post(BULK, {"entries": entries}, format="json")
    assert response.status_code == 400
    problems = {(p["row"], p["field"]) for p in response.data["rows"]}
    assert {(2, "shift"), (4, "date")} <= problems
    assert "nothing was written" in response.data["detail"]
    assert not ScheduleEntry.objects.exists()
    # Once the rows parse, the service's own checks answer the same way.
    service = client.post(BULK, {"entries": [row(), row(work_order="WO-2", planned_quantity="0"), row()]}, format="json")
    assert service.status_code == 400
    assert {(p["row"], p["field"]) for p in service.data["rows"]} == {(1, "planned_quantity"), (2, "work_order")}
    assert not ScheduleEntry.objects.exists() and not Event.objects.filter(verb__startswith="schedule.").exists()


@override_settings(SCHEDULE_BULK_MAX_ROWS=3)
def test_bulk_has_a_size_limit(api_as, plant):
    response = api_as("planner").post(BULK, {"entries": [row()] * 4}, format="json")
    assert response.status_code == 400
    assert "At most 3 entries per upload (SCHEDULE_BULK_MAX_ROWS)" in response.data["entries"][0]


@pytest.mark.parametrize("body", [{}, {"entries": []}, {"entries": "x"}, {"entries": [1]}, [row()], {"entries": [row()], "x": 1}])
def test_bulk_bad_shape_is_a_400(api_as, plant, body):
    assert api_as("planner").post(BULK, body, format="json").status_code == 400
    assert not ScheduleEntry.objects.exists()


def test_moving_an_entry_needs_a_reason_and_is_recorded(api_as, plant):
    client = api_as("planner")
    created = client.post(URL, row(), format="json").data
    refused = client.patch(f"{URL}{created['id']}/", {"work_center": "BRAKE-01"}, format="json")
    assert refused.status_code == 400 and "reason" in refused.data
    moved = client.patch(
        f"{URL}{created['id']}/",
        {"work_center": "BRAKE-01", "shift": "SWING", "planned_quantity": "30", "reason": "Laser down"},
        format="json",
    )
    assert moved.status_code == 200, moved.data
    assert (moved.data["work_center"], moved.data["shift"], moved.data["planned_quantity"]) == ("BRAKE-01", "SWING", "30.000")
    event = Event.objects.get(verb="schedule.entry_replanned")
    assert event.reason == "Laser down"
    assert event.changes["work_center"] == ["LASER-01", "BRAKE-01"]
    assert {scope.department.code for scope in event.scopes.select_related("department")} == {"CUT", "FORM"}
    # The work order of an entry stays.
    other = client.patch(f"{URL}{created['id']}/", {"work_order": "WO-2"}, format="json")
    assert other.status_code == 400 and "work_order" in other.data


def test_a_quantity_change_records_its_reason(api_as, plant):
    client = api_as("planner")
    created = client.post(URL, row(), format="json").data
    changed = client.patch(f"{URL}{created['id']}/", {"planned_quantity": "20", "reason": "Material short"}, format="json")
    assert changed.status_code == 200 and changed.data["planned_quantity"] == "20.000"
    assert Event.objects.get(verb="schedule.entry_changed").reason == "Material short"


def test_moving_onto_a_taken_slot_is_refused(api_as, plant):
    client = api_as("planner")
    first = client.post(URL, row(), format="json").data
    client.post(URL, row(shift="SWING"), format="json")
    response = client.patch(f"{URL}{first['id']}/", {"shift": "SWING", "reason": "x"}, format="json")
    assert response.status_code == 400 and "already planned" in response.data["work_center"][0]


def test_delete_records_the_slot_date(api_as, plant):
    client = api_as("planner")
    created = client.post(URL, row(), format="json").data
    assert api_as("coordinator").delete(f"{URL}{created['id']}/").status_code == 403
    assert client.delete(f"{URL}{created['id']}/").status_code == 204
    removed = Event.objects.get(verb="schedule.entry_removed")
    assert removed.changes["date"][0] == "2026-12-01"
    assert client.get(f"{URL}{created['id']}/").status_code == 404
