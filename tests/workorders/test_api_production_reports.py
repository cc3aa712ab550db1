"""production-reports/ (list, filters, reverse/), scrap-reasons/, and the quantity rules over the API:
each rule the services hold answers 400 on its field, each refused state 409."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from prodcoord.events.models import Event
from tests.api_helpers import make_bracket
from tests.factories import make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import ProductionReport, ScrapReason, WorkOrder

pytestmark = pytest.mark.django_db

# Operators are not here: they use floor mode, and the API refuses them (tests/workorders/test_views_floor.py).
ROLES = ["viewer", "supervisor", "coordinator", "planner"]
REPORTS = "/api/v1/production-reports/"
REASONS = "/api/v1/scrap-reasons/"
LONG_AGO = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def chicago(settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"


@pytest.fixture
def item(db):
    return make_bracket()


def progress_url(wo):
    return f"/api/v1/work-orders/{wo.number}/progress/"


def reverse_url(report):
    return f"{REPORTS}{report.pk}/reverse/"


def report(wo, op=10, good=0, scrap=0, **kwargs):
    if scrap and "scrap_reason" not in kwargs:
        kwargs["scrap_reason"] = scrap_reason()
    return services.operation_report_progress(
        work_order=wo, actor=kwargs.pop("actor", None), operation=op, quantity_good=good, quantity_scrap=scrap, **kwargs
    )


# --- progress: the quantity rules answer 400 on their field ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"quantity_good": "2.5"}, "quantity_good", "Counted in whole pieces (ea)"),
        ({"quantity_good": "2", "quantity_scrap": "0.5", "scrap_reason": "BURR"}, "quantity_scrap", "whole number"),
        ({"quantity_good": "2", "quantity_scrap": "1"}, "scrap_reason", "choose a scrap reason"),
        ({"quantity_good": "2", "quantity_scrap": "1", "scrap_reason": None}, "scrap_reason", "choose a scrap reason"),
        ({"quantity_scrap": "1", "scrap_reason": "NOPE"}, "scrap_reason", "No scrap reason with code “NOPE”."),
        ({"quantity_scrap": "1", "scrap_reason": "OLD"}, "scrap_reason", "OLD is no longer in use"),
        ({"quantity_good": "2", "scrap_reason": "BURR"}, "scrap_reason", "goes with a scrap quantity"),
        ({"quantity_scrap": "41", "scrap_reason": "BURR"}, "quantity_scrap", "can scrap at most 40"),
        ({"quantity_scrap": "1", "scrap_reason": ["BURR"]}, "scrap_reason", "Give the code as text."),
    ],
)
def test_progress_rules_answer_400_with_the_field(api_as, item, shifts, body, field, text):
    scrap_reason(code="BURR")
    retired = scrap_reason(code="OLD")
    ScrapReason.objects.filter(pk=retired.pk).update(is_active=False)
    wo = make_work_order(item=item, status="released", quantity=Decimal("40"))
    response = api_as("coordinator").post(progress_url(wo), {"operation": 10, **body}, format="json")
    assert response.status_code == 400, response.data
    assert list(response.data) == [field]
    assert text in str(response.data[field][0])
    assert not ProductionReport.objects.exists()
    assert WorkOrder.objects.get(pk=wo.pk).status == "released"


def test_scrap_beyond_what_a_later_operation_was_passed_is_400_on_scrap(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    report(wo, op=10, good=4)
    scrap_reason(code="BURR")
    body = {"operation": 20, "quantity_good": "3", "quantity_scrap": "2", "scrap_reason": "BURR"}
    response = api_as("coordinator").post(progress_url(wo), body, format="json")
    assert response.status_code == 400
    assert response.data == {
        "quantity_scrap": [
            "Operation 20 can scrap at most 1 besides the 3 good: operation 10 has passed on 4 good and operation 20 has "
            "already processed 0. It cannot scrap more than it was passed."
        ]
    }


def test_a_measured_item_takes_decimals_and_the_report_names_its_reason(api_as, shifts):
    wo = make_work_order(item=make_routed_item(uom="kg"), status="released", quantity=Decimal("25.5"))
    scrap_reason(code="BURR")
    body = {"operation": 10, "quantity_good": "12.25", "quantity_scrap": "0.5", "scrap_reason": "BURR"}
    response = api_as("coordinator").post(progress_url(wo), body, format="json")
    assert response.status_code == 201, response.data
    assert (response.data["quantity_good"], response.data["quantity_scrap"], response.data["scrap_reason"]) == (
        "12.250",
        "0.500",
        "BURR",
    )


def test_a_report_far_above_what_is_left_is_not_questioned_over_the_api(api_as, item, shifts):
    """The confirmation is the page's; a script's report obeys the hard limits only."""
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    report(wo, good=8)
    scrap_reason(code="BURR")
    body = {"operation": 10, "quantity_good": "2", "quantity_scrap": "2", "scrap_reason": "BURR"}
    assert api_as("coordinator").post(progress_url(wo), body, format="json").status_code == 201


@pytest.mark.parametrize("method", ["post", "patch"])
def test_work_order_quantity_of_a_counted_item_is_whole(api_as, item, method):
    client = api_as("planner")
    if method == "post":
        response = client.post("/api/v1/work-orders/", {"item": "BRKT-100", "quantity": "7.5"}, format="json")
    else:
        wo = make_work_order(item=item)
        response = client.patch(f"/api/v1/work-orders/{wo.number}/", {"quantity": "7.5"}, format="json")
    assert response.status_code == 400
    assert response.data == {"quantity": ["Counted in whole pieces (ea): enter a whole number, not 7.5."]}


# --- production-reports/: the list ---------------------------------------------------------------------


@pytest.fixture
def floor(item, shifts, make_user):
    """Reports on two orders by two operators, in two shifts; one reversed."""
    ann, bob = make_user("operator", username="ann"), make_user("operator", username="bob")
    a = make_work_order(item=item, status="in_progress", number="WO-A", quantity=Decimal("20"), moved_at=LONG_AGO)
    b = make_work_order(item=item, status="in_progress", number="WO-B", quantity=Decimal("20"), moved_at=LONG_AGO)
    night = dt.datetime(2026, 6, 15, 6, 30, tzinfo=dt.UTC)  # 01:30 in Chicago: the night shift of the 14th
    day = dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC)  # 10:00: the day shift of the 15th
    reports = {
        "a10": report(a, op=10, good=6, reported_at=night, actor=ann),
        "a20": report(a, op=20, good=4, scrap=1, scrap_reason=scrap_reason(code="WELD"), reported_at=day, actor=bob),
        "b10": report(b, op=10, good=5, reported_at=day, actor=bob),
        "b10x": report(b, op=10, good=5, reported_at=day, actor=bob),
    }
    reports["rev"] = services.production_report_reverse(report=reports["b10x"], actor=make_user("supervisor"), reason="Twice")
    return reports


def ids(response):
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def test_list_newest_first_with_query_count(api_as, floor, assert_query_baseline):
    client = api_as("viewer")
    with assert_query_baseline("api: production-reports list"):
        response = client.get(REPORTS)
    assert response.data["count"] == 5
    assert ids(response)[0] == floor["rev"].pk  # reversed just now
    row = next(r for r in response.data["results"] if r["id"] == floor["a20"].pk)
    assert row == {
        "id": floor["a20"].pk,
        "work_order": "WO-A",
        "operation": 20,
        "work_center": "PACK-01",
        "shift": "DAY",
        "shift_date": "2026-06-15",
        "quantity_good": "4.000",
        "quantity_scrap": "1.000",
        "scrap_reason": "WELD",
        "reported_at": "2026-06-15T10:00:00-05:00",
        "reported_by": "bob",
        "note": "",
        "reverses": None,
        "reversal": None,
        "created_at": row["created_at"],
    }
    reversed_row = next(r for r in response.data["results"] if r["id"] == floor["b10x"].pk)
    reversal_row = next(r for r in response.data["results"] if r["id"] == floor["rev"].pk)
    assert reversed_row["reversal"] == floor["rev"].pk
    assert (reversal_row["reverses"], reversal_row["quantity_good"], reversal_row["note"]) == (
        floor["b10x"].pk,
        "-5.000",
        "Twice",
    )
    assert (reversal_row["shift"], reversal_row["shift_date"]) == ("DAY", "2026-06-15")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"work_order": "WO-A"}, ["a20", "a10"]),
        ({"work_order": "WO-A", "operation": "20"}, ["a20"]),
        ({"work_center": "CNC-01"}, ["rev", "b10x", "b10", "a10"]),
        ({"shift": "NIGHT"}, ["a10"]),
        ({"shift_date": "2026-06-14"}, ["a10"]),
        ({"shift_date_after": "2026-06-15"}, ["rev", "b10x", "b10", "a20"]),
        ({"shift_date_before": "2026-06-14"}, ["a10"]),
        ({"reported_after": "2026-06-15T09:00:00-05:00", "reported_before": "2026-06-15T11:00:00-05:00"}, ["b10x", "b10", "a20"]),
        ({"reported_by": "ann"}, ["a10"]),
        ({"scrap_reason": "WELD"}, ["a20"]),
        ({"is_reversal": "true"}, ["rev"]),
        ({"reversed": "true"}, ["b10x"]),
        ({"work_order": "WO-NONE"}, []),
    ],
)
def test_list_filters(api_as, floor, query, expected):
    response = api_as("viewer").get(REPORTS, query)
    assert ids(response) == [floor[name].pk for name in expected]


def test_list_totals_per_shift_net_out_a_reversal(api_as, floor):
    """What a planner sums per shift (the reversal counts in the shift of the report it corrects)."""
    rows = api_as("viewer").get(REPORTS, {"work_order": "WO-B", "shift": "DAY", "shift_date": "2026-06-15"}).data["results"]
    assert sum(Decimal(r["quantity_good"]) for r in rows) == 5


@pytest.mark.parametrize(("query", "field"), [({"shift_date": "soon"}, "shift_date"), ({"reversed": "maybe"}, "reversed")])
def test_bad_filters_are_400(api_as, floor, query, field):
    response = api_as("viewer").get(REPORTS, query)
    assert response.status_code == 400
    assert field in response.data


def test_ordering(api_as, floor):
    response = api_as("viewer").get(REPORTS, {"ordering": "shift_date,reported_at"})
    assert ids(response)[0] == floor["a10"].pk
    assert api_as("viewer").get(REPORTS, {"ordering": "quantity_good"}).status_code == 400


def test_retrieve_and_404(api_as, floor):
    client = api_as("viewer")
    assert client.get(f"{REPORTS}{floor['a10'].pk}/").data["work_order"] == "WO-A"
    assert client.get(f"{REPORTS}999999/").status_code == 404


def test_no_writes_but_reverse(api_as, floor, make_user):
    client = api_as(user=make_user(is_superuser=True))
    assert client.post(REPORTS, {"work_order": "WO-A"}, format="json").status_code == 405
    assert client.delete(f"{REPORTS}{floor['a10'].pk}/").status_code == 405
    assert client.patch(f"{REPORTS}{floor['a10'].pk}/", {"note": "x"}, format="json").status_code == 405


# --- production-reports/{id}/reverse/ --------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_reverse_permission_by_role(api_as, item, shifts, role):
    wo = make_work_order(item=item, status="in_progress")
    original = report(wo, good=3)
    response = api_as(role).post(reverse_url(original), {"reason": "Keyed in twice"}, format="json")
    allowed = role in ("supervisor", "coordinator")
    assert response.status_code == (201 if allowed else 403)
    assert ProductionReport.objects.filter(reverses=original).exists() is allowed


def test_reverse_answers_the_reversal_and_the_totals_and_history_follow(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    report(wo, op=10, good=6)
    last = report(wo, op=20, good=5, scrap=1)
    client = api_as("supervisor")
    response = client.post(reverse_url(last), {"reason": "Another order's parts", "version": wo.version + 2}, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert (data["reverses"], data["quantity_good"], data["quantity_scrap"]) == (last.pk, "-5.000", "-1.000")
    assert (data["shift"], data["shift_date"]) == (last.shift.code, last.shift_date.isoformat())
    assert (data["reported_by"], data["note"]) == (client.user.username, "Another order's parts")
    detail = client.get(f"/api/v1/work-orders/{wo.number}/").data
    assert (detail["quantity_completed"], detail["quantity_scrapped"]) == ("0.000", "0.000")
    assert detail["operations"][1]["status"] == "pending"
    event = client.get("/api/v1/events/", {"work_order": wo.number, "verb": "production_report.reversed"}).data["results"]
    assert [e["reason"] for e in event] == ["Another order's parts"]
    assert client.get(f"{REPORTS}{last.pk}/").data["reversal"] == data["id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": "  "}, "reason"), ({"reason": "x" * 501}, "reason"), ({"reason": "ok", "extra": 1}, "extra")],
)
def test_reverse_bad_input_is_400_on_the_field(api_as, item, shifts, body, field):
    wo = make_work_order(item=item, status="in_progress")
    original = report(wo, good=3)
    response = api_as("coordinator").post(reverse_url(original), body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert not ProductionReport.objects.filter(reverses=original).exists()


def test_reverse_refusals_are_409_with_their_code(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("10"))
    first = report(wo, op=10, good=6)
    report(wo, op=20, good=6)
    scrap_only = report(wo, op=10, scrap=1)
    client = api_as("coordinator")
    events = Event.objects.count()

    response = client.post(reverse_url(first), {"reason": "wrong"}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "processed_downstream")
    assert "Reverse operation 20's reports first." in response.data["detail"]

    response = client.post(reverse_url(first), {"reason": "wrong", "version": 999}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "stale_version")

    assert client.post(reverse_url(scrap_only), {"reason": "wrong"}, format="json").status_code == 201
    response = client.post(reverse_url(scrap_only), {"reason": "again"}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "already_reversed")
    reversal = ProductionReport.objects.get(reverses=scrap_only)
    response = client.post(reverse_url(reversal), {"reason": "undo"}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "not_reversible")
    assert Event.objects.count() == events + 1  # only the one reversal that was allowed


def test_reverse_on_a_closed_order_is_409(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress", quantity=Decimal("2"))
    report(wo, op=10, good=2)
    last = report(wo, op=20, good=2)
    services.work_order_complete(work_order=wo, actor=None)
    services.work_order_close(work_order=wo, actor=None)
    response = api_as("coordinator").post(reverse_url(last), {"reason": "late"}, format="json")
    assert (response.status_code, response.data["code"]) == (409, "not_reversible")


def test_reverse_unknown_report_is_404(api_as, shifts):
    assert api_as("coordinator").post(f"{REPORTS}999999/reverse/", {"reason": "x"}, format="json").status_code == 404


def test_reverse_is_idempotent_with_a_key(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    original = report(wo, good=3)
    client = api_as("coordinator")
    first = client.post(reverse_url(original), {"reason": "twice"}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    again = client.post(reverse_url(original), {"reason": "twice"}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.data["id"] == again.json()["id"]
    assert ProductionReport.objects.filter(reverses=original).count() == 1


# --- scrap-reasons/ --------------------------------------------------------------------------------------


def test_scrap_reasons_list_filters_and_query_count(api_as, assert_query_baseline):
    for code, name in [("BURR", "Burr on edge"), ("DIM", "Out of tolerance"), ("WELD", "Weld defect")]:
        scrap_reason(code=code, name=name)
    ScrapReason.objects.filter(code="DIM").update(is_active=False)
    client = api_as("viewer")
    with assert_query_baseline("api: scrap-reasons list"):
        response = client.get(REASONS)
    assert [r["code"] for r in response.data["results"]] == ["BURR", "DIM", "WELD"]
    assert set(response.data["results"][0]) == {"code", "name", "is_active", "created_at", "updated_at"}
    assert [r["code"] for r in client.get(REASONS, {"is_active": "true"}).data["results"]] == ["BURR", "WELD"]
    assert [r["code"] for r in client.get(REASONS, {"search": "weld"}).data["results"]] == ["WELD"]
    assert client.get(f"{REASONS}DIM/").data["name"] == "Out of tolerance"


def test_planner_keeps_the_scrap_reasons(api_as, shifts, item):
    client = api_as("planner")
    response = client.post(REASONS, {"code": "DENT", "name": "Dented"}, format="json")
    assert response.status_code == 201, response.data
    assert client.patch(f"{REASONS}DENT/", {"is_active": False}, format="json").data["is_active"] is False
    assert client.put(f"{REASONS}DENT/", {"code": "DENT-2", "name": "Dented in transport"}, format="json").status_code == 200
    assert client.delete(f"{REASONS}DENT-2/").status_code == 204
    assert not ScrapReason.objects.exists()
    verbs = Event.objects.filter(verb__startswith="scrap_reason.").order_by("id").values_list("verb", flat=True)
    assert list(verbs) == ["scrap_reason.created", "scrap_reason.updated", "scrap_reason.updated", "scrap_reason.deleted"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "BURR", "name": "Again"}, "code"),
        ({"code": "burr", "name": "Again"}, "code"),
        ({"code": "A B", "name": "Space"}, "code"),
        ({"code": "NEW"}, "name"),
        ({"code": "NEW", "name": "n", "colour": "red"}, "colour"),
    ],
)
def test_scrap_reason_bad_input_is_400(api_as, body, field):
    scrap_reason(code="BURR")
    response = api_as("planner").post(REASONS, body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert ScrapReason.objects.count() == 1


def test_a_scrap_reason_in_use_is_retired_not_deleted(api_as, item, shifts):
    wo = make_work_order(item=item, status="in_progress")
    report(wo, good=1, scrap=1, scrap_reason=scrap_reason(code="BURR"))
    response = api_as("planner").delete(f"{REASONS}BURR/")
    assert (response.status_code, response.data["code"]) == (409, "protected")
    assert ScrapReason.objects.filter(code="BURR").exists()


@pytest.mark.parametrize("role", ["viewer", "supervisor", "coordinator"])
def test_only_the_planner_changes_scrap_reasons(api_as, role):
    scrap_reason(code="BURR")
    client = api_as(role)
    assert client.get(REASONS).status_code == 200
    assert client.post(REASONS, {"code": "NEW", "name": "New"}, format="json").status_code == 403
    assert client.patch(f"{REASONS}BURR/", {"name": "x"}, format="json").status_code == 403
    assert client.delete(f"{REASONS}BURR/").status_code == 403
    assert list(ScrapReason.objects.values_list("code", "name")) == [("BURR", "Burr on edge")]
    assert User.objects.get(pk=client.user.pk).groups.get().name == role
