"""Holds that name what they concern (an operation, a work center), who may place and release
each kind (one map, ``workorders.permissions``), and the disposition of a quality hold."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from prodcoord.events.models import Event, EventScope
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import Hold, WorkOrder
from workorders.permissions import HOLD_RELEASE_PERMISSIONS, a_hold, may_release_hold

pytestmark = pytest.mark.django_db

KINDS = [k.value for k in Hold.Kind]
# Who may release each kind: written out here, so a change to the map is a decision this test sees.
RELEASE = {
    "quality": {"supervisor", "quality"},
    "material": {"supervisor", "coordinator"},
    "engineering": {"supervisor", "coordinator"},
    "equipment": {"supervisor", "coordinator"},
    "customer": {"supervisor", "coordinator"},
}
# Operators stop work with a hold of any kind, from floor mode.
PLACE = {
    "quality": {"operator", "supervisor", "coordinator", "quality"},
    **{kind: {"operator", "supervisor", "coordinator"} for kind in KINDS if kind != "quality"},
}
ROLES = ["viewer", "operator", "supervisor", "coordinator", "planner", "quality"]


@pytest.fixture
def press_order():
    press, saw = WorkCenterFactory(code="PRESS-01"), WorkCenterFactory(code="SAW-01")
    return make_work_order(status="released", item=make_routed_item(work_centers=[saw, press])), saw, press


# --- what a hold concerns ----------------------------------------------------------------


def test_a_hold_may_name_its_operation_and_brings_its_work_center(press_order):
    wo, saw, press = press_order
    hold = services.hold_place(work_order=wo, actor=None, kind="equipment", reason="press brake down", operation=20)
    hold.refresh_from_db()
    assert hold.operation.sequence == 20
    assert hold.work_center == press
    assert hold.concerns == "operation 20 · PRESS-01"
    assert WorkOrder.objects.get(pk=wo.pk).on_hold  # it holds the whole order all the same
    event = Event.objects.get(verb="hold.placed")
    assert event.changes["operation"] == [None, 20]
    assert event.changes["work_center"] == [None, "PRESS-01"]
    scoped = set(EventScope.objects.filter(event=event).values_list("work_center_id", flat=True))
    assert press.pk in scoped


def test_a_hold_may_name_a_work_center_alone(press_order):
    wo, saw, press = press_order
    hold = services.hold_place(work_order=wo, actor=None, kind="equipment", reason="saw blade", work_center=saw)
    assert hold.operation is None and hold.work_center == saw
    assert hold.concerns == "SAW-01"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"operation": 30}, "operation"),
        ({"operation": "x"}, "operation"),
        ({"work_center": "other"}, "work_center"),
        ({"operation": 10, "work_center": "press"}, "work_center"),
    ],
)
def test_what_a_hold_concerns_must_belong_to_the_order(press_order, kwargs, field):
    wo, saw, press = press_order
    centers = {"other": WorkCenterFactory(code="LATHE-09"), "press": press}
    if "work_center" in kwargs:
        kwargs = {**kwargs, "work_center": centers[kwargs["work_center"]]}
    with pytest.raises(ValidationError) as exc:
        services.hold_place(work_order=wo, actor=None, kind="equipment", reason="x", **kwargs)
    assert field in exc.value.message_dict
    assert not Hold.objects.exists()
    assert WorkOrder.objects.get(pk=wo.pk).active_hold_count == 0


def test_a_release_of_a_scoped_hold_names_its_work_center_in_scope(press_order):
    wo, saw, press = press_order
    hold = services.hold_place(work_order=wo, actor=None, kind="equipment", reason="down", operation=20)
    services.hold_release(hold=hold, actor=None, release_note="hydraulics fixed")
    event = Event.objects.get(verb="hold.released")
    assert press.pk in set(EventScope.objects.filter(event=event).values_list("work_center_id", flat=True))


# --- who may place and release which kind ------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_release_matrix_in_the_service(kind, role, make_user):
    user = make_user(role)
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=None, kind=kind, reason="x")
    disposition = "rework" if kind == "quality" else ""
    assert may_release_hold(user, kind) == (role in RELEASE[kind])
    if role in RELEASE[kind]:
        services.hold_release(hold=hold, actor=user, release_note="cleared", disposition=disposition, check_permissions=True)
        assert not Hold.objects.get(pk=hold.pk).is_active
    else:
        with pytest.raises(PermissionDenied) as exc:
            services.hold_release(hold=hold, actor=user, release_note="cleared", disposition=disposition, check_permissions=True)
        assert f"cannot release {a_hold(kind)}" in str(exc.value)
        assert Hold.objects.get(pk=hold.pk).is_active
        assert WorkOrder.objects.get(pk=wo.pk).on_hold


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", KINDS)
def test_place_matrix_in_the_service(kind, role, make_user):
    user = make_user(role)
    wo = make_work_order(status="released")
    if role in PLACE[kind]:
        services.hold_place(work_order=wo, actor=user, kind=kind, reason="x", check_permissions=True)
        assert Hold.objects.filter(work_order=wo).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            services.hold_place(work_order=wo, actor=user, kind=kind, reason="x", check_permissions=True)
        assert not Hold.objects.exists()


def test_the_refusal_names_who_may(make_user):
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=None, kind="quality", reason="porosity")
    with pytest.raises(PermissionDenied) as exc:
        services.hold_release(
            hold=hold, actor=make_user("coordinator"), release_note="ok", disposition="rework", check_permissions=True
        )
    assert str(exc.value) == "Your role cannot release a quality hold; supervisor or quality can."
    assert HOLD_RELEASE_PERMISSIONS["quality"] == ("workorders.release_quality_hold",)


# --- the disposition ----------------------------------------------------------------------------


def test_a_quality_hold_is_released_with_its_disposition(make_user):
    quality = make_user("quality")
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=quality, kind="quality", reason="bore oversize", check_permissions=True)
    with pytest.raises(ValidationError) as exc:
        services.hold_release(hold=hold, actor=quality, release_note="MRB done", check_permissions=True)
    assert "disposition" in exc.value.message_dict
    assert Hold.objects.get(pk=hold.pk).is_active
    services.hold_release(hold=hold, actor=quality, release_note="MRB done", disposition="use_as_is", check_permissions=True)
    hold.refresh_from_db()
    assert hold.disposition == "use_as_is"
    assert hold.released_by == quality
    event = Event.objects.get(verb="hold.released")
    assert event.changes["disposition"] == [None, "use_as_is"]


def test_an_unknown_disposition_is_refused():
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=None, kind="quality", reason="x")
    with pytest.raises(ValidationError) as exc:
        services.hold_release(hold=hold, actor=None, release_note="ok", disposition="shrug")
    assert "disposition" in exc.value.message_dict


def test_other_kinds_take_no_disposition():
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=None, kind="material", reason="x")
    with pytest.raises(ValidationError) as exc:
        services.hold_release(hold=hold, actor=None, release_note="arrived", disposition="scrap")
    assert "disposition" in exc.value.message_dict
    services.hold_release(hold=hold, actor=None, release_note="arrived")
    assert Hold.objects.get(pk=hold.pk).disposition == ""


def test_cancelling_releases_a_quality_hold_without_a_disposition():
    """Cancelling stops the order; the parts' fate is not decided by it (no disposition recorded)."""
    wo = make_work_order(status="released")
    hold = services.hold_place(work_order=wo, actor=None, kind="quality", reason="x")
    services.work_order_cancel(work_order=wo, actor=None, reason="customer cancelled")
    hold.refresh_from_db()
    assert not hold.is_active and hold.disposition == ""
