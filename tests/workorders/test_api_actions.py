"""Work-order transitions, progress reports and holds over the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from prodcoord.events.models import Event
from tests.api_helpers import make_bracket
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders.models import Hold, ProductionReport, WorkOrder
from workorders.permissions import a_hold
from workorders.services import hold_place, hold_release

pytestmark = pytest.mark.django_db

# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]
ALL_ROLES = [*ROLES, "quality"]
URL = "/api/v1/work-orders/"


@pytest.fixture
def item(db):
    return make_bracket()


# --- transitions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "action", "body", "end"),
    [
        ("draft", "release", {}, "released"),
        ("released", "start", {}, "in_progress"),
        ("in_progress", "complete", {"reason": "Short: material ran out"}, "completed"),
        ("completed", "close", {}, "closed"),
        ("draft", "cancel", {"reason": "Customer withdrew"}, "cancelled"),
        ("released", "cancel", {"reason": "Duplicate"}, "cancelled"),
    ],
)
def test_legal_transitions(api_as, item, start, action, body, end, shifts):
    wo = make_work_order(item=item, status=start)
    response = api_as("coordinator").post(f"{URL}{wo.number}/{action}/", body, format="json")
    assert response.status_code == 200, response.data
    assert response.data["status"] == end
    assert response.data["version"] > wo.version
    assert WorkOrder.objects.get(pk=wo.pk).status == end
    assert Event.objects.filter(work_order=wo, verb__startswith="work_order.", changes__status=[start, end]).exists()


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("draft", "start"),
        ("draft", "complete"),
        ("released", "release"),
        ("released", "close"),
        ("in_progress", "cancel"),
        ("closed", "release"),
        ("cancelled", "release"),
    ],
)
def test_illegal_transitions_are_409(api_as, item, start, action):
    wo = make_work_order(item=item, status=start)
    response = api_as("coordinator").post(f"{URL}{wo.number}/{action}/", {"reason": "try"}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "illegal_transition"
    assert start.replace("_", " ") in response.data["detail"]
    assert WorkOrder.objects.get(pk=wo.pk).status == start


def test_cancel_needs_reason(api_as, item):
    wo = make_work_order(item=item)
    response = api_as("coordinator").post(f"{URL}{wo.number}/cancel/", {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.data
    assert WorkOrder.objects.get(pk=wo.pk).status == "draft"


def test_transition_with_stale_version_is_409(api_as, item):
    wo = make_work_order(item=item)
    response = api_as("coordinator").post(f"{URL}{wo.number}/release/", {"version": wo.version + 5}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "stale_version"
    response = api_as("coordinator").post(f"{URL}{wo.number}/release/", {"version": wo.version}, format="json")
    assert response.status_code == 200


def test_held_work_order_cannot_start(api_as, item):
    wo = make_work_order(item=item, status="released")
    hold_place(work_order=wo, actor=None, kind="material", reason="Steel missing")
    response = api_as("coordinator").post(f"{URL}{wo.number}/start/", {}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "on_hold"


def test_transition_bad_body(api_as, item):
    wo = make_work_order(item=item)
    client = api_as("coordinator")
    response = client.post(f"{URL}{wo.number}/release/", {"version": "x"}, format="json")
    assert response.status_code == 400
    assert "version" in response.data
    response = client.post(f"{URL}{wo.number}/release/", {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert "status" in response.data
    assert WorkOrder.objects.get(pk=wo.pk).status == "draft"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["release", "cancel"])
def test_transition_permission_by_role(api_as, item, role, action):
    wo = make_work_order(item=item)
    response = api_as(role).post(f"{URL}{wo.number}/{action}/", {"reason": "r"}, format="json")
    allowed = role in ("coordinator", "planner")
    assert response.status_code == (200 if allowed else 403)
    assert (WorkOrder.objects.get(pk=wo.pk).status != "draft") is allowed


# --- progress -------------------------------------------------------------------------


def test_progress_dated_before_the_release_is_a_field_error(api_as, item, shifts):
    released = timezone.now() - dt.timedelta(hours=1)
    wo = make_work_order(item=item, status="released", moved_at=released)
    response = api_as("coordinator").post(
        f"{URL}{wo.number}/progress/",
        {"operation": 10, "quantity_good": "4", "reported_at": (released - dt.timedelta(minutes=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.data == {
        "reported_at": [f"Cannot be before {wo.number} was released ({timezone.localtime(released):%Y-%m-%d %H:%M})."]
    }
    wo.refresh_from_db()
    assert (wo.status, wo.quantity_completed) == ("released", 0)


def test_a_progress_report_starts_the_order(api_as, item, shifts):
    wo = make_work_order(item=item, status="released", moved_at=timezone.now() - dt.timedelta(hours=1))
    client = api_as("coordinator")
    reported_at = timezone.now() - dt.timedelta(minutes=5)
    scrap_reason(code="BURR")
    body = {"operation": 10, "quantity_good": "40", "quantity_scrap": "2", "scrap_reason": "BURR", "note": "ok"}
    response = client.post(f"{URL}{wo.number}/progress/", {**body, "reported_at": reported_at.isoformat()}, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["work_order"] == wo.number
    assert data["operation"] == 10
    assert data["work_center"] == "CNC-01"
    assert data["quantity_good"] == "40.000"
    assert data["quantity_scrap"] == "2.000"
    assert data["scrap_reason"] == "BURR"
    assert (data["reverses"], data["reversal"]) == (None, None)
    assert data["reported_by"] == client.user.username
    assert data["shift"] in {"DAY", "SWING", "NIGHT"}
    detail = client.get(f"{URL}{wo.number}/").data
    assert detail["status"] == "in_progress"
    assert detail["operations"][0]["quantity_good"] == "40.000"
    assert detail["quantity_scrapped"] == "2.000"
    assert ProductionReport.objects.filter(work_order=wo).count() == 1


def test_last_operation_good_is_quantity_completed(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    client = api_as("coordinator")
    client.post(f"{URL}{wo.number}/progress/", {"operation": 10, "quantity_good": "10"}, format="json")
    client.post(f"{URL}{wo.number}/progress/", {"operation": 20, "quantity_good": "6"}, format="json")
    assert client.get(f"{URL}{wo.number}/").data["quantity_completed"] == "6.000"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"operation": 99, "quantity_good": "1"}, "operation"),
        ({"operation": "ten", "quantity_good": "1"}, "operation"),
        ({"quantity_good": "1"}, "operation"),
        ({"operation": 10, "quantity_good": "-1"}, "quantity_good"),
        ({"operation": 10, "quantity_scrap": "-1"}, "quantity_scrap"),
        ({"operation": 10, "quantity_good": "0"}, "quantity_good"),
        ({"operation": 10, "quantity_good": "1.0005"}, "quantity_good"),
        ({"operation": 10, "quantity_good": "500"}, "quantity_good"),
        ({"operation": 20, "quantity_good": "1"}, "quantity_good"),
        ({"operation": 10, "quantity_good": "1", "reported_at": "2999-01-01T00:00:00Z"}, "reported_at"),
        ({"operation": 10, "quantity_good": "1", "reported_at": "last tuesday"}, "reported_at"),
        ({"operation": 10, "quantity_good": "1", "note": "n" * 501}, "note"),
    ],
)
def test_progress_bad_input_is_field_error_and_records_nothing(api_as, item, shifts, payload, field):
    wo = make_work_order(item=item, status="released")
    response = api_as("coordinator").post(f"{URL}{wo.number}/progress/", payload, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert not ProductionReport.objects.exists()
    assert WorkOrder.objects.get(pk=wo.pk).status == "released"


def test_progress_on_held_order_is_409(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    hold_place(work_order=wo, actor=None, kind="quality", reason="Check dims")
    response = api_as("coordinator").post(f"{URL}{wo.number}/progress/", {"operation": 10, "quantity_good": "1"}, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "on_hold"
    assert not ProductionReport.objects.exists()


@pytest.mark.parametrize("status", ["draft", "completed", "closed", "cancelled"])
def test_progress_on_order_not_running_is_409(api_as, item, shifts, status):
    wo = make_work_order(item=item, status=status)
    response = api_as("coordinator").post(f"{URL}{wo.number}/progress/", {"operation": 10, "quantity_good": "1"}, format="json")
    assert response.status_code == 409


def test_progress_from_an_older_version_is_an_addition_and_goes_through(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    body = {"operation": 10, "quantity_good": "1", "version": wo.version - 1}
    response = api_as("coordinator").post(f"{URL}{wo.number}/progress/", body, format="json")
    assert response.status_code == 201


def test_progress_with_a_version_the_order_never_had_is_409(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    body = {"operation": 10, "quantity_good": "1", "version": wo.version + 1}
    response = api_as("coordinator").post(f"{URL}{wo.number}/progress/", body, format="json")
    assert response.status_code == 409
    assert response.data["code"] == "stale_version"


@pytest.mark.parametrize("role", ROLES)
def test_progress_permission_by_role(api_as, item, shifts, role):
    wo = make_work_order(item=item, status="in_progress")
    response = api_as(role).post(f"{URL}{wo.number}/progress/", {"operation": 10, "quantity_good": "1"}, format="json")
    allowed = role == "coordinator"  # operators report in floor mode; the API refuses them
    assert response.status_code == (201 if allowed else 403)
    assert ProductionReport.objects.exists() is allowed


# --- holds ------------------------------------------------------------------------------------


def test_supervisor_places_hold_and_it_blocks_progress(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    client = api_as("supervisor")
    response = client.post(f"{URL}{wo.number}/holds/", {"kind": "quality", "reason": "Porosity in welds"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["work_order"] == wo.number
    assert response.data["kind"] == "quality"
    assert response.data["is_active"] is True
    assert response.data["placed_by"] == client.user.username
    assert client.get(f"{URL}{wo.number}/").data["on_hold"] is True
    listed = client.get(f"{URL}{wo.number}/holds/").data
    assert listed["count"] == 1
    assert listed["results"][0]["reason"] == "Porosity in welds"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "weather", "reason": "Snow"}, "kind"),
        ({"kind": "quality", "reason": ""}, "reason"),
        ({"kind": "quality"}, "reason"),
    ],
)
def test_hold_bad_input(api_as, item, payload, field):
    wo = make_work_order(item=item, status="released")
    response = api_as("supervisor").post(f"{URL}{wo.number}/holds/", payload, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not Hold.objects.exists()


def test_hold_on_closed_order_is_409(api_as, item):
    wo = make_work_order(item=item, status="closed")
    response = api_as("supervisor").post(f"{URL}{wo.number}/holds/", {"kind": "quality", "reason": "x"}, format="json")
    assert response.status_code == 409


@pytest.mark.parametrize("role", ROLES)
def test_hold_permissions_by_role(api_as, item, role):
    wo = make_work_order(item=item, status="released")
    client = api_as(role)
    assert client.get(f"{URL}{wo.number}/holds/").status_code == 200
    response = client.post(f"{URL}{wo.number}/holds/", {"kind": "customer", "reason": "Customer asked to pause"}, format="json")
    allowed = role in ("supervisor", "coordinator")
    assert response.status_code == (201 if allowed else 403)
    assert Hold.objects.exists() is allowed


def test_release_hold_lets_progress_resume(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    hold = hold_place(work_order=wo, actor=None, kind="engineering", reason="Check")
    client = api_as("coordinator")
    response = client.post(f"/api/v1/holds/{hold.pk}/release/", {"release_note": "Dims checked OK"}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["is_active"] is False
    assert response.data["released_by"] == client.user.username
    assert response.data["release_note"] == "Dims checked OK"
    response = client.post(f"{URL}{wo.number}/progress/", {"operation": 10, "quantity_good": "1"}, format="json")
    assert response.status_code == 201


def test_release_hold_twice_is_409_and_needs_note(api_as, item):
    wo = make_work_order(item=item, status="released")
    hold = hold_place(work_order=wo, actor=None, kind="material", reason="Check")
    client = api_as("supervisor")
    response = client.post(f"/api/v1/holds/{hold.pk}/release/", {"release_note": ""}, format="json")
    assert response.status_code == 400
    assert "release_note" in response.data
    assert client.post(f"/api/v1/holds/{hold.pk}/release/", {"release_note": "ok"}, format="json").status_code == 200
    response = client.post(f"/api/v1/holds/{hold.pk}/release/", {"release_note": "again"}, format="json")
    assert response.status_code == 409
    assert Hold.objects.get(pk=hold.pk).release_note == "ok"


# Who may release each kind, written out: a change to the map in workorders/permissions.py is a decision.
RELEASERS = {
    "quality": {"supervisor", "quality"},
    "material": {"supervisor", "coordinator"},
    "engineering": {"supervisor", "coordinator"},
    "equipment": {"supervisor", "coordinator"},
    "customer": {"supervisor", "coordinator"},
}


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("kind", list(RELEASERS))
def test_hold_release_matrix_kind_by_role(api_as, item, kind, role):
    wo = make_work_order(item=item, status="released")
    hold = hold_place(work_order=wo, actor=None, kind=kind, reason="Check")
    client = api_as(role)
    assert client.get(f"/api/v1/holds/{hold.pk}/").status_code == 200
    body = {"release_note": "ok", **({"disposition": "rework"} if kind == "quality" else {})}
    response = client.post(f"/api/v1/holds/{hold.pk}/release/", body, format="json")
    allowed = role in RELEASERS[kind]
    assert response.status_code == (200 if allowed else 403), response.data
    assert (Hold.objects.get(pk=hold.pk).released_at is not None) is allowed
    if allowed:
        assert response.data["disposition"] == ("rework" if kind == "quality" else "")
    elif role in ("coordinator", "quality"):  # may release other kinds: the message says who may release this one
        who = "supervisor or quality" if kind == "quality" else "supervisor or coordinator"
        assert response.data["detail"] == f"Your role cannot release {a_hold(kind)}; {who} can."


def test_a_quality_hold_needs_its_disposition_and_only_it_takes_one(api_as, item):
    wo = make_work_order(item=item, status="released")
    quality = hold_place(work_order=wo, actor=None, kind="quality", reason="Bore oversize")
    material = hold_place(work_order=wo, actor=None, kind="material", reason="Resin late")
    client = api_as("supervisor")
    response = client.post(f"/api/v1/holds/{quality.pk}/release/", {"release_note": "MRB"}, format="json")
    assert response.status_code == 400 and "disposition" in response.data
    response = client.post(f"/api/v1/holds/{quality.pk}/release/", {"release_note": "MRB", "disposition": "maybe"}, format="json")
    assert response.status_code == 400 and "disposition" in response.data
    response = client.post(
        f"/api/v1/holds/{material.pk}/release/", {"release_note": "came", "disposition": "scrap"}, format="json"
    )
    assert response.status_code == 400 and "disposition" in response.data
    response = client.post(
        f"/api/v1/holds/{quality.pk}/release/", {"release_note": "MRB", "disposition": "return_to_supplier"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["disposition"] == "return_to_supplier"
    assert Hold.objects.filter(released_at__isnull=True).count() == 1


def test_a_quality_user_places_quality_holds_only(api_as, item):
    wo = make_work_order(item=item, status="released")
    client = api_as("quality")
    response = client.post(f"{URL}{wo.number}/holds/", {"kind": "equipment", "reason": "x"}, format="json")
    assert response.status_code == 403
    assert response.data["detail"] == "Your role cannot place an equipment hold; operator, supervisor or coordinator can."
    response = client.post(f"{URL}{wo.number}/holds/", {"kind": "quality", "reason": "Porosity"}, format="json")
    assert response.status_code == 201


def test_a_hold_names_what_it_concerns(api_as, shifts):
    press, saw = WorkCenterFactory(code="PRESS-01"), WorkCenterFactory(code="SAW-01")
    wo = make_work_order(item=make_routed_item(work_centers=[saw, press]), status="released")
    client = api_as("coordinator")
    url = f"{URL}{wo.number}/holds/"
    response = client.post(url, {"kind": "equipment", "reason": "Brake down", "operation": 20}, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["operation"], response.data["work_center"]) == (20, "PRESS-01")
    response = client.post(url, {"kind": "equipment", "reason": "Saw", "work_center": "SAW-01"}, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["operation"], response.data["work_center"]) == (None, "SAW-01")
    for body, field in (
        ({"operation": 99}, "operation"),
        ({"work_center": "NOPE"}, "work_center"),
        ({"operation": 10, "work_center": "PRESS-01"}, "work_center"),
    ):
        response = client.post(url, {"kind": "equipment", "reason": "x", **body}, format="json")
        assert response.status_code == 400 and field in response.data, response.data
    WorkCenterFactory(code="LATHE-01")
    response = client.post(url, {"kind": "equipment", "reason": "x", "work_center": "LATHE-01"}, format="json")
    assert response.status_code == 400 and "work_center" in response.data
    assert Hold.objects.filter(work_order=wo).count() == 2
    assert client.get("/api/v1/holds/?work_center=PRESS-01").data["count"] == 1
    assert client.get(f"{URL}{wo.number}/").data["on_hold"] is True


def test_holds_list_filters_and_query_count(api_as, item, assert_query_baseline):
    orders = [make_work_order(item=item, status="released", number=f"WO-H{i}") for i in range(4)]
    holds = [
        hold_place(work_order=wo, actor=None, kind="quality" if i % 2 else "material", reason="r") for i, wo in enumerate(orders)
    ]
    hold_release(hold=holds[0], actor=None, release_note="done")
    client = api_as("viewer")
    with assert_query_baseline("api: holds list"):
        response = client.get("/api/v1/holds/")
    assert response.data["count"] == 4
    active = client.get("/api/v1/holds/?active=true").data
    assert active["count"] == 3
    assert all(h["is_active"] for h in active["results"])
    assert client.get("/api/v1/holds/?active=false").data["results"][0]["work_order"] == "WO-H0"
    assert client.get("/api/v1/holds/?kind=quality").data["count"] == 2
    assert [h["work_order"] for h in client.get("/api/v1/holds/?work_order=WO-H2").data["results"]] == ["WO-H2"]
    assert client.get("/api/v1/holds/?kind=weather").status_code == 400
    assert client.get("/api/v1/holds/?active=perhaps").status_code == 400


def test_unauthenticated_holds_401(api_client):
    assert api_client.get("/api/v1/holds/").status_code == 401


def test_work_order_holds_list_query_count(api_as, item, assert_query_baseline):
    wo = make_work_order(item=item, status="released")
    for i in range(4):
        hold_place(work_order=wo, actor=None, kind="quality", reason=f"r{i}")
    client = api_as("viewer")
    with assert_query_baseline("api: work-orders/{number}/holds list"):
        response = client.get(f"{URL}{wo.number}/holds/")
    assert response.data["count"] == 4
    assert [h["reason"] for h in response.data["results"]] == ["r3", "r2", "r1", "r0"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "status"), [("start", "released"), ("complete", "in_progress"), ("close", "completed")])
def test_floor_moves_are_the_coordinators(api_as, item, role, action, status):
    """Planners release and cancel; starting, completing and closing work belongs to the floor."""
    wo = make_work_order(item=item, status=status)
    response = api_as(role).post(f"{URL}{wo.number}/{action}/", {"reason": "r"}, format="json")
    allowed = role == "coordinator"
    assert response.status_code == (200 if allowed else 403), response.data
    assert (WorkOrder.objects.get(pk=wo.pk).status != status) is allowed
