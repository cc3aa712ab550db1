"""My work center: what is at their work center now — orders whose CURRENT
operation is there — and what comes next."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from plant.models import UserWorkCenter
from plant.selectors import user_work_center
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services

pytestmark = pytest.mark.django_db

MINE = reverse("my-work-center")


@pytest.fixture
def line(db):
    """SAW → CNC → PACK."""
    return {code: WorkCenterFactory(code=code) for code in ("SAW-01", "CNC-01", "PACK-01")}


@pytest.fixture
def item(line):
    return make_routed_item(sku="SHAFT-20", work_centers=list(line.values()))


@pytest.fixture
def operator(client, make_user):
    # A coordinator at a station: operators themselves use floor mode (test_views_floor.py).
    user = make_user("coordinator", username="tomasz")
    client.force_login(user)
    client.user = user
    return client


def queue_url(code):
    return reverse("work-center-queue", args=[code])


def numbers(rows):
    return [wo.number for wo in rows]


def report(wo, operation, good):
    services.operation_report_progress(work_order=wo, actor=None, operation=operation, quantity_good=Decimal(good))


def test_without_a_work_center_the_page_asks_for_one(operator, line):
    response = operator.get(MINE)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "workorders/work_center_choose.html"
    html = response.content.decode()
    assert "Choose the work center you work at." in html
    assert '<option value="CNC-01">CNC-01 · Work center CNC-01</option>' in html


def test_choosing_a_work_center_remembers_it_for_the_person(operator, line, client):
    response = operator.post(MINE, {"work_center": "CNC-01"})
    assert response.status_code == 302 and response["Location"] == MINE
    assert user_work_center(user=operator.user) == line["CNC-01"]
    response = operator.get(MINE)
    assert response.context["work_center"] == line["CNC-01"]
    assert response.context["mine"] is True
    # on another tablet, another day: still the same
    client.logout()
    client.force_login(operator.user)
    assert client.get(MINE).context["work_center"] == line["CNC-01"]


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({}, "Choose the work center you work at."),
        ({"work_center": "NOPE-9"}, "Choose one of the work centers in the list."),
        ({"work_center": "OLD-01"}, "Choose one of the work centers in the list."),
    ],
)
def test_a_bad_choice_is_a_field_error(operator, line, posted, message):
    WorkCenterFactory(code="OLD-01", is_active=False)
    response = operator.post(MINE, posted)
    assert response.status_code == 400
    assert response.context["form"].errors == {"work_center": [message]}
    assert not UserWorkCenter.objects.exists()


def test_now_is_the_orders_whose_current_operation_is_here(operator, line, item, shifts):
    at_saw = make_work_order(item=item, status="released", quantity=Decimal("10"))
    moved_on = make_work_order(item=item, status="released", quantity=Decimal("10"))
    report(moved_on, 10, 10)  # sawn: now at CNC-01, though it has an operation at SAW-01
    response = operator.get(queue_url("SAW-01"))
    assert numbers(response.context["now"]) == [at_saw.number]
    response = operator.get(queue_url("CNC-01"))
    assert numbers(response.context["now"]) == [moved_on.number]
    assert numbers(response.context["next"]) == [at_saw.number]  # its operation after the saw is here
    assert response.context["next"][0].next_sequence == 20
    assert numbers(operator.get(queue_url("PACK-01")).context["next"]) == [moved_on.number]


def test_two_operations_in_a_row_here_are_now_not_next(operator, line, shifts):
    saw, cnc = line["SAW-01"], line["CNC-01"]
    item = make_routed_item(sku="TWICE-1", work_centers=[saw, saw, cnc])
    wo = make_work_order(item=item, status="released")
    assert numbers(operator.get(queue_url("SAW-01")).context["now"]) == [wo.number]
    assert numbers(operator.get(queue_url("SAW-01")).context["next"]) == []
    report(wo, 10, 100)
    response = operator.get(queue_url("SAW-01"))
    assert numbers(response.context["now"]) == [wo.number]  # now at its second saw operation
    assert numbers(operator.get(queue_url("CNC-01")).context["next"]) == [wo.number]


def test_now_leaves_out_drafts_held_and_finished_orders(operator, line, item, shifts):
    ready = make_work_order(item=item, status="in_progress")
    make_work_order(item=item)  # a draft is not on the floor yet
    held = make_work_order(item=item, status="released")
    services.hold_place(work_order=held, actor=None, kind="material", reason="No bar stock")
    make_work_order(item=item, status="completed")
    make_work_order(item=item, status="cancelled")
    response = operator.get(queue_url("SAW-01"))
    assert numbers(response.context["now"]) == [ready.number]
    assert response.context["held"] == 1
    html = response.content.decode()
    assert "1 more order is here on hold." in html
    assert f'href="{reverse("home")}?work_center=SAW-01&amp;on_hold=true"' in html


def test_now_and_next_are_most_urgent_first(operator, line, item, shifts):
    def order(priority, due=None, start=None):
        kwargs = {"due_date": due, "planned_start": start}
        return make_work_order(item=item, status="released", priority=priority, **kwargs)

    start = dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC)
    late = order(3, dt.date(2026, 12, 20))
    urgent = order(1)
    soon = order(3, dt.date(2026, 12, 10), start + dt.timedelta(days=1))
    sooner_start = order(3, dt.date(2026, 12, 10), start)
    undated = order(3)
    expected = [urgent, sooner_start, soon, late, undated]
    assert numbers(operator.get(queue_url("SAW-01")).context["now"]) == numbers(expected)


def test_each_order_now_links_to_reporting_progress_for_those_who_may(operator, client, make_user, line, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("12"))
    report(wo, 10, 5)
    html = operator.get(queue_url("SAW-01")).content.decode()
    assert f'href="{reverse("work-order-detail", args=[wo.number])}#progress-title">Report</a>' in html
    assert "5 of 12" in html and "running" in html
    client.force_login(make_user("viewer"))
    html = client.get(queue_url("SAW-01")).content.decode()
    assert wo.number in html
    assert "#progress-title" not in html


def test_any_work_center_opens_by_its_code_and_an_unknown_one_is_404(operator, line):
    response = operator.get(queue_url("PACK-01"))
    assert response.status_code == 200
    assert response.context["mine"] is False
    assert "Nothing to work on at PACK-01 right now." in response.content.decode()
    assert operator.get(queue_url("NOPE-1")).status_code == 404


def test_a_work_center_no_longer_in_use_is_forgotten(operator, line):
    operator.post(MINE, {"work_center": "SAW-01"})
    line["SAW-01"].is_active = False
    line["SAW-01"].save()
    response = operator.get(MINE)
    assert [t.name for t in response.templates][0] == "workorders/work_center_choose.html"


def test_the_lists_stop_at_fifty_and_say_where_the_rest_are(operator, line, item, shifts):
    rows = [{"item": item, "quantity": Decimal("2")} for _ in range(51)]
    orders = services.work_orders_create(actor=None, rows=rows)
    services.work_orders_transition(actor=None, action="release", rows=[{"work_order": wo} for wo in orders])
    response = operator.get(queue_url("SAW-01"))
    assert len(response.context["now"]) == 50 and response.context["more_now"] is True
    assert "All orders at SAW-01" in response.content.decode()


def test_my_work_center_query_count(operator, line, item, shifts, assert_query_baseline):
    for _ in range(6):
        make_work_order(item=item, status="released")
    moved = make_work_order(item=item, status="released", quantity=Decimal("4"))
    report(moved, 10, 4)
    held = make_work_order(item=item, status="released")
    services.hold_place(work_order=held, actor=None, kind="quality", reason="Check")
    operator.post(MINE, {"work_center": "SAW-01"})
    # session, user with stamp, permissions, the chosen work center, now, next, held count,
    # the work-center choices, roles (header)
    with assert_query_baseline("page: my work center"):
        response = operator.get(MINE)
    assert len(response.context["now"]) == 6
    assert response.context["held"] == 1
