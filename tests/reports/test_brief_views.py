"""/brief/ and /brief/<date>/: every role reads the stored brief (in a fixed number of queries, however
long it is), coordinators and planners generate it again; the API's reports/morning-brief/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from planning import services as planning
from plant.models import Shift
from prodcoord.core.plant_time import plant_datetime, plant_today
from reports import services
from reports.models import MorningBrief
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services as wo_services

pytestmark = pytest.mark.django_db

M = plant_today() - dt.timedelta(days=1)
D = M - dt.timedelta(days=1)
API = "/api/v1/reports/morning-brief/"


def busy_day(orders, holds):
    """A day with ``orders`` scheduled orders that each fell short, and ``holds`` active holds."""
    cut = WorkCenterFactory(code=f"CUT-{orders:02d}")
    item = make_routed_item(work_centers=[cut])
    released = plant_datetime(D - dt.timedelta(days=20), dt.time(8))
    day_shift = Shift.objects.get(code="DAY")
    for n in range(orders):
        wo = make_work_order(item=item, status="released", moved_at=released)
        planning.schedule_entry_upsert(
            actor=None, date=D, shift=day_shift, work_center=cut, work_order=wo, planned_quantity=Decimal(10)
        )
        wo_services.operation_report_progress(
            work_order=wo, actor=None, operation=10, quantity_good=Decimal(4), reported_at=plant_datetime(D, dt.time(9))
        )
        if n < holds:
            wo_services.hold_place(work_order=wo, actor=None, kind="material", reason=f"Waiting for bar stock {n}")


def test_the_page_renders_from_the_snapshot_in_a_fixed_number_of_queries(client, make_user, shifts, assert_query_baseline):
    client.force_login(make_user("supervisor"))
    url = f"/brief/{M.isoformat()}/"
    busy_day(1, 1)
    services.morning_brief_generate(date=M - dt.timedelta(days=1))
    services.morning_brief_generate(date=M)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    busy_day(6, 4)
    services.morning_brief_generate(date=M)
    with assert_query_baseline("page: morning brief"), CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="brief-wc"') == 2
    assert '5</span><span class="tile__label">active holds' in html
    assert "Generate again now" not in html  # a supervisor reads


def test_the_latest_brief_and_the_mornings_around_it(client, make_user, shifts):
    services.morning_brief_generate(date=M - dt.timedelta(days=2))
    services.morning_brief_generate(date=M)
    client.force_login(make_user("viewer"))
    response = client.get("/brief/")
    assert response.status_code == 200 and response.context["brief"].date == M
    assert f'href="/brief/{(M - dt.timedelta(days=2)).isoformat()}/"' in response.content.decode()
    assert 'aria-current="page">Morning brief' in response.content.decode()


def test_a_morning_without_a_brief_says_so(client, make_user, shifts):
    client.force_login(make_user("coordinator"))
    response = client.get(f"/brief/{M.isoformat()}/")
    assert response.status_code == 404
    assert "There is no brief for the morning" in response.content.decode()
    assert "Generate now" in response.content.decode()
    assert client.get("/brief/not-a-date/").status_code == 404
    assert client.get("/brief/").status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"), [("coordinator", True), ("planner", True), ("supervisor", False), ("viewer", False)]
)
def test_coordinators_and_planners_generate_it_again(client, make_user, shifts, role, allowed):
    person = make_user(role)
    client.force_login(person)
    response = client.post("/brief/generate/", {"date": M.isoformat()})
    if not allowed:
        assert response.status_code == 403 and not MorningBrief.objects.exists()
        return
    assert response.status_code == 302 and response["Location"] == f"/brief/{M.isoformat()}/"
    brief = MorningBrief.objects.get()
    assert (brief.date, brief.generated_by, brief.trigger) == (M, person, "page")
    page = client.get(response["Location"]).content.decode()
    assert "Generate again now" in page and (person.get_full_name() or person.username) in page


@pytest.mark.parametrize("value", ["", "tomorrow", (plant_today() + dt.timedelta(days=1)).isoformat()])
def test_a_bad_morning_is_refused_on_the_page(client, make_user, shifts, value):
    client.force_login(make_user("planner"))
    response = client.post("/brief/generate/", {"date": value}, follow=True)
    assert response.status_code == 200
    assert not MorningBrief.objects.exists()
    assert list(response.context["messages"])


# --- the API -------------------------------------------------------------------------------------------------


def test_api_reads_the_stored_brief(api_as, shifts):
    busy_day(2, 1)
    services.morning_brief_generate(date=M)
    response = api_as("viewer").get(API, {"date": M.isoformat()})
    assert response.status_code == 200, response.data
    body = response.data
    assert (body["date"], body["production_date"], body["calc_version"], body["trigger"]) == (
        M.isoformat(),
        D.isoformat(),
        3,
        "page",
    )
    assert body["headline"]["active_holds"] == 1 and body["headline"]["carry_over_entries"] == 2
    assert body["url"] == f"/brief/{M.isoformat()}/"
    assert body["payload"]["holds"]["rows"][0]["url"].startswith("/work-orders/")
    assert api_as("viewer").get(API).data["date"] == M.isoformat()  # the latest


def test_api_answers_404_and_400_clearly(api_as, shifts):
    client = api_as("viewer")
    missing = client.get(API, {"date": M.isoformat()})
    assert missing.status_code == 404 and f"no morning brief for {M.isoformat()}" in missing.data["detail"]
    assert client.get(API).status_code == 404
    bad = client.get(API, {"date": "2026-13-45"})
    assert bad.status_code == 400 and "date" in bad.data


@pytest.mark.parametrize(("role", "status"), [("coordinator", 200), ("planner", 200), ("supervisor", 403), ("viewer", 403)])
def test_api_generate_is_for_coordinators_and_planners(api_as, shifts, role, status):
    response = api_as(role).post(f"{API}generate/", {"date": M.isoformat()}, format="json")
    assert response.status_code == status
    if status == 200:
        assert response.data["date"] == M.isoformat() and response.data["trigger"] == "api"
        assert response.data["generated_by"] == MorningBrief.objects.get().generated_by.username


@pytest.mark.parametrize(
    "body",
    [{}, {"date": "yesterday"}, {"date": (plant_today() + dt.timedelta(days=1)).isoformat()}, {"date": "0001-01-02"}],
)
def test_api_generate_refuses_a_bad_morning(api_as, shifts, body):
    response = api_as("planner").post(f"{API}generate/", body, format="json")
    assert response.status_code == 400 and "date" in response.data
    assert not MorningBrief.objects.exists()


def test_a_long_section_shows_its_first_rows_and_all_of_them_on_asking(client, make_user, shifts, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "SCREEN_ROWS", 2)
    busy_day(3, 3)
    services.morning_brief_generate(date=M)
    client.force_login(make_user("supervisor"))
    url = f"/brief/{M.isoformat()}/"
    html = client.get(url).content.decode()
    holds = html[html.index('id="holds"') : html.index('id="downtime"')]
    assert holds.count('class="brief-reason"') == 2 and "Show all 3" in holds
    everything = client.get(url, {"all": "1"}).content.decode()
    holds = everything[everything.index('id="holds"') : everything.index('id="downtime"')]
    assert holds.count('class="brief-reason"') == 3 and "Show all" not in holds
