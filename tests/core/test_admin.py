import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from materials.models import Item
from planning import services as planning_services
from plant.models import Department, Shift
from prodcoord.core.models import IdempotencyKey
from prodcoord.core.sequences import sequence_next
from prodcoord.events.models import Event
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.services import outbox_enqueue
from tests.factories import make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def some_data(shifts, superuser):
    wo = make_work_order(status="released", quantity=Decimal("10"))
    services.operation_report_progress(work_order=wo, actor=superuser, operation=10, quantity_good=Decimal("2"))
    hold = services.hold_place(work_order=wo, actor=superuser, kind="equipment", reason="check")
    services.hold_release(hold=hold, actor=superuser, release_note="fine")
    return wo


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


APPS = {"core", "events", "outbox", "plant", "materials", "workorders", "planning", "reports"}
# Plumbing with nothing for a person to read or change: the auth cache's stamp (prodcoord.core.auth),
# where the attainment refresh stopped reading the event log (reports.services).
# and the items waiting for the debounced shortage-netting run (planning.shortages).
NOT_IN_ADMIN = {"AuthStamp", "AttainmentRun", "ShortageDirtyItem"}


def test_every_model_is_registered_or_shown_inline():
    from django.apps import apps

    ours = [m for m in apps.get_models() if m._meta.app_label in APPS]
    assert ours
    inline = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    missing = [m.__name__ for m in ours if not admin.site.is_registered(m) and m not in inline and m.__name__ not in NOT_IN_ADMIN]
    assert missing == []


@pytest.mark.parametrize("params", [{}, {"q": "WO"}, {"q": "zz-nothing"}])
def test_every_changelist_loads_with_search(admin_client, some_data, params):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        query = dict(params) if model_admin.search_fields else {}
        response = admin_client.get(changelist(model), query)
        assert response.status_code == 200, model


def test_changelists_filter_to_exactly_the_matching_rows(admin_client, some_data, superuser):
    held = make_work_order(status="released")
    services.hold_place(work_order=held, actor=superuser, kind="material", reason="Short of 3 mm sheet.")
    inactive = Item.objects.create(sku="OLD-1", name="Old part", kind=Item.Kind.FINISHED, is_active=False)
    cases = [
        (WorkOrder, {"status__exact": "released", "on_hold": "yes"}, {held.pk}),
        (WorkOrder, {"on_hold": "no"}, {some_data.pk}),
        (WorkOrder, {"is_overdue__exact": "1"}, set()),
        (Event, {"verb__exact": "hold.placed"}, set(Event.objects.filter(verb="hold.placed").values_list("pk", flat=True))),
        (Item, {"is_active__exact": "0"}, {inactive.pk}),
        (Item, {"kind__exact": "raw"}, set(Item.objects.filter(kind="raw").values_list("pk", flat=True))),
    ]
    for model, params, expected in cases:
        response = admin_client.get(changelist(model), params)
        assert response.status_code == 200
        assert {obj.pk for obj in response.context["cl"].result_list} == expected, (model, params)
    assert Event.objects.filter(verb="hold.placed").count() == 2
    assert Item.objects.filter(kind="raw").count() == 2


def test_change_views_open_read_only(admin_client, some_data):
    for obj in (some_data, some_data.holds.first(), some_data.operations.first(), Event.objects.first()):
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        response = admin_client.get(url)
        assert response.status_code == 200
        assert response.context["has_change_permission"] is False


