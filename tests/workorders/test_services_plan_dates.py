"""Plan dates fall in a sane window around today (PLAN_DATES_YEARS_BACK / _AHEAD), and a plan
that ends after the due date is flagged (``plan_late``)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prodcoord.core.plant_time import plant_today, plant_tz
from tests.factories import make_routed_item, make_work_order
from workorders import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _at(day, hour=12):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=plant_tz())


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("due_date", dt.date(1900, 1, 1)),
        ("due_date", dt.date(9999, 12, 31)),
        ("planned_start", dt.datetime(1926, 5, 1, 8, tzinfo=dt.UTC)),
        ("planned_end", dt.datetime(9999, 1, 1, 8, tzinfo=dt.UTC)),
    ],
)
def test_a_date_far_outside_the_window_is_refused_on_create_and_change(field, value):
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=make_routed_item(), quantity=5, **{field: value})
    assert field in exc.value.message_dict
    assert not WorkOrder.objects.exists()
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        services.work_order_update(work_order=wo, actor=None, reason="typo", **{field: value})
    assert field in exc.value.message_dict
    assert getattr(WorkOrder.objects.get(pk=wo.pk), field) is None


def test_the_window_is_configurable(settings):
    today = plant_today()
    settings.PLAN_DATES_YEARS_AHEAD = 1
    settings.PLAN_DATES_YEARS_BACK = 0
    item = make_routed_item()
    services.work_order_create(actor=None, item=item, quantity=5, due_date=today + dt.timedelta(days=300))
    with pytest.raises(ValidationError) as exc:
        services.work_order_create(actor=None, item=item, quantity=5, due_date=today + dt.timedelta(days=400))
    assert exc.value.message_dict["due_date"] == [
        f"Must fall between {today:%Y-%m-%d} and {today.replace(year=today.year + 1):%Y-%m-%d}."
    ]
    with pytest.raises(ValidationError):
        services.work_order_create(actor=None, item=item, quantity=5, due_date=today - dt.timedelta(days=1))


def test_a_stored_date_outside_the_window_does_not_block_other_changes(settings):
    wo = make_work_order(status="released", due_date=plant_today() + dt.timedelta(days=700))
    settings.PLAN_DATES_YEARS_AHEAD = 1
    services.work_order_change_priority(work_order=wo, actor=None, priority=1, reason="rush")
    assert WorkOrder.objects.get(pk=wo.pk).priority == 1


def test_a_plan_ending_after_the_due_date_is_flagged():
    today = plant_today()
    due = today + dt.timedelta(days=5)
    wo = make_work_order(
        status="released", due_date=due, planned_start=_at(today + dt.timedelta(days=1)), planned_end=_at(due, 23)
    )
    assert wo.plan_late is False  # ending on the due date is on time
    services.work_order_reschedule(work_order=wo, actor=None, planned_end=_at(due + dt.timedelta(days=1), 0), reason="slip")
    assert WorkOrder.objects.get(pk=wo.pk).plan_late is True
    services.work_order_reschedule(work_order=wo, actor=None, due_date=due + dt.timedelta(days=2), reason="agreed")
    assert WorkOrder.objects.get(pk=wo.pk).plan_late is False


def test_the_flag_is_set_at_creation_and_cleared_when_the_order_is_no_longer_open():
    today = plant_today()
    wo = make_work_order(status="released", due_date=today + dt.timedelta(days=2), planned_end=_at(today + dt.timedelta(days=4)))
    assert wo.plan_late is True
    assert WorkOrder.objects.filter(plan_late=True).count() == 1
    services.work_order_cancel(work_order=wo, actor=None, reason="not needed")
    assert WorkOrder.objects.get(pk=wo.pk).plan_late is False


def test_the_flag_reads_the_planned_end_on_the_plant_calendar():
    """05:00 UTC on the day after the due date is still the due date in Chicago."""
    today = plant_today()
    due = today + dt.timedelta(days=3)
    end = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(3), tzinfo=dt.UTC)
    assert timezone.localtime(end, plant_tz()).date() == due
    wo = make_work_order(status="draft", due_date=due, planned_end=end)
    assert wo.plan_late is False
