"""Schedule attainment, computed and stored: ``AttainmentSnapshot`` rows per date, shift and
work center, once the shift has ended (definitions: docs/DESIGN.md, "Schedule attainment").

``attainment_snapshots_compute(dates=…)`` recomputes every ended slot of those dates in a
handful of queries (the schedule entries, the good reported per entry, the stored snapshots),
writes only what changed and deletes the snapshot of a slot that has no plan any more: running
it twice leaves identical rows. ``attainment_refresh`` is what the periodic task runs: the
dates of the shifts that ended lately, and the dates that reports, reversals and schedule
changes recorded since the last run touched (read from the event log after a watermark).
"""

import datetime as dt
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from planning.models import ScheduleEntry
from plant.models import Shift
from plant.shift_calendar import shift_slot_at, shift_window
from prodcoord.core.plant_time import to_plant
from prodcoord.events.models import Event
from prodcoord.events.services import event_record
from prodcoord.notifications.kinds import MORNING_BRIEF
from prodcoord.notifications.models import Email, Subscription
from prodcoord.outbox.services import outbox_enqueue
from workorders.models import ProductionReport

from .brief import CALC_VERSION, brief_payload
from .models import AttainmentRun, AttainmentSnapshot, MorningBrief, MorningBriefDelivery

ZERO = Decimal("0")
# The verbs that change a slot's plan or actual: the dates they touch are recomputed.
PROGRESS = "work_order.progress_reported"
REVERSAL = "production_report.reversed"
SCHEDULE = ("schedule.entry_created", "schedule.entry_changed", "schedule.entry_removed", "schedule.entry_replanned")
VERBS = (PROGRESS, REVERSAL, *SCHEDULE)
# How far back the periodic run looks for shifts that ended (a missed run is caught up).
ENDED_LOOKBACK = dt.timedelta(hours=36)
# Events are read after the watermark less this many ids: a transaction that committed after
# the last run may hold ids below the highest one that run saw. Re-reading is harmless.
EVENT_OVERLAP = 1000


def slot_figures(entries, good):
    """``{(date, shift_id, work_center_id): (planned, actual, capped_actual, entries)}`` for
    ``entries`` (schedule entries), ``good`` mapping (work_order_id, work_center_id, shift_id,
    date) to the good quantity reported there."""
    figures = defaultdict(lambda: [ZERO, ZERO, ZERO, 0])
    for entry in entries:
        actual = good.get((entry.work_order_id, entry.work_center_id, entry.shift_id, entry.date), ZERO)
        row = figures[(entry.date, entry.shift_id, entry.work_center_id)]
        row[0] += entry.planned_quantity
        row[1] += actual
        row[2] += max(ZERO, min(actual, entry.planned_quantity))
        row[3] += 1
    return {key: tuple(value) for key, value in figures.items()}


@transaction.atomic
def attainment_snapshots_compute(*, dates, now=None):
    """Recompute the snapshots of every ended slot on ``dates``; returns (written, deleted)."""
    dates = sorted(set(dates))
    if not dates:
        return 0, 0
    now = now or timezone.now()
    entries = list(
        ScheduleEntry.objects.filter(date__in=dates).only("date", "shift", "work_center", "work_order", "planned_quantity")
    )
    shifts = {shift.pk: shift for shift in Shift.objects.filter(pk__in={e.shift_id for e in entries})}
    ended = {}

    def has_ended(date, shift_id):
        key = (date, shift_id)
        if key not in ended:
            ended[key] = shift_window(shifts[shift_id], date)[1] <= now
        return ended[key]

    entries = [entry for entry in entries if has_ended(entry.date, entry.shift_id)]
    good = {
        (row["work_order_id"], row["work_center_id"], row["shift_id"], row["shift_date"]): row["good"]
        for row in ProductionReport.objects.filter(
            shift_date__in=dates,
            work_order_id__in={e.work_order_id for e in entries},
        )
        .values("work_order_id", "work_center_id", "shift_id", "shift_date")
        .annotate(good=Sum("quantity_good"))
        .order_by()
    }
    figures = slot_figures(entries, good)
    stored = {
        (s.date, s.shift_id, s.work_center_id): s for s in AttainmentSnapshot.objects.select_for_update().filter(date__in=dates)
    }
    changed = []
    for key, (planned, actual, capped, count) in figures.items():
        snapshot = stored.get(key)
        if snapshot is not None and (snapshot.planned, snapshot.actual, snapshot.capped_actual, snapshot.entries) == (
            planned,
            actual,
            capped,
            count,
        ):
            continue
        date, shift_id, work_center_id = key
        changed.append(
            AttainmentSnapshot(
                date=date,
                shift_id=shift_id,
                work_center_id=work_center_id,
                planned=planned,
                actual=actual,
                capped_actual=capped,
                entries=count,
                computed_at=now,
            )
        )
    if changed:
        AttainmentSnapshot.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["date", "shift", "work_center"],
            update_fields=["planned", "actual", "capped_actual", "entries", "computed_at"],
            batch_size=1000,
        )
    gone = [snapshot.pk for key, snapshot in stored.items() if key not in figures]
    if gone:
        AttainmentSnapshot.objects.filter(pk__in=gone).delete()
    return len(changed), len(gone)


