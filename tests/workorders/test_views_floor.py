"""Floor mode: the badge-and-PIN sign-in on a shared tablet, picking an order, reporting on its
current operation and stopping work with a hold — as the signed-in operator; operators reach
floor mode only."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plant.services import user_work_center_set
from prodcoord.core.badges import FLOOR_SESSION, operator_badge_set
from prodcoord.core.sessions import LAST_ACTIVITY
from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import Hold, ProductionReport

pytestmark = pytest.mark.django_db

PICK = reverse("floor-pick")
SIGN_IN = reverse("floor-sign-in")


@pytest.fixture
def line(db):
    return {code: WorkCenterFactory(code=code) for code in ("SAW-01", "CNC-01")}


@pytest.fixture
def item(line):
    return make_routed_item(sku="SHAFT-20", work_centers=list(line.values()))


@pytest.fixture
def tomasz(make_user):
    user = make_user("operator", username="tomasz", first_name="Tomasz", last_name="Nowak")
    operator_badge_set(actor=None, user=user, badge="1001", pin="2468")
    return user


@pytest.fixture
def tablet(client, tomasz):
    """A tablet an operator signed in on with badge and PIN."""
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468"})
    assert response.status_code == 302 and response["Location"] == PICK
    return client


@pytest.fixture
def order(item, shifts):
    return make_work_order(item=item, status="released", quantity=Decimal("10"))


def floor_url(wo, action=None):
    return reverse(f"floor-{action}" if action else "floor-work-order", args=[wo.number])


def report_form(wo, **data):
    wo.refresh_from_db()
    return {"version": wo.version, "operation": wo.current_operation.sequence, **data}


# --- signing in ---------------------------------------------------------------------------------


def test_signed_out_floor_mode_asks_for_a_badge_and_pin(client):
    response = client.get(PICK)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "floor/sign_in.html"
    html = response.content.decode()
    assert 'name="badge"' in html and 'name="pin"' in html and 'type="password"' in html


def test_an_order_opened_signed_out_comes_back_after_the_sign_in(client, tomasz, order):
    response = client.get(floor_url(order))
    assert response.status_code == 302
    assert response["Location"] == f"{PICK}?next=%2Ffloor%2F{order.number}%2F"
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468", "next": floor_url(order)})
    assert response["Location"] == floor_url(order)
    assert client.session[FLOOR_SESSION] is True


def test_next_leads_only_into_floor_mode(client, tomasz):
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468", "next": "https://evil.example/floor/"})
    assert response["Location"] == PICK
    client.post(reverse("floor-sign-out"))
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468", "next": "/admin/"})
    assert response["Location"] == PICK


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"badge": "1001", "pin": "1111"}, "pin", "That badge and PIN do not match. Check both and try again."),
        ({"badge": "9999", "pin": "2468"}, "pin", "That badge and PIN do not match. Check both and try again."),
        ({"badge": "", "pin": "2468"}, "badge", "Enter your badge number."),
        ({"badge": "1001", "pin": ""}, "pin", "Enter your PIN."),
        ({"badge": "1001", "pin": "123456789"}, "pin", "A PIN is at most 8 digits."),
    ],
)
def test_a_wrong_badge_or_pin_is_a_field_error_and_signs_nobody_in(client, tomasz, data, field, message):
    response = client.post(SIGN_IN, data)
    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert "_auth_user_id" not in client.session


def test_repeated_wrong_pins_lock_the_badge_on_that_tablet(client, tomasz, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(SIGN_IN, {"badge": "1001", "pin": "9999"}).status_code == 400
    assert client.post(SIGN_IN, {"badge": "1001", "pin": "9999"}).status_code == 429  # the last one locks
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468"})  # the right PIN, too late
    assert response.status_code == 429
    assert "Too many wrong PINs" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # another badge on the same tablet is not locked
    other = type(tomasz).objects.create(username="ana")
    operator_badge_set(actor=None, user=other, badge="1002", pin="1357")
    assert client.post(SIGN_IN, {"badge": "1002", "pin": "1357"}).status_code == 302


def test_wrong_pins_for_many_badges_throttle_the_tablets_address(client, tomasz, settings):
    settings.FLOOR_PIN_ADDRESS_LIMIT = 3
    for badge in ("1", "2", "3"):
        assert client.post(SIGN_IN, {"badge": badge, "pin": "9999"}).status_code == 400
    response = client.post(SIGN_IN, {"badge": "1001", "pin": "2468"})
    assert response.status_code == 429
    assert "Too many wrong PINs from this tablet" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pin_is_not_kept_in_the_failed_attempts_record(client, tomasz):
    from axes.models import AccessAttempt

    client.post(SIGN_IN, {"badge": "1001", "pin": "9753"})
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "badge:1001"
    assert "9753" not in attempt.post_data


def test_an_idle_floor_session_is_signed_out(tablet, settings):
    settings.FLOOR_IDLE_TIMEOUT_SECONDS = 120
    session = tablet.session
    session[LAST_ACTIVITY] = int(time.time()) - 121
    session.save()
    response = tablet.get(PICK, follow=True)
    assert [t.name for t in response.templates][0] == "floor/sign_in.html"
    assert "Signed out after 2 minutes without activity." in response.content.decode()
    assert "_auth_user_id" not in tablet.session


def test_a_floor_session_within_its_idle_time_goes_on(tablet, settings):
    settings.FLOOR_IDLE_TIMEOUT_SECONDS = 120
    session = tablet.session
    session[LAST_ACTIVITY] = int(time.time()) - 100
    session.save()
    response = tablet.get(PICK)
    assert [t.name for t in response.templates][0] == "floor/pick.html"
    assert response.context["idle_seconds"] == 120  # the page counts it too (static/js/floor.js)


def test_signing_out(tablet):
    response = tablet.post(reverse("floor-sign-out"))
    assert response["Location"] == PICK
    assert "_auth_user_id" not in tablet.session


# --- operators reach floor mode only ---------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/completed/", "/history/", "/my-work-center/", "/new/", "/work-orders/{number}/", "/admin/", "/api/docs/"],
)
def test_an_operator_is_sent_back_to_floor_mode_from_every_other_page(tablet, order, path):
    response = tablet.get(path.format(number=order.number))
    assert response.status_code == 302 and response["Location"] == PICK


def test_an_operator_cannot_act_outside_floor_mode(tablet, order):
    wo = order
    response = tablet.post(
        reverse("work-order-progress", args=[wo.number]), {"version": wo.version, "operation": 10, "quantity_good": "1"}
    )
    assert response.status_code == 403
    assert tablet.post(reverse("work-order-start", args=[wo.number]), {"version": wo.version}).status_code == 403
    assert not ProductionReport.objects.exists()


def test_an_operator_signed_in_with_a_password_is_floor_only_too(client, tomasz, order):
    client.force_login(tomasz)
    assert client.get("/")["Location"] == PICK
    assert client.get(floor_url(order)).status_code == 200


def test_the_api_refuses_operators_by_token_and_by_session(api_as, tomasz, tablet, order):
    response = api_as(user=tomasz).get("/api/v1/work-orders/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Operators use floor mode, not the API."}
    response = api_as(user=tomasz).post(
        f"/api/v1/work-orders/{order.number}/progress/", {"operation": 10, "quantity_good": "1"}, format="json"
    )
    assert response.status_code == 403
    assert tablet.get("/api/v1/work-orders/").status_code == 403
    assert not ProductionReport.objects.exists()


def test_a_coordinator_signed_in_by_badge_reaches_floor_mode_only(client, make_user, order):
    coordinator = make_user("coordinator")
    operator_badge_set(actor=None, user=coordinator, badge="C-1", pin="8642")
    client.post(SIGN_IN, {"badge": "C-1", "pin": "8642"})
    assert client.get("/")["Location"] == PICK
    assert client.get(floor_url(order)).status_code == 200
    # with a password, the whole site
    client.post(reverse("floor-sign-out"))
    client.force_login(coordinator)
    assert client.get("/").status_code == 200


def test_an_operator_logging_in_with_a_password_lands_on_floor_mode(client, make_user):
    user = make_user("operator", username="pat")
    user.set_password("a-long-password-1")
    user.save()
    response = client.post(reverse("login"), {"username": "pat", "password": "a-long-password-1"})
    assert response["Location"] == PICK


# --- picking an order --------------------------------------------------------------------------


def test_an_order_is_opened_by_its_number_typed_or_scanned(tablet, order):
    response = tablet.get(PICK, {"number": f"  {order.number.lower()} "})
    assert response.status_code == 302 and response["Location"] == floor_url(order)


@pytest.mark.parametrize(("number", "message"), [("WO-999999", "No work order WO-999999."), ("", "Type or scan")])
def test_an_unknown_number_is_a_field_error(tablet, order, number, message):
    response = tablet.get(PICK, {"number": number})
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["number"])


def test_the_pick_list_is_the_persons_work_center_now_held_ones_too(tablet, tomasz, line, item, shifts):
    here = make_work_order(item=item, status="released", priority=2)
    urgent = make_work_order(item=item, status="released", priority=1)
    held = make_work_order(item=item, status="released", priority=3)
    services.hold_place(work_order=held, actor=None, kind="quality", reason="Check")
    make_work_order(item=item, status="draft")
    assert tablet.get(PICK).context["queue"] == []  # no work center chosen yet
    response = tablet.post(reverse("floor-work-center"), {"work_center": "SAW-01"})
    assert response["Location"] == PICK
    queue = tablet.get(PICK).context["queue"]
    assert [wo.number for wo in queue] == [urgent.number, here.number, held.number]
    html = tablet.get(PICK).content.decode()
    assert "On hold" in html


def test_choosing_an_unknown_work_center_is_a_field_error(tablet, line):
    response = tablet.post(reverse("floor-work-center"), {"work_center": "NOPE"})
    assert response.status_code == 400
    assert response.context["choice"].errors["work_center"] == ["Choose one of the work centers in the list."]


def test_the_pick_list_query_count_does_not_grow_with_orders(tablet, tomasz, line, item, shifts, assert_query_baseline):
    user_work_center_set(actor=tomasz, user=tomasz, work_center=line["SAW-01"])
    for _ in range(2):
        make_work_order(item=item, status="released")
    tablet.get(PICK)  # the permission cache warm, as on every later request
    with CaptureQueriesContext(connection) as few:
        tablet.get(PICK)
    for _ in range(6):
        make_work_order(item=item, status="released")
    held = make_work_order(item=item, status="released")
    services.hold_place(work_order=held, actor=None, kind="quality", reason="Check")
    with assert_query_baseline("page: floor mode pick list"):
        response = tablet.get(PICK)
    assert len(response.context["queue"]) == 9
    with CaptureQueriesContext(connection) as many:
        tablet.get(PICK)
    assert len(many.captured_queries) == len(few.captured_queries)


# --- reporting and stopping work -----------------------------------------------------------------


def test_the_order_page_shows_its_current_operation_and_the_forms(tablet, order):
    response = tablet.get(floor_url(order))
    assert response.status_code == 200
    assert response.context["op"].sequence == 10
    assert response.context["progress_form"] is not None and response.context["hold_form"] is not None
    html = response.content.decode()
    assert "Report on operation 10" in html and "Stop: place hold" in html


def test_a_report_is_the_signed_in_operators_not_the_tablets(tablet, tomasz, order):
    burr = scrap_reason()
    data = report_form(order, quantity_good="6", quantity_scrap="1", scrap_reason=burr.pk, note="first batch")
    response = tablet.post(floor_url(order, "report"), data)
    assert response.status_code == 302 and response["Location"] == floor_url(order)
    report = ProductionReport.objects.get()
    assert report.reported_by == tomasz
    assert (report.quantity_good, report.quantity_scrap, report.scrap_reason) == (Decimal("6"), Decimal("1"), burr)
    assert report.operation.sequence == 10
    event = Event.objects.get(verb="work_order.progress_reported")
    assert event.actor == tomasz


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"quantity_scrap": "2"}, "scrap_reason", "Say why"),
        ({"quantity_good": "1.5"}, "quantity_good", "whole"),
        ({"quantity_good": "abc"}, "quantity_good", "Enter a number, like 12 or 2.5."),
        ({"quantity_good": "-1"}, "quantity_good", ""),
    ],
)
def test_bad_quantities_get_a_field_error_and_write_nothing(tablet, order, data, field, message):
    response = tablet.post(floor_url(order, "report"), report_form(order, **data))
    assert response.status_code == 400
    errors = " ".join(response.context["progress_form"].errors[field])
    assert message in errors
    assert not ProductionReport.objects.exists()


def test_more_than_is_left_asks_for_confirmation_first(tablet, order):
    services.operation_report_progress(work_order=order, actor=None, operation=10, quantity_good=Decimal("8"))
    burr = scrap_reason()
    data = report_form(order, quantity_good="1", quantity_scrap="2", scrap_reason=burr.pk)  # 3 where 2 are left
    response = tablet.post(floor_url(order, "report"), data)
    assert response.status_code == 400
    form = response.context["progress_form"]
    assert form.needs_confirmation, form.errors
    assert 'name="confirm" value="3"' in response.content.decode()
    assert ProductionReport.objects.count() == 1
    response = tablet.post(floor_url(order, "report"), {**data, "confirm": "3"})
    assert response.status_code == 302
    assert ProductionReport.objects.count() == 2


def test_a_report_on_a_held_order_is_refused(tablet, order):
    data = report_form(order, quantity_good="1")
    services.hold_place(work_order=order, actor=None, kind="material", reason="No bar stock")
    data["version"] = order.__class__.objects.get(pk=order.pk).version
    response = tablet.post(floor_url(order, "report"), data)
    assert response.status_code == 409
    assert not ProductionReport.objects.exists()
    page = tablet.get(floor_url(order)).content.decode()
    assert "Material" in page and "No bar stock" in page


def test_the_operator_stops_work_with_a_quality_hold(tablet, tomasz, order):
    order.refresh_from_db()
    response = tablet.post(floor_url(order, "hold"), {"version": order.version, "kind": "quality", "reason": "Burr on the bore"})
    assert response.status_code == 302
    hold = Hold.objects.get()
    assert (hold.kind, hold.reason, hold.placed_by) == ("quality", "Burr on the bore", tomasz)
    page = tablet.get(floor_url(order))
    assert [h.pk for h in page.context["active_holds"]] == [hold.pk]
    assert "Burr on the bore" in page.content.decode()


def test_a_hold_without_a_reason_is_a_field_error_and_places_nothing(tablet, order):
    order.refresh_from_db()
    response = tablet.post(floor_url(order, "hold"), {"version": order.version, "kind": "quality", "reason": " "})
    assert response.status_code == 400
    assert response.context["hold_form"].errors["reason"] == ["Say why the work order is held."]
    assert not Hold.objects.exists()


def test_a_report_is_an_addition_that_a_change_meanwhile_does_not_refuse(tablet, order):
    stale = report_form(order, quantity_good="1")
    services.operation_report_progress(work_order=order, actor=None, operation=10, quantity_good=Decimal("1"))
    response = tablet.post(floor_url(order, "report"), stale)
    assert response.status_code == 302
    assert ProductionReport.objects.count() == 2


def test_a_viewer_sees_floor_mode_but_cannot_report_or_stop(client, make_user, order):
    client.force_login(make_user("viewer"))
    response = client.get(floor_url(order))
    assert response.status_code == 200
    assert response.context["progress_form"] is None and response.context["hold_form"] is None
    assert client.post(floor_url(order, "report"), report_form(order, quantity_good="1")).status_code == 403
    assert client.post(floor_url(order, "hold"), {"version": 1, "kind": "quality", "reason": "x"}).status_code == 403
    assert not ProductionReport.objects.exists() and not Hold.objects.exists()


def test_an_unknown_order_is_404(tablet):
    assert tablet.get("/floor/WO-404404/").status_code == 404
    assert tablet.post("/floor/WO-404404/report/", {}).status_code == 404
