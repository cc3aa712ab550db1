"""One presenter writes every event for people, by the type stored with each value — never guessing
a date or a quantity from a string."""

import datetime as dt
from decimal import Decimal

import pytest

from planning import services as planning_services
from prodcoord.events.models import Event
from prodcoord.events.presenters import change_rows, present, verb_label
from prodcoord.events.services import event_record
from tests.factories import make_work_order

pytestmark = pytest.mark.django_db


def test_each_value_is_written_by_its_stored_type(settings):
    settings.TIME_ZONE = "America/Chicago"
    wo = make_work_order()
    event = event_record(
        actor=None,
        verb="test.changed",
        subject=wo,
        changes={
            "quantity": [Decimal("40.000"), Decimal("42.500")],
            "due_date": [None, dt.date(2026, 12, 1)],
            "planned_start": [None, dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)],
            "status": ["draft", "in_progress"],
            "on_hold": [False, True],
            "priority": [3, 1],
            "lines": [None, ["2.5 × STEEL-3", "1 × BOLT-M8"]],
            "start_time": [dt.time(6), dt.time(5, 30)],
            # a string that merely looks like a number or a date stays as written
            "customer_ref": ["12.500", "2026-12-01"],
        },
    )
    rows = {row["field"]: (row["old"], row["new"]) for row in change_rows(Event.objects.get(pk=event.pk))}
    assert rows == {
        "quantity": ("40", "42.5"),
        "due date": (None, "Tue Dec 1, 2026"),
        "planned start": (None, "Tue Dec 1, 2026 06:00"),  # plant time
        "status": ("Draft", "In progress"),  # the field's labels
        "on hold": ("no", "yes"),
        "priority": (3, 1),
        "lines": (None, "2.5 × STEEL-3, 1 × BOLT-M8"),
        "start time": ("06:00", "05:30"),
        "customer ref": ("12.500", "2026-12-01"),
    }


def test_verbs_are_named_by_their_app_or_from_their_last_part():
    assert verb_label("hold.placed") == "Hold placed"  # registered by workorders
    assert verb_label("schedule.entry_removed") == "Removed from schedule"  # registered by planning
    assert verb_label("widget.fell_over") == "Fell over"


def test_subjects_are_described_by_the_app_that_owns_them(shifts):
    wo = make_work_order(status="released")
    work_center = wo.operations.order_by("sequence").first().work_center
    entry = planning_services.schedule_entry_upsert(
        actor=None, date=dt.date(2026, 11, 28), shift=shifts[0], work_center=work_center, work_order=wo, planned_quantity=5
    )
    rows = present(Event.objects.filter(work_order=wo).select_related("object_type", "actor").order_by("id"))
    scheduled = next(row for row in rows if row["verb"] == "schedule.entry_created")
    assert scheduled["label"] == "Scheduled"
    assert scheduled["subject"] == f"Sat Nov 28 · Day shift · {work_center.code}"
    assert all(row["subject"] is None for row in rows if row["verb"] != "schedule.entry_created")
    planning_services.schedule_entry_delete(actor=None, entry=entry)
    rows = present(Event.objects.filter(work_order=wo).select_related("object_type", "actor"))
    assert all(row["subject"] is None for row in rows)  # a removed entry is simply not described