def _touched_dates(events):
    """The shift dates the events changed plan or actual on (one query per kind of subject)."""
    dates = set()
    active = list(Shift.objects.filter(is_active=True)) if any(e.verb == PROGRESS for e in events) else []
    reversed_ids = []
    entry_ids = []
    for event in events:
        if event.verb == PROGRESS:  # the event's time is the report's: its slot is the shift then
            dates.add(to_plant(event.at).date())
            if active:
                dates.add(shift_slot_at(event.at, shifts=active).date)
        elif event.verb == REVERSAL:
            reversed_ids.append(int(event.object_id))
        elif event.verb in SCHEDULE:
            entry_ids.append(int(event.object_id))
            removed_date = (event.changes or {}).get("date")
            if removed_date and removed_date[0]:
                dates.add(dt.date.fromisoformat(str(removed_date[0])[:10]))
    if reversed_ids:
        dates.update(ProductionReport.objects.filter(pk__in=reversed_ids).values_list("shift_date", flat=True))
    if entry_ids:
        dates.update(ScheduleEntry.objects.filter(pk__in=entry_ids).values_list("date", flat=True))
    return dates


@transaction.atomic
def attainment_refresh(*, now=None):
    """The periodic run: snapshots for the shifts that ended lately, and for the dates that
    reports, reversals and schedule changes recorded since the last run touched."""
    now = now or timezone.now()
    run, _ = AttainmentRun.objects.select_for_update().get_or_create(pk=1)
    last = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    events = list(
        Event.objects.filter(pk__gt=run.last_event_id - EVENT_OVERLAP, pk__lte=last, verb__in=VERBS)
        .only("pk", "verb", "at", "object_id", "changes")
        .order_by("pk")
    )
    dates = _touched_dates(events)
    since = min(run.ran_at, now - ENDED_LOOKBACK) if run.ran_at else now - ENDED_LOOKBACK
    day = to_plant(since).date() - dt.timedelta(days=1)
    while day <= to_plant(now).date():
        dates.add(day)
        day += dt.timedelta(days=1)
    written, deleted = attainment_snapshots_compute(dates=dates, now=now)
    run.last_event_id = max(run.last_event_id, last)
    run.ran_at = now
    run.save(update_fields=["last_event_id", "ran_at"])
    return {"dates": len(dates), "written": written, "deleted": deleted}


# --- the morning brief ------------------------------------------------------------------------------------

BRIEF_EMAIL_TASK = "reports.tasks.morning_brief_email_task"
# The earliest morning a brief can be asked for: its production day and the day before it must exist.
FIRST_MORNING = dt.date.min + dt.timedelta(days=3)


def morning_brief_date_check(date):
    """``date`` as a morning a brief can be made for: a date, not after today (plant time) — the day a
    brief covers must have begun — and not before ``FIRST_MORNING``. ``ValidationError`` on ``date``."""
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ValidationError({"date": ["Give the morning as a date, YYYY-MM-DD."]})
    today = to_plant(timezone.now()).date()
    if date > today:
        raise ValidationError(
            {
                "date": [
                    f"The brief for {date.isoformat()} covers a day that has not ended: choose {today.isoformat()} or earlier."
                ]
            }
        )
    if date < FIRST_MORNING:
        raise ValidationError({"date": [f"Choose a morning from {FIRST_MORNING.isoformat()} on."]})
    return date


