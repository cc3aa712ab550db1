"""Shift handovers on hand-built data: a night shift 22:00–06:00, the carry-over of open items into the
next handover, and who may submit and acknowledge (the roster)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from coordination.models import HandoverItem, ShiftHandover
from coordination.selectors import pending_handover_for
from coordination.services import (
    action_item_close,
    action_item_create,
    next_shift_slot,
    shift_handover_acknowledge,
    shift_handover_open,
    shift_handover_refresh,
    shift_handover_submit,
    shift_handover_update,
)
from planning.models import ScheduleEntry
from plant.models import DowntimeEvent, DowntimeReason
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.plant_time import plant_datetime
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders.models import Hold, ProductionReport

pytestmark = pytest.mark.django_db

API = "/api/v1/shift-handovers/"


@pytest.fixture
def night(shifts):
    return next(s for s in shifts if s.code == "NIGHT")


@pytest.fixture
def day_shift(shifts):
    return next(s for s in shifts if s.code == "DAY")


@pytest.fixture
def shift_date(today):
    return today - dt.timedelta(days=2)


def at(day, hour, minute=0):
    return plant_datetime(day, dt.time(hour, minute))


@pytest.fixture
def crew(make_user, on_roster, form_dept, night, day_shift):
    """The outgoing (night) and incoming (day) coordinators of FORM, and people who are not them."""
    people = {
        "outgoing": make_user("coordinator", username="nina"),
        "incoming": make_user("coordinator", username="dave"),
        "other_dept": make_user("coordinator", username="otto"),
        "day_supervisor": make_user("supervisor", username="sue"),
    }
    on_roster(people["outgoing"], form_dept, night)
    on_roster(people["incoming"], form_dept, day_shift)
    on_roster(people["other_dept"], DepartmentFactory(code="WELD"), day_shift)
    on_roster(people["day_supervisor"], form_dept, day_shift)
    return people


def test_the_next_shift_after_a_night_is_the_next_mornings_day_shift(night, day_shift, shift_date):
    assert next_shift_slot(night, shift_date) == (day_shift, shift_date + dt.timedelta(days=1))


def test_a_night_shift_is_compiled_from_its_own_window(crew, press, form_dept, night, day_shift, shift_date):
    d, d1 = shift_date, shift_date + dt.timedelta(days=1)
    press2 = WorkCenterFactory(code="PRESS-02", department=form_dept)
    elsewhere = WorkCenterFactory(code="WELD-01", department=DepartmentFactory(code="WELD"))
    wo = make_work_order(item=make_routed_item(work_centers=[press, press2]), status="released")
    op10, op20 = wo.operations.order_by("sequence")
    ScheduleEntry.objects.create(date=d, shift=night, work_center=press, work_order=wo, planned_quantity=Decimal(100))
    ScheduleEntry.objects.create(date=d, shift=night, work_center=press2, work_order=wo, planned_quantity=Decimal(50))
    ScheduleEntry.objects.create(date=d, shift=day_shift, work_center=press, work_order=wo, planned_quantity=Decimal(999))

    burr = scrap_reason()

    def report(op, wc, good, scrap, when, shift=night, shift_day=d):
        ProductionReport.objects.create(
            scrap_reason=burr if scrap else None,
            operation=op,
            work_order=wo,
            work_center=wc,
            quantity_good=Decimal(good),
            quantity_scrap=Decimal(scrap),
            reported_at=when,
            shift=shift,
            shift_date=shift_day,
        )

    report(op10, press, 80, 2, at(d, 23, 30))
    report(op10, press, 30, 0, at(d1, 1, 30))  # after midnight: still the night of d; over-produces PRESS-01
    report(op20, press2, 20, 1, at(d1, 5, 0))
    report(op10, press, 500, 0, at(d, 12, 0), shift=day_shift)  # the day shift: not this handover's

    reason = {code: DowntimeReason.objects.get(code=code) for code in ("BREAKDOWN", "OTHER")}
    DowntimeEvent.objects.create(work_center=press, reason=reason["BREAKDOWN"], started_at=at(d, 21, 30), ended_at=at(d, 22, 30))
    DowntimeEvent.objects.create(work_center=press2, reason=reason["OTHER"], started_at=at(d1, 3, 0), ended_at=at(d1, 3, 45))
    DowntimeEvent.objects.create(work_center=press, reason=reason["OTHER"], started_at=at(d1, 6, 30), ended_at=at(d1, 7, 0))
    DowntimeEvent.objects.create(work_center=elsewhere, reason=reason["OTHER"], started_at=at(d1, 2, 0), ended_at=at(d1, 3, 0))

    Hold.objects.create(work_order=wo, kind="quality", reason="Burr", work_center=press, placed_at=at(d1, 2, 0))
    Hold.objects.create(
        work_order=wo, kind="material", reason="Coil", work_center=press2, placed_at=at(d, 12, 0), released_at=at(d1, 4, 0)
    )
    Hold.objects.create(work_order=wo, kind="equipment", reason="Earlier", work_center=press, placed_at=at(d, 8, 0))

    handover = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=d, shift=night)
    f = handover.figures
    window = f["window"]
    assert dt.datetime.fromisoformat(window["start"]) == at(d, 22)
    assert dt.datetime.fromisoformat(window["end"]) == at(d1, 6)
    rows = {row["work_center"]: row for row in f["production"]}
    assert (rows["PRESS-01"]["planned"], rows["PRESS-01"]["good"], rows["PRESS-01"]["scrap"]) == ("100", "110", "2")
    assert rows["PRESS-01"]["attainment_pct"] == 100.0 and rows["PRESS-01"]["behind"] is False
    assert (rows["PRESS-02"]["good"], rows["PRESS-02"]["attainment_pct"], rows["PRESS-02"]["behind"]) == ("20", 40.0, True)
    # Capped: PRESS-01's extra 10 does not hide PRESS-02's miss: (100 + 20) / 150.
    assert f["totals"] == {"planned": "150", "good": "130", "scrap": "3", "attainment_pct": 80.0}
    # Downtime clipped to 22:00–06:00: 30 min of the breakdown, 45 unclassified; other departments' and later ones not.
    assert (f["downtime"]["minutes"], f["downtime"]["unclassified_minutes"]) == (75, 45)
    assert [(r["reason"], r["minutes"]) for r in f["downtime"]["by_reason"]] == [("OTHER", 45), ("BREAKDOWN", 30)]
    assert [h["reason"] for h in f["holds"]["opened"]] == ["Burr"]
    assert [h["reason"] for h in f["holds"]["released"]] == ["Coil"]
    assert f["holds"]["active"] == 2
    assert (handover.incoming_shift, handover.incoming_date) == (day_shift, d1)


def test_open_items_are_carried_into_the_next_handover_once_until_closed(crew, form_dept, night, day_shift, shift_date):
    d, d1 = shift_date, shift_date + dt.timedelta(days=1)
    owner = crew["day_supervisor"]
    due = d1 + dt.timedelta(days=5)
    a = action_item_create(actor=None, title="Re-shim the die", owner=owner, due_date=due, department=form_dept)
    b = action_item_create(actor=None, title="Count the coils", owner=crew["incoming"], due_date=due, department=form_dept)
    action_item_create(actor=None, title="Elsewhere", owner=owner, due_date=due, department=DepartmentFactory(code="PAINT"))

    first = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=d, shift=night)
    assert set(first.items.values_list("action_item__title", flat=True)) == {"Re-shim the die", "Count the coils"}
    shift_handover_update(actor=crew["outgoing"], handover=first, notes="Die is worn.", critical={a.pk: True})
    shift_handover_submit(actor=crew["outgoing"], handover=first)
    shift_handover_acknowledge(actor=crew["incoming"], handover=first)

    action_item_close(actor=crew["incoming"], action_item=b)
    c = action_item_create(actor=None, title="New on the day shift", owner=owner, due_date=due, department=form_dept)
    second = shift_handover_open(actor=crew["incoming"], department=form_dept, date=d1, shift=day_shift)
    shift_handover_refresh(handover=second)
    shift_handover_refresh(handover=second)
    lines = {line.action_item_id: line for line in HandoverItem.objects.filter(handover=second)}
    assert set(lines) == {a.pk, c.pk}  # b was closed: dropped; nothing twice however often it is refreshed
    assert lines[a.pk].carried_from.handover == first and lines[a.pk].is_critical is True
    assert lines[c.pk].carried_from is None and lines[c.pk].is_critical is False
    # The first handover is what was handed over: closing b did not change it.
    assert first.items.count() == 2


def test_only_the_rostered_outgoing_coordinator_submits(crew, form_dept, night, shift_date):
    handover = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date, shift=night)
    for who in ("incoming", "other_dept", "day_supervisor"):
        with pytest.raises(PermissionDenied):
            shift_handover_submit(actor=crew[who], handover=handover)
    submitted = shift_handover_submit(actor=crew["outgoing"], handover=handover)
    assert submitted.status == "submitted" and submitted.submitted_by == crew["outgoing"]
    with pytest.raises(ConflictError):
        shift_handover_submit(actor=crew["outgoing"], handover=handover)
    with pytest.raises(ConflictError):
        shift_handover_update(actor=crew["outgoing"], handover=handover, notes="too late")


def test_only_a_coordinator_of_the_incoming_shift_and_department_acknowledges(crew, form_dept, night, shift_date):
    handover = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date, shift=night)
    with pytest.raises(ConflictError):  # not submitted yet
        shift_handover_acknowledge(actor=crew["incoming"], handover=handover)
    shift_handover_submit(actor=crew["outgoing"], handover=handover)
    assert pending_handover_for(crew["incoming"]) == handover
    assert pending_handover_for(crew["day_supervisor"]) == handover  # the whole incoming shift sees it
    assert pending_handover_for(crew["outgoing"]) is None and pending_handover_for(crew["other_dept"]) is None
    for who in ("outgoing", "other_dept", "day_supervisor"):
        with pytest.raises(PermissionDenied):
            shift_handover_acknowledge(actor=crew[who], handover=handover)
    done = shift_handover_acknowledge(actor=crew["incoming"], handover=handover)
    assert done.status == "acknowledged" and done.acknowledged_by == crew["incoming"]
    assert pending_handover_for(crew["incoming"]) is None
    with pytest.raises(ConflictError):
        shift_handover_acknowledge(actor=crew["incoming"], handover=handover)


def test_a_shift_that_has_not_started_has_no_handover(crew, form_dept, night, today):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        shift_handover_open(actor=crew["outgoing"], department=form_dept, date=today + dt.timedelta(days=1), shift=night)
    assert "date" in exc.value.message_dict


# --- the API ----------------------------------------------------------------------------------------


def test_api_create_mark_submit_acknowledge(api_as, crew, form_dept, night, shift_date):
    item = action_item_create(
        actor=None,
        title="Re-shim the die",
        owner=crew["incoming"],
        due_date=shift_date + dt.timedelta(days=9),
        department=form_dept,
    )
    outgoing, incoming = api_as(user=crew["outgoing"]), api_as(user=crew["incoming"])
    body = {"date": shift_date.isoformat(), "shift": "NIGHT", "department": "FORM", "notes": "Die worn"}
    created = outgoing.post(API, body, format="json")
    assert created.status_code == 201, created.data
    h = created.data
    assert (h["status"], h["incoming_shift"], h["notes"]) == ("draft", "DAY", "Die worn")
    assert [(i["title"], i["owner"], i["is_critical"]) for i in h["open_items"]] == [("Re-shim the die", "dave", False)]
    assert "unclassified_minutes" in h["figures"]["downtime"]
    assert outgoing.post(API, body, format="json").status_code == 409  # one per department, date and shift
    marked = outgoing.patch(f"{API}{h['id']}/", {"open_items": [{"action_item": item.pk, "is_critical": True}]}, format="json")
    assert marked.status_code == 200 and marked.data["open_items"][0]["is_critical"] is True
    unknown = outgoing.patch(f"{API}{h['id']}/", {"open_items": [{"action_item": 999999, "is_critical": True}]}, format="json")
    assert unknown.status_code == 400
    assert incoming.post(f"{API}{h['id']}/acknowledge/").status_code == 409  # not submitted
    assert incoming.post(f"{API}{h['id']}/submit/", {}, format="json").status_code == 403
    submitted = outgoing.post(f"{API}{h['id']}/submit/", {}, format="json")
    assert submitted.status_code == 200 and submitted.data["status"] == "submitted"
    assert api_as(user=crew["other_dept"]).post(f"{API}{h['id']}/acknowledge/").status_code == 403
    assert api_as(user=crew["day_supervisor"]).post(f"{API}{h['id']}/acknowledge/").status_code == 403
    acked = incoming.post(f"{API}{h['id']}/acknowledge/")
    assert acked.status_code == 200 and acked.data["acknowledged_by"] == "dave"
    assert incoming.post(f"{API}{h['id']}/acknowledge/").status_code == 409
    assert outgoing.delete(f"{API}{h['id']}/").status_code == 409


def test_api_bad_input(api_as, crew, shift_date):
    client = api_as(user=crew["outgoing"])
    for body, field in (
        ({"date": "someday", "shift": "NIGHT", "department": "FORM"}, "date"),
        ({"date": shift_date.isoformat(), "shift": "NOPE", "department": "FORM"}, "shift"),
        ({"date": shift_date.isoformat(), "shift": "NIGHT", "department": "NOPE"}, "department"),
        ({"date": "2999-01-01", "shift": "NIGHT", "department": "FORM"}, "date"),
    ):
        response = client.post(API, body, format="json")
        assert response.status_code == 400 and field in response.data, (body, response.data)
    assert api_as("viewer").post(API, {"date": shift_date.isoformat(), "shift": "NIGHT", "department": "FORM"}).status_code == 403
    assert not ShiftHandover.objects.exists()


def test_api_list_query_count(api_as, crew, form_dept, night, day_shift, shift_date, assert_query_baseline):
    for n in range(3):
        action_item_create(actor=None, title=f"Item {n}", owner=crew["incoming"], due_date=shift_date + dt.timedelta(days=9))
    shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date, shift=night)
    shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date - dt.timedelta(days=1), shift=night)
    client = api_as("viewer")
    with assert_query_baseline("api: shift-handovers list"):
        response = client.get(API)
    assert response.data["count"] == 2 and len(response.data["results"][0]["open_items"]) == 3


# --- the pages ----------------------------------------------------------------------------------------


def url(day, shift="NIGHT"):
    return f"/handovers/FORM/{day.isoformat()}/{shift}/"


def test_compose_submit_and_acknowledge_on_the_page(client, crew, form_dept, shift_date):
    item = action_item_create(
        actor=None,
        title="Re-shim the die",
        owner=crew["incoming"],
        due_date=shift_date + dt.timedelta(days=9),
        department=form_dept,
    )
    client.force_login(crew["outgoing"])
    assert "Start the handover" in client.get(url(shift_date)).content.decode()
    assert client.post(url(shift_date), {"action": "start"}).status_code == 302
    handover = ShiftHandover.objects.get()
    response = client.post(
        url(shift_date),
        {"action": "submit", "notes": "Die worn", "version": handover.version, f"critical-{item.pk}": "on"},
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.status == "submitted" and handover.notes == "Die worn"
    assert handover.items.get().is_critical is True

    client.force_login(crew["incoming"])
    page = client.get("/actions/").content.decode()
    assert "Handover waiting for your shift" in page and url(shift_date) in page
    detail = client.get(url(shift_date)).content.decode()
    assert "Acknowledge the handover" in detail and "Critical" in detail
    client.post(url(shift_date), {"action": "acknowledge"})
    handover.refresh_from_db()
    assert handover.status == "acknowledged"
    assert "Handover waiting for your shift" not in client.get("/actions/").content.decode()


def test_the_wrong_person_is_told_why(client, crew, form_dept, night, shift_date):
    handover = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date, shift=night)
    shift_handover_submit(actor=crew["outgoing"], handover=handover)
    client.force_login(crew["other_dept"])
    response = client.post(url(shift_date), {"action": "acknowledge"}, follow=True)
    assert "incoming shift" in response.content.decode()
    handover.refresh_from_db()
    assert handover.status == "submitted"


def test_an_unknown_department_or_date_is_404(client, crew):
    client.force_login(crew["outgoing"])
    assert client.get("/handovers/NOPE/2026-01-01/NIGHT/").status_code == 404
    assert client.get("/handovers/FORM/not-a-date/NIGHT/").status_code == 404


def test_page_query_counts(client, crew, form_dept, night, shift_date, assert_query_baseline):
    for n in range(4):
        action_item_create(actor=None, title=f"Item {n}", owner=crew["incoming"], due_date=shift_date + dt.timedelta(days=9))
    for back in range(3):
        handover = shift_handover_open(
            actor=crew["outgoing"], department=form_dept, date=shift_date - dt.timedelta(days=back), shift=night
        )
    shift_handover_submit(actor=crew["outgoing"], handover=handover)
    client.force_login(crew["incoming"])
    with assert_query_baseline("page: handovers"):
        response = client.get("/handovers/")
    assert len(response.context["handovers"]) == 3
    with assert_query_baseline("page: handover, submitted"):
        response = client.get(url(handover.date))
    assert len(response.context["lines"]) == 4


def test_the_night_the_clocks_go_back_is_nine_hours_of_downtime(settings, press, form_dept, night):
    """America/Chicago, Sunday 2026-11-01 02:00 → 01:00: the night shift of Oct 31 lasts 9 hours, and a
    stop through all of it counts 540 minutes, not 480."""
    from coordination.selectors import handover_figures

    assert settings.PLANT_TIME_ZONE == "America/Chicago"
    day = dt.date(2026, 10, 31)
    DowntimeEvent.objects.create(
        work_center=press,
        reason=DowntimeReason.objects.get(code="OTHER"),
        started_at=at(day, 21),
        ended_at=at(day + dt.timedelta(days=1), 7),
    )
    figures = handover_figures(department=form_dept, date=day, shift=night, now=at(day + dt.timedelta(days=2), 0))
    assert figures["downtime"]["minutes"] == 540 and figures["downtime"]["unclassified_minutes"] == 540


def test_the_incoming_coordinators_are_told_at_once(crew, form_dept, night, shift_date, django_capture_on_commit_callbacks):
    from django.core import mail

    from prodcoord.notifications.models import Notification

    handover = shift_handover_open(actor=crew["outgoing"], department=form_dept, date=shift_date, shift=night)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        shift_handover_submit(actor=crew["outgoing"], handover=handover)
    # Dave coordinates FORM's day shift; Sue is on it but a supervisor; Otto is on WELD.
    assert list(Notification.objects.filter(verb="shift_handover.submitted").values_list("user__username", flat=True)) == ["dave"]
    assert [m.to for m in mail.outbox] == [[crew["incoming"].email]]
    assert "Handover waiting for you" in mail.outbox[0].subject
