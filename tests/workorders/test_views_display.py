"""The wall display: a department's work centers for a TV, opened with its own token, read only,
that department only; tokens created and revoked through the plant's services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plant.models import WallDisplay
from plant.services import wall_display_create, wall_display_revoke, wall_display_token_hash
from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import ProductionReport
from workorders.views.display import COOKIE

pytestmark = pytest.mark.django_db


@pytest.fixture
def mach(db):
    return DepartmentFactory(code="MACH", name="Machining")


@pytest.fixture
def fab(db):
    return DepartmentFactory(code="FAB", name="Fabrication")


@pytest.fixture
def centers(mach, fab):
    return {
        "LATHE-01": WorkCenterFactory(code="LATHE-01", department=mach),
        "CNC-01": WorkCenterFactory(code="CNC-01", department=mach),
        "SAW-01": WorkCenterFactory(code="SAW-01", department=fab),
    }


@pytest.fixture
def display(mach, make_user):
    return wall_display_create(actor=make_user("supervisor"), department=mach, name="North wall")


def url(department="MACH", **query):
    path = reverse("wall-display", args=[department])
    return f"{path}?token={query['token']}" if "token" in query else path


def opened(client, display):
    """The display opened with its link: the token moves to a cookie; the page follows."""
    response = client.get(url(token=display.token))
    assert response.status_code == 302 and response["Location"] == url()
    return client.get(url())


# --- the service ---------------------------------------------------------------------------


def test_a_display_stores_only_its_tokens_hash(display, mach):
    stored = WallDisplay.objects.get()
    assert stored.token_hash == wall_display_token_hash(display.token) and display.token not in stored.token_hash
    assert stored.token_hint == display.token[:6] and len(display.token) >= 40
    assert stored.department == mach and stored.revoked_at is None
    event = Event.objects.get(verb="wall_display.created")
    assert list(event.scopes.values_list("department", flat=True)) == [mach.pk]


@pytest.mark.parametrize(("name", "message"), [("", "Name the display (where it hangs)."), ("x" * 101, "At most 100")])
def test_a_display_needs_a_name(mach, name, message):
    with pytest.raises(ValidationError) as refused:
        wall_display_create(actor=None, department=mach, name=name)
    assert message in refused.value.message_dict["name"][0]
    assert not WallDisplay.objects.exists()


def test_a_retired_department_gets_no_display(mach):
    mach.is_active = False
    mach.save()
    with pytest.raises(ValidationError):
        wall_display_create(actor=None, department=mach, name="Wall")


@pytest.mark.parametrize("role", ["operator", "coordinator", "planner", "viewer"])
def test_only_supervisors_and_administrators_create_and_revoke_displays(make_user, mach, display, role):
    with pytest.raises(PermissionDenied):
        wall_display_create(actor=make_user(role), department=mach, name="Wall")
    with pytest.raises(PermissionDenied):
        wall_display_revoke(actor=make_user(role), display=display)
    wall_display_revoke(actor=make_user("supervisor"), display=display)
    with pytest.raises(ValidationError):  # once
        wall_display_revoke(actor=None, display=display)


# --- opening it -----------------------------------------------------------------------------------


def test_the_display_opens_with_its_token_and_keeps_it_out_of_the_address(client, display, centers):
    response = client.get(url(token=display.token))
    assert response.status_code == 302 and response["Location"] == "/display/MACH/"
    cookie = response.cookies[COOKIE]
    assert cookie.value == display.token and cookie["path"] == "/display/MACH/" and cookie["httponly"]
    assert cookie["samesite"] == "Strict"
    response = client.get(url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Machining" in html and "LATHE-01" in html and "CNC-01" in html
    assert "SAW-01" not in html  # another department's work center
    assert "<form" not in html and "login" not in html.lower()
    assert 'hx-trigger="every 30s"' in html
    assert "no-cache" in response["Cache-Control"]


def test_without_a_token_the_display_is_refused_without_a_login_prompt(client, mach, centers):
    response = client.get(url())
    assert response.status_code == 403
    html = response.content.decode()
    assert "needs its display link" in html and "password" not in html.lower()


@pytest.mark.parametrize("token", ["nope", "x" * 300, ""])
def test_a_wrong_token_is_refused(client, display, token):
    response = client.get(url(token=token))
    assert response.status_code == 403


def test_a_revoked_token_stops_working_at_the_next_refresh(client, display, centers):
    assert opened(client, display).status_code == 200
    wall_display_revoke(actor=None, display=display)
    response = client.get(url(), headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response["HX-Refresh"] == "true"  # the page reloads into the refusal
    assert "revoked" in response.content.decode()
    assert client.get(url(token=display.token)).status_code == 403


def test_a_token_sees_its_own_department_only(client, display, fab, centers):
    assert client.get(url("FAB", token=display.token)).status_code == 404
    client.cookies[COOKIE] = display.token
    client.cookies[COOKIE]["path"] = "/display/FAB/"
    assert client.get(url("FAB")).status_code == 404
    assert client.get(url("NOPE", token=display.token)).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_display_writes_nothing(client, display, centers, method):
    opened(client, display)
    response = getattr(client, method)(url(), {"quantity_good": "1"})
    assert response.status_code == 405
    response = getattr(client, method)(url(token=display.token))
    assert response.status_code == 405


def test_the_token_opens_nothing_else(client, display, centers, item_in_mach):
    opened(client, display)
    # no session: every page asks for a login, the API refuses, nothing can be written
    assert client.get("/")["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/work-orders/", HTTP_AUTHORIZATION=f"Token {display.token}").status_code == 401
    assert client.get(f"/api/v1/work-orders/?token={display.token}").status_code in (401, 403)
    wo = make_work_order(item=item_in_mach, status="released")
    response = client.post(reverse("work-order-progress", args=[wo.number]), {"version": wo.version, "operation": 10})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not ProductionReport.objects.exists()


@pytest.fixture
def item_in_mach(centers, shifts):
    return make_routed_item(sku="ROD-50", work_centers=[centers["LATHE-01"], centers["CNC-01"]])


def test_the_board_shows_what_runs_now_holds_and_late_orders(client, display, item_in_mach, centers):
    import datetime as dt

    from prodcoord.core.plant_time import plant_today

    running = make_work_order(item=item_in_mach, status="released", quantity=Decimal("20"))
    services.operation_report_progress(work_order=running, actor=None, operation=10, quantity_good=Decimal("5"))
    held = make_work_order(item=item_in_mach, status="released")
    services.hold_place(work_order=held, actor=None, kind="material", reason="Bar stock late")
    late = make_work_order(item=item_in_mach, status="released", due_date=plant_today() - dt.timedelta(days=2))
    services.work_order_refresh_overdue()
    response = opened(client, display)
    lathe = next(wc for wc in response.context["work_centers"] if wc.code == "LATHE-01")
    assert [wo.number for wo in lathe.orders][0] == running.number  # running first
    assert {wo.number for wo in lathe.orders} == {running.number, held.number, late.number}
    assert lathe.counts["running"] == 1 and lathe.counts["held"] == 1 and lathe.counts["late"] == 1
    assert [wo.number for wo in response.context["late"]] == [late.number]
    html = response.content.decode()
    assert "RUNNING" in html and "ON HOLD" in html and "LATE" in html  # said in words, not colour only
    assert "Bar stock late" in html and "5 of 20" in html


def test_the_htmx_refresh_answers_the_board_only(client, display, centers):
    opened(client, display)
    response = client.get(url(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "display/partials/_board.html"
    assert "<html" not in response.content.decode()


def test_the_display_query_count_does_not_grow_with_orders(client, display, item_in_mach, assert_query_baseline):
    def add(n):
        for _ in range(n):
            wo = make_work_order(item=item_in_mach, status="released")
            services.hold_place(work_order=wo, actor=None, kind="quality", reason="Check")
            services.operation_report_progress(
                work_order=make_work_order(item=item_in_mach, status="released"),
                actor=None,
                operation=10,
                quantity_good=Decimal("1"),
            )

    add(1)
    opened(client, display)
    with CaptureQueriesContext(connection) as few:
        client.get(url())
    add(5)
    with assert_query_baseline("page: wall display"):
        response = client.get(url())
    assert sum(wc.counts["total"] for wc in response.context["work_centers"]) == 12
    with CaptureQueriesContext(connection) as many:
        client.get(url())
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"][:120] for q in many.captured_queries]


def test_a_supervisor_creates_a_display_in_the_admin_and_sees_its_link_once(client, make_user, mach):
    client.force_login(make_user("supervisor", is_staff=True))
    response = client.post("/admin/plant/walldisplay/add/", {"department": mach.pk, "name": "North wall"}, follow=True)
    assert response.status_code == 200
    display = WallDisplay.objects.get()
    text = " ".join(str(m) for m in response.context["messages"])
    token = text.split("?token=")[1].split()[0]
    assert wall_display_token_hash(token) == display.token_hash
    assert "/display/MACH/" in text
    assert token not in client.get(f"/admin/plant/walldisplay/{display.pk}/change/").content.decode()
    response = client.post(
        "/admin/plant/walldisplay/", {"action": "revoke_selected", "_selected_action": [display.pk]}, follow=True
    )
    display.refresh_from_db()
    assert display.revoked_at is not None
