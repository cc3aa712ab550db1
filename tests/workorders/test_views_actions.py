"""Acting on a work order from its page: the forms a role sees, what a POST does,
and how refusals come back (field errors, conflicts, 403)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prodcoord.core.roles import ROLES as ALL_ROLES
from prodcoord.events.models import Event
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders import services
from workorders.models import Hold, WorkOrder

pytestmark = pytest.mark.django_db

# The site's pages: operators reach floor mode only (tests/workorders/test_views_floor.py).
ROLES = tuple(role for role in ALL_ROLES if role != "operator")

PLANT = ZoneInfo(settings.PLANT_TIME_ZONE)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", username="dana", first_name="Dana", last_name="Ortiz")


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    client.user = coordinator
    return client


def url(wo, action, *args):
    return reverse(f"work-order-{action}", args=[wo.number, *args])


def detail(wo):
    return reverse("work-order-detail", args=[wo.number])


def last_event(wo):
    return Event.objects.filter(work_order=wo).order_by("-at", "-id").first()


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def fresh(wo):
    return WorkOrder.objects.get(pk=wo.pk)


def refused(client, wo, action, data, *, form):
    """Post ``data`` with the order's version: the page must answer 400 and give ``form`` back bound."""
    response = client.post(url(wo, action), {"version": wo.version, **data})
    assert response.status_code == 400
    assert response.context[form].is_bound
    return response, response.context[form]


# --- transitions ---------------------------------------------------------------------


def test_release_from_the_page_redirects_with_a_message_and_records_who(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="draft")
    response = as_coordinator.post(url(wo, "release"), {"version": wo.version})
    assert response.status_code == 302 and response["Location"] == detail(wo)
    assert fresh(wo).status == "released"
    event = last_event(wo)
    assert event.verb == "work_order.released" and event.actor == coordinator
    page = as_coordinator.get(detail(wo))
    assert f"{wo.number} released." in messages_of(page)
    html = page.content.decode()
    assert "badge badge--released" in html
    assert page.context["history"][0]["label"] == "Released" and page.context["history"][0]["actor"] == coordinator


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [("released", "start", "in_progress"), ("completed", "close", "closed")],
)
def test_start_and_close(as_coordinator, shifts, status, action, target):
    wo = make_work_order(status=status)
    response = as_coordinator.post(url(wo, action), {"version": wo.version})
    assert response.status_code == 302
    assert fresh(wo).status == target


