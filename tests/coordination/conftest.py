import datetime as dt

import pytest
from django.utils import timezone

from coordination.services import roster_entry_set
from plant.models import DowntimeEvent, DowntimeReason
from prodcoord.core.plant_time import plant_today
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order


@pytest.fixture
def form_dept(db):
    return DepartmentFactory(code="FORM", name="Forming")


@pytest.fixture
def press(form_dept):
    return WorkCenterFactory(code="PRESS-01", department=form_dept)


@pytest.fixture
def today():
    return plant_today()


@pytest.fixture
def on_roster():
    def _put(user, department, shift):
        return roster_entry_set(actor=None, user=user, department=department, shift=shift)

    return _put


@pytest.fixture
def held_order(press, make_user):
    """A released work order routed through PRESS-01, with an active quality hold on PRESS-01."""
    from workorders.services import hold_place

    item = make_routed_item(work_centers=[press])
    wo = make_work_order(item=item, status="released")
    hold = hold_place(actor=make_user("supervisor"), work_order=wo, kind="material", reason="Coil missing", work_center=press)
    return wo, hold


@pytest.fixture
def downtime(press):
    return DowntimeEvent.objects.create(
        work_center=press,
        reason=DowntimeReason.objects.get(code="BREAKDOWN"),
        started_at=timezone.now() - dt.timedelta(hours=1),
        ended_at=timezone.now() - dt.timedelta(minutes=20),
    )
