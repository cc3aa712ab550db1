"""Honest errors: the API answers 409 or 404 only for what a user can cause, and lets a bug be a 500.

- A unique rule two requests raced on (the registry in ``prodcoord.core.integrity``) → 409 with its message.
- Any other IntegrityError → 500, logged.
- The record the URL names is missing (or was deleted meanwhile) → 404; any other DoesNotExist → 500, logged.
- Deleting a record others refer to → 409.

Runs on SQLite and on PostgreSQL (``DATABASE_URL``): the violations here really come from the database.
"""

import datetime as dt
import logging
import pkgutil
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from materials.models import BOM, BOMLine, Item, Location, Lot, StockBalance, StockMove
from planning.models import ScheduleEntry
from plant import services as plant_services
from plant.models import Department, DowntimeEvent, DowntimeReason, Shift, WorkCenter
from prodcoord.core.integrity import CONFLICTS, constraint_key, integrity_conflict
from prodcoord.events.models import Event
from tests.factories import (
    BOMFactory,
    BOMLineFactory,
    DepartmentFactory,
    ItemFactory,
    RoutingFactory,
    ScrapReasonFactory,
    ShiftFactory,
    UserFactory,
    WorkCenterFactory,
    make_routed_item,
    make_work_order,
    standard_shifts,
)
from workorders import services as work_order_services
from workorders.models import ProductionReport, Routing, ScrapReason, WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(api_as, make_user):
    """A superuser's client that answers a server error with a 500 response instead of raising it."""
    client = api_as(user=make_user(is_superuser=True))
    client.raise_request_exception = False
    return client


