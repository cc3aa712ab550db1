"""reports/attainment/: the stored snapshots grouped by day, shift, department or work center."""

import datetime as dt
from decimal import Decimal

import pytest

from plant.models import Shift
from reports.models import AttainmentSnapshot
from tests.factories import DepartmentFactory, WorkCenterFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/attainment/"
D1, D2 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)


@pytest.fixture
def snapshots(shifts):
    cut_dept, weld_dept = DepartmentFactory(code="CUT"), DepartmentFactory(code="WELD")
    laser = WorkCenterFactory(code="LASER-01", department=cut_dept)
    weld = WorkCenterFactory(code="WELD-01", department=weld_dept)
    day, swing = Shift.objects.get(code="DAY"), Shift.objects.get(code="SWING")
    now = dt.datetime(2026, 11, 4, tzinfo=dt.UTC)
    rows = [
        (D1, day, laser, 100, 120, 90),
        (D1, swing, laser, 50, 20, 20),
        (D1, day, weld, 40, 40, 40),
        (D2, day, laser, 80, 60, 60),
    ]
    for date, shift, wc, planned, actual, capped in rows:
        AttainmentSnapshot.objects.create(
            date=date,
            shift=shift,
            work_center=wc,
            planned=Decimal(planned),
            actual=Decimal(actual),
            capped_actual=Decimal(capped),
            entries=2,
            computed_at=now,
        )


def get(client, **params):
    response = client.get(URL, {"date_from": "2026-11-01", "date_to": "2026-11-30", **params})
    assert response.status_code == 200, response.data
    return {row["key"]: row for row in response.data["rows"]}


def test_grouped_by_day(api_as, snapshots):
    rows = get(api_as("planner"))
    assert set(rows) == {"2026-11-02", "2026-11-03"}
    first = rows["2026-11-02"]
    assert (first["planned"], first["actual"], first["capped_actual"]) == ("190.000", "180.000", "150.000")
    assert first["attainment_pct"] == "78.9"  # 150 / 190
    assert first["volume_attainment_pct"] == "94.7"  # 180 / 190


@pytest.mark.parametrize(
    ("group_by", "keys"),
    [
        ("shift", {"2026-11-02 DAY", "2026-11-02 SWING", "2026-11-03 DAY"}),
        ("department", {"CUT", "WELD"}),
        ("work_center", {"LASER-01", "WELD-01"}),
    ],
)
def test_other_groupings(api_as, snapshots, group_by, keys):
    assert set(get(api_as("viewer"), group_by=group_by)) == keys


def test_filters_and_the_window(api_as, snapshots):
    client = api_as("viewer")
    assert get(client, group_by="work_center", department="CUT")["LASER-01"]["planned"] == "230.000"
    assert set(get(client, work_center="WELD-01")) == {"2026-11-02"}
    assert set(get(client, date_from="2026-11-03")) == {"2026-11-03"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "week"}, "group_by"),
        ({"date_from": "2026-12-01", "date_to": "2026-11-01"}, "date_from"),
        ({"date_from": "2024-01-01", "date_to": "2026-11-01"}, "date_from"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"department": "NOPE"}, "department"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400_with_the_field(api_as, snapshots, params, field):
    response = api_as("viewer").get(URL, params)
    assert response.status_code == 400
    assert field in response.data


def test_anonymous_is_refused(api_client):
    assert api_client.get(URL).status_code == 401


def test_the_query_count_does_not_grow_with_rows(api_as, snapshots, assert_query_baseline):
    client = api_as("viewer")
    with assert_query_baseline("api: reports/attainment"):
        response = client.get(URL, {"date_from": "2026-11-01", "date_to": "2026-11-30", "group_by": "shift"})
    assert len(response.data["rows"]) == 3
