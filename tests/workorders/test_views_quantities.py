"""The work order's page: the progress form's scrap reason and confirmation step, the production
reports and their Reverse action — the services' rules, shown where a person acts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from prodcoord.core.roles import ROLES as ALL_ROLES
from tests.factories import make_work_order, scrap_reason
from workorders import services
from workorders.models import ProductionReport, ScrapReason, WorkOrder

pytestmark = pytest.mark.django_db

# The site's pages: operators reach floor mode only (tests/workorders/test_views_floor.py).
ROLES = tuple(role for role in ALL_ROLES if role != "operator")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_role(client, make_user):
    def _login(role):
        user = make_user(role, username=f"{role}-1", first_name=role.title(), last_name="Person")
        client.force_login(user)
        client.user = user
        return client

    return _login


def detail(wo):
    return reverse("work-order-detail", args=[wo.number])


def progress_url(wo):
    return reverse("work-order-progress", args=[wo.number])


def reverse_url(wo, report):
    return reverse("work-order-report-reverse", args=[wo.number, report.pk])


def fresh(wo):
    return WorkOrder.objects.get(pk=wo.pk)


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def report(wo, op=10, good=0, scrap=0, **kwargs):
    if scrap and "scrap_reason" not in kwargs:
        kwargs["scrap_reason"] = scrap_reason()
    return services.operation_report_progress(
        work_order=wo, actor=None, operation=op, quantity_good=good, quantity_scrap=scrap, **kwargs
    )


# --- the progress form ------------------------------------------------------------------------------


def test_the_progress_form_offers_the_active_scrap_reasons(as_role, shifts):
    burr = scrap_reason(code="BURR", name="Burr on edge")
    retired = scrap_reason(code="OLD", name="Retired reason")
    ScrapReason.objects.filter(pk=retired.pk).update(is_active=False)
    wo = make_work_order(status="released")
    response = as_role("coordinator").get(detail(wo))
    form = response.context["progress_form"]
    assert [str(label) for _value, label in form.fields["scrap_reason"].choices] == [
        "— with scrap: why? —",
        "BURR · Burr on edge",
    ]
    html = response.content.decode()
    assert f'<option value="{burr.pk}">BURR · Burr on edge</option>' in html
    assert "Retired reason" not in html


def test_scrap_without_a_reason_comes_back_with_the_typed_values(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("20"))
    client = as_role("coordinator")
    data = {"version": wo.version, "operation": "10", "quantity_good": "12", "quantity_scrap": "2", "note": "tool wear"}
    response = client.post(progress_url(wo), data, **HTMX)
    assert response.status_code == 400
    form = response.context["progress_form"]
    assert form.errors["scrap_reason"] == ["Say why they were scrapped: choose a scrap reason."]
    html = response.content.decode()
    assert 'value="12"' in html and 'value="2"' in html and 'value="tool wear"' in html
    assert "Say why they were scrapped" in html
    assert not ProductionReport.objects.exists()


def test_a_fraction_of_a_piece_is_a_field_error(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("20"))
    response = as_role("coordinator").post(
        progress_url(wo), {"version": wo.version, "operation": "10", "quantity_good": "2.5"}, **HTMX
    )
    assert response.status_code == 400
    assert response.context["progress_form"].errors["quantity_good"] == [
        "Counted in whole pieces (ea): enter a whole number, not 2.5."
    ]


def test_a_report_of_more_than_was_left_asks_for_confirmation(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    report(wo, good=8)
    wo = fresh(wo)
    burr = scrap_reason()
    client = as_role("coordinator")
    data = {"version": wo.version, "operation": "10", "quantity_good": "2", "quantity_scrap": "1", "scrap_reason": burr.pk}

    response = client.post(progress_url(wo), data, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This reports 3 processed at operation 10 (2 good, 1 scrap), but only 2 were left to make there." in html
    assert '<input type="checkbox" name="confirm" value="3" id="id_progress_confirm">' in html
    assert "Yes, report 3 at operation 10" in html
    assert fresh(wo).version == wo.version  # nothing written yet

    # The numbers changed since the warning: the confirmation does not cover them.
    response = client.post(progress_url(wo), {**data, "quantity_scrap": "2", "confirm": "3"}, **HTMX)
    assert response.status_code == 400
    assert "This reports 4 processed" in response.content.decode()

    response = client.post(progress_url(wo), {**data, "confirm": "3"}, **HTMX)
    assert response.status_code == 200
    assert "2 good and 1 scrap (BURR) reported on operation 10" in response.content.decode()
    op = fresh(wo).operations.get(sequence=10)
    assert (op.quantity_good, op.quantity_scrap) == (10, 1)


def test_no_confirmation_within_what_is_left(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    response = as_role("coordinator").post(
        progress_url(wo), {"version": wo.version, "operation": "10", "quantity_good": "10"}, **HTMX
    )
    assert response.status_code == 200
    assert "confirm-box" not in response.content.decode()


# --- production reports and their Reverse action ------------------------------------------------------


def test_the_page_lists_the_reports_with_reason_and_reversal(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("20"))
    first = report(wo, good=5, scrap=1, scrap_reason=scrap_reason(code="WELD", name="Weld defect"), note="first bin")
    twice = report(wo, good=5)
    reversal = services.production_report_reverse(report=twice, actor=None, reason="Keyed in twice")
    response = as_role("viewer").get(detail(wo))
    reports = response.context["reports"]
    assert [r.pk for r in reports] == [reversal.pk, twice.pk, first.pk]
    html = response.content.decode()
    assert "WELD · Weld defect" in html and "“first bin”" in html
    assert f"Reverses report #{twice.pk}: “Keyed in twice”" in html
    assert f"Reversed by report #{reversal.pk}" in html
    assert "Reverse…" not in html  # a viewer reverses nothing
    history = response.context["history"]
    assert history[0]["label"] == "Report reversed" and history[0]["reason"] == "Keyed in twice"


EXPECTED = {
    "viewer": False,
    "supervisor": True,
    "coordinator": True,
    "planner": False,
    "quality": False,
    "materials_handler": False,
}


@pytest.mark.parametrize("role", ROLES)
def test_only_supervisors_and_coordinators_see_and_use_reverse(as_role, shifts, role):
    assert set(EXPECTED) == set(ROLES)
    wo = make_work_order(status="in_progress")
    original = report(wo, good=2)
    client = as_role(role)
    page = client.get(detail(wo))
    assert (page.context["reports"][0].reverse_form is not None) is EXPECTED[role]
    response = client.post(reverse_url(wo, original), {"version": fresh(wo).version, "reason": "twice"})
    assert response.status_code == (302 if EXPECTED[role] else 403)
    assert ProductionReport.objects.filter(reverses=original).exists() is EXPECTED[role]


def test_no_reverse_for_a_reversal_a_reversed_report_or_a_closed_order(as_role, shifts):
    client = as_role("supervisor")
    wo = make_work_order(status="in_progress", quantity=Decimal("3"))
    a = report(wo, op=10, good=3)
    b = report(wo, op=20, good=1)
    reversal = services.production_report_reverse(report=b, actor=None, reason="twice")
    forms = {r.pk: r.reverse_form for r in client.get(detail(wo)).context["reports"]}
    assert forms[a.pk] is not None
    assert forms[b.pk] is None and forms[reversal.pk] is None
    report(wo, op=20, good=3)
    services.work_order_complete(work_order=wo, actor=None)
    assert client.get(detail(wo)).context["reports"][0].reverse_form is not None  # completed: still correctable
    services.work_order_close(work_order=wo, actor=None)
    assert all(r.reverse_form is None for r in client.get(detail(wo)).context["reports"])


def test_a_supervisor_reverses_a_report_and_the_page_follows(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    original = report(wo, good=4, scrap=1)
    client = as_role("supervisor")
    wo = fresh(wo)
    response = client.post(reverse_url(wo, original), {"version": wo.version, "reason": "Wrong order"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Report {original.pk} reversed: 4 good and 1 scrap taken off operation 10." in html
    assert response.context["history"][0]["label"] == "Report reversed"
    assert response.context["wo"].quantity_scrapped == 0
    op = response.context["operations"][0]
    assert (op.quantity_good, op.quantity_scrap, op.status) == (0, 0, "pending")
    reversal = ProductionReport.objects.get(reverses=original)
    assert (reversal.reported_by, reversal.note) == (client.user, "Wrong order")


def test_a_reverse_without_a_reason_comes_back_open_with_the_error(as_role, shifts):
    wo = make_work_order(status="in_progress")
    original = report(wo, good=2)
    client = as_role("coordinator")
    response = client.post(reverse_url(wo, original), {"version": fresh(wo).version, "reason": " "}, **HTMX)
    assert response.status_code == 400
    form = next(r.reverse_form for r in response.context["reports"] if r.pk == original.pk)
    assert form.is_bound and form.errors["reason"] == ["Say why: a reason is required to reverse a report."]
    html = response.content.decode()
    assert '<details class="report__reverse no-print" open>' in html
    assert "Not saved: check the report to reverse below." in messages_of(response)
    assert not ProductionReport.objects.filter(reverses=original).exists()


def test_a_refused_reverse_is_a_409_with_the_reason(as_role, shifts):
    wo = make_work_order(status="in_progress", quantity=Decimal("10"))
    original = report(wo, op=10, good=5)
    report(wo, op=20, good=5)
    response = as_role("coordinator").post(reverse_url(wo, original), {"version": fresh(wo).version, "reason": "x"}, **HTMX)
    assert response.status_code == 409
    assert "Reverse operation 20&#x27;s reports first." in response.content.decode()


def test_a_report_of_another_order_is_a_404(as_role, shifts):
    wo = make_work_order(status="in_progress")
    other = make_work_order(status="in_progress")
    theirs = report(other, good=1)
    response = as_role("coordinator").post(reverse_url(wo, theirs), {"version": wo.version, "reason": "x"})
    assert response.status_code == 404
    assert not ProductionReport.objects.filter(reverses=theirs).exists()