@transaction.atomic
def morning_brief_generate(*, date, actor=None, trigger=MorningBrief.Trigger.PAGE, now=None):
    """Build the brief for the morning ``date`` now and store it, replacing the one there was (the
    figures, who and when; a brief already sent stays marked sent). The attainment snapshots of the
    day it covers, and of the day the previous brief covered, are brought up to date first: the brief
    shows every report made until now, and what was restated since the previous one.
    Records ``morning_brief.generated``. Returns the brief."""
    date = morning_brief_date_check(date)
    now = now or timezone.now()
    started = time.monotonic()
    production_date = date - dt.timedelta(days=1)
    # One generation of a morning at a time: the second waits for the first and replaces it.
    existing = MorningBrief.objects.select_for_update().filter(date=date).first()
    previous = MorningBrief.objects.filter(date__lt=date).order_by("-date").first()
    # Its own day, and the day the previous brief showed (what was restated since is read from it).
    days = [production_date] + ([previous.production_date] if previous is not None else [])
    attainment_snapshots_compute(dates=days, now=now)
    payload = brief_payload(morning=date, now=now, previous=previous)
    fields = {
        "production_date": production_date,
        "payload": payload,
        "calc_version": CALC_VERSION,
        "generated_at": now,
        "generated_by": actor if getattr(actor, "is_authenticated", False) else None,
        "trigger": trigger,
        "generation_ms": int((time.monotonic() - started) * 1000),
    }
    if existing is None:
        brief = MorningBrief.objects.create(date=date, **fields)
    else:
        for name, value in fields.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(fields))
        brief = existing
    event_record(
        actor=actor,
        verb="morning_brief.generated",
        subject=brief,
        changes={"generated_at": [None, now]},
        reason="" if existing is None else "Generated again: the figures were replaced.",
        at=now,
    )
    return brief


@transaction.atomic
def morning_brief_publish(*, brief, now=None):
    """Send the brief to everyone who follows it with e-mail (``notifications.kinds.MORNING_BRIEF``):
    one delivery per person, each e-mailed once through the outbox. A brief is published once; a
    second call does nothing. Returns the deliveries made."""
    brief = MorningBrief.objects.select_for_update().get(pk=brief.pk)
    if brief.published_at is not None:
        return []
    now = now or timezone.now()
    recipients = (
        Subscription.objects.filter(
            kind=Subscription.Kind.EVENT, verb=MORNING_BRIEF, user__is_active=True, email__in=[Email.IMMEDIATE, Email.DIGEST]
        )
        .order_by("user_id")
        .values_list("user_id", "user__email")
        .distinct()
    )
    deliveries = MorningBriefDelivery.objects.bulk_create(
        [
            MorningBriefDelivery(brief=brief, user_id=user_id, address=(email or "").strip(), created_at=now)
            for user_id, email in recipients
        ]
    )
    if deliveries:
        outbox_enqueue(messages=[{"task": BRIEF_EMAIL_TASK, "kwargs": {"delivery_id": d.pk}} for d in deliveries])
    brief.published_at = now
    brief.save(update_fields=["published_at"])
    event_record(actor=None, verb=MORNING_BRIEF, subject=brief, changes={"recipients": [None, len(deliveries)]}, at=now)
    return deliveries


def morning_brief_url(brief):
    return f"{settings.SITE_URL}{reverse('brief-date', kwargs={'date': brief.date.isoformat()})}"


@transaction.atomic
def morning_brief_email_send(*, delivery_id):
    """Send one delivery's e-mail (the brief as HTML, with a plain-text part), once: under the row's
    lock and marked sent in this transaction. Returns whether an e-mail left."""
    delivery = MorningBriefDelivery.objects.select_for_update().select_related("brief").filter(pk=delivery_id).first()
    if delivery is None or delivery.sent_at is not None:
        return False
    brief = delivery.brief
    if delivery.address:
        context = {"brief": brief, "p": brief.payload, "site_url": settings.SITE_URL, "url": morning_brief_url(brief)}
        html = render_to_string("reports/email/brief.html", context)
        text = render_to_string("reports/email/brief.txt", context)
        headline = brief.payload["headline"]
        attainment = f"{headline['attainment_pct']}%" if headline["attainment_pct"] is not None else "no plan"
        subject = f"[prodcoord] Morning brief {brief.date:%a %b} {brief.date.day}: attainment {attainment}"
        message = EmailMultiAlternatives(subject, text, None, [delivery.address])
        message.attach_alternative(html, "text/html")
        message.send()
    MorningBriefDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now())
    return bool(delivery.address)


def morning_brief_scheduled(*, now=None):
    """The periodic run: from ``MORNING_BRIEF_HOUR`` on the plant's clock, generate this morning's brief
    and send it, once — a morning whose brief was sent is left alone (regenerating it is a person's
    choice). Returns the brief it sent, or ``None``."""
    now = now or timezone.now()
    local = to_plant(now)
    if local.hour < settings.MORNING_BRIEF_HOUR:
        return None
    date = local.date()
    if MorningBrief.objects.filter(date=date, published_at__isnull=False).exists():
        return None
    with transaction.atomic():
        brief = morning_brief_generate(date=date, trigger=MorningBrief.Trigger.SCHEDULE, now=now)
        morning_brief_publish(brief=brief, now=now)
    brief.refresh_from_db()
    return brief