def test_complete_short_needs_a_reason_shown_next_to_the_field(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    page = as_coordinator.get(detail(wo)).content.decode()
    assert "Why complete short? (0 of 10 made)" in page

    response = as_coordinator.post(url(wo, "complete"), {"version": wo.version, "reason": "  "})
    assert response.status_code == 400
    form = next(t["form"] for t in response.context["transitions"] if t["action"] == "complete")
    assert "a reason is required to complete" in form.errors["reason"][0]
    assert fresh(wo).status == "in_progress"  # nothing written

    response = as_coordinator.post(url(wo, "complete"), {"version": wo.version, "reason": "Customer took 0 early"})
    assert response.status_code == 302
    assert fresh(wo).status == "completed"
    event = last_event(wo)
    assert (event.verb, event.reason, event.actor) == ("work_order.completed", "Customer took 0 early", coordinator)


def test_complete_in_full_asks_for_no_reason(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("5"))
    for seq in (10, 20):
        services.operation_report_progress(work_order=wo, actor=coordinator, operation=seq, quantity_good=Decimal("5"))
    wo = fresh(wo)
    assert "Why complete short" not in as_coordinator.get(detail(wo)).content.decode()
    assert as_coordinator.post(url(wo, "complete"), {"version": wo.version}).status_code == 302
    assert fresh(wo).status == "completed"


def test_cancel_requires_a_reason(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released")
    response = as_coordinator.post(url(wo, "cancel"), {"version": wo.version, "reason": ""})
    assert response.status_code == 400
    assert response.context["cancel"]["form"].errors["reason"]
    assert 'class="action-cancel" open' in response.content.decode()  # the cancel box stays open to show the error
    assert fresh(wo).status == "released"

    response = as_coordinator.post(url(wo, "cancel"), {"version": wo.version, "reason": "Customer withdrew the order"})
    assert response.status_code == 302
    assert fresh(wo).status == "cancelled"
    assert last_event(wo).reason == "Customer withdrew the order"


def test_only_legal_transitions_are_offered(as_coordinator, shifts):
    offered = {}
    for status in ("draft", "released", "in_progress", "completed", "closed", "cancelled"):
        response = as_coordinator.get(detail(make_work_order(status=status)))
        ctx = response.context
        offered[status] = [t["action"] for t in ctx["transitions"]] + (["cancel"] if ctx["cancel"] else [])
    assert offered == {
        "draft": ["release", "cancel"],
        "released": ["start", "cancel"],
        "in_progress": ["complete"],
        "completed": ["close"],
        "closed": [],
        "cancelled": [],
    }


def test_illegal_transition_is_refused_with_a_banner(as_coordinator, shifts):
    wo = make_work_order(status="draft")
    response = as_coordinator.post(url(wo, "close"), {"version": wo.version})
    assert response.status_code == 409
    assert any("Cannot close" in m and "it is draft" in m for m in messages_of(response))
    assert 'class="message message--error"' in response.content.decode()
    assert fresh(wo).status == "draft"


def test_held_order_shows_blocked_buttons_and_cannot_start(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released")
    services.hold_place(work_order=wo, actor=coordinator, kind="material", reason="Steel late")
    wo = fresh(wo)
    html = as_coordinator.get(detail(wo)).content.decode()
    assert "On hold: release the hold before you start it." in html
    response = as_coordinator.post(url(wo, "start"), {"version": wo.version}, follow=True)
    assert any("on hold" in m for m in messages_of(response))
    assert fresh(wo).status == "released"


def test_missing_version_is_a_form_error_not_a_crash(as_coordinator, shifts):
    wo = make_work_order(status="draft")
    response = as_coordinator.post(url(wo, "release"), {})
    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    assert fresh(wo).status == "draft"


def test_get_on_an_action_url_is_not_allowed_and_unknown_orders_404(as_coordinator, shifts):
    wo = make_work_order(status="draft")
    assert as_coordinator.get(url(wo, "release")).status_code == 405
    assert as_coordinator.post(reverse("work-order-release", args=["WO-NOPE"]), {"version": 1}).status_code == 404


# --- stale version: two browsers -------------------------------------------------------


def test_second_browser_with_a_stale_version_is_refused(coordinator, make_user, shifts):
    wo = make_work_order(status="released")
    first, second = Client(), Client()
    first.force_login(coordinator)
    second.force_login(make_user("coordinator"))
    seen_version = second.get(detail(wo)).context["wo"].version  # both open the page

    assert first.post(url(wo, "priority"), {"version": seen_version, "priority": 1, "reason": "Expedite"}).status_code == 302
    response = second.post(url(wo, "priority"), {"version": seen_version, "priority": 4, "reason": "Can wait"})
    assert response.status_code == 409
    text = " ".join(messages_of(response))
    at = timezone.localtime(Event.objects.get(work_order=wo, verb="work_order.priority_changed").at)
    assert f"Dana Ortiz changed priority 3 → 1 at {at:%H:%M}" in text
    assert fresh(wo).priority == 1  # the first change stands
    form = response.context["priority_form"]
    # what the person typed is kept, with the version the page now shows, and the form says why
    assert (form["priority"].value(), form["reason"].value()) == ("4", "Can wait")
    assert int(form["version"].value()) == fresh(wo).version
    assert "Dana Ortiz changed priority 3 → 1" in " ".join(form.non_field_errors())


# Each action from a page read before the order was released (its version then): the additions
# (progress, a hold) and a change of fields the release did not touch go through; a move of its
# status does not.
@pytest.mark.parametrize(("action", "outcome"), [("progress", 200), ("hold-place", 200), ("reschedule", 200), ("start", 409)])
def test_every_action_checks_the_fields_it_changes(as_coordinator, shifts, action, outcome):
    wo = make_work_order(status="released", planned_start=dt.datetime(2026, 3, 2, 6, tzinfo=PLANT))
    stale = wo.version - 1  # before the release
    data = {
        "progress": {"operation": 10, "quantity_good": "1"},
        "hold-place": {"kind": "quality", "reason": "check"},
        "reschedule": {"planned_start": "2026-03-03T06:00", "reason": "slip"},
        "start": {},
    }[action]
    response = as_coordinator.post(url(wo, action), {"version": stale, **data}, **HTMX)
    assert response.status_code == outcome
    if outcome == 409:
        assert "changed status Draft → Released" in response.content.decode()
        assert fresh(wo).version == wo.version
    else:
        assert fresh(wo).version > wo.version


def test_a_refused_form_keeps_what_was_typed(as_coordinator, coordinator, make_user, shifts):
    """Progress on a held order (409), a stale reschedule (409) and a release without a note (400):
    each form comes back with the values the person typed."""
    wo = make_work_order(status="released", quantity=Decimal("20"))
    services.hold_place(work_order=wo, actor=coordinator, kind="material", reason="Steel late")
    wo = fresh(wo)
    response = as_coordinator.post(
        url(wo, "progress"), {"version": wo.version, "operation": 10, "quantity_good": "7", "note": "end of run"}
    )
    assert response.status_code == 409
    form = response.context["progress_form"]
    assert (form["quantity_good"].value(), form["note"].value()) == ("7", "end of run")

    read = wo.version
    services.work_order_reschedule(
        work_order=wo, actor=make_user("planner"), due_date=timezone.localdate() + dt.timedelta(days=9), reason="x"
    )
    typed = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = as_coordinator.post(url(wo, "reschedule"), {"version": read, "due_date": typed, "reason": "customer call"})
    assert response.status_code == 409
    form = response.context["reschedule_form"]
    assert (form["due_date"].value(), form["reason"].value()) == (typed, "customer call")
    assert "changed due date" in " ".join(form.non_field_errors())

    hold = Hold.objects.get(work_order=wo)
    response = as_coordinator.post(url(wo, "hold-release", hold.pk), {"version": fresh(wo).version, "release_note": ""})
    assert response.status_code == 400


# --- progress ----------------------------------------------------------------------------


def test_report_progress_defaults_to_the_current_operation_and_updates_the_numbers(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released", quantity=Decimal("20"))
    page = as_coordinator.get(detail(wo))
    form = page.context["progress_form"]
    assert form["operation"].value() == 10
    assert 'inputmode="decimal"' in page.content.decode()

    burr = scrap_reason()
    response = as_coordinator.post(
        url(wo, "progress"),
        {
            "version": wo.version,
            "operation": "10",
            "quantity_good": "12",
            "quantity_scrap": "2",
            "scrap_reason": burr.pk,
            "note": "Tool change",
        },
        follow=True,
    )
    assert "12 good and 2 scrap (BURR) reported on operation 10" in " ".join(messages_of(response))
    wo = fresh(wo)
    assert wo.status == "in_progress"  # the first report starts a released order
    op = wo.operations.get(sequence=10)
    assert (op.quantity_good, op.quantity_scrap) == (Decimal("12"), Decimal("2"))
    assert wo.quantity_scrapped == Decimal("2")
    assert op.reports.get().scrap_reason == burr
    event = last_event(wo)
    assert (event.verb, event.actor, event.reason) == ("work_order.progress_reported", coordinator, "Tool change")
    assert response.context["history"][0]["label"] == "Progress reported"


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"quantity_good": "-3"}, "quantity_good", "Cannot be negative"),
        ({"quantity_scrap": "-1"}, "quantity_scrap", "Cannot be negative"),
        ({"quantity_good": "abc"}, "quantity_good", "Enter a number"),
        ({}, "quantity_good", "greater than zero"),
        ({"operation": "99", "quantity_good": "1"}, "operation", "no operation 99"),
        ({"operation": "20", "quantity_good": "5"}, "quantity_good", "has passed on only"),
    ],
)
def test_bad_progress_input_is_a_field_error(as_coordinator, shifts, data, field, text):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    response, form = refused(as_coordinator, wo, "progress", {"operation": "10", **data}, form="progress_form")
    assert text in " ".join(form.errors[field])
    assert text in response.content.decode()
    assert "Not saved: check Report progress below." in messages_of(response)
    assert fresh(wo).version == wo.version  # nothing written


