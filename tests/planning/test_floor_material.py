"""Floor mode's material page: an operator issues a work order's material from the line."""

from decimal import Decimal

import pytest
from django.urls import reverse

from materials import stock
from materials.models import Location, Lot, StockBalance, StockMove
from prodcoord.core.badges import operator_badge_set
from prodcoord.core.plant_time import plant_today
from prodcoord.events.models import Event
from tests.materials.stock_helpers import location, receive
from tests.planning.test_shortages import order, plant  # noqa: F401  (the hand-built plant fixture)

pytestmark = pytest.mark.django_db
D = Decimal


def build_line(plant):  # noqa: F811
    """An order of 10 (10 bolts) with 6 bolts staged for it on its work center's rack; 44 left in the warehouse."""
    rack = location("RACK-1", Location.Kind.LINE_SIDE, work_center=plant["wc"])
    receive(plant["bolt"], plant["wh"], "50")
    wo = order(plant, 10, 0)
    stock.stock_move_post(
        actor=None,
        kind="transfer",
        item=plant["bolt"],
        quantity=D("6"),
        from_location=plant["wh"],
        to_location=rack,
        work_order=wo,
    )
    return {**plant, "rack": rack, "wo": wo}


@pytest.fixture
def line(plant):  # noqa: F811
    return build_line(plant)


@pytest.fixture
def tablet(client, make_user):
    user = make_user("operator", username="tomasz")
    operator_badge_set(actor=None, user=user, badge="1001", pin="2468")
    assert client.post(reverse("floor-sign-in"), {"badge": "1001", "pin": "2468"}).status_code == 302
    client.user = user
    return client


def page_url(wo, action=""):
    return reverse("floor-material-issue" if action else "floor-material", args=[wo.number])


def balance(item, where):
    return StockBalance.objects.get(item=item, location=where, lot=None).quantity


def test_the_order_page_leads_to_the_material_page(tablet, line):
    html = tablet.get(reverse("floor-work-order", args=[line["wo"].number])).content.decode()
    assert page_url(line["wo"]) in html


def test_the_page_shows_what_is_still_to_issue_and_where_it_lies(tablet, line, assert_query_baseline):
    with assert_query_baseline("page: floor material"):
        response = tablet.get(page_url(line["wo"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "BOLT" in html and "Still to issue" in html and "RACK-1 · 6 ea" in html
    assert "WH-A" not in html  # the warehouse is not the line


def test_an_operator_issues_from_the_rack(tablet, line):
    wo, rack = line["wo"], line["rack"]
    source = StockBalance.objects.get(item=line["bolt"], location=rack)
    response = tablet.post(page_url(wo, "issue"), {"item": line["bolt"].pk, "source": source.pk, "quantity": "4"})
    assert response.status_code == 302 and response["Location"] == page_url(wo)
    move = StockMove.objects.get(kind="issue")
    assert (move.quantity, move.from_location, move.work_order, move.moved_by) == (D("4"), rack, wo, tablet.user)
    assert balance(line["bolt"], rack) == D("2")
    assert Event.objects.filter(verb="stock.issued", work_order=wo).exists()
    assert "4 ea BOLT issued" in tablet.get(page_url(wo)).content.decode()


def test_more_than_is_there_is_a_field_error_and_nothing_moves(tablet, line):
    wo, rack = line["wo"], line["rack"]
    source = StockBalance.objects.get(item=line["bolt"], location=rack)
    response = tablet.post(page_url(wo, "issue"), {"item": line["bolt"].pk, "source": source.pk, "quantity": "7"})
    assert response.status_code == 400
    assert "Only 6 ea of BOLT at RACK-1" in response.content.decode()
    assert not StockMove.objects.filter(kind="issue").exists() and balance(line["bolt"], rack) == D("6")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"quantity": "0"}, "greater than or equal to 0.001"),
        ({"quantity": "lots"}, "Enter a number"),
        ({"source": "999999"}, "Select a valid choice"),  # not a place on the line holding it
    ],
)
def test_bad_input_is_a_field_error(tablet, line, data, words):
    source = StockBalance.objects.get(item=line["bolt"], location=line["rack"])
    body = {"item": line["bolt"].pk, "source": source.pk, "quantity": "1"} | data
    response = tablet.post(page_url(line["wo"], "issue"), body)
    assert response.status_code == 400 and words in response.content.decode()
    assert not StockMove.objects.filter(kind="issue").exists()


def test_the_warehouse_and_quarantine_are_no_source(tablet, line):
    warehouse = StockBalance.objects.get(item=line["bolt"], location=line["wh"])
    response = tablet.post(page_url(line["wo"], "issue"), {"item": line["bolt"].pk, "source": warehouse.pk, "quantity": "1"})
    assert response.status_code == 400
    assert balance(line["bolt"], line["wh"]) == D("44")


def test_an_item_not_on_the_bom_is_refused(tablet, line):
    response = tablet.post(page_url(line["wo"], "issue"), {"item": line["item"].pk, "source": "1", "quantity": "1"})
    assert response.status_code == 400 and "not a material of this order" in response.content.decode()


def test_the_lot_that_expires_first_is_offered_first(tablet, line):
    soon = Lot.objects.create(item=line["bolt"], code="L-SOON", expires_on=plant_today().replace(year=plant_today().year + 1))
    receive(line["bolt"], line["stage"], "3", lot=soon)
    html = tablet.get(page_url(line["wo"])).content.decode()
    # The rack at the order's work center first, then the staging lane's lot.
    assert html.index("RACK-1 · 6 ea") < html.index("STAGE-1 · lot L-SOON · 3 ea")


@pytest.mark.parametrize("role", ["viewer", "supervisor", "quality"])
def test_people_who_do_not_issue_are_refused(client, make_user, line, role):
    client.force_login(make_user(role))
    assert client.get(page_url(line["wo"])).status_code == 403
    assert client.post(page_url(line["wo"], "issue"), {"item": line["bolt"].pk, "quantity": "1"}).status_code == 403


def test_a_coordinator_may_issue_here_too(client, make_user, line):
    client.force_login(make_user("coordinator"))
    source = StockBalance.objects.get(item=line["bolt"], location=line["rack"])
    response = client.post(page_url(line["wo"], "issue"), {"item": line["bolt"].pk, "source": source.pk, "quantity": "6"})
    assert response.status_code == 302 and balance(line["bolt"], line["rack"]) == D("0")


def test_an_operator_still_cannot_move_stock_otherwise(tablet, line):
    # The desk's stage / issue / return form needs materials.move_stock.
    url = reverse("work-order-material-move", args=[line["wo"].number])
    assert tablet.post(url, {"kind": "stage", "item": line["bolt"].pk, "quantity": "1"}).status_code in (302, 403)
    assert not StockMove.objects.filter(kind="issue").exists()
    assert StockMove.objects.filter(kind="transfer").count() == 1


def test_stock_gone_since_the_page_was_drawn_is_said_at_the_form(tablet, line):
    wo, rack = line["wo"], line["rack"]
    source = StockBalance.objects.get(item=line["bolt"], location=rack)
    stock.stock_move_post(
        actor=None, kind="transfer", item=line["bolt"], quantity=D("6"), from_location=rack, to_location=line["wh"]
    )
    response = tablet.post(page_url(wo, "issue"), {"item": line["bolt"].pk, "source": source.pk, "quantity": "2"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html and 'name="quantity"' in html  # the form stays, with why
    assert not StockMove.objects.filter(kind="issue").exists()