def database_refuses(write):
    """Run ``write`` in a savepoint (as a service does) and return the IntegrityError the database raised."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        write()
    return caught.value


def server_errors(caplog):
    return [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]


# --- the registry: each entry is recognised when the database refuses a row ---------------


def _scheduled():
    wo = make_work_order(item=make_routed_item(with_bom=False))
    return ScheduleEntry.objects.create(
        date=dt.date(2026, 3, 2),
        shift=ShiftFactory(),
        work_center=wo.operations.first().work_center,
        work_order=wo,
        planned_quantity=Decimal("5"),
    )


def _same_slot(entry):
    return ScheduleEntry.objects.create(
        date=entry.date,
        shift=entry.shift,
        work_center=entry.work_center,
        work_order=entry.work_order,
        planned_quantity=Decimal("7"),
    )


def _reversed_report():
    standard_shifts()
    wo = make_work_order(item=make_routed_item(with_bom=False), status="in_progress")
    report = work_order_services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=2)
    work_order_services.production_report_reverse(report=report, actor=None, reason="Keyed in twice.")
    return report


def _second_reversal(report):
    return ProductionReport.objects.create(
        operation=report.operation,
        work_order=report.work_order,
        work_center=report.work_center,
        quantity_good=-report.quantity_good,
        reported_at=report.reported_at,
        shift=report.shift,
        shift_date=report.shift_date,
        note="Reversed again",
        reverses=report,
    )


def _badge():
    from prodcoord.core.models import OperatorBadge

    return OperatorBadge.objects.create(user=UserFactory(), badge="B-1", pin_hash="x")


def _same_badge(first):
    from prodcoord.core.models import OperatorBadge

    return OperatorBadge.objects.create(user=UserFactory(), badge="b-1", pin_hash="x")


def _reversed_move():
    location = Location.objects.create(code="WH-R", name="WH", kind="warehouse")
    item = ItemFactory()
    move = StockMove.objects.create(kind="receipt", item=item, quantity=1, to_location=location, moved_at=timezone.now())
    StockMove.objects.create(
        kind="receipt", item=item, quantity=1, from_location=location, moved_at=timezone.now(), reverses=move
    )
    return move


def _second_move_reversal(move):
    return StockMove.objects.create(
        kind="receipt", item=move.item, quantity=1, from_location=move.to_location, moved_at=timezone.now(), reverses=move
    )


# key → (write the first row, write the row the database refuses next to it)
VIOLATIONS = {
    "workorders_scrapreason_code_ci_unique": (
        lambda: ScrapReasonFactory(code="DUP"),
        lambda first: ScrapReason.objects.create(code="dup", name="Twin"),
    ),
    "workorders.ProductionReport.reverses": (_reversed_report, _second_reversal),
    "plant_department_code_ci_unique": (
        lambda: DepartmentFactory(code="DUP"),
        lambda first: Department.objects.create(code="dup", name="Twin"),  # the same code, another case
    ),
    "plant_workcenter_code_ci_unique": (
        lambda: WorkCenterFactory(code="DUP"),
        lambda first: WorkCenter.objects.create(code="Dup", name="Twin", department=first.department),
    ),
    "plant_shift_code_ci_unique": (
        lambda: ShiftFactory(code="DUP"),
        lambda first: Shift.objects.create(code="dUP", name="Twin", start_time=dt.time(14), end_time=dt.time(22)),
    ),
    "materials_item_sku_ci_unique": (
        lambda: ItemFactory(sku="DUP"),
        lambda first: Item.objects.create(sku="dup", name="Twin", kind=Item.Kind.RAW),
    ),
    "workorders_workorder_number_ci_unique": (
        lambda: make_work_order(item=make_routed_item(with_bom=False)),
        lambda first: WorkOrder.objects.create(number=first.number.lower(), item=first.item, quantity=Decimal("1")),
    ),
    "materials_bom_unique_item_revision": (
        lambda: BOMFactory(revision="A"),
        lambda first: BOM.objects.create(item=first.item, revision="A"),
    ),
    "workorders_routing_unique_item_revision": (
        lambda: RoutingFactory(revision="A"),
        lambda first: Routing.objects.create(item=first.item, revision="A"),
    ),
    "materials_bom_one_released_per_item": (
        lambda: BOMFactory(revision="A", status=BOM.Status.RELEASED),
        lambda first: BOM.objects.create(item=first.item, revision="B", status=BOM.Status.RELEASED),
    ),
    "workorders_routing_one_released_per_item": (
        lambda: RoutingFactory(revision="A", status=Routing.Status.RELEASED),
        lambda first: Routing.objects.create(item=first.item, revision="B", status=Routing.Status.RELEASED),
    ),
    "planning_scheduleentry_unique_slot": (_scheduled, _same_slot),
    "core_operatorbadge_badge_ci_unique": (_badge, _same_badge),
    "materials_location_code_ci_unique": (
        lambda: Location.objects.create(code="DUP", name="First", kind="warehouse"),
        lambda first: Location.objects.create(code="dup", name="Twin", kind="warehouse"),
    ),
    "materials_lot_unique_item_code": (
        lambda: Lot.objects.create(item=ItemFactory(), code="L-1"),
        lambda first: Lot.objects.create(item=first.item, code="L-1"),
    ),
    "materials_location_one_output": (
        lambda: Location.objects.create(code="OUT-1", name="Out", kind="warehouse", receives_output=True),
        lambda first: Location.objects.create(code="OUT-2", name="Out", kind="warehouse", receives_output=True),
    ),
    "materials.StockMove.reverses": (_reversed_move, _second_move_reversal),
    "materials_stockbalance_never_negative": (
        lambda: StockBalance.objects.create(
            item=ItemFactory(), location=Location.objects.create(code="WH", name="WH", kind="warehouse"), quantity=1
        ),
        lambda first: StockBalance.objects.filter(pk=first.pk).update(quantity=-1),
    ),
    "plant_downtimereason_code_ci_unique": (
        lambda: DowntimeReason.objects.create(code="DUP", name="Dup"),
        lambda first: DowntimeReason.objects.create(code="dup", name="Twin"),
    ),
    "plant_downtimeevent_one_open_per_work_center": (
        lambda: DowntimeEvent.objects.create(
            work_center=WorkCenterFactory(), reason=DowntimeReason.objects.get(code="OTHER"), started_at=timezone.now()
        ),
        lambda first: DowntimeEvent.objects.create(
            work_center=first.work_center, reason=first.reason, started_at=timezone.now() - dt.timedelta(hours=1)
        ),
    ),
}


def test_every_registered_constraint_has_a_case_here():
    assert set(VIOLATIONS) == set(CONFLICTS)


@pytest.mark.parametrize("key", sorted(VIOLATIONS))
def test_registered_constraint_is_recognised_when_the_database_refuses_a_row(key):
    write_first, write_twin = VIOLATIONS[key]
    first = write_first()
    exc = database_refuses(lambda: write_twin(first))
    assert constraint_key(exc) == key
    assert integrity_conflict(exc) is CONFLICTS[key]


# (write a row, break a rule on it the API never lets a user break)
UNREGISTERED = {
    "check": (
        WorkCenterFactory,
        lambda wc: WorkCenter.objects.filter(pk=wc.pk).update(capacity_hours_per_shift=Decimal("25")),
    ),
    "unique-the-services-guarantee": (
        BOMLineFactory,
        lambda line: BOMLine.objects.create(bom=line.bom, component=line.component, quantity_per=Decimal("1")),
    ),
    "not-null": (
        DepartmentFactory,
        lambda dept: Department.objects.filter(pk=dept.pk).update(name=None),
    ),
}


@pytest.mark.parametrize("case", sorted(UNREGISTERED))
def test_unregistered_violation_is_no_conflict(case):
    write_first, break_rule = UNREGISTERED[case]
    first = write_first()
    exc = database_refuses(lambda: break_rule(first))
    assert integrity_conflict(exc) is None


def test_check_constraint_is_told_by_its_name():
    wc = WorkCenterFactory()
    exc = database_refuses(lambda: WorkCenter.objects.filter(pk=wc.pk).update(capacity_hours_per_shift=Decimal("25")))
    assert constraint_key(exc) == "plant_workcenter_capacity_range"


# --- a race on a registered constraint is a 409 ---------------------------------------------


@contextmanager
def twin_committed_after(check, twin):
    """Patch ``check`` (a service's duplicate check) so it passes and then another request's twin
    row is committed: the moment two concurrent creates have both got past the check."""
    real = pkgutil.resolve_name(check)

    def racing(*args, **kwargs):
        result = real(*args, **kwargs)
        twin()
        return result

    with mock.patch(check, side_effect=racing):
        yield


def _master_data():
    DepartmentFactory(code="MACH")
    ItemFactory(sku="BRKT-100", kind=Item.Kind.FINISHED)
    ItemFactory(sku="STEEL", kind=Item.Kind.RAW)
    WorkCenterFactory(code="CNC-01", department=Department.objects.get(code="MACH"))


UNIQUE_CHECK = "prodcoord.core.crud.unique_check"
RACES = {
    "plant_department_code_ci_unique": (
        "/api/v1/departments/",
        {"code": "ASSY", "name": "Assembly"},
        UNIQUE_CHECK,
        lambda: Department.objects.create(code="ASSY", name="Twin"),
    ),
    "plant_workcenter_code_ci_unique": (
        "/api/v1/work-centers/",
        {"code": "CNC-02", "name": "CNC", "department": "MACH"},
        UNIQUE_CHECK,
        lambda: WorkCenter.objects.create(code="CNC-02", name="Twin", department=Department.objects.get(code="MACH")),
    ),
    "plant_shift_code_ci_unique": (
        "/api/v1/shifts/",
        {"code": "DAY", "name": "Day", "start_time": "06:00", "end_time": "14:00"},
        UNIQUE_CHECK,
        lambda: Shift.objects.create(code="DAY", name="Twin", start_time=dt.time(7), end_time=dt.time(15)),
    ),
    "materials_item_sku_ci_unique": (
        "/api/v1/items/",
        {"sku": "BRKT-200", "name": "Bracket", "kind": "finished"},
        UNIQUE_CHECK,
        lambda: Item.objects.create(sku="BRKT-200", name="Twin", kind=Item.Kind.FINISHED),
    ),
    "materials_bom_unique_item_revision": (
        "/api/v1/boms/",
        {"item": "BRKT-100", "revision": "B", "lines": [{"component": "STEEL", "quantity_per": "2"}]},
        "prodcoord.core.crud.revision_check",
        lambda: BOM.objects.create(item=Item.objects.get(sku="BRKT-100"), revision="B"),
    ),
    "workorders_scrapreason_code_ci_unique": (
        "/api/v1/scrap-reasons/",
        {"code": "BURR", "name": "Burr on edge"},
        UNIQUE_CHECK,
        lambda: ScrapReason.objects.create(code="burr", name="Twin"),
    ),
    "workorders_routing_unique_item_revision": (
        "/api/v1/routings/",
        {"item": "BRKT-100", "revision": "B", "steps": [{"sequence": 10, "work_center": "CNC-01"}]},
        "prodcoord.core.crud.revision_check",
        lambda: Routing.objects.create(item=Item.objects.get(sku="BRKT-100"), revision="B"),
    ),
}


@pytest.mark.parametrize("key", sorted(RACES))
def test_create_racing_a_twin_is_a_409_with_the_registered_message(admin_api, key):
    url, body, check, twin = RACES[key]
    _master_data()
    events_before = Event.objects.count()

    with twin_committed_after(check, twin):
        response = admin_api.post(url, body, format="json")

    assert response.status_code == 409, response.content
    assert response.json() == {"detail": CONFLICTS[key].message, "code": CONFLICTS[key].code}
    assert Event.objects.count() == events_before  # the refused create recorded nothing


def test_reversal_racing_a_twin_is_a_409_with_the_registered_message(admin_api):
    """Two people reverse the same report at the same moment: both pass the check, the database
    keeps one reversal and the second is told it is already reversed."""
    standard_shifts()
    wo = make_work_order(item=make_routed_item(with_bom=False), status="in_progress")
    report = work_order_services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=2)
    events_before = Event.objects.count()

    with twin_committed_after("workorders.services.reversals.reversal_check", lambda: _second_reversal(report)):
        response = admin_api.post(f"/api/v1/production-reports/{report.pk}/reverse/", {"reason": "Twice"}, format="json")

    key = "workorders.ProductionReport.reverses"
    assert response.status_code == 409, response.content
    assert response.json() == {"detail": CONFLICTS[key].message, "code": CONFLICTS[key].code}
    assert Event.objects.count() == events_before
    assert WorkOrder.objects.get(pk=wo.pk).operations.get(sequence=10).quantity_good == 2


def test_rename_racing_a_twin_is_a_409(admin_api):
    DepartmentFactory(code="MACH")
    with twin_committed_after(UNIQUE_CHECK, lambda: Department.objects.create(code="ASSY", name="Assembly (created meanwhile)")):
        response = admin_api.patch("/api/v1/departments/MACH/", {"code": "ASSY"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "A department with this code already exists.", "code": "department_code_taken"}
    assert Department.objects.filter(code="MACH").exists()


def test_duplicate_seen_by_the_check_is_still_a_field_error(admin_api):
    DepartmentFactory(code="MACH")
    response = admin_api.post("/api/v1/departments/", {"code": "MACH", "name": "Again"}, format="json")
    assert response.status_code == 400
    assert "code" in response.json()


# --- any other IntegrityError is a bug: 500, logged ------------------------------------------


def _break_a_check_constraint(**_kwargs):
    with transaction.atomic():
        wc = WorkCenterFactory()
        WorkCenter.objects.filter(pk=wc.pk).update(capacity_hours_per_shift=99)


def _duplicate_a_bom_line(**_kwargs):
    line = BOMLineFactory()
    with transaction.atomic():
        BOMLine.objects.create(bom=line.bom, component=line.component, quantity_per=1)


@pytest.mark.parametrize("bug", [_break_a_check_constraint, _duplicate_a_bom_line], ids=["check", "unregistered-unique"])
def test_unregistered_integrity_error_in_a_view_is_a_logged_500(admin_api, caplog, bug):
    with (
        mock.patch.object(plant_services, "department_create", side_effect=bug),
        caplog.at_level(logging.ERROR, "django.request"),
    ):
        response = admin_api.post("/api/v1/departments/", {"code": "MACH", "name": "Machining"}, format="json")
    assert response.status_code == 500
    [record] = server_errors(caplog)
    assert isinstance(record.exc_info[1], IntegrityError)


# --- DoesNotExist: 404 for the URL's record only ------------------------------------------


def test_missing_url_record_is_a_404_with_a_detail(admin_api):
    for response in (
        admin_api.get("/api/v1/departments/NOPE/"),
        admin_api.patch("/api/v1/departments/NOPE/", {"name": "x"}, format="json"),
        admin_api.post("/api/v1/work-orders/WO-NOPE/release/", {}, format="json"),
        admin_api.get("/api/v1/boms/999999/"),
    ):
        assert response.status_code == 404
        assert set(response.json()) == {"detail"}


def test_does_not_exist_for_another_record_in_a_view_is_a_logged_500(admin_api, caplog):
    def lookup_gone_wrong(**_kwargs):
        return Shift.objects.get(code="NO-SUCH-SHIFT")

    with (
        mock.patch.object(plant_services, "department_create", side_effect=lookup_gone_wrong),
        caplog.at_level(logging.ERROR, "django.request"),
    ):
        response = admin_api.post("/api/v1/departments/", {"code": "MACH", "name": "Machining"}, format="json")
    assert response.status_code == 500
    [record] = server_errors(caplog)
    assert isinstance(record.exc_info[1], Shift.DoesNotExist)


def test_does_not_exist_for_a_sibling_of_the_url_record_is_a_500(admin_api, caplog):
    """Same model, other record: the URL's record is there, so the lookup is a bug, not a 404."""
    DepartmentFactory(code="MACH")

    def lookup_gone_wrong(**_kwargs):
        return Department.objects.get(code="NO-SUCH-DEPARTMENT")

    with (
        mock.patch.object(plant_services, "department_update", side_effect=lookup_gone_wrong),
        caplog.at_level(logging.ERROR, "django.request"),
    ):
        response = admin_api.patch("/api/v1/departments/MACH/", {"name": "Machining"}, format="json")
    assert response.status_code == 500
    assert len(server_errors(caplog)) == 1


def test_url_record_deleted_before_the_service_locks_it_is_a_404(admin_api, caplog):
    """Someone deletes the department between the view's lookup and the service's row lock."""
    DepartmentFactory(code="MACH")
    real_update = plant_services.department_update

    def deleted_meanwhile(*, department, **data):
        Department.objects.filter(pk=department.pk).delete()
        return real_update(department=department, **data)

    with mock.patch.object(plant_services, "department_update", side_effect=deleted_meanwhile):
        response = admin_api.patch("/api/v1/departments/MACH/", {"name": "Machining"}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "This department no longer exists; it was deleted meanwhile."}
    assert not server_errors(caplog)


def test_work_order_deleted_before_a_transition_locks_it_is_a_404(admin_api):
    wo = make_work_order(item=make_routed_item(with_bom=False))
    real_transition = work_order_services.work_order_transition

    def deleted_meanwhile(*, work_order, **kwargs):
        work_order_services.work_order_delete(actor=None, work_order=work_order)
        return real_transition(work_order=work_order, **kwargs)

    with mock.patch.object(work_order_services, "work_order_transition", side_effect=deleted_meanwhile):
        response = admin_api.post(f"/api/v1/work-orders/{wo.number}/release/", {}, format="json")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


# --- deleting a record others refer to stays a 409 -----------------------------------------


def test_deleting_a_department_in_use_is_a_409(admin_api):
    WorkCenterFactory(department=DepartmentFactory(code="MACH"))
    response = admin_api.delete("/api/v1/departments/MACH/")
    assert response.status_code == 409
    assert response.json()["code"] == "protected"
    assert Department.objects.filter(code="MACH").exists()