def test_event_log_refuses_add_change_delete(admin_client, some_data):
    event = Event.objects.first()
    count = Event.objects.count()
    assert admin_client.get(reverse("admin:events_event_add")).status_code == 403
    change = reverse("admin:events_event_change", args=[event.pk])
    assert admin_client.post(change, {"verb": "tampered", "reason": "x"}).status_code == 403
    assert admin_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    response = admin_client.post(changelist(Event), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"})
    assert response.status_code == 200  # the action is not offered: the list comes back, nothing deleted
    assert Event.objects.count() == count
    event.refresh_from_db()
    assert event.verb != "tampered"


def test_work_order_cannot_be_added_or_edited_in_admin(admin_client, some_data):
    some_data.refresh_from_db()
    before = (some_data.status, some_data.priority, some_data.version)
    assert admin_client.get(reverse("admin:workorders_workorder_add")).status_code == 403
    url = reverse("admin:workorders_workorder_change", args=[some_data.pk])
    assert admin_client.post(url, {"priority": 1, "status": "closed"}).status_code == 403
    some_data.refresh_from_db()
    assert (some_data.status, some_data.priority, some_data.version) == before


def test_release_action_calls_the_service_and_records_the_event(admin_client, superuser, shifts):
    item = make_routed_item()
    drafts = [make_work_order(item=item) for _ in range(2)]
    running = make_work_order(item=item, status="in_progress")
    response = admin_client.post(
        changelist(WorkOrder),
        {"action": "release_selected", "_selected_action": [wo.pk for wo in [*drafts, running]]},
        follow=True,
    )
    assert response.status_code == 200
    for wo in drafts:
        wo.refresh_from_db()
        assert wo.status == "released"
        event = Event.objects.get(work_order=wo, verb="work_order.released")
        assert event.actor == superuser
    running.refresh_from_db()
    assert running.status == "in_progress"
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Released" in text and running.number in text and "only possible from draft" in text


def test_transition_actions_hidden_without_permission(client, make_user, shifts):
    viewer = make_user("viewer", is_staff=True)
    client.force_login(viewer)
    response = client.get(changelist(WorkOrder))
    # A viewer may read the list but gets no state-changing actions.
    assert response.status_code == 200
    actions = response.context["action_form"].fields["action"].choices if response.context.get("action_form") else []
    assert not any(name == "release_selected" for name, _ in actions)


def test_item_edit_in_admin_goes_through_the_service(admin_client, superuser, shifts):
    item = make_routed_item()
    url = reverse("admin:materials_item_change", args=[item.pk])
    data = {
        "sku": item.sku,
        "name": "Renamed in admin",
        "kind": item.kind,
        "uom": item.uom,
        "lead_time_days": 3,
        "safety_stock": "0",
        "is_active": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "Renamed in admin"
    event = Event.objects.filter(verb="item.updated", object_id=str(item.pk)).get()
    assert event.actor == superuser
    assert event.changes["name"][1] == "Renamed in admin"


def test_master_data_created_in_admin_records_an_event(admin_client, superuser):
    response = admin_client.post(
        reverse("admin:plant_department_add"), {"code": "PAINT", "name": "Paint shop", "is_active": "on"}
    )
    assert response.status_code == 302
    dept = Department.objects.get(code="PAINT")
    assert Event.objects.filter(verb="department.created", object_id=str(dept.pk), actor=superuser).exists()
    response = admin_client.post(
        reverse("admin:plant_shift_add"),
        {"code": "BAD", "name": "Zero length", "start_time": "06:00", "end_time": "06:00", "is_active": "on"},
    )
    assert response.status_code == 200  # form redisplayed with the error, nothing written
    assert not Shift.objects.filter(code="BAD").exists()
    response = admin_client.post(
        reverse("admin:plant_shift_add"),
        {"code": "LATE", "name": "Late", "start_time": "22:00", "end_time": "06:00", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Shift.objects.get(code="LATE").start_time == dt.time(22)
    assert Event.objects.filter(verb="shift.created").count() == 1


def test_scrap_reasons_are_kept_in_admin_through_their_service(admin_client, superuser):
    from workorders.models import ScrapReason

    response = admin_client.post(
        reverse("admin:workorders_scrapreason_add"), {"code": "DENT", "name": "Dented", "is_active": "on"}
    )
    assert response.status_code == 302
    reason = ScrapReason.objects.get(code="DENT")
    assert Event.objects.filter(verb="scrap_reason.created", object_id=str(reason.pk), actor=superuser).exists()
    url = reverse("admin:workorders_scrapreason_change", args=[reason.pk])
    assert admin_client.post(url, {"code": "DENT", "name": "Dented in transport"}).status_code == 302
    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Dented in transport", False)
    assert Event.objects.get(verb="scrap_reason.updated").changes == {
        "is_active": [True, False],
        "name": ["Dented", "Dented in transport"],
    }
    response = admin_client.post(reverse("admin:workorders_scrapreason_add"), {"code": "dent", "name": "Twin"})
    assert response.status_code == 200  # the code is taken regardless of case: the form comes back
    assert ScrapReason.objects.count() == 1


def _plant(superuser, shifts, orders):
    """``orders`` released work orders, each with progress (with scrap, by three reasons; every other
    report reversed), a released hold and two schedule entries; three people at work centers of their own;
    downtime at three more."""
    from plant.services import user_work_centers_set
    from tests.factories import UserFactory, WorkCenterFactory

    user_work_centers_set(actor=None, rows=[{"user": UserFactory(), "work_center": WorkCenterFactory()} for _ in range(3)])
    from plant.models import DowntimeReason
    from plant.services import downtime_events_create

    stopped = timezone.now() - dt.timedelta(hours=2)
    downtime_events_create(
        actor=superuser,
        rows=[
            {
                "work_center": WorkCenterFactory(),
                "reason": reason,
                "started_at": stopped,
                "ended_at": stopped + dt.timedelta(minutes=20),
            }
            for reason in DowntimeReason.objects.all()[:3]
        ],
    )
    today = dt.date.today()
    reasons = [scrap_reason(code=f"R{n}", name=f"Reason {n}") for n in range(3)]
    for n in range(orders):
        item = make_routed_item()
        wo = services.work_order_create(actor=superuser, item=item, quantity=Decimal("10"), customer_ref=f"ref {n}")
        services.work_order_release(work_order=wo, actor=superuser)
        report = services.operation_report_progress(
            work_order=wo,
            actor=superuser,
            operation=10,
            quantity_good=Decimal("2"),
            quantity_scrap=Decimal("1"),
            scrap_reason=reasons[n % 3],
        )
        if n % 2:
            services.production_report_reverse(report=report, actor=superuser, reason="Keyed in twice.")
        hold = services.hold_place(work_order=wo, actor=superuser, kind="material", reason="check " * 30)
        services.hold_release(hold=hold, actor=superuser, release_note="fine")
        for op in wo.operations.select_related("work_center"):
            planning_services.schedule_entry_upsert(
                actor=superuser, date=today, shift=shifts[0], work_center=op.work_center, work_order=wo, planned_quantity=5
            )
    _stock(superuser, today)
    from planning.shortages import shortages_net

    shortages_net()  # each order's raw material is not in stock: a shortage each


def _stock(superuser, today):
    """Locations, lots with stock on hand, moves and expected receipts of three raw materials."""
    from materials import stock
    from tests.materials.stock_helpers import plant_locations, raw_item, receive

    locations = plant_locations()
    for n in range(3):
        item = raw_item(f"RAW-{n}")
        lot = stock.lot_create(actor=superuser, item=item, code=f"L-{n}")
        receive(item, locations["wh"], "10", lot=lot)
        receive(item, locations["quar"], "2")
        stock.expected_receipt_create(actor=superuser, item=item, quantity=Decimal("5"), due_date=today, reference=f"PO-{n}")
    from reports.services import attainment_snapshots_compute

    attainment_snapshots_compute(dates=[today], now=timezone.now() + dt.timedelta(days=2))  # as if the shift had ended
    from reports.services import morning_brief_generate

    for days in (1, 2, 3):  # three mornings' briefs
        morning_brief_generate(date=today - dt.timedelta(days=days), actor=superuser)


# Every changelist of ours, with rows on the page: session, user, counts, the page of rows with
# its joins, the filter sidebar and the date drill-down. None of it may grow with the rows.
CHANGELISTS = sorted(model._meta.label for model in admin.site._registry if model._meta.app_label in APPS)


@pytest.mark.parametrize("label", CHANGELISTS)
def test_changelist_query_count(admin_client, superuser, shifts, assert_query_baseline, label):
    from django.apps import apps

    model = apps.get_model(label)
    _plant(superuser, shifts, orders=8)
    for n in range(3):
        IdempotencyKey.objects.create(user=superuser, key=f"k{n}", method="POST", path="/api/v1/holds/", request_hash="h")
        sequence_next(name=f"sequence-{n}")
    outbox_enqueue(messages=[{"task": PURGE_TASK, "dedupe_key": f"purge-{n}"} for n in range(3)])
    _floor(superuser)
    services.saved_views_create(actor=superuser, rows=[{"name": f"view {n}", "query": "group=department"} for n in range(3)])
    rows = model.objects.count()
    assert rows >= 3, label
    with assert_query_baseline(f"admin: {label} changelist"):
        response = admin_client.get(changelist(model))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(rows, response.context["cl"].list_per_page)


PURGE_TASK = "prodcoord.core.tasks.idempotency_keys_purge_task"


def _floor(superuser):
    """Three operators with badges, and three wall displays (one revoked)."""
    from plant.models import Department
    from plant.services import wall_display_revoke, wall_displays_create
    from prodcoord.core.badges import operator_badges_set
    from tests.factories import UserFactory

    operator_badges_set(
        actor=superuser, rows=[{"user": UserFactory(role="operator"), "badge": f"B{n}", "pin": "2468"} for n in range(3)]
    )
    department = Department.objects.first()
    displays = wall_displays_create(actor=superuser, rows=[{"department": department, "name": f"Wall {n}"} for n in range(3)])
    wall_display_revoke(actor=superuser, display=displays[0])


def test_a_failed_outbox_message_can_be_retried_and_nothing_else_changed(admin_client, django_capture_on_commit_callbacks):
    failed, done = outbox_enqueue(messages=[{"task": PURGE_TASK}, {"task": PURGE_TASK, "args": []}])
    OutboxMessage.objects.filter(pk=failed).update(state="failed", attempts=10, last_error="RuntimeError: SMTP down")
    OutboxMessage.objects.filter(pk=done).update(state="done", attempts=1)
    response = admin_client.get(changelist(OutboxMessage), {"state__exact": "failed"})
    assert [obj.pk for obj in response.context["cl"].result_list] == [failed]
    assert "RuntimeError: SMTP down" in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            changelist(OutboxMessage), {"action": "retry_selected", "_selected_action": [failed, done]}, follow=True
        )
    assert "1 message(s) pending again" in response.content.decode()
    states = dict(OutboxMessage.objects.values_list("pk", "state"))
    assert states == {failed: "done", done: "done"}  # retried, and ran in process (no broker) after the commit
    assert OutboxMessage.objects.get(pk=failed).attempts == 1

    url = reverse("admin:outbox_outboxmessage_change", args=[failed])
    assert admin_client.post(url, {"state": "pending"}).status_code == 403
    assert admin_client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403


def test_changelist_quantities_are_written_like_the_pages(admin_client, some_data):
    html = admin_client.get(changelist(WorkOrder), {"o": "3"}).content.decode()
    assert '<td class="field-quantity">10</td>' in html
    assert '<td class="field-quantity_completed">0</td>' in html
    assert ".000<" not in html
