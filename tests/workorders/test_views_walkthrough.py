"""What a plant user trips over when walking through the pages: the open list on a
portrait tablet and on paper, where a refused action points to, what a schedule line in
the history is about, and the pages for "not allowed", "not found" and offline API docs."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from planning import services as planning_services
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import Hold
from workorders.views.board import PAGE_SIZE

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_coordinator(client, make_user):
    user = make_user("coordinator", username="dana", first_name="Dana", last_name="Ortiz")
    client.force_login(user)
    client.user = user
    return client


def detail(wo):
    return reverse("work-order-detail", args=[wo.number])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- the open list -------------------------------------------------------------------


def test_current_operation_is_also_drawn_under_the_status_for_narrow_screens(as_coordinator, shifts):
    wc = WorkCenterFactory(code="LASER-07")
    make_work_order(item=make_routed_item(work_centers=[wc]), status="released")
    html = as_coordinator.get(reverse("home")).content.decode()
    # the wide column (hidden on a portrait tablet) and the copy under the status (hidden on wide screens)
    assert 'class="sortable col-op"' in html and ">Current op.<" in html
    assert html.count("</span> LASER-07") == 2
    assert 'class="narrow-only op-inline"' in html


def test_printed_list_says_it_is_one_page_of_several(as_coordinator, shifts):
    item = make_routed_item()
    for _ in range(PAGE_SIZE + 1):
        services.work_order_create(actor=None, item=item, quantity=Decimal("5"))
    html = as_coordinator.get(reverse("home")).content.decode()
    assert '<span class="print-only">This printout is page 1 of 2.</span>' in html


def test_single_page_list_has_no_printout_note(as_coordinator, shifts):
    make_work_order(status="released")
    assert "This printout is page" not in as_coordinator.get(reverse("home")).content.decode()


def test_search_placeholder_is_short_enough_to_read_in_the_filter_bar(as_coordinator, shifts):
    html = as_coordinator.get(reverse("home")).content.decode()
    assert 'placeholder="WO, item, customer ref."' in html


def test_pages_link_their_icon_and_the_site_serves_it(as_coordinator, client, shifts):
    html = as_coordinator.get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/static/icons/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in html
    # what browsers and other tools ask for whatever a page links: a real icon, no 404
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/x-icon"
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


# --- where a refused action points to ------------------------------------------------


def test_complete_short_without_a_reason_names_the_complete_action(as_coordinator, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    response = as_coordinator.post(reverse("work-order-complete", args=[wo.number]), {"version": wo.version}, **HTMX)
    assert response.status_code == 400
    assert messages_of(response) == ["Not saved: check Complete below."]


def test_cancel_without_a_reason_names_the_cancel_box(as_coordinator, shifts):
    wo = make_work_order(status="draft")
    response = as_coordinator.post(reverse("work-order-cancel", args=[wo.number]), {"version": wo.version})
    assert response.status_code == 400
    assert messages_of(response) == ["Not saved: check Cancel this work order below."]


def test_hold_release_without_a_note_points_to_the_active_hold(as_coordinator, shifts):
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=as_coordinator.user, kind=Hold.Kind.EQUIPMENT, reason="Press brake down")
    wo.refresh_from_db()
    response = as_coordinator.post(
        reverse("work-order-hold-release", args=[wo.number, hold.pk]), {"version": wo.version, "release_note": ""}, **HTMX
    )
    assert response.status_code == 400
    assert messages_of(response) == ["Not saved: check the active hold below."]


# --- history -------------------------------------------------------------------------


def test_schedule_lines_in_the_history_name_the_day_shift_and_work_center(as_coordinator, shifts):
    wc = WorkCenterFactory(code="ASSY-09")
    wo = make_work_order(item=make_routed_item(work_centers=[wc]), status="released")
    day = dt.date(2026, 11, 28)  # a Saturday
    planning_services.schedule_entry_upsert(
        actor=None, date=day, shift=shifts[0], work_center=wc, work_order=wo, planned_quantity=8
    )
    response = as_coordinator.get(detail(wo))
    scheduled = next(row for row in response.context["history"] if row["verb"] == "schedule.entry_created")
    assert scheduled["subject"] == "Sat Nov 28 · Day shift · ASSY-09"
    assert '<span class="history__subject">Sat Nov 28 · Day shift · ASSY-09</span>' in response.content.decode()


def test_history_rows_of_other_kinds_have_no_schedule_subject(as_coordinator, shifts):
    wo = make_work_order(status="released")
    history = as_coordinator.get(detail(wo)).context["history"]
    assert history and all(row["subject"] is None for row in history)


# --- error pages and the API docs ----------------------------------------------------


def test_not_allowed_page_says_why_and_leads_back(client, make_user, shifts):
    viewer = make_user("viewer", username="vera", first_name="Vera", last_name="Lind")
    client.force_login(viewer)
    wo = make_work_order(status="released")
    response = client.post(reverse("work-order-priority", args=[wo.number]), {"version": wo.version, "priority": 1})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Not allowed</h1>" in html
    assert "Your role does not allow this." in html and "Vera Lind" in html
    assert f'href="{reverse("home")}"' in html


def test_not_found_page_names_the_address_and_leads_back(as_coordinator, shifts):
    response = as_coordinator.get(reverse("work-order-detail", args=["WO-999999"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html and "/work-orders/WO-999999/" in html
    assert f'href="{reverse("home")}"' in html