def test_progress_on_a_held_order_is_refused_and_the_form_is_replaced_by_a_note(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="in_progress")
    services.hold_place(work_order=wo, actor=coordinator, kind="quality", reason="Porosity")
    wo = fresh(wo)
    assert "progress can be reported again once the hold is released" in as_coordinator.get(detail(wo)).content.decode()
    response = as_coordinator.post(url(wo, "progress"), {"version": wo.version, "operation": 10, "quantity_good": "1"}, **HTMX)
    assert response.status_code == 409
    assert "Cannot report progress" in response.content.decode() and "on hold" in response.content.decode()
    assert fresh(wo).quantity_completed == 0


# --- holds -------------------------------------------------------------------------------


def test_place_and_release_a_hold(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="in_progress")
    response = as_coordinator.post(
        url(wo, "hold-place"), {"version": wo.version, "kind": "equipment", "reason": "Press leaking oil"}, follow=True
    )
    assert f"{wo.number} is on hold (equipment)." in messages_of(response)
    html = response.content.decode()
    assert "badge badge--hold" in html and "Press leaking oil" in html
    hold = Hold.objects.get(work_order=wo)
    assert (hold.kind, hold.placed_by) == ("equipment", coordinator)
    assert last_event(wo).verb == "hold.placed" and last_event(wo).reason == "Press leaking oil"

    wo = fresh(wo)
    response = as_coordinator.post(
        url(wo, "hold-release", hold.pk), {"version": wo.version, "release_note": "Seal replaced"}, follow=True
    )
    assert f"Equipment hold on {wo.number} released." in messages_of(response)
    hold.refresh_from_db()
    assert hold.released_by == coordinator and hold.release_note == "Seal replaced"
    assert fresh(wo).active_hold_count == 0
    assert last_event(wo).verb == "hold.released" and last_event(wo).actor == coordinator


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "", "reason": "x"}, "kind"),
        ({"kind": "gremlins", "reason": "x"}, "kind"),
        ({"kind": "quality", "reason": " "}, "reason"),
    ],
)
def test_bad_hold_input(as_coordinator, shifts, data, field):
    wo = make_work_order(status="released")
    _response, form = refused(as_coordinator, wo, "hold-place", data, form="hold_form")
    assert form.errors[field]
    assert not Hold.objects.filter(work_order=wo).exists()


