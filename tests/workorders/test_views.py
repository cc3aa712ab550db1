import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from planning import services as planning_services
from prodcoord.core.roles import ROLES as ALL_ROLES
from tests.factories import make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

# The site's pages: operators reach floor mode only (tests/workorders/test_views_floor.py).
ROLES = tuple(role for role in ALL_ROLES if role != "operator")

HOME = reverse("home")


@pytest.fixture
def coordinator_client(client, make_user):
    user = make_user("coordinator", first_name="Dana", last_name="Ortiz")
    client.force_login(user)
    client.user = user
    return client


def detail_url(wo):
    return reverse("work-order-detail", args=[wo.number])


def test_pages_require_login(client, shifts):
    wo = make_work_order(status="released")
    for url in (HOME, detail_url(wo)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_htmx_request_after_the_session_expired_sends_the_whole_page_to_login(client, shifts):
    wo = make_work_order(status="released")
    for response in (
        client.get(
            HOME, {"status": "released"}, HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/?status=released"
        ),
        client.post(reverse("work-order-start", args=[wo.number]), {}, HTTP_HX_REQUEST="true"),
    ):
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login") + "?next=")
        assert b"<form" not in response.content


def test_login_form_shows_error_on_bad_credentials(client, make_user):
    make_user("viewer", username="vera")
    response = client.post(reverse("login"), {"username": "vera", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_then_logout_returns_to_login(client, make_user):
    make_user("viewer", username="vera")
    response = client.post(reverse("login"), {"username": "vera", "password": "pass-word-123"})
    assert response.status_code == 302 and response["Location"] == HOME
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(HOME).status_code == 302


def test_home_lists_open_orders_only(coordinator_client, shifts):
    item = make_routed_item()
    open_orders = [make_work_order(item=item, status=s) for s in ("draft", "released", "in_progress")]
    closed = [make_work_order(item=item, status=s) for s in ("completed", "closed", "cancelled")]
    html = coordinator_client.get(HOME).content.decode()
    for wo in open_orders:
        assert wo.number in html
    for wo in closed:
        assert wo.number not in html
    assert item.sku in html and item.name in html


def test_home_shows_hold_badge_counts_and_overdue(coordinator_client, shifts):
    held = make_work_order(status="released")
    services.hold_place(work_order=held, actor=coordinator_client.user, kind="quality", reason="Porosity")
    late = make_work_order(status="released", due_date=dt.date.today() - dt.timedelta(days=60))
    make_work_order(status="draft")
    services.work_order_refresh_overdue()  # the periodic scan (queued after commit in production)
    response = coordinator_client.get(HOME)
    html = response.content.decode()
    assert "On hold" in html
    assert response.context["counts"] == {"open": 3, "on_hold": 1, "overdue": 1}
    rows = {wo.number: wo for wo in response.context["work_orders"]}
    assert rows[held.number].on_hold and not rows[late.number].on_hold
    assert rows[late.number].is_overdue
    assert 'badge--late">Late<' in html


def test_home_filters(coordinator_client, shifts):
    item = make_routed_item(sku="FG-FILTER-1")
    draft = make_work_order(item=item, status="draft")
    released = make_work_order(status="released")
    held = make_work_order(status="released")
    services.hold_place(work_order=held, actor=coordinator_client.user, kind="material", reason="No paint")

    def numbers(**params):
        response = coordinator_client.get(HOME, params)
        assert response.status_code == 200
        return {wo.number for wo in response.context["work_orders"]}

    assert numbers(status="draft") == {draft.number}
    assert numbers(status="released") == {released.number, held.number}
    assert numbers(on_hold="true") == {held.number}
    assert numbers(on_hold="false") == {draft.number, released.number}
    assert numbers(search="FG-FILTER") == {draft.number}
    # Closed states are not offered: asking for one shows no rows rather than closed orders.
    make_work_order(status="closed")
    assert numbers(status="closed") == set()
    # Nonsense values are ignored, not a server error.
    assert numbers(on_hold="maybe", page="x") == {draft.number, released.number, held.number}


def test_printed_home_says_which_filters_it_holds(coordinator_client, shifts):
    make_work_order(status="released")
    response = coordinator_client.get(HOME, {"status": "released", "on_hold": "false", "search": "WO", "overdue": ""})
    assert '<span class="print-only">Filtered by search: WO; status: Released; hold: Not on hold.</span>' in (
        response.content.decode()
    )
    assert "Filtered by" not in coordinator_client.get(HOME).content.decode()


def test_home_htmx_request_returns_the_table_only(coordinator_client, shifts):
    wo = make_work_order(status="released")
    response = coordinator_client.get(HOME, {"status": "released"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'id="work-order-table"' in html
    assert wo.number in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_home_paginates(coordinator_client, shifts):
    item = make_routed_item()
    for _ in range(52):
        services.work_order_create(actor=None, item=item, quantity=Decimal("5"))
    first = coordinator_client.get(HOME)
    assert len(first.context["work_orders"]) == 50
    second = coordinator_client.get(HOME, {"page": 2})
    assert len(second.context["work_orders"]) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_home_query_count(coordinator_client, shifts, assert_query_baseline):
    item = make_routed_item()
    orders = [services.work_order_create(actor=None, item=item, quantity=Decimal("10")) for _ in range(24)]
    for wo in orders[:6]:
        services.work_order_release(work_order=wo, actor=None)
        services.hold_place(work_order=wo, actor=None, kind="quality", reason="check")
    # session, user with stamp, permissions (navigation), roles (header), counts, page count, page rows
    # with their item and current operation, work-center choices
    with assert_query_baseline("page: home"):
        response = coordinator_client.get(HOME)
    assert len(response.context["work_orders"]) == 24
    # the filter swaps only the table (htmx)
    with assert_query_baseline("page: home, filtered table (htmx)"):
        response = coordinator_client.get(HOME, {"status": "released", "on_hold": "true"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in response.templates][0] == "workorders/partials/_work_order_table.html"
    assert len(response.context["work_orders"]) == 6


def test_detail_shows_operations_holds_and_history(coordinator_client, shifts):
    user = coordinator_client.user
    wo = make_work_order(status="released", quantity=Decimal("20"))
    services.operation_report_progress(
        work_order=wo, actor=user, operation=10, quantity_good=Decimal("8"), quantity_scrap=1, scrap_reason=scrap_reason()
    )
    hold = services.hold_place(work_order=wo, actor=user, kind="equipment", reason="Press brake leaking oil")
    services.hold_release(hold=hold, actor=user, release_note="Seal replaced")
    services.hold_place(work_order=wo, actor=user, kind="quality", reason="First article out of tolerance")
    response = coordinator_client.get(detail_url(wo))
    assert response.status_code == 200
    html = response.content.decode()
    assert wo.number in html and wo.item.sku in html
    for op in wo.operations.all():
        assert op.work_center.code in html
    assert "Active hold" in html and "First article out of tolerance" in html
    assert "Released holds" in html and "Seal replaced" in html
    labels = [row["label"] for row in response.context["history"]]
    assert labels[:2] == ["Hold placed", "Hold released"]
    assert {"Created", "Released", "Started", "Progress reported"} <= set(labels)
    assert "Dana Ortiz" in html
    assert "Press brake leaking oil" in html


def test_detail_of_closed_order_and_unknown_number(coordinator_client, shifts):
    wo = make_work_order(status="closed")
    response = coordinator_client.get(detail_url(wo))
    assert response.status_code == 200
    assert "Closed" in response.content.decode()
    assert coordinator_client.get(reverse("work-order-detail", args=["WO-NOPE"])).status_code == 404


def test_cancelled_order_has_no_current_operation(coordinator_client, shifts):
    wo = make_work_order(status="released")
    services.work_order_cancel(work_order=wo, actor=coordinator_client.user, reason="Demand moved")
    response = coordinator_client.get(detail_url(wo))
    assert response.context["wo"].current_operation is None
    assert "row--current" not in response.content.decode()


def test_detail_query_count(coordinator_client, shifts, assert_query_baseline):
    user = coordinator_client.user
    wo = make_work_order(status="released", quantity=Decimal("50"))
    for _ in range(8):
        services.operation_report_progress(work_order=wo, actor=user, operation=10, quantity_good=Decimal("2"))
    for n in range(4):
        hold = services.hold_place(
            work_order=wo, actor=user, kind="quality", reason=f"check {n}", operation=10 if n % 2 else None
        )
        services.hold_release(hold=hold, actor=user, release_note="ok", disposition="rework")
    with assert_query_baseline("page: work order detail"):
        response = coordinator_client.get(detail_url(wo))
    assert len(response.context["history"]) == 3 + 8 + 8  # created, released, started; 8 reports; 4 × (hold placed, released)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_can_view(client, make_user, shifts, role):
    wo = make_work_order(status="released")
    client.force_login(make_user(role))
    home = client.get(HOME)
    assert home.status_code == 200 and wo.number in home.content.decode()
    assert role in home.content.decode()  # the header names the role
    assert client.get(detail_url(wo)).status_code == 200


def test_admin_link_only_for_staff(client, make_user, shifts):
    client.force_login(make_user("planner"))
    assert reverse("admin:index") not in client.get(HOME).content.decode()
    client.force_login(make_user(None, is_staff=True, is_superuser=True))
    assert reverse("admin:index") in client.get(HOME).content.decode()


def test_work_order_open_statuses_constant_matches_filter_choices():
    from workorders.forms import WorkOrderOpenFilterForm

    assert [c for c, _ in WorkOrderOpenFilterForm.STATUS_CHOICES if c] == list(WorkOrder.OPEN_STATUSES)


def test_detail_query_count_with_schedule_and_active_holds(coordinator_client, shifts, assert_query_baseline):
    user = coordinator_client.user
    wo = make_work_order(status="released", quantity=Decimal("50"))
    for day in range(3):
        for op in wo.operations.select_related("work_center"):
            planning_services.schedule_entry_upsert(
                actor=user,
                date=dt.date(2026, 3, 2) + dt.timedelta(days=day),
                shift=shifts[day],
                work_center=op.work_center,
                work_order=wo,
                planned_quantity=Decimal("10"),
            )
    for n in range(3):
        services.hold_place(work_order=wo, actor=user, kind="quality", reason=f"check {n}")
    # session, user, groups and permissions, the order with its operations, holds, history, schedule slots
    with assert_query_baseline("page: work order detail with schedule and active holds"):
        response = coordinator_client.get(detail_url(wo))
    assert len(response.context["active_holds"]) == 3
    subjects = [row["subject"] for row in response.context["history"] if row["verb"] == "schedule.entry_created"]
    assert len(subjects) == 3 * wo.operations.count() and all(subjects)


def test_quantities_read_as_people_write_them(client, make_user, shifts):
    from decimal import Decimal

    from django.urls import reverse

    from workorders.services import operation_report_progress

    wo = make_work_order(item=make_routed_item(uom="kg"), quantity=Decimal("1000"), status="in_progress")
    operation_report_progress(
        work_order=wo,
        actor=None,
        operation=10,
        quantity_good=Decimal("12.5"),
        quantity_scrap=Decimal("0.25"),
        scrap_reason=scrap_reason(),
    )
    client.force_login(make_user("viewer"))
    home = client.get(reverse("home")).content.decode()
    assert "0 / 1000" in home and "0.25 scrapped" in home
    detail = client.get(reverse("work-order-detail", args=[wo.number])).content.decode()
    assert ">12.5<" in detail and ">0.25<" in detail  # operation 10's good and scrap
    for html in (home, detail):
        assert "1E+3" not in html and "1000.000" not in html and "12.500" not in html and "0.250" not in html
