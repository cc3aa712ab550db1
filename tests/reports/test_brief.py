"""The morning brief: the production day it covers (a night shift across midnight, DST nights),
exactly the holds that are active, downtime with its unclassified minutes, scrap and first-pass
yield, carry-over, schedule changes since the last brief and what was restated since then."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from planning import services as planning
from plant import services as plant_services
from plant.models import DowntimeReason
from prodcoord.core.plant_time import plant_datetime, plant_today
from prodcoord.events.models import Event
from prodcoord.notifications.kinds import MORNING_BRIEF
from prodcoord.notifications.services import notification_defaults_apply
from reports import services
from reports.models import MorningBrief, MorningBriefDelivery
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order, scrap_reason
from workorders import services as wo_services

pytestmark = pytest.mark.django_db

M = plant_today() - dt.timedelta(days=2)  # the morning
D = M - dt.timedelta(days=1)  # the production day it covers


@pytest.fixture
def line(shifts):
    cut, weld = WorkCenterFactory(code="CUT-01"), WorkCenterFactory(code="WELD-01")
    item = make_routed_item(work_centers=[cut, weld])
    released = plant_datetime(D - dt.timedelta(days=60), dt.time(8))
    orders = [make_work_order(item=item, status="released", moved_at=released, quantity=Decimal("100")) for _ in range(3)]
    day, swing, night = shifts
    return {"cut": cut, "weld": weld, "orders": orders, "day": day, "swing": swing, "night": night, "released": released}


def plan(line, n, shift, planned, *, date=D, wc="cut"):
    return planning.schedule_entry_upsert(
        actor=None,
        date=date,
        shift=line[shift],
        work_center=line[wc],
        work_order=line["orders"][n],
        planned_quantity=Decimal(planned),
    )


def report(line, n, good, when, *, scrap=0, operation=10):
    return wo_services.operation_report_progress(
        work_order=line["orders"][n],
        actor=None,
        operation=operation,
        quantity_good=Decimal(good),
        quantity_scrap=Decimal(scrap),
        scrap_reason=scrap_reason() if scrap else None,
        reported_at=when,
    )


def generate(date=M, **kwargs):
    return services.morning_brief_generate(date=date, **kwargs)


def wc_row(brief, code):
    for department in brief.payload["attainment"]["departments"]:
        for center in department["work_centers"]:
            if center["code"] == code:
                return center
    return None


def test_a_night_shift_report_after_midnight_counts_toward_the_day_the_shift_started(line):
    plan(line, 0, "night", 10)
    report(line, 0, 7, plant_datetime(M, dt.time(1, 30)))  # 01:30 on the morning: the night of D
    brief = generate()
    assert brief.production_date == D
    row = wc_row(brief, "CUT-01")
    assert (row["planned"], row["actual"], row["attainment_pct"]) == ("10.000", "7.000", "70.0")
    assert brief.payload["quality"]["good"] == "7.000"
    assert brief.payload["carry_over"]["rows"][0]["short"] == "3.000"
    night = next(s for s in brief.payload["shifts"] if s["code"] == "NIGHT")
    assert (night["start"], night["end"]) == (
        plant_datetime(D, dt.time(22)).isoformat(),
        plant_datetime(M, dt.time(6)).isoformat(),
    )
    # The brief of the morning before does not see it.
    assert wc_row(generate(date=D), "CUT-01") is None


def test_attainment_is_capped_per_entry_and_volume_is_not(line):
    plan(line, 0, "day", 10)
    plan(line, 1, "day", 10)
    report(line, 0, 15, plant_datetime(D, dt.time(9)))
    report(line, 1, 5, plant_datetime(D, dt.time(10)))
    head = generate().payload["headline"]
    assert (head["attainment_pct"], head["volume_attainment_pct"]) == ("75.0", "100.0")
    assert head["carry_over_entries"] == 1


def test_the_snapshot_records_its_shift_boundaries_and_calculation(line):
    brief = generate()
    assert brief.calc_version == brief.payload["version"] == 3
    assert [s["code"] for s in brief.payload["shifts"]] == ["DAY", "SWING", "NIGHT"]
    assert brief.payload["window"] == {
        "start": plant_datetime(D, dt.time(6)).isoformat(),
        "end": plant_datetime(M, dt.time(6)).isoformat(),
        "complete": True,
    }


def test_the_brief_lists_exactly_the_active_holds_with_their_age(line, make_user):
    actor = make_user("supervisor")
    first, second, third = line["orders"]
    kept = wo_services.hold_place(work_order=first, actor=actor, kind="material", reason="Bar stock missing")
    gone = wo_services.hold_place(work_order=second, actor=actor, kind="customer", reason="Credit check")
    wo_services.hold_release(hold=gone, actor=actor, release_note="Cleared")
    now = kept.placed_at + dt.timedelta(hours=50)
    brief = services.morning_brief_generate(date=M, now=now)
    holds = brief.payload["holds"]
    assert holds["count"] == 1
    assert [(h["id"], h["work_order"], h["kind"], h["age_hours"]) for h in holds["rows"]] == [
        (kept.pk, first.number, "material", 50)
    ]
    assert holds["rows"][0]["url"] == f"/work-orders/{first.number}/#holds"


def test_downtime_is_clipped_to_the_day_and_unclassified_minutes_are_a_headline(line):
    other = DowntimeReason.objects.get(code="OTHER")
    breakdown = DowntimeReason.objects.get(code="BREAKDOWN")
    rows = [
        # 05:00–07:00 on D: only the hour after the day shift began counts
        (line["cut"], breakdown, plant_datetime(D, dt.time(5)), plant_datetime(D, dt.time(7))),
        (line["weld"], other, plant_datetime(D, dt.time(23)), plant_datetime(M, dt.time(0, 45))),
        # after the night shift ended: the next day's
        (line["cut"], other, plant_datetime(M, dt.time(7)), plant_datetime(M, dt.time(8))),
    ]
    plant_services.downtime_events_create(
        actor=None, rows=[{"work_center": w, "reason": r, "started_at": s, "ended_at": e} for w, r, s, e in rows]
    )
    brief = generate()
    stops = brief.payload["downtime"]
    assert (stops["minutes"], stops["unclassified_minutes"], stops["events"]) == (165, 105, 2)
    assert brief.payload["headline"]["unclassified_downtime_minutes"] == 105
    assert [(r["code"], r["minutes"], r["unclassified"]) for r in stops["reasons"]] == [
        ("OTHER", 105, True),
        ("BREAKDOWN", 60, False),
    ]


def test_scrap_and_first_pass_yield(line):
    report(line, 0, 45, plant_datetime(D, dt.time(9)), scrap=5)
    report(line, 1, 50, plant_datetime(D, dt.time(15)))
    quality = generate().payload["quality"]
    assert (quality["good"], quality["scrap"], quality["first_pass_yield_pct"]) == ("95.000", "5.000", "95.0")
    assert quality["worst"][0]["work_order"] == line["orders"][0].number
    assert quality["reasons"][0]["quantity"] == "5.000"


def test_carry_over_leaves_out_what_was_made_and_orders_no_longer_open(line):
    plan(line, 0, "day", 10)
    plan(line, 1, "day", 10)
    plan(line, 2, "swing", 10)
    report(line, 0, 10, plant_datetime(D, dt.time(9)))
    wo_services.work_order_transition(action="cancel", work_order=line["orders"][2], actor=None, reason="Customer cancelled")
    carry = generate().payload["carry_over"]
    assert [(r["work_order"], r["short"]) for r in carry["rows"]] == [(line["orders"][1].number, "10.000")]


def test_a_later_brief_shows_what_was_restated_since_the_one_before(line):
    plan(line, 0, "day", 10)
    report(line, 0, 6, plant_datetime(D, dt.time(9)))
    first = generate(date=M)
    assert first.payload["restated"]["rows"] == []
    # A late report for D, made after the brief of M was generated
    report(line, 0, 3, plant_datetime(D, dt.time(13)))
    second = generate(date=M + dt.timedelta(days=1))
    restated = second.payload["restated"]
    assert restated["previous_brief"] == M.isoformat()
    assert restated["production_date"] == D.isoformat()
    changed = {(r["scope"], r["figure"]): (r["before"], r["after"]) for r in restated["rows"]}
    assert changed[("CUT-01", "actual")] == ("6.000", "9.000")
    assert changed[("CUT-01", "attainment_pct")] == ("60.0", "90.0")
    assert changed[("plant", "good")] == ("6.000", "9.000")
    assert ("CUT-01", "planned") not in changed
    assert second.payload["headline"]["restated"] == len(restated["rows"])


def test_schedule_changes_since_the_last_brief(line):
    generate(date=M - dt.timedelta(days=1))
    plan(line, 0, "day", 10, date=M)
    plan(line, 0, "day", 12, date=M)
    changes = generate().payload["schedule_changes"]
    assert changes["count"] == 2
    assert {k["verb"]: k["count"] for k in changes["by_kind"]} == {"schedule.entry_created": 1, "schedule.entry_changed": 1}
    assert changes["rows"][0]["work_order"] == line["orders"][0].number


def test_generating_again_replaces_the_brief_and_says_who(line, make_user):
    first = generate()
    planner = make_user("planner")
    plan(line, 0, "day", 10)
    again = generate(actor=planner)
    assert again.pk == first.pk and MorningBrief.objects.count() == 1
    assert again.generated_by == planner and again.payload["headline"]["carry_over_entries"] == 1
    assert Event.objects.filter(verb="morning_brief.generated").count() == 2


@pytest.mark.parametrize("offset", [1, 30])
def test_a_morning_whose_day_has_not_ended_is_refused(shifts, offset):
    with pytest.raises(ValidationError) as caught:
        generate(date=plant_today() + dt.timedelta(days=offset))
    assert "date" in caught.value.message_dict
    assert not MorningBrief.objects.exists()


# --- DST nights (America/Chicago: back on 2026-11-01, forward on 2026-03-08) --------------------------------


@pytest.fixture
def chicago(settings):
    settings.PLANT_TIME_ZONE = "America/Chicago"
    settings.TIME_ZONE = "America/Chicago"


def test_the_fall_back_night_is_nine_hours_and_its_repeated_hour_counts_once(chicago, shifts):
    morning = dt.date(2026, 11, 1)
    day = morning - dt.timedelta(days=1)
    cut = WorkCenterFactory(code="CUT-01")
    item = make_routed_item(work_centers=[cut])
    wo = make_work_order(item=item, status="released", moved_at=plant_datetime(day - dt.timedelta(days=5), dt.time(8)))
    planning.schedule_entry_upsert(
        actor=None, date=day, shift=shifts[2], work_center=cut, work_order=wo, planned_quantity=Decimal(20)
    )
    # 01:30 twice: first in daylight time, then again an hour later in standard time
    first = plant_datetime(morning, dt.time(1, 30), fold=0).astimezone(dt.UTC)
    second = plant_datetime(morning, dt.time(1, 30), fold=1).astimezone(dt.UTC)
    assert second - first == dt.timedelta(hours=1)
    for when in (first, second):
        wo_services.operation_report_progress(work_order=wo, actor=None, operation=10, quantity_good=Decimal(5), reported_at=when)
    other = DowntimeReason.objects.get(code="OTHER")
    plant_services.downtime_events_create(
        actor=None, rows=[{"work_center": cut, "reason": other, "started_at": first, "ended_at": second}]
    )
    brief = services.morning_brief_generate(date=morning)
    night = next(s for s in brief.payload["shifts"] if s["code"] == "NIGHT")
    start, end = dt.datetime.fromisoformat(night["start"]), dt.datetime.fromisoformat(night["end"])
    assert end - start == dt.timedelta(hours=9)
    assert wc_row(brief, "CUT-01")["actual"] == "10.000"
    assert brief.payload["downtime"]["unclassified_minutes"] == 60


def test_the_spring_forward_night_is_seven_hours(chicago, shifts):
    morning = dt.date(2026, 3, 8)
    cut = WorkCenterFactory(code="CUT-01")
    item = make_routed_item(work_centers=[cut])
    day = morning - dt.timedelta(days=1)
    wo = make_work_order(item=item, status="released", moved_at=plant_datetime(day - dt.timedelta(days=5), dt.time(8)))
    planning.schedule_entry_upsert(
        actor=None, date=day, shift=shifts[2], work_center=cut, work_order=wo, planned_quantity=Decimal(20)
    )
    wo_services.operation_report_progress(
        work_order=wo, actor=None, operation=10, quantity_good=Decimal(4), reported_at=plant_datetime(morning, dt.time(5, 30))
    )
    brief = services.morning_brief_generate(date=morning)
    night = next(s for s in brief.payload["shifts"] if s["code"] == "NIGHT")
    assert dt.datetime.fromisoformat(night["end"]) - dt.datetime.fromisoformat(night["start"]) == dt.timedelta(hours=7)
    assert wc_row(brief, "CUT-01")["actual"] == "4.000"


# --- sending it ------------------------------------------------------------------------------------------------


@pytest.fixture
def supervisor(make_user):
    person = make_user("supervisor", email="sam@plant.example")
    notification_defaults_apply(users=[person])
    return person


def test_supervisors_follow_the_brief_by_default(supervisor):
    assert supervisor.notification_subscriptions.filter(kind="event", verb=MORNING_BRIEF, email="immediate").exists()


def test_the_scheduled_run_generates_and_sends_once_from_the_configured_hour(
    line, supervisor, make_user, settings, django_capture_on_commit_callbacks
):
    settings.MORNING_BRIEF_HOUR = 6
    make_user("coordinator", email="cora@plant.example")  # follows nothing of the kind
    today = plant_today()
    early = plant_datetime(today, dt.time(5, 50))
    assert services.morning_brief_scheduled(now=early) is None
    assert not MorningBrief.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        brief = services.morning_brief_scheduled(now=plant_datetime(today, dt.time(6, 0)))
    assert brief.date == today and brief.trigger == "schedule" and brief.generated_by is None
    assert brief.published_at is not None
    assert [m.to for m in mail.outbox] == [["sam@plant.example"]]
    message = mail.outbox[0]
    assert message.subject.startswith("[prodcoord] Morning brief")
    html = message.alternatives[0][0] if hasattr(message.alternatives[0], "__getitem__") else message.alternatives[0].content
    assert f"/brief/{today.isoformat()}/" in html and "unclassified" in html
    delivery = MorningBriefDelivery.objects.get()
    assert delivery.sent_at is not None
    # Later runs that morning, and sending the delivery again, send nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.morning_brief_scheduled(now=plant_datetime(today, dt.time(6, 10))) is None
    assert services.morning_brief_email_send(delivery_id=delivery.pk) is False
    assert len(mail.outbox) == 1


def test_a_regenerated_brief_is_not_sent_again(line, supervisor, django_capture_on_commit_callbacks):
    today = plant_today()
    with django_capture_on_commit_callbacks(execute=True):
        brief = generate(date=today)
        assert len(services.morning_brief_publish(brief=brief)) == 1
        services.morning_brief_generate(date=today)
        assert services.morning_brief_publish(brief=brief) == []
    assert len(mail.outbox) == 1


def test_the_command_generates_and_sends_once(line, supervisor, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("morning_brief", "--date", M.isoformat(), "--send", stdout=out)
        call_command("morning_brief", "--date", M.isoformat(), "--send", stdout=out)
    assert "Sent to 1 person." in out.getvalue() and "Not sent" in out.getvalue()
    assert MorningBrief.objects.get().trigger == "command" and len(mail.outbox) == 1
    with pytest.raises(CommandError):
        call_command("morning_brief", "--date", (plant_today() + dt.timedelta(days=3)).isoformat())