def test_release_note_is_required_and_the_hold_must_belong_to_the_order(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released")
    other = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=coordinator, kind="engineering", reason="check")
    wo = fresh(wo)
    response = as_coordinator.post(url(wo, "hold-release", hold.pk), {"version": wo.version, "release_note": ""})
    assert response.status_code == 400
    assert response.context["active_holds"][0].release_form.errors["release_note"]
    assert (
        as_coordinator.post(url(other, "hold-release", hold.pk), {"version": other.version, "release_note": "x"}).status_code
        == 404
    )
    assert Hold.objects.get(pk=hold.pk).is_active


def test_releasing_an_already_released_hold_is_a_conflict(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=coordinator, kind="equipment", reason="check")
    services.hold_release(hold=hold, actor=coordinator, release_note="done")
    wo = fresh(wo)
    response = as_coordinator.post(url(wo, "hold-release", hold.pk), {"version": wo.version, "release_note": "again"}, **HTMX)
    assert response.status_code == 409
    assert "already released" in response.content.decode()


# --- priority and reschedule ----------------------------------------------------------------


def test_change_priority(as_coordinator, coordinator, shifts):
    wo = make_work_order(status="released", priority=3)
    response = as_coordinator.post(
        url(wo, "priority"), {"version": wo.version, "priority": "1", "reason": "Line down at customer"}
    )
    assert response.status_code == 302
    assert fresh(wo).priority == 1
    event = last_event(wo)
    assert (event.verb, event.reason, event.actor) == ("work_order.priority_changed", "Line down at customer", coordinator)
    assert event.changes == {"priority": [3, 1]}


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"priority": "1", "reason": ""}, "a reason is required"),
        ({"priority": "9", "reason": "x"}, "Select a valid choice"),
        ({"priority": "3", "reason": "x"}, "already priority 3"),
    ],
)
def test_bad_priority_input(as_coordinator, shifts, data, text):
    wo = make_work_order(status="released", priority=3)
    _response, form = refused(as_coordinator, wo, "priority", data, form="priority_form")
    assert text in " ".join(form.errors.get("priority", []) + form.errors.get("reason", []))
    assert fresh(wo).priority == 3 and fresh(wo).version == wo.version


