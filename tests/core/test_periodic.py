"""The in-process periodic runner (``manage.py runperiodic``) keeps the beat schedule's times."""

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from celery import Celery
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command

from prodcoord.core.management.commands.runperiodic import PeriodicRunner, next_run_at, resolve_tasks, run_entry
from tests.factories import make_work_order
from workorders.models import WorkOrder

CHICAGO = ZoneInfo("America/Chicago")
UTC = dt.UTC


@pytest.fixture(scope="module")
def plant_app():
    app = Celery("periodic-test", set_as_current=False)
    app.conf.timezone = "America/Chicago"
    return app


def at(*args, tz=CHICAGO):
    return dt.datetime(*args, tzinfo=tz)


def test_every_quarter_hour_runs_at_the_next_quarter(plant_app):
    schedule = crontab(minute="*/15", app=plant_app)
    assert next_run_at(schedule, at(2026, 6, 1, 10, 7)) == at(2026, 6, 1, 10, 15)
    assert next_run_at(schedule, at(2026, 6, 1, 10, 15, 0, 300)) == at(2026, 6, 1, 10, 30)
    assert next_run_at(schedule, at(2026, 6, 1, 23, 50)) == at(2026, 6, 2, 0, 0)


def test_hourly_entry_runs_once_an_hour_at_its_minute(plant_app):
    schedule = crontab(minute=17, app=plant_app)
    assert next_run_at(schedule, at(2026, 6, 1, 10, 17, 0, 500)) == at(2026, 6, 1, 11, 17)
    assert next_run_at(schedule, at(2026, 6, 1, 10, 5)) == at(2026, 6, 1, 10, 17)


def test_crontab_hours_are_plant_time_across_daylight_saving(plant_app):
    """06:00 plant time stays 06:00 when the clocks change: 23 h apart in UTC in spring, 25 h in autumn."""
    schedule = crontab(hour=6, minute=0, app=plant_app)
    spring_eve = at(2026, 3, 7, 6, 0)  # DST starts 2026-03-08 02:00 in Chicago
    spring = next_run_at(schedule, spring_eve)
    assert spring == at(2026, 3, 8, 6, 0)
    assert spring - spring_eve == dt.timedelta(hours=23)
    assert spring.astimezone(UTC).hour == 11

    autumn_eve = at(2026, 10, 31, 6, 0)  # DST ends 2026-11-01 02:00
    autumn = next_run_at(schedule, autumn_eve)
    assert autumn - autumn_eve == dt.timedelta(hours=25)
    assert autumn.astimezone(CHICAGO).hour == 6


def test_last_run_in_another_zone_is_read_in_plant_time(plant_app):
    schedule = crontab(hour=22, minute=0, app=plant_app)
    # 2026-06-02 02:30 UTC is 21:30 on 2026-06-01 in Chicago (CDT, UTC-5)
    assert next_run_at(schedule, dt.datetime(2026, 6, 2, 2, 30, tzinfo=UTC)) == at(2026, 6, 1, 22, 0)


def test_interval_schedules():
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    assert next_run_at(dt.timedelta(minutes=5), start) == start + dt.timedelta(minutes=5)
    assert next_run_at(90, start) == start + dt.timedelta(seconds=90)
    with pytest.raises(ValueError):
        next_run_at(0, start)
    with pytest.raises(ValueError):
        next_run_at(60, dt.datetime(2026, 6, 1, 12, 0))  # naive
    with pytest.raises(TypeError):
        next_run_at("*/5", start)


def test_runner_waits_for_the_first_scheduled_time_then_runs_each_entry_when_due(plant_app):
    entries = {
        "quarter": {"task": "t.quarter", "schedule": crontab(minute="*/15", app=plant_app)},
        "hourly": {"task": "t.hourly", "schedule": crontab(minute=17, app=plant_app)},
    }
    runner = PeriodicRunner(entries, started_at=at(2026, 6, 1, 10, 1))
    assert runner.due(at(2026, 6, 1, 10, 1)) == []  # nothing at start-up, like beat
    assert runner.seconds_until_next(at(2026, 6, 1, 10, 14, 30)) == 30
    assert runner.due(at(2026, 6, 1, 10, 15, 0, 10)) == ["quarter"]
    assert runner.due(at(2026, 6, 1, 10, 16)) == []
    assert runner.due(at(2026, 6, 1, 10, 17, 1)) == ["hourly"]
    assert runner.due(at(2026, 6, 1, 10, 29)) == []
    assert runner.due(at(2026, 6, 1, 10, 30, 2)) == ["quarter"]


def test_runs_missed_while_asleep_collapse_into_one(plant_app):
    entries = {"quarter": {"task": "t.quarter", "schedule": crontab(minute="*/15", app=plant_app)}}
    runner = PeriodicRunner(entries, started_at=at(2026, 6, 1, 10, 1))
    assert runner.due(at(2026, 6, 1, 13, 2)) == ["quarter"]  # twelve runs missed → one run now
    assert runner.due(at(2026, 6, 1, 13, 3)) == []
    assert runner.next_times()["quarter"] == at(2026, 6, 1, 13, 15)


def test_sleep_is_capped_so_clock_changes_are_noticed(plant_app):
    entries = {"daily": {"task": "t.daily", "schedule": crontab(hour=6, minute=0, app=plant_app)}}
    runner = PeriodicRunner(entries, started_at=at(2026, 6, 1, 7, 0))
    assert runner.seconds_until_next(at(2026, 6, 1, 7, 0)) == 60
    assert PeriodicRunner({}, started_at=at(2026, 6, 1, 7, 0)).seconds_until_next(at(2026, 6, 1, 7, 0)) == 60


@pytest.mark.django_db
def test_every_configured_entry_names_a_registered_task():
    tasks = resolve_tasks(settings.CELERY_BEAT_SCHEDULE)
    assert set(tasks) == set(settings.CELERY_BEAT_SCHEDULE)
    for name, task in tasks.items():
        assert task.name == settings.CELERY_BEAT_SCHEDULE[name]["task"]
        # and the schedule itself is one the runner understands
        next_run_at(settings.CELERY_BEAT_SCHEDULE[name]["schedule"], at(2026, 6, 1, 10, 0))


@pytest.mark.django_db
def test_unknown_task_is_refused_at_start():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no.such.task"):
        resolve_tasks({"bad": {"task": "no.such.task", "schedule": 60}})


@pytest.mark.django_db
def test_a_failing_entry_is_logged_and_does_not_stop_the_runner(caplog):
    class Boom:
        def apply(self, args, kwargs):
            raise RuntimeError("database on fire")

    with caplog.at_level(logging.ERROR, logger="prodcoord.periodic"):
        assert run_entry("boom", {"task": "t.boom", "schedule": 60}, Boom()) is False
    assert "boom" in caplog.text and "database on fire" in caplog.text


@pytest.mark.django_db
def test_once_runs_the_real_schedule_and_flags_overdue_work_orders():
    wo = make_work_order(status="released", due_date=dt.date.today() - dt.timedelta(days=60))
    WorkOrder.objects.filter(pk=wo.pk).update(is_overdue=False)  # as if the follow-up never ran

    call_command("runperiodic", "--once")

    wo.refresh_from_db()
    assert wo.is_overdue is True
