"""Scrap reasons: master data written through the shared record services."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from prodcoord.core.rows import RowsInvalid
from prodcoord.events.models import Event
from tests.factories import make_work_order, scrap_reason
from workorders import services
from workorders.models import ScrapReason

pytestmark = pytest.mark.django_db


def test_create_update_and_delete_record_events(make_user):
    planner = make_user("planner")
    reason = services.scrap_reason_create(actor=planner, code="DENT", name=" Dented in transport ")
    assert (reason.code, reason.name, reason.is_active) == ("DENT", "Dented in transport", True)
    services.scrap_reason_update(actor=planner, scrap_reason=reason, is_active=False)
    reason.refresh_from_db()
    assert reason.is_active is False
    services.scrap_reason_delete(actor=planner, scrap_reason=reason)
    assert not ScrapReason.objects.exists()
    verbs = list(Event.objects.order_by("id").values_list("verb", "actor"))
    assert verbs == [
        ("scrap_reason.created", planner.pk),
        ("scrap_reason.updated", planner.pk),
        ("scrap_reason.deleted", planner.pk),
    ]
    assert Event.objects.get(verb="scrap_reason.updated").changes == {"is_active": [True, False]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "", "name": "No code"}, "code"),
        ({"code": "BAD CODE", "name": "Space"}, "code"),
        ({"code": "a/b", "name": "Slash"}, "code"),
        ({"code": "X" * 21, "name": "Too long"}, "code"),
        ({"code": "OK", "name": ""}, "name"),
        ({"code": "OK", "name": "Fine", "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_field_error(data, field):
    with pytest.raises(ValidationError) as exc:
        services.scrap_reason_create(actor=None, **data)
    assert field in exc.value.message_dict
    assert not ScrapReason.objects.exists()


def test_codes_are_unique_regardless_of_case():
    scrap_reason(code="BURR")
    with pytest.raises(ValidationError) as exc:
        services.scrap_reason_create(actor=None, code="burr", name="Twin")
    assert "regardless of case" in exc.value.message_dict["code"][0]
    with pytest.raises(RowsInvalid) as exc:
        services.scrap_reasons_create(actor=None, rows=[{"code": "DENT", "name": "a"}, {"code": "dent", "name": "b"}])
    assert [(e.row, e.field) for e in exc.value.errors] == [(1, "code")]


def test_a_reason_that_reports_name_cannot_be_deleted(shifts):
    reason = scrap_reason()
    wo = make_work_order(status="in_progress")
    services.operation_report_progress(
        work_order=wo, actor=None, operation=10, quantity_good=1, quantity_scrap=1, scrap_reason=reason
    )
    events = Event.objects.count()
    with pytest.raises(ProtectedError):
        services.scrap_reason_delete(actor=None, scrap_reason=reason)
    assert ScrapReason.objects.filter(pk=reason.pk).exists()
    assert Event.objects.count() == events
