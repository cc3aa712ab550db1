"""Work orders created in the browser by planners and coordinators, with the routing and BOM
revisions that will be pinned shown before saving; drafts edited the same way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from prodcoord.core.roles import ROLES as ALL_ROLES
from prodcoord.events.models import Event
from tests.factories import ItemFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import Routing, WorkOrder

pytestmark = pytest.mark.django_db

# The site's pages: operators reach floor mode only (tests/workorders/test_views_floor.py).
ROLES = tuple(role for role in ALL_ROLES if role != "operator")

NEW = reverse("work-order-create")
OPTIONS = reverse("work-order-item-options")
PINNED = reverse("work-order-pinned-preview")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_role(client, make_user):
    def _as(role):
        user = make_user(role)
        client.force_login(user)
        client.user = user
        return client

    return _as


@pytest.fixture
def item(db):
    item = make_routed_item(sku="SHAFT-20", work_centers=[WorkCenterFactory(code="SAW-01"), WorkCenterFactory(code="CNC-01")])
    item.name = "Drive shaft Ø20"
    item.save()
    return item


def edit_url(wo):
    return reverse("work-order-edit", args=[wo.number])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_planners_and_coordinators_create_others_may_not(as_role, item, role):
    client = as_role(role)
    allowed = role in ("planner", "coordinator")
    for url in (NEW, f"{OPTIONS}?item=SH", f"{PINNED}?item=SHAFT-20"):
        assert client.get(url).status_code == (200 if allowed else 403)
    response = client.post(NEW, {"item": "SHAFT-20", "quantity": "5", "priority": "3"})
    assert response.status_code == (302 if allowed else 403)
    assert WorkOrder.objects.count() == (1 if allowed else 0)


def test_the_form_needs_a_login(client):
    response = client.get(NEW)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- creating ----------------------------------------------------------------------------------


def test_a_planner_creates_a_draft_with_everything_the_form_holds(as_role, item):
    client = as_role("planner")
    response = client.post(
        NEW,
        {
            "item": "shaft-20",  # SKUs are one regardless of case
            "quantity": "40",
            "due_date": "2026-12-18",
            "priority": "2",
            "customer_ref": " ACME PO 4711 ",
            "planned_start": "2026-12-14T06:00",
            "planned_end": "2026-12-15T14:00",
        },
    )
    wo = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("work-order-detail", args=[wo.number])
    assert (wo.item, wo.quantity, wo.priority, wo.customer_ref) == (item, Decimal("40"), 2, "ACME PO 4711")
    assert wo.status == WorkOrder.Status.DRAFT
    assert wo.due_date == dt.date(2026, 12, 18)
    assert (wo.planned_start.hour, wo.planned_end.day) == (12, 15)  # 06:00 in Chicago is 12:00 UTC
    assert wo.routing.revision == "A" and wo.bom.revision == "A"
    assert Event.objects.filter(work_order=wo, verb="work_order.created", actor=client.user).exists()
    followed = client.get(response["Location"])
    assert messages_of(followed) == [f"{wo.number} created as a draft, with routing rev A and BOM rev A."]


def test_a_coordinator_creates_one_too_and_no_bom_is_said(as_role):
    client = as_role("coordinator")
    make_routed_item(sku="PLAIN-1", with_bom=False)
    response = client.post(NEW, {"item": "PLAIN-1", "quantity": "2", "priority": "3"}, follow=True)
    wo = WorkOrder.objects.get()
    assert messages_of(response) == [f"{wo.number} created as a draft, with routing rev A and no BOM."]


@pytest.mark.parametrize(
    ("posted", "field", "message"),
    [
        ({"item": ""}, "item", "Choose the item to make."),
        ({"item": "NOPE-1"}, "item", "No item NOPE-1. Type part of its SKU or name and pick it from the list."),
        ({"item": "NOPE\x00"}, "item", "Null characters are not allowed."),
        ({"quantity": ""}, "quantity", "How many to make?"),
        ({"quantity": "lots"}, "quantity", "Enter a number, like 12 or 2.5."),
        ({"quantity": "0"}, "quantity", "Must be greater than zero."),  # the service's rule
        ({"quantity": "-3"}, "quantity", "Must be greater than zero."),
        ({"priority": "9"}, "priority", "Select a valid choice. 9 is not one of the available choices."),
        ({"due_date": "31/12/2026"}, "due_date", "Enter a valid date."),
        (
            {"planned_start": "2026-12-15T06:00", "planned_end": "2026-12-14T06:00"},
            "planned_end",
            "Must not be before planned start.",
        ),
        ({"customer_ref": "x" * 61}, "customer_ref", "Ensure this value has at most 60 characters (it has 61)."),
    ],
)
def test_bad_input_is_a_field_error_and_creates_nothing(as_role, item, posted, field, message):
    data = {"item": "SHAFT-20", "quantity": "5", "priority": "3", **posted}
    response = as_role("planner").post(NEW, data)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not WorkOrder.objects.exists()
    assert messages_of(response) == ["Not created: check the form below."]


def test_an_item_that_cannot_be_made_says_why_on_the_item(as_role, shifts):
    ItemFactory(sku="NO-ROUTE-1")
    inactive = make_routed_item(sku="OLD-2")
    inactive.is_active = False
    inactive.save()
    client = as_role("planner")
    response = client.post(NEW, {"item": "NO-ROUTE-1", "quantity": "5", "priority": "3"})
    assert response.context["form"].errors["item"] == [
        "NO-ROUTE-1 has no released routing; release one before creating work orders."
    ]
    response = client.post(NEW, {"item": "OLD-2", "quantity": "5", "priority": "3"})
    assert response.context["form"].errors["item"] == ["OLD-2 is inactive."]


# --- the item picker and what will be pinned --------------------------------------------------


def test_the_item_list_suggests_makeable_items_by_sku_or_name(as_role, item):
    make_routed_item(sku="SHAFT-25")
    ItemFactory(sku="SHAFT-RAW")  # no released routing: cannot be made
    retired = make_routed_item(sku="SHAFT-OLD")
    retired.is_active = False
    retired.save()
    client = as_role("planner")
    html = client.get(OPTIONS, {"item": "shaft"}).content.decode()
    assert html.count("<option") == 2
    assert '<option value="SHAFT-20">Drive shaft Ø20</option>' in html
    assert 'value="SHAFT-25"' in html
    assert 'value="SHAFT-20"' in client.get(OPTIONS, {"item": "drive"}).content.decode()
    assert client.get(OPTIONS, {"item": "\x00"}).status_code == 200


def test_the_item_list_is_limited(as_role, shifts):
    centers = [WorkCenterFactory()]
    for n in range(25):
        make_routed_item(sku=f"PART-{n:02d}", work_centers=centers, with_bom=False)
    html = as_role("planner").get(OPTIONS, {"item": "part"}).content.decode()
    assert html.count("<option") == 20


def test_the_preview_shows_the_routing_and_bom_revisions_that_will_be_pinned(as_role, item):
    response = as_role("planner").get(PINNED, {"item": "shaft-20"}, **HTMX)
    html = response.content.decode()
    assert "Routing rev A" in html and "BOM rev A" in html
    assert "SAW-01" in html and "CNC-01" in html
    routing = Routing.objects.get(item=item)
    assert [step.sequence for step in response.context["routing"].steps.all()] == [10, 20]
    assert response.context["routing"] == routing
    # the form shows the same once an item is given, even when something else is wrong
    response = as_role("planner").post(NEW, {"item": "SHAFT-20", "quantity": "0", "priority": "3"})
    assert "Routing rev A" in response.content.decode()


def test_the_preview_says_what_is_missing(as_role, shifts):
    ItemFactory(sku="NO-ROUTE-1")
    client = as_role("planner")
    assert "has no released routing" in client.get(PINNED, {"item": "NO-ROUTE-1"}).content.decode()
    assert "No item NOPE." in client.get(PINNED, {"item": "NOPE"}).content.decode()
    assert "Choose an item" in client.get(PINNED).content.decode()


# --- editing a draft -----------------------------------------------------------------------------


def test_the_detail_page_offers_the_edit_to_those_who_may_on_a_draft(as_role, item):
    draft = make_work_order(item=item)
    released = make_work_order(item=item, status="released")
    client = as_role("planner")
    assert f'href="{edit_url(draft)}"' in client.get(reverse("work-order-detail", args=[draft.number])).content.decode()
    assert "Edit draft" not in client.get(reverse("work-order-detail", args=[released.number])).content.decode()
    viewer = as_role("viewer")
    assert "Edit draft" not in viewer.get(reverse("work-order-detail", args=[draft.number])).content.decode()


def test_a_planner_edits_a_draft(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"))
    client = as_role("planner")
    response = client.post(
        edit_url(wo),
        {
            "version": wo.version,
            "quantity": "12",
            "customer_ref": "ACME-9",
            "priority": "1",
            "due_date": "2026-12-24",
            "planned_start": "",
            "planned_end": "",
            "reason": "Customer pulled it in",
        },
    )
    assert response.status_code == 302
    wo.refresh_from_db()
    assert (wo.quantity, wo.customer_ref, wo.priority, wo.due_date) == (Decimal("12"), "ACME-9", 1, dt.date(2026, 12, 24))
    verbs = list(Event.objects.filter(work_order=wo).order_by("id").values_list("verb", "reason"))[-3:]
    assert verbs == [
        ("work_order.priority_changed", "Customer pulled it in"),
        ("work_order.rescheduled", "Customer pulled it in"),
        ("work_order.updated", "Customer pulled it in"),
    ]


def test_a_coordinator_edits_a_drafts_quantity(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"))
    client = as_role("coordinator")
    form = client.get(edit_url(wo)).context["form"]
    assert not form.fields["quantity"].disabled
    data = {"version": wo.version, "quantity": "11", "customer_ref": "", "priority": "3"}
    assert client.post(edit_url(wo), data).status_code == 302
    wo.refresh_from_db()
    assert wo.quantity == Decimal("11")


def test_a_supervisor_changes_only_what_their_role_may(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"), customer_ref="KEEP")
    client = as_role("supervisor")
    form = client.get(edit_url(wo)).context["form"]
    assert {name for name, field in form.fields.items() if field.disabled} == {
        "quantity",
        "customer_ref",
        "due_date",
        "planned_start",
        "planned_end",
    }
    data = {"version": wo.version, "quantity": "99", "customer_ref": "CHANGED", "priority": "2", "reason": "Rush"}
    assert client.post(edit_url(wo), data).status_code == 302
    wo.refresh_from_db()
    assert (wo.quantity, wo.customer_ref, wo.priority) == (Decimal("10"), "KEEP", 2)  # disabled fields ignore what was sent


@pytest.mark.parametrize("role", ["viewer"])
def test_roles_that_change_nothing_cannot_open_the_edit(as_role, item, role):
    wo = make_work_order(item=item)
    client = as_role(role)
    assert client.get(edit_url(wo)).status_code == 403
    assert client.post(edit_url(wo), {"version": wo.version, "quantity": "3"}).status_code == 403


def test_a_priority_or_plan_change_needs_a_reason(as_role, item):
    wo = make_work_order(item=item)
    data = {"version": wo.version, "quantity": "100", "customer_ref": "", "priority": "1", "reason": ""}
    response = as_role("planner").post(edit_url(wo), data)
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why: a reason is required to change the priority."]
    wo.refresh_from_db()
    assert wo.priority == 3


def test_nothing_changed_says_so(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"))
    data = {"version": wo.version, "quantity": "10.000", "customer_ref": "", "priority": "3"}
    response = as_role("planner").post(edit_url(wo), data, follow=True)
    assert messages_of(response) == [f"Nothing changed on {wo.number}."]
    wo.refresh_from_db()
    assert wo.version == 1


def test_a_stale_edit_is_refused_says_what_changed_and_keeps_what_was_typed(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"))
    client = as_role("planner")
    services.work_order_update(work_order=wo, actor=None, customer_ref="FIRST")
    response = client.post(edit_url(wo), {"version": 1, "quantity": "20", "customer_ref": "SECOND", "priority": "3"})
    assert response.status_code == 409
    assert messages_of(response)[0].startswith(
        f"Not saved. {wo.number} was changed meanwhile: the system changed customer ref — → FIRST at "
    )
    form = response.context["form"]
    assert (form["quantity"].value(), form["customer_ref"].value()) == ("20", "SECOND")
    assert int(form["version"].value()) == 2  # sending it again is a decision made on the latest
    assert "changed customer ref" in " ".join(form.non_field_errors())
    wo.refresh_from_db()
    assert (wo.quantity, wo.customer_ref) == (Decimal("10"), "FIRST")


def test_an_edit_of_other_fields_is_not_refused_by_a_change_meanwhile(as_role, item):
    wo = make_work_order(item=item, quantity=Decimal("10"))
    services.work_order_update(work_order=wo, actor=None, customer_ref="FIRST")
    data = {"version": 1, "quantity": "20", "customer_ref": "FIRST", "priority": "3"}
    assert as_role("planner").post(edit_url(wo), data).status_code == 302
    wo.refresh_from_db()
    assert (wo.quantity, wo.customer_ref) == (Decimal("20"), "FIRST")


def test_only_a_draft_is_edited_here(as_role, item):
    wo = make_work_order(item=item, status="released")
    response = as_role("planner").get(edit_url(wo), follow=True)
    assert response.redirect_chain[-1][0] == reverse("work-order-detail", args=[wo.number])
    assert messages_of(response) == [
        f"{wo.number} is released: only a draft is edited here. Change its priority or plan on its page."
    ]
    assert as_role("planner").get(reverse("work-order-edit", args=["WO-NOPE"])).status_code == 404


def test_an_out_of_date_form_says_reload(as_role, item):
    wo = make_work_order(item=item)
    response = as_role("planner").post(edit_url(wo), {"quantity": "5", "priority": "3"})
    assert response.status_code == 400
    assert messages_of(response) == ["This form is out of date. Reload the page and try again."]
