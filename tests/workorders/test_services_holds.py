"""Holds: an active hold blocks progress and every transition except cancel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from prodcoord.core.exceptions import ConflictError, HoldActiveError, TransitionError
from prodcoord.events.models import Event
from tests.factories import make_work_order
from workorders import services
from workorders.models import Hold, ProductionReport, WorkOrder

pytestmark = pytest.mark.django_db


def _place(wo, actor=None, kind="material", reason="resin lot short"):
    return services.hold_place(work_order=wo, actor=actor, kind=kind, reason=reason)


def _assert_count_consistent(wo):
    wo.refresh_from_db()
    assert wo.active_hold_count == Hold.objects.filter(work_order=wo, released_at__isnull=True).count()
    return wo


@pytest.mark.parametrize("status", ["draft", "released", "in_progress"])
def test_hold_can_be_placed_on_open_order_and_is_recorded(status, make_user):
    actor = make_user("supervisor")
    wo = make_work_order(status=status)
    version = wo.version
    hold = _place(wo, actor=actor, kind="material", reason="  resin lot missing  ")
    wo = _assert_count_consistent(wo)
    assert wo.on_hold
    assert wo.active_hold_count == 1
    assert wo.version == version + 1
    assert hold.is_active
    assert hold.reason == "resin lot missing"
    assert hold.placed_by == actor
    event = Event.objects.get(verb="hold.placed")
    assert event.actor == actor
    assert event.work_order_id == wo.pk
    assert event.object_id == str(hold.pk)
    assert event.reason == "resin lot missing"
    assert event.changes == {"on_hold": [False, True], "kind": [None, "material"]}


@pytest.mark.parametrize("status", ["completed", "closed", "cancelled"])
def test_hold_refused_on_finished_order(status):
    wo = make_work_order(status=status)
    events = Event.objects.count()
    with pytest.raises(TransitionError) as exc:
        _place(wo)
    assert wo.number in str(exc.value)
    assert not Hold.objects.exists()
    assert Event.objects.count() == events
    wo.refresh_from_db()
    assert wo.active_hold_count == 0


@pytest.mark.parametrize(
    ("kind", "reason", "field"),
    [("quality", "", "reason"), ("quality", "   ", "reason"), ("weather", "storm", "kind")],
)
def test_hold_needs_known_kind_and_reason(kind, reason, field):
    wo = make_work_order(status="released")
    with pytest.raises(ValidationError) as exc:
        services.hold_place(work_order=wo, actor=None, kind=kind, reason=reason)
    assert field in exc.value.message_dict
    assert not Hold.objects.exists()
    wo.refresh_from_db()
    assert wo.active_hold_count == 0


def test_hold_blocks_progress(shifts):
    wo = make_work_order(status="in_progress")
    _place(wo)
    wo.refresh_from_db()
    with pytest.raises(HoldActiveError) as exc:
        services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=1)
    assert exc.value.code == "on_hold"
    assert not ProductionReport.objects.exists()
    assert wo.operations.get(sequence=10).quantity_good == 0


def test_hold_blocks_first_report_on_released_order(shifts):
    wo = make_work_order(status="released")
    _place(wo)
    with pytest.raises(HoldActiveError):
        services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=1)
    wo.refresh_from_db()
    assert wo.status == "released"  # the auto-start did not happen


@pytest.mark.parametrize("status", ["draft", "released"])
def test_cancel_is_allowed_on_hold_and_releases_every_active_hold(status, make_user):
    actor = make_user("planner")
    wo = make_work_order(status=status)
    h1 = _place(wo, kind="quality")
    h2 = _place(wo, kind="customer", reason="customer paused order")
    services.work_order_cancel(work_order=wo, actor=actor, reason="customer cancelled")
    wo = _assert_count_consistent(wo)
    assert wo.status == "cancelled"
    assert wo.active_hold_count == 0
    for hold in (h1, h2):
        hold.refresh_from_db()
        assert not hold.is_active
        assert hold.released_by == actor
        assert hold.release_note == "Work order cancelled."
    released = Event.objects.filter(verb="hold.released", work_order=wo)
    assert {e.object_id for e in released} == {str(h1.pk), str(h2.pk)}
    assert all(e.actor == actor for e in released)
    # the history says what changed: still held after the first release, not after the last
    assert [e.changes["on_hold"] for e in released.order_by("id")] == [[True, True], [True, False]]


def test_release_requires_note_and_writes_nothing_without_one():
    wo = make_work_order(status="released")
    hold = _place(wo)
    for note in ("", "   ", None):
        with pytest.raises(ValidationError) as exc:
            services.hold_release(hold=hold, actor=None, release_note=note)
        assert "release_note" in exc.value.message_dict
    hold.refresh_from_db()
    assert hold.is_active
    _assert_count_consistent(wo)
    assert not Event.objects.filter(verb="hold.released").exists()


def test_release_clears_hold_and_records_who_and_why(make_user):
    actor = make_user("supervisor")
    wo = make_work_order(status="in_progress")
    hold = _place(wo)
    wo.refresh_from_db()
    version = wo.version
    services.hold_release(hold=hold, actor=actor, release_note="parts reworked and re-inspected")
    hold.refresh_from_db()
    wo = _assert_count_consistent(wo)
    assert not wo.on_hold
    assert wo.version == version + 1
    assert hold.released_by == actor
    assert hold.release_note == "parts reworked and re-inspected"
    event = Event.objects.get(verb="hold.released")
    assert event.actor == actor
    assert event.work_order_id == wo.pk
    assert event.changes == {"on_hold": [True, False]}
    assert event.reason == "parts reworked and re-inspected"
    # and the order can move again
    services.work_order_complete(work_order=wo, actor=actor, reason="short run")
    wo.refresh_from_db()
    assert wo.status == "completed"


def test_double_release_is_refused():
    wo = make_work_order(status="released")
    hold = _place(wo)
    services.hold_release(hold=hold, actor=None, release_note="fixed")
    wo.refresh_from_db()
    version = wo.version
    with pytest.raises(ConflictError) as exc:
        services.hold_release(hold=hold, actor=None, release_note="fixed again")
    assert exc.value.code == "already_released"
    wo = _assert_count_consistent(wo)
    assert wo.version == version
    assert Event.objects.filter(verb="hold.released").count() == 1


def test_release_before_placement_is_refused():
    wo = make_work_order(status="released")
    hold = _place(wo)
    with pytest.raises(ValidationError) as exc:
        services.hold_release(hold=hold, actor=None, release_note="ok", at=hold.placed_at - dt.timedelta(minutes=1))
    assert "released_at" in exc.value.message_dict
    hold.refresh_from_db()
    assert hold.is_active


def test_order_stays_held_until_every_hold_is_released(shifts):
    wo = make_work_order(status="released", quantity=Decimal("10"))
    holds = [_place(wo, kind=k, reason=f"{k} issue") for k in ("engineering", "material", "equipment")]
    wo = _assert_count_consistent(wo)
    assert wo.active_hold_count == 3
    assert Event.objects.filter(verb="hold.placed").order_by("id").last().changes["on_hold"] == [True, True]

    for hold in holds[:-1]:
        services.hold_release(hold=hold, actor=None, release_note="cleared")
        wo = _assert_count_consistent(wo)
        assert wo.on_hold
        with pytest.raises(HoldActiveError):
            services.work_order_start(work_order=wo, actor=None)
        with pytest.raises(HoldActiveError):
            services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=1)

    services.hold_release(hold=holds[-1], actor=None, release_note="cleared")
    wo = _assert_count_consistent(wo)
    assert not wo.on_hold
    assert Event.objects.filter(verb="hold.released").order_by("id").last().changes == {"on_hold": [True, False]}
    services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=1)
    wo.refresh_from_db()
    assert wo.status == "in_progress"


def test_hold_released_by_cancel_cannot_be_released_again():
    """Cancel already released the hold; a later manual release is refused, not double-counted."""
    wo = make_work_order(status="draft")
    hold = _place(wo)
    services.work_order_cancel(work_order=wo, actor=None, reason="dup order")
    with pytest.raises(ConflictError):
        services.hold_release(hold=hold, actor=None, release_note="n/a")
    _assert_count_consistent(wo)


def test_hold_version_check():
    """A hold adds to the order: an older version is no reason to refuse it; one the order never had is."""
    from prodcoord.core.exceptions import StaleVersionError

    wo = make_work_order(status="released")
    with pytest.raises(StaleVersionError):
        services.hold_place(work_order=wo, actor=None, kind="quality", reason="x", version=wo.version + 1)
    assert not Hold.objects.exists()
    services.hold_place(work_order=wo, actor=None, kind="quality", reason="x", version=wo.version - 1)
    assert Hold.objects.count() == 1


def test_hold_placed_at_defaults_to_now():
    wo = make_work_order(status="released")
    before = timezone.now()
    hold = _place(wo)
    assert before <= hold.placed_at <= timezone.now()
    assert WorkOrder.objects.get(pk=wo.pk).active_hold_count == 1