def test_reschedule_reads_times_on_the_plant_clock(as_coordinator, coordinator, shifts):
    start = dt.datetime(2026, 3, 2, 6, 0, tzinfo=PLANT)
    wo = make_work_order(
        status="released", planned_start=start, planned_end=start + dt.timedelta(hours=8), due_date=dt.date(2026, 3, 6)
    )
    page = as_coordinator.get(detail(wo)).content.decode()
    assert 'value="2026-03-02T06:00"' in page  # shown in plant time

    response = as_coordinator.post(
        url(wo, "reschedule"),
        {
            "version": wo.version,
            "planned_start": "2026-03-03T22:00",
            "planned_end": "2026-03-04T06:00",
            "due_date": "2026-03-06",  # unchanged: not part of the change
            "reason": "Material arrives Tuesday",
        },
    )
    assert response.status_code == 302
    wo = fresh(wo)
    assert wo.planned_start == dt.datetime(2026, 3, 3, 22, 0, tzinfo=PLANT)
    assert wo.planned_end == dt.datetime(2026, 3, 4, 6, 0, tzinfo=PLANT)
    event = last_event(wo)
    assert event.verb == "work_order.rescheduled" and event.reason == "Material arrives Tuesday" and event.actor == coordinator
    assert set(event.changes) == {"planned_start", "planned_end"}


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"planned_start": "2026-03-02T06:00", "reason": "x"}, "planned_start", "Give a new planned start"),
        ({"planned_start": "2026-03-02T08:00", "reason": ""}, "reason", "a reason is required"),
        ({"planned_end": "2026-03-01T06:00", "reason": "x"}, "planned_end", "Must not be before planned start"),
        ({"planned_start": "yesterday", "reason": "x"}, "planned_start", "Enter a valid date/time"),
        ({"planned_end": "9999-12-31T23:59", "reason": "x"}, "planned_end", "Enter a date and time the plan can hold"),
    ],
)
def test_bad_reschedule_input(as_coordinator, shifts, data, field, text):
    start = dt.datetime(2026, 3, 2, 6, 0, tzinfo=PLANT)
    wo = make_work_order(status="released", planned_start=start, planned_end=start + dt.timedelta(hours=8))
    base = {"planned_start": "2026-03-02T06:00", "planned_end": "2026-03-02T14:00", "due_date": ""}
    _response, form = refused(as_coordinator, wo, "reschedule", {**base, **data}, form="reschedule_form")
    assert text in " ".join(form.errors[field])
    assert fresh(wo).version == wo.version


# --- htmx -----------------------------------------------------------------------------------


