"""``shortages/`` over the API: the list and its filters, the detail, and the people's actions by role."""

import datetime as dt
from decimal import Decimal

import pytest

from planning.models import Shortage
from planning.shortages import shortages_net
from prodcoord.core.plant_time import plant_today
from tests.planning.test_shortages import order, plant  # noqa: F401  (the hand-built plant fixture)

pytestmark = pytest.mark.django_db
D = Decimal
ACTORS = ["planner", "coordinator"]
READERS = ["viewer", "supervisor", "materials_handler", "quality"]


@pytest.fixture
def short(plant):  # noqa: F811
    """Two orders short of BOLT: one needed in two days, one in ten."""
    soon = order(plant, 10, 2)
    later = order(plant, 20, 10)
    shortages_net()
    return {"soon": soon, "later": later, **plant}


def test_the_list_gives_the_contract_fields_by_natural_key_sorted_by_need_date(api_as, short):
    response = api_as("viewer").get("/api/v1/shortages/")
    assert response.status_code == 200
    rows = response.data["results"]
    assert [r["work_order"] for r in rows] == [short["soon"].number, short["later"].number]
    first = rows[0]
    assert {k: first[k] for k in ("item", "work_order", "required", "available", "shortfall", "needed_by", "status")} == {
        "item": "BOLT",
        "work_order": short["soon"].number,
        "required": "10.000",
        "available": "0.000",
        "shortfall": "10.000",
        "needed_by": (plant_today() + dt.timedelta(days=2)).isoformat(),
        "status": "open",
    }
    detail = api_as("viewer").get(f"/api/v1/shortages/{first['id']}/")
    assert detail.status_code == 200 and detail.data["work_order"] == short["soon"].number


def test_filters(api_as, short):
    client = api_as("viewer")

    def numbers(query):
        response = client.get(f"/api/v1/shortages/?{query}")
        assert response.status_code == 200, response.data
        return [r["work_order"] for r in response.data["results"]]

    assert numbers("horizon=3") == [short["soon"].number]
    assert numbers(f"work_order={short['later'].number.lower()}") == [short["later"].number]
    assert numbers("item=bolt") == [short["soon"].number, short["later"].number]
    assert numbers("item=NUT") == []
    assert numbers(f"department={short['wc'].department.code}") == [short["soon"].number, short["later"].number]
    assert numbers("department=NOPE") == []
    assert numbers("status=resolved") == []
    assert numbers("unresolved=true") == [short["soon"].number, short["later"].number]
    assert client.get("/api/v1/shortages/?status=lost").status_code == 400
    assert client.get("/api/v1/shortages/?horizon=-1").status_code == 400
    assert client.get("/api/v1/shortages/?needed_before=yesterday").status_code == 400


@pytest.mark.parametrize("role", ACTORS)
def test_planners_and_coordinators_acknowledge_escalate_and_resolve(api_as, short, role):
    client = api_as(role)
    pk = Shortage.objects.get(work_order=short["soon"]).pk
    response = client.post(f"/api/v1/shortages/{pk}/acknowledge/", {"note": "On it"}, format="json")
    assert response.status_code == 200, response.data
    assert (response.data["status"], response.data["acknowledged_note"]) == ("acknowledged", "On it")
    assert response.data["acknowledged_by"] == client.user.username
    again = client.post(f"/api/v1/shortages/{pk}/acknowledge/", {}, format="json")
    assert again.status_code == 409
    response = client.post(f"/api/v1/shortages/{pk}/escalate/", {}, format="json")
    assert response.status_code == 200 and response.data["status"] == "escalated"
    missing_note = client.post(f"/api/v1/shortages/{pk}/resolve/", {}, format="json")
    assert missing_note.status_code == 400 and "note" in missing_note.data
    blank_note = client.post(f"/api/v1/shortages/{pk}/resolve/", {"note": "   "}, format="json")
    assert blank_note.status_code == 400 and "note" in blank_note.data
    unknown = client.post(f"/api/v1/shortages/{pk}/resolve/", {"note": "x", "why": "y"}, format="json")
    assert unknown.status_code == 400
    response = client.post(f"/api/v1/shortages/{pk}/resolve/", {"note": "Borrowed 10 from line 2"}, format="json")
    assert response.status_code == 200
    assert (response.data["status"], response.data["resolution"], response.data["resolved_by"]) == (
        "resolved",
        "Borrowed 10 from line 2",
        client.user.username,
    )
    assert response.data["resolved_at"] is not None
    for action in ("acknowledge", "escalate", "resolve"):
        assert client.post(f"/api/v1/shortages/{pk}/{action}/", {"note": "x"}, format="json").status_code == 409


@pytest.mark.parametrize("role", READERS)
def test_the_other_roles_only_read(api_as, short, role):
    client = api_as(role)
    pk = Shortage.objects.get(work_order=short["soon"]).pk
    assert client.get("/api/v1/shortages/").status_code == 200
    for action in ("acknowledge", "escalate", "resolve"):
        assert client.post(f"/api/v1/shortages/{pk}/{action}/", {"note": "x"}, format="json").status_code == 403
    assert Shortage.objects.get(pk=pk).status == "open"


def test_no_writes_through_the_collection_and_unknown_ids_are_404(api_as, short):
    client = api_as("planner")
    assert client.post("/api/v1/shortages/", {}, format="json").status_code == 405
    assert client.get("/api/v1/shortages/999999/").status_code == 404
    assert client.post("/api/v1/shortages/abc/acknowledge/", {}, format="json").status_code == 404


def test_the_list_query_count(api_as, plant, assert_query_baseline):  # noqa: F811
    for n in range(4):
        order(plant, 10, n + 1)
    shortages_net()
    Shortage.objects.filter(pk=Shortage.objects.first().pk).update(status="acknowledged")
    client = api_as("viewer")
    with assert_query_baseline("api: shortages list"):
        assert client.get("/api/v1/shortages/").data["count"] == 4
