"""The shortages board, acting on a shortage from it, the board's badge, the item page's chart data
and the pick list."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from materials import stock
from planning.models import ScheduleEntry, Shortage
from planning.pick_list import next_shifts
from planning.shortages import shortages_net
from prodcoord.core.plant_time import plant_today
from tests.factories import standard_shifts
from tests.materials.stock_helpers import location
from tests.planning.test_shortages import order, plant  # noqa: F401  (the hand-built plant fixture)
from tests.planning.test_views import login

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def short(plant):  # noqa: F811
    stock.expected_receipt_create(
        actor=None, item=plant["bolt"], quantity=D("40"), due_date=plant_today() + dt.timedelta(days=6), reference="PO-77"
    )
    soon = order(plant, 10, 2)
    later = order(plant, 20, 4)
    shortages_net()
    return {"soon": soon, "later": later, **plant}


def test_the_board_lists_by_need_date_with_what_would_fix_it(client, make_user, short, assert_query_baseline):
    login(client, make_user, "coordinator")
    with assert_query_baseline("page: shortages"):
        response = client.get("/shortages/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(short["soon"].number) < html.index(short["later"].number)
    assert "PO-77 brings 40" in html and "4 days too late" in html and "2 days too late" in html
    assert 'name="action" value="resolve"' in html


def test_the_board_filters(client, make_user, short):
    login(client, make_user, "viewer")
    html = client.get("/shortages/?horizon=3").content.decode()
    assert short["soon"].number in html and short["later"].number not in html
    html = client.get(f"/shortages/?department={short['wc'].department.code}&item=bolt").content.decode()
    assert short["soon"].number in html and short["later"].number in html
    html = client.get("/shortages/?status=resolved").content.decode()
    assert short["soon"].number not in html
    bad = client.get("/shortages/?horizon=-4")
    assert bad.status_code == 200 and "Needed within" in bad.content.decode()
    assert 'value="resolve"' not in client.get("/shortages/").content.decode()  # viewers read only


def test_acting_from_the_board_with_htmx_and_field_errors(client, make_user, short):
    login(client, make_user, "planner")
    pk = Shortage.objects.get(work_order=short["soon"]).pk
    headers = {"HTTP_HX_REQUEST": "true"}
    response = client.post(f"/shortages/{pk}/act/", {"action": "resolve", "note": ""}, **headers)
    assert response.status_code == 400
    assert "Say how it was resolved" in response.content.decode() and 'aria-invalid="true"' in response.content.decode()
    response = client.post(f"/shortages/{pk}/act/", {"action": "acknowledge", "note": "Chasing PO-77"}, **headers)
    assert response.status_code == 200 and "Acknowledged" in response.content.decode()
    again = client.post(f"/shortages/{pk}/act/", {"action": "acknowledge"}, **headers)
    assert again.status_code == 409 and "acknowledged already" in again.content.decode()
    response = client.post(f"/shortages/{pk}/act/", {"action": "resolve", "note": "Borrowed"})
    assert response.status_code == 302
    assert Shortage.objects.get(pk=pk).status == "resolved"
    short["soon"].refresh_from_db()
    assert short["soon"].shortage_count == 0


@pytest.mark.parametrize(
    ("sent", "lands_on"),
    [
        ("/shortages/?department=WELD", "/shortages/?department=WELD"),  # the filtered board it came from
        ("https://evil.example/", "/shortages/"),  # never another site
        ("//evil.example/shortages/", "/shortages/"),
        ("shortages", "/shortages/"),  # a bare word is no page
        ("", "/shortages/"),
    ],
)
def test_acting_without_htmx_goes_back_to_the_board_it_came_from(client, make_user, short, sent, lands_on):
    login(client, make_user, "coordinator")
    pk = Shortage.objects.get(work_order=short["soon"]).pk
    response = client.post(f"/shortages/{pk}/act/", {"action": "acknowledge", "note": "On it", "next": sent})
    assert response.status_code == 302 and response["Location"] == lands_on
    assert Shortage.objects.get(pk=pk).status == "acknowledged"


def test_only_planners_and_coordinators_act(client, make_user, short):
    login(client, make_user, "supervisor")
    pk = Shortage.objects.get(work_order=short["soon"]).pk
    assert client.post(f"/shortages/{pk}/act/", {"action": "acknowledge"}).status_code == 403
    assert Shortage.objects.get(pk=pk).status == "open"


def test_the_work_order_board_shows_the_shortage_badge(client, make_user, short):
    login(client, make_user, "coordinator")
    html = client.get("/").content.decode()
    assert f'href="/shortages/?work_order={short["soon"].number}"' in html and "▲ Short 1" in html


def test_the_item_page_carries_the_projected_balance_for_its_chart(client, make_user, short):
    login(client, make_user, "viewer")
    html = client.get(f"/items/{short['bolt'].sku}/").content.decode()
    start = html.index('<script id="projection-data" type="application/json">') + len(
        '<script id="projection-data" type="application/json">'
    )
    data = json.loads(html[start : html.index("</script>", start)])
    assert [D(p["balance"]) for p in data["points"]] == [0, -10, -30, 10]
    assert "vendor/chartjs/4.5.1/chart.umd.min.js" in html and "js/planning.js" in html


def test_the_item_pages_open_requirements_are_what_netting_counts_drafts_apart(client, make_user, short):
    order(short, 7, 3, status="draft")  # a draft needs 7 more bolts, not netted until released
    login(client, make_user, "viewer")
    html = client.get(f"/items/{short['bolt'].sku}/").content.decode()
    # the released orders need 10 + 20; the draft's 7 stand apart, its row still listed
    assert "<dt>Open requirements</dt><dd>30 " in html and "+ 7 in drafts" in html
    assert html.count('class="badge badge--draft"') >= 1


def test_the_pick_list_groups_what_to_pick_by_location(client, make_user, plant, assert_query_baseline):  # noqa: F811
    shifts = standard_shifts()
    rack = location("RACK-B")
    stock.stock_move_post(actor=None, kind="receipt", item=plant["bolt"], quantity=D("6"), to_location=plant["wh"])
    stock.stock_move_post(actor=None, kind="receipt", item=plant["bolt"], quantity=D("3"), to_location=rack)
    wo = order(plant, 12, 0)
    slot = next_shifts(1)[0]
    ScheduleEntry.objects.create(
        date=slot.date, shift=slot.shift, work_center=plant["wc"], work_order=wo, planned_quantity=D("12")
    )
    login(client, make_user, "materials_handler")
    with assert_query_baseline("page: pick list"):
        response = client.get("/pick-list/?shifts=2")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("RACK-B") < html.index("WH-A") < html.index("Not on hand")
    assert "<strong>6</strong>" in html and "<strong>3</strong>" in html  # 6 + 3 picked, 3 missing
    assert shifts and wo.number in html
    assert client.get("/pick-list/?shifts=0").status_code == 400
    assert client.get("/pick-list/?shifts=abc").status_code == 400
    assert timezone.now()


def test_the_pick_list_picks_the_lot_that_expires_first(plant):  # noqa: F811
    from materials.models import Lot
    from planning.pick_list import pick_list

    standard_shifts()
    bolt = plant["bolt"]
    soon = Lot.objects.create(item=bolt, code="L-SOON", expires_on=plant_today() + dt.timedelta(days=3))
    later = Lot.objects.create(item=bolt, code="L-LATER", expires_on=plant_today() + dt.timedelta(days=30))
    for lot in (None, later, soon):  # stock with no lot first in the ledger, the lot expiring soonest last
        stock.stock_move_post(actor=None, kind="receipt", item=bolt, quantity=D("6"), to_location=plant["wh"], lot=lot)
    wo = order(plant, 10, 0)  # needs 10 bolts
    slot = next_shifts(1)[0]
    ScheduleEntry.objects.create(
        date=slot.date, shift=slot.shift, work_center=plant["wc"], work_order=wo, planned_quantity=D("10")
    )
    lines = [line for _, group in pick_list(shifts=1)["groups"] for line in group]
    assert [(line.lot.code if line.lot else None, line.quantity) for line in lines] == [("L-SOON", D("6")), ("L-LATER", D("4"))]


def test_an_action_item_in_one_step_from_a_shortage(client, make_user, short):
    """The board offers "Action item" on each unresolved shortage: the item is about the shortage
    (its source and reference) and linked to its work order."""
    from urllib.parse import urlencode

    from coordination.models import ActionItem

    login(client, make_user, "coordinator")
    shortage = Shortage.objects.get(work_order=short["soon"])
    html = client.get("/shortages/").content.decode()
    query = urlencode({"source": "shortage", "ref": str(shortage), "work_order": short["soon"].number}).replace("&", "&amp;")
    assert f"/actions/new/?{query}" in html
    form = client.get("/actions/new/", {"source": "shortage", "ref": str(shortage), "work_order": short["soon"].number})
    assert form.status_code == 200 and str(shortage) in form.content.decode()
    owner = make_user("planner")
    response = client.post(
        "/actions/new/",
        {
            "source": "shortage",
            "source_reference": str(shortage),
            "work_order": short["soon"].number,
            "title": "Expedite PO-77",
            "owner": owner.pk,
            "due_date": plant_today().isoformat(),
            "next": "/shortages/",
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.source, item.source_reference, item.work_order, item.owner) == ("shortage", str(shortage), short["soon"], owner)
