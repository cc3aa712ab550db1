"""A client generated from the served schema by a standard generator (openapi-python-client)
runs a planner's day as typed calls: what the schema says is what a planner can build on.

The client is generated into a temporary directory from ``/api/schema/`` of a live server,
imported, and driven against that server: master data, a BOM and a routing released, a
work order created (with an Idempotency-Key, retried), released, started, progress reported,
a hold placed and released, the list paged and ordered, and a stale ``version`` refused with 409.
"""

import datetime as dt
import importlib
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db(transaction=True)

GENERATOR = Path(sys.executable).parent / "openapi-python-client"
PACKAGE = "prodcoord_client"


@pytest.fixture
def generated_client(live_server, tmp_path):
    """The ``prodcoord_client`` package generated from the live server's schema, imported."""
    schema = tmp_path / "schema.json"
    response = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"}, timeout=30)
    response.raise_for_status()
    schema.write_bytes(response.content)
    config = tmp_path / "generator.yml"
    config.write_text(f"project_name_override: prodcoord-client\npackage_name_override: {PACKAGE}\npost_hooks: []\n")
    result = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(schema),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "out" / PACKAGE),
            "--config",
            str(config),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _module(package, name):
    return importlib.import_module(f"{PACKAGE}.{name}")


def test_a_generated_client_runs_the_planners_day(generated_client, live_server, make_user):
    api = lambda name: _module(generated_client, f"api.{name}")  # noqa: E731
    models = _module(generated_client, "models")
    Client = generated_client.Client
    AuthenticatedClient = generated_client.AuthenticatedClient

    planner_user = make_user("planner")
    coordinator_user = make_user("coordinator")

    # --- a token, as a script gets one -------------------------------------------------------
    def login(user):
        anonymous = Client(base_url=live_server.url)
        token = api("auth.auth_token_create").sync(
            client=anonymous, body=models.TokenCredentialsRequest(username=user.username, password="pass-word-123")
        )
        assert isinstance(token, models.Token), token
        return AuthenticatedClient(base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True)

    planner, coordinator = login(planner_user), login(coordinator_user)
    Group.objects.get(name="planner")  # the roles exist (sync_roles after migrate)

    # --- master data ------------------------------------------------------------------------
    department = api("departments.departments_create").sync(
        client=planner, body=models.DepartmentRequest(code="MACH", name="Machining")
    )
    assert isinstance(department, models.Department), department
    for code in ("CNC-01", "PACK-01"):
        center = api("work_centers.work_centers_create").sync(
            client=planner, body=models.WorkCenterRequest(code=code, name=code, department="MACH")
        )
        assert isinstance(center, models.WorkCenter), center
    for code, start, end in [("DAY", "06:00", "14:00"), ("SWING", "14:00", "22:00"), ("NIGHT", "22:00", "06:00")]:
        shift = api("shifts.shifts_create").sync(
            client=planner, body=models.ShiftRequest(code=code, name=code.title(), start_time=start, end_time=end)
        )
        assert isinstance(shift, models.Shift), shift
    for sku, kind in [("BRKT-100", models.ItemKindEnum.FINISHED), ("STEEL-10", models.ItemKindEnum.RAW)]:
        item = api("items.items_create").sync(client=planner, body=models.ItemRequest(sku=sku, name=sku, kind=kind))
        assert isinstance(item, models.Item), item

    # --- a BOM and a routing, released ---------------------------------------------------------
    bom = api("boms.boms_create").sync(
        client=planner,
        body=models.BOMInputRequest(
            item="BRKT-100", revision="A", lines=[models.BOMLineRequest(component="STEEL-10", quantity_per="0.5")]
        ),
    )
    assert isinstance(bom, models.BOM), bom
    bom = api("boms.boms_release_create").sync(bom.id, client=planner, body=models.ReleaseRequest(reason="First article"))
    assert bom.status == models.RevisionStatusEnum.RELEASED

    routing = api("routings.routings_create").sync(
        client=planner,
        body=models.RoutingInputRequest(
            item="BRKT-100",
            revision="A",
            steps=[
                models.RoutingStepRequest(sequence=10, work_center="CNC-01", run_minutes_per_unit="1.5"),
                models.RoutingStepRequest(sequence=20, work_center="PACK-01"),
            ],
        ),
    )
    assert isinstance(routing, models.Routing), routing
    routing = api("routings.routings_release_create").sync(routing.id, client=planner, body=models.ReleaseRequest())
    assert routing.status == models.RevisionStatusEnum.RELEASED

    # --- a work order: created (and retried safely), released, started -------------------------------
    create = api("work_orders.work_orders_create")
    body = models.WorkOrderCreateRequest(
        item="BRKT-100",
        quantity="40",
        priority=2,
        due_date=dt.date(2030, 1, 15),
        planned_start=dt.datetime(2030, 1, 10, 6, tzinfo=dt.UTC),
        customer_ref="PO-4711",
    )
    order = create.sync(client=planner, body=body, idempotency_key="po-4711-line-1")
    assert isinstance(order, models.WorkOrder), order
    assert order.status == models.WorkOrderStatusEnum.DRAFT
    assert [op.sequence for op in order.operations] == [10, 20]
    retried = create.sync(client=planner, body=body, idempotency_key="po-4711-line-1")
    assert retried.number == order.number  # the retry created nothing new

    order = api("work_orders.work_orders_release_create").sync(
        order.number, client=planner, body=models.TransitionRequest(version=order.version)
    )
    assert order.status == models.WorkOrderStatusEnum.RELEASED
    order = api("work_orders.work_orders_start_create").sync(
        order.number, client=coordinator, body=models.TransitionRequest(version=order.version)
    )
    assert order.status == models.WorkOrderStatusEnum.IN_PROGRESS

    # --- progress with scrap (and its reason), a report reversed, a hold placed and released -----------
    reason = api("scrap_reasons.scrap_reasons_create").sync(
        client=planner, body=models.ScrapReasonRequest(code="BURR", name="Burr on edge")
    )
    assert isinstance(reason, models.ScrapReason), reason
    progress = api("work_orders.work_orders_progress_create")
    report = progress.sync(
        order.number,
        client=coordinator,
        body=models.ProgressRequest(operation=10, quantity_good="12", quantity_scrap="1", scrap_reason="BURR"),
    )
    assert isinstance(report, models.ProductionReport), report
    assert (report.quantity_good, report.scrap_reason) == ("12.000", "BURR")
    twice = progress.sync(order.number, client=coordinator, body=models.ProgressRequest(operation=10, quantity_good="12"))
    listed = api("production_reports.production_reports_list").sync(client=coordinator, work_order=order.number)
    assert isinstance(listed, models.PaginatedProductionReportList), listed
    assert [r.id for r in listed.results] == [twice.id, report.id]
    reversal = api("production_reports.production_reports_reverse_create").sync(
        twice.id, client=coordinator, body=models.ReverseRequest(reason="Keyed in twice")
    )
    assert isinstance(reversal, models.ProductionReport), reversal
    assert (reversal.reverses, reversal.quantity_good, reversal.shift_date) == (twice.id, "-12.000", twice.shift_date)
    order = api("work_orders.work_orders_retrieve").sync(order.number, client=coordinator)
    assert order.operations[0].quantity_good == "12.000"

    place = models.HoldPlaceRequest(kind=models.HoldKindEnum.EQUIPMENT, reason="Press brake down")
    hold = api("work_orders.work_orders_holds_create").sync(order.number, client=coordinator, body=place)
    assert isinstance(hold, models.Hold), hold
    assert hold.is_active
    release = models.HoldReleaseRequest(release_note="Deburred")
    hold = api("holds.holds_release_create").sync(hold.id, client=coordinator, body=release)
    assert not hold.is_active

    # --- the list, paged and ordered --------------------------------------------------------------
    for n in range(4):
        create.sync(client=planner, body=models.WorkOrderCreateRequest(item="BRKT-100", quantity=str(10 + n), priority=5 - n))
    listing = api("work_orders.work_orders_list")
    ordering = [models.WorkOrdersListOrderingItem("priority"), models.WorkOrdersListOrderingItem("-number")]
    seen, page = [], 1
    while True:
        result = listing.sync(client=planner, page=page, page_size=2, ordering=ordering)
        assert isinstance(result, models.PaginatedWorkOrderList), result
        seen.extend((wo.priority, wo.number) for wo in result.results)
        if not result.next_:
            break
        page += 1
    assert result.count == 5 and page == 3
    assert seen == sorted(seen, key=lambda row: (row[0], [-ord(c) for c in row[1]]))
    assert len({number for _, number in seen}) == 5

    # --- a stale version comes back as a 409 -----------------------------------------------------------
    current = api("work_orders.work_orders_retrieve").sync(order.number, client=planner)
    update = api("work_orders.work_orders_partial_update")
    first = models.PatchedWorkOrderUpdateRequest(priority=4, reason="Can wait", version=current.version)
    assert update.sync(order.number, client=planner, body=first).priority == 4
    # the same field, from the read before that change: refused, and the body says who changed it
    stale = models.PatchedWorkOrderUpdateRequest(priority=1, reason="Customer escalation", version=current.version)
    response = update.sync_detailed(order.number, client=planner, body=stale)
    assert response.status_code == 409
    assert isinstance(response.parsed, models.Error)
    assert response.parsed.code == "stale_version"
    assert "changed priority" in response.parsed.detail
    fresh = models.PatchedWorkOrderUpdateRequest(priority=1, reason="Customer escalation", version=current.version + 1)
    assert update.sync(order.number, client=planner, body=fresh).priority == 1

    # --- and a field error is a typed answer too ---------------------------------------------------
    response = create.sync_detailed(client=planner, body=models.WorkOrderCreateRequest(item="NOPE", quantity="1"))
    assert response.status_code == 400
    assert isinstance(response.parsed, models.ValidationError)
    assert "item" in response.parsed.additional_properties
