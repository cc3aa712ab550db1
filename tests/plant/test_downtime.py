"""Downtime: a work center stopped, why, and for how long — the one write path, its API and admin."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from plant import services
from plant.models import DowntimeEvent, DowntimeReason
from prodcoord.core.exceptions import ConflictError
from prodcoord.core.rows import RowsInvalid
from prodcoord.events.models import Event
from tests.factories import DepartmentFactory, WorkCenterFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


def at(hours, minutes=0):
    return NOW + dt.timedelta(hours=hours, minutes=minutes)


@pytest.fixture
def press(db):
    return WorkCenterFactory(code="PRESS-01", department=DepartmentFactory(code="FORM"))


@pytest.fixture
def breakdown(db):
    return DowntimeReason.objects.get(code="BREAKDOWN")


def start(work_center, reason, when, **kwargs):
    return services.downtime_start(actor=None, work_center=work_center, reason=reason, started_at=when, **kwargs)


def record(work_center, reason, begin, end, **kwargs):
    return services.downtime_event_create(
        actor=None, work_center=work_center, reason=reason, started_at=begin, ended_at=end, **kwargs
    )


def test_the_plant_starts_with_the_usual_reasons():
    codes = set(DowntimeReason.objects.values_list("code", flat=True))
    assert {"BREAKDOWN", "CHANGEOVER", "NO-MATERIAL", "NO-OPERATOR", "QUALITY", "PLANNED-MAINT", "OTHER"} <= codes
    assert DowntimeReason.objects.get(code="PLANNED-MAINT").is_planned
    assert not DowntimeReason.objects.get(code="BREAKDOWN").is_planned


def test_start_then_stop_records_both_with_scope(press, breakdown, make_user):
    person = make_user("operator")
    event = services.downtime_start(actor=person, work_center=press, reason=breakdown, note="hydraulic leak", started_at=at(-1))
    assert event.is_open and event.started_by == person and event.note == "hydraulic leak"
    services.downtime_stop(actor=person, downtime_event=event, ended_at=at(-1, 25), note="seal replaced")
    event.refresh_from_db()
    assert event.ended_at == at(-1, 25) and event.ended_by == person
    assert event.note == "hydraulic leak\nseal replaced"
    assert event.minutes() == 25
    verbs = list(Event.objects.order_by("pk").values_list("verb", flat=True))
    assert verbs[-2:] == ["downtime.started", "downtime.ended"]
    started = Event.objects.get(verb="downtime.started")
    assert list(started.scopes.values_list("department_id", "work_center_id")) == [(press.department_id, press.pk)]


def test_starts_now_when_no_time_is_given(press, breakdown):
    before = timezone.now()
    event = services.downtime_start(actor=None, work_center=press, reason=breakdown)
    assert before <= event.started_at <= timezone.now()


def test_a_work_center_that_is_down_cannot_go_down_again(press, breakdown):
    start(press, breakdown, at(-2))
    with pytest.raises(ValidationError) as exc:
        start(press, DowntimeReason.objects.get(code="QUALITY"), at(-1))
    assert "already has downtime then" in str(exc.value.message_dict)
    assert DowntimeEvent.objects.count() == 1


def test_another_work_center_may_be_down_at_the_same_time(press, breakdown):
    start(press, breakdown, at(-2))
    other = WorkCenterFactory(code="PRESS-02", department=press.department)
    start(other, breakdown, at(-2))
    assert DowntimeEvent.objects.filter(ended_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("begin", "end", "clashes"),
    [
        (at(-5), at(-4), False),  # before
        (at(-2), at(-1), False),  # after
        (at(-4), at(-3), False),  # touching at the start: half-open stretches
        (at(-4, 30), at(-3, 30), True),  # overlapping the start
        (at(-3, 30), at(-2, 30), True),  # overlapping the end
        (at(-3, 15), at(-3, 45), True),  # inside
        (at(-5), at(-1), True),  # around
    ],
)
def test_recorded_downtime_may_not_overlap(press, breakdown, begin, end, clashes):
    record(press, breakdown, at(-3), at(-2))  # 07:00–08:00
    existing = DowntimeEvent.objects.get()
    existing_begin, existing_end = existing.started_at, existing.ended_at
    assert (existing_begin, existing_end) == (at(-3), at(-2))
    if clashes:
        with pytest.raises(ValidationError) as exc:
            record(press, breakdown, begin, end)
        assert "may not overlap" in " ".join(sum(exc.value.message_dict.values(), []))
        assert DowntimeEvent.objects.count() == 1
    else:
        record(press, breakdown, begin, end)
        assert DowntimeEvent.objects.count() == 2


def test_recorded_downtime_may_not_overlap_the_open_one(press, breakdown):
    start(press, breakdown, at(-2))
    with pytest.raises(ValidationError):
        record(press, breakdown, at(-1, 30), at(-1))
    record(press, breakdown, at(-4), at(-2))  # ends when the open one starts: fine


def test_rows_of_one_batch_may_not_overlap_each_other(press, breakdown):
    with pytest.raises(RowsInvalid) as exc:
        services.downtime_events_create(
            actor=None,
            rows=[
                {"work_center": press, "reason": breakdown, "started_at": at(-3), "ended_at": at(-2)},
                {"work_center": press, "reason": breakdown, "started_at": at(-2, -30), "ended_at": at(-1)},
            ],
        )
    assert [(e["row"], e["field"]) for e in exc.value.as_list()] == [(1, "started_at")]
    assert "row 0" in exc.value.as_list()[0]["message"]
    assert not DowntimeEvent.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"started_at": NOW + dt.timedelta(hours=1)}, "started_at"),
        ({"ended_at": NOW + dt.timedelta(hours=1)}, "ended_at"),
        ({"started_at": at(-1), "ended_at": at(-1)}, "ended_at"),
        ({"started_at": at(-1), "ended_at": at(-2)}, "ended_at"),
        ({"reason": None}, "reason"),
    ],
)
def test_impossible_times_and_missing_reasons_are_field_errors(press, breakdown, change, field):
    row = {"work_center": press, "reason": breakdown, "started_at": at(-3), **change}
    with pytest.raises(RowsInvalid) as exc:
        services.downtime_events_create(actor=None, rows=[row], at=NOW)
    assert [e["field"] for e in exc.value.as_list()] == [field]
    assert not DowntimeEvent.objects.exists()


def test_retired_reasons_and_work_centers_are_refused_for_new_downtime(press, breakdown):
    services.downtime_reason_update(actor=None, downtime_reason=breakdown, is_active=False)
    breakdown.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        start(press, breakdown, at(-1))
    assert "no longer in use" in exc.value.message_dict["reason"][0]
    retired = WorkCenterFactory(code="OLD-01", is_active=False)
    with pytest.raises(ValidationError) as exc:
        start(retired, DowntimeReason.objects.get(code="OTHER"), at(-1))
    assert "work_center" in exc.value.message_dict


def test_stopping_twice_is_a_conflict_even_from_a_stale_copy(press, breakdown):
    event = start(press, breakdown, at(-2))
    stale = DowntimeEvent.objects.get(pk=event.pk)
    services.downtime_stop(actor=None, downtime_event=event, ended_at=at(-1))
    with pytest.raises(ConflictError) as exc:
        services.downtime_stop(actor=None, downtime_event=stale, ended_at=at(-0, -30))
    assert "already ended" in exc.value.message
    event.refresh_from_db()
    assert event.ended_at == at(-1)


def test_a_correction_is_checked_and_recorded_with_old_and_new(press, breakdown):
    event = record(press, breakdown, at(-3), at(-2))
    changeover = DowntimeReason.objects.get(code="CHANGEOVER")
    services.downtime_event_update(actor=None, downtime_event=event, reason=changeover, ended_at=at(-2, 30))
    event.refresh_from_db()
    assert (event.reason, event.ended_at) == (changeover, at(-2, 30))
    updated = Event.objects.get(verb="downtime.updated")
    assert updated.changes["reason"] == ["BREAKDOWN", "CHANGEOVER"]
    later = record(press, breakdown, at(-1), at(-0, -30))
    with pytest.raises(ValidationError):
        services.downtime_event_update(actor=None, downtime_event=later, started_at=at(-2, 15))
    later.refresh_from_db()
    assert later.started_at == at(-1)


def test_delete_leaves_the_trail(press, breakdown):
    event = record(press, breakdown, at(-3), at(-2))
    services.downtime_event_delete(actor=None, downtime_event=event)
    assert not DowntimeEvent.objects.exists()
    deleted = Event.objects.get(verb="downtime.deleted")
    assert deleted.changes["reason"] == ["BREAKDOWN", None]


def test_the_database_keeps_one_open_downtime_per_work_center(press, breakdown):
    DowntimeEvent.objects.create(work_center=press, reason=breakdown, started_at=at(-2))
    with pytest.raises(IntegrityError), transaction.atomic():
        DowntimeEvent.objects.create(work_center=press, reason=breakdown, started_at=at(-1))


def test_a_reason_in_use_cannot_be_deleted(press, breakdown):
    record(press, breakdown, at(-3), at(-2))
    with pytest.raises(ProtectedError):
        services.downtime_reason_delete(actor=None, downtime_reason=breakdown)
    assert DowntimeReason.objects.filter(code="BREAKDOWN").exists()


def test_the_event_log_names_downtime_by_work_center_code_in_plant_time():
    wc = WorkCenterFactory(code="CNC-01")
    event = DowntimeEvent(work_center=wc, started_at=dt.datetime(2026, 7, 1, 13, 5, tzinfo=dt.UTC))
    assert str(event) == "CNC-01 down from Wed Jul 1, 08:05"  # America/Chicago, daylight time
