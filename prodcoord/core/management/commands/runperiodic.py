"""Run the periodic schedule (``settings.CELERY_BEAT_SCHEDULE``) in process.

With no broker configured there is no Celery beat and no worker: tasks run
eagerly inside the process that queues them. This command stands in for beat
(and the worker) on such an installation — ``make run`` starts it next to the
web server. Each schedule entry runs at its crontab (or interval) times, in
the plant time zone, by calling the task's ``.apply()`` here.

    manage.py runperiodic            run until stopped (SIGINT/SIGTERM)
    manage.py runperiodic --once     run every entry once now, then exit
    manage.py runperiodic --list     show the entries and when each runs next
"""

import datetime as dt
import logging
import signal
import threading

from celery.schedules import crontab
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

logger = logging.getLogger("prodcoord.periodic")

# Wake at least this often, so a changed clock (DST, NTP step) is noticed.
MAX_SLEEP_SECONDS = 60


def next_run_at(schedule, last_run_at):
    """The first time after ``last_run_at`` (aware) that ``schedule`` fires, as an aware UTC datetime.

    ``schedule`` is what a beat-schedule entry holds: a ``crontab`` (read in
    the Celery time zone, i.e. plant time), a ``celery.schedules.schedule``,
    a ``timedelta`` or a number of seconds.
    """
    if timezone.is_naive(last_run_at):
        raise ValueError("last_run_at must be timezone-aware")
    if isinstance(schedule, crontab):
        start, delta, _now = schedule.remaining_delta(last_run_at)
        # ``start`` is last_run_at in the schedule's zone; adding the
        # fast-forward replaces wall-clock fields there, so the result is the
        # plant-time crontab moment, whatever the UTC offset on that day.
        return (start + delta).astimezone(dt.UTC)
    if isinstance(schedule, interval_schedule):
        schedule = schedule.run_every
    if isinstance(schedule, int | float):
        schedule = dt.timedelta(seconds=schedule)
    if isinstance(schedule, dt.timedelta):
        if schedule <= dt.timedelta(0):
            raise ValueError("an interval schedule must be positive")
        return (last_run_at + schedule).astimezone(dt.UTC)
    raise TypeError(f"unsupported schedule {schedule!r}: use crontab, celery.schedules.schedule, timedelta or seconds")


class PeriodicRunner:
    """Which beat-schedule entries are due, remembering when each last ran.

    Like Celery beat, nothing runs at start-up: each entry first runs at its
    next scheduled time after ``started_at``. Runs missed while the process
    was asleep are not replayed one by one: an overdue entry runs once.
    """

    def __init__(self, entries, *, started_at):
        self.entries = dict(entries)
        self.last_run_at = {name: started_at for name in self.entries}

    def next_times(self):
        return {name: next_run_at(entry["schedule"], self.last_run_at[name]) for name, entry in self.entries.items()}

    def due(self, now):
        """Names of the entries due at ``now``, in schedule order; marks them as run at ``now``."""
        names = [name for name, when in self.next_times().items() if when <= now]
        for name in names:
            self.last_run_at[name] = now
        return names

    def seconds_until_next(self, now, *, cap=MAX_SLEEP_SECONDS):
        times = self.next_times().values()
        if not times:
            return cap
        return max(0.0, min(cap, min((when - now).total_seconds() for when in times)))


def resolve_tasks(entries):
    """Map each entry to its registered Celery task; unknown task names are an error."""
    from prodcoord.celery import app

    app.loader.import_default_modules()
    tasks, unknown = {}, []
    for name, entry in entries.items():
        task = app.tasks.get(entry["task"])
        if task is None:
            unknown.append(f"{name}: {entry['task']}")
        tasks[name] = task
    if unknown:
        raise CommandError("Beat-schedule entries name tasks that do not exist: " + "; ".join(unknown))
    return tasks


def release_connections():
    """Between runs, drop connections as a finished request would (CONN_MAX_AGE), so none goes stale.

    A connection inside an open transaction (a caller's ``atomic`` block) is left alone.
    """
    for conn in connections.all(initialized_only=True):
        if not conn.in_atomic_block:
            conn.close_if_unusable_or_obsolete()


def run_entry(name, entry, task):
    """Run one entry in this process. A failure is logged; the schedule goes on."""
    started = timezone.now()
    try:
        result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        if result.failed():
            raise result.result
    except Exception:
        logger.exception("Periodic %s (%s) failed.", name, entry["task"])
        return False
    finally:
        release_connections()
    seconds = (timezone.now() - started).total_seconds()
    logger.info("Periodic %s (%s) done in %.1fs: %r", name, entry["task"], seconds, result.result)
    return True


class Command(BaseCommand):
    help = "Run the periodic schedule (CELERY_BEAT_SCHEDULE) in process, for installations without a broker."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every entry once now, then exit.")
        parser.add_argument("--list", action="store_true", help="List the entries and their next run times, then exit.")

    def handle(self, *args, once=False, list=False, **options):
        entries = getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {}
        tasks = resolve_tasks(entries)
        now = timezone.now()
        runner = PeriodicRunner(entries, started_at=now)

        if list:
            tz = timezone.get_current_timezone()
            for name, when in runner.next_times().items():
                self.stdout.write(f"{name:32} {entries[name]['task']:55} next {when.astimezone(tz):%Y-%m-%d %H:%M %Z}")
            return
        if once:
            failed = [name for name in entries if not run_entry(name, entries[name], tasks[name])]
            if failed:
                raise CommandError(f"Failed: {', '.join(failed)}")
            return

        stop = threading.Event()

        def _stop(signum, frame):
            stop.set()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        self.stdout.write(f"Periodic runner: {len(entries)} entries ({', '.join(entries) or 'none'}). Stop with Ctrl-C.")
        while not stop.is_set():
            for name in runner.due(timezone.now()):
                if stop.is_set():
                    break
                run_entry(name, entries[name], tasks[name])
            stop.wait(runner.seconds_until_next(timezone.now()))
        self.stdout.write("Periodic runner stopped.")