def test_htmx_post_returns_the_refreshed_fragment_with_the_message(as_coordinator, shifts):
    wo = make_work_order(status="draft")
    response = as_coordinator.post(url(wo, "release"), {"version": wo.version}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("{#") is False and 'id="work-order"' in html
    assert "<html" not in html and "site-header" not in html  # a fragment, not the page
    assert f"{wo.number} released." in html and "badge badge--released" in html
    assert response["HX-Reswap"].startswith("outerHTML")
    assert f'name="version" value="{fresh(wo).version}"' in html  # the next action carries the new version


def test_htmx_field_error_returns_the_fragment_with_the_error(as_coordinator, shifts):
    wo = make_work_order(status="in_progress")
    response = as_coordinator.post(url(wo, "progress"), {"version": wo.version, "operation": 10, "quantity_good": "-1"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html and "Cannot be negative" in html and 'value="-1"' in html


def test_forms_carry_csrf_and_the_page_sends_the_token_to_htmx(as_coordinator, shifts):
    wo = make_work_order(status="released")
    html = as_coordinator.get(detail(wo)).content.decode()
    assert "hx-headers" in html and "X-CSRFToken" in html
    assert html.count('name="csrfmiddlewaretoken"') >= 5  # logout + start, progress, hold, priority, reschedule, cancel


def test_post_without_csrf_token_is_refused(coordinator, shifts):
    wo = make_work_order(status="draft")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    assert client.post(url(wo, "release"), {"version": wo.version}).status_code == 403
    assert fresh(wo).status == "draft"


# --- permissions ------------------------------------------------------------------------------

# What each role may do on a released work order (the page shows exactly these forms).
# "release": release and cancel (planning decisions); "floor": start, complete, close.
EXPECTED = {
    "viewer": set(),
    "supervisor": {"hold_place", "hold_release", "priority"},
    "coordinator": {"release", "floor", "progress", "hold_place", "hold_release", "priority", "reschedule"},
    "planner": {"release", "priority", "reschedule"},
    "quality": {"hold_place"},  # releases quality holds only (below: the page's matrix of kind × role)
    "materials_handler": set(),
}


def _visible(context):
    shown = set()
    actions = {t["action"] for t in context["transitions"]} | ({"cancel"} if context["cancel"] else set())
    if actions & {"release", "cancel"}:
        shown.add("release")
    if actions & {"start", "complete", "close"}:
        shown.add("floor")
    for key, name in (
        ("progress_form", "progress"),
        ("hold_form", "hold_place"),
        ("priority_form", "priority"),
        ("reschedule_form", "reschedule"),
    ):
        if context[key]:
            shown.add(name)
    if any(h.release_form for h in context["active_holds"]):
        shown.add("hold_release")
    return shown


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_only_the_forms_it_may_use(client, make_user, coordinator, shifts, role):
    assert set(EXPECTED) == set(ROLES)
    wo = make_work_order(status="released")
    other = make_work_order(status="released")
    services.hold_place(work_order=other, actor=coordinator, kind="material", reason="check")
    client.force_login(make_user(role))
    shown = _visible(client.get(detail(wo)).context) | ({"hold_release"} & _visible(client.get(detail(other)).context))
    assert shown == EXPECTED[role]
    html = client.get(detail(wo)).content.decode()
    assert ('id="actions"' in html) == bool(EXPECTED[role] - {"hold_release"})


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_post_only_what_it_is_allowed(client, make_user, coordinator, shifts, role):
    user = make_user(role)
    client.force_login(user)
    allowed = EXPECTED[role]
    attempts = {
        "floor": lambda wo: client.post(url(wo, "start"), {"version": wo.version}),
        "release": lambda wo: client.post(url(wo, "cancel"), {"version": wo.version, "reason": "customer cancelled"}),
        "progress": lambda wo: client.post(url(wo, "progress"), {"version": wo.version, "operation": 10, "quantity_good": "1"}),
        "hold_place": lambda wo: client.post(url(wo, "hold-place"), {"version": wo.version, "kind": "quality", "reason": "x"}),
        "priority": lambda wo: client.post(url(wo, "priority"), {"version": wo.version, "priority": 1, "reason": "x"}),
        "reschedule": lambda wo: client.post(
            url(wo, "reschedule"), {"version": wo.version, "due_date": "2030-01-01", "reason": "x"}
        ),
    }
    for name, attempt in attempts.items():
        wo = make_work_order(status="released", priority=3)
        response = attempt(wo)
        if name in allowed:
            assert response.status_code == 302, (role, name)
            assert fresh(wo).version > wo.version
        else:
            assert response.status_code == 403, (role, name)
            assert fresh(wo).version == wo.version
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=coordinator, kind="material", reason="check")
    wo = fresh(wo)
    response = client.post(url(wo, "hold-release", hold.pk), {"version": wo.version, "release_note": "ok"})
    assert response.status_code == (302 if "hold_release" in allowed else 403)


# Who may release each kind, written out (the one map is workorders/permissions.py).
RELEASERS = {
    "quality": {"supervisor", "quality"},
    "material": {"supervisor", "coordinator"},
    "engineering": {"supervisor", "coordinator"},
    "equipment": {"supervisor", "coordinator"},
    "customer": {"supervisor", "coordinator"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(RELEASERS))
def test_the_release_form_is_shown_to_and_used_by_who_may_release_the_kind(client, make_user, coordinator, shifts, kind, role):
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=coordinator, kind=kind, reason="check")
    wo = fresh(wo)
    client.force_login(make_user(role))
    page = client.get(detail(wo))
    (shown,) = page.context["active_holds"]
    allowed = role in RELEASERS[kind]
    assert bool(shown.release_form) is allowed
    assert (url(wo, "hold-release", hold.pk) in page.content.decode()) is allowed
    if allowed:
        assert ("disposition" in shown.release_form.fields) is (kind == "quality")
    body = {"version": wo.version, "release_note": "cleared", **({"disposition": "scrap"} if kind == "quality" else {})}
    response = client.post(url(wo, "hold-release", hold.pk), body)
    assert response.status_code == (302 if allowed else 403)
    hold.refresh_from_db()
    assert hold.is_active is not allowed
    if allowed:
        assert hold.disposition == ("scrap" if kind == "quality" else "")


def test_a_quality_release_without_a_disposition_comes_back_with_the_note_kept(client, make_user, coordinator, shifts):
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=coordinator, kind="quality", reason="Bore oversize")
    client.force_login(make_user("quality"))
    response = client.post(url(wo, "hold-release", hold.pk), {"version": fresh(wo).version, "release_note": "MRB met"})
    assert response.status_code == 400
    form = response.context["active_holds"][0].release_form
    assert form.errors["disposition"]
    assert form["release_note"].value() == "MRB met"
    assert Hold.objects.get(pk=hold.pk).is_active


def test_the_page_shows_what_a_hold_concerns_and_a_quality_user_may_place_only_quality_holds(
    client, make_user, coordinator, shifts
):
    press, saw = WorkCenterFactory(code="PRESS-01"), WorkCenterFactory(code="SAW-01")
    wo = make_work_order(status="released", item=make_routed_item(work_centers=[saw, press]))
    as_coord = Client()
    as_coord.force_login(coordinator)
    response = as_coord.post(
        url(wo, "hold-place"),
        {"version": wo.version, "kind": "equipment", "operation": "20", "work_center": "", "reason": "Brake down"},
    )
    assert response.status_code == 302
    hold = Hold.objects.get(work_order=wo)
    assert (hold.operation.sequence, hold.work_center.code) == (20, "PRESS-01")
    html = as_coord.get(detail(wo)).content.decode()
    assert "at operation 20 · PRESS-01" in html and "Holds the whole order." in html
    response = as_coord.post(
        url(wo, "hold-place"),
        {"version": fresh(wo).version, "kind": "equipment", "operation": "10", "work_center": "PRESS-01", "reason": "x"},
    )
    assert response.status_code == 400
    assert response.context["hold_form"].errors["work_center"]
    assert response.context["hold_form"]["reason"].value() == "x"

    client.force_login(make_user("quality"))
    form = client.get(detail(wo)).context["hold_form"]
    assert [value for value, _ in form.fields["kind"].choices] == ["", "quality"]
    response = client.post(url(wo, "hold-place"), {"version": fresh(wo).version, "kind": "equipment", "reason": "x"})
    assert response.status_code == 400 and response.context["hold_form"].errors["kind"]
    assert Hold.objects.filter(work_order=wo).count() == 1


def test_anonymous_post_goes_to_login(client, shifts):
    wo = make_work_order(status="draft")
    response = client.post(url(wo, "release"), {"version": wo.version})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert fresh(wo).status == "draft"


def test_htmx_post_after_the_session_expired_sends_the_browser_to_log_in(client, shifts):
    wo = make_work_order(status="draft")
    response = client.post(
        url(wo, "release"), {"version": wo.version}, HTTP_HX_CURRENT_URL=f"http://testserver{detail(wo)}", **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={detail(wo)}"  # back to the page, not the action URL
    assert fresh(wo).status == "draft"


def test_closed_order_offers_no_actions(as_coordinator, shifts):
    wo = make_work_order(status="closed")
    html = as_coordinator.get(detail(wo)).content.decode()
    assert 'id="actions"' not in html


# --- the page stays cheap ------------------------------------------------------------------------


def test_detail_query_count_with_every_form(as_coordinator, coordinator, shifts, assert_query_baseline):
    item = make_routed_item()
    wo = make_work_order(item=item, status="released", quantity=Decimal("50"))
    for _ in range(6):
        services.operation_report_progress(work_order=wo, actor=coordinator, operation=10, quantity_good=Decimal("2"))
    for n, kind in enumerate(("material", "equipment", "customer")):
        services.hold_place(work_order=wo, actor=coordinator, kind=kind, reason=f"check {n}", operation=10 if n else None)
    with assert_query_baseline("page: work order detail with every form"):
        response = as_coordinator.get(detail(wo))
    ctx = response.context
    assert len(ctx["active_holds"]) == 3 and all(h.release_form for h in ctx["active_holds"])
    assert ctx["progress_form"] and ctx["priority_form"] and ctx["reschedule_form"] and ctx["hold_form"]
