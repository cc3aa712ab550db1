"""The morning brief's figures, read from the stored snapshots and the production records.

``brief_payload(morning=…, now=…, previous=…)`` returns what a ``MorningBrief`` stores: plain JSON
(quantities as decimal strings, times as ISO 8601 with the plant's offset, every line with the
path of its page), so the page, the e-mail and the API render it without another query.

The brief for the morning of ``M`` covers the **production day** ``M − 1``: every shift whose
shift date is ``M − 1`` — the night shift that started that evening and ended on the morning
of ``M`` included (``plant.shift_calendar``: real instants, so a DST night is 7 or 9 hours
long). Each section reads in a handful of queries, whatever the size of the plant.

Definitions (docs/DESIGN.md, "The morning brief"):

- attainment: the stored ``AttainmentSnapshot`` rows of the production day (capped
  Σ min(actual, planned) / Σ planned and volume Σ actual / Σ planned), by department, work center
  and shift;
- carry-over: each schedule entry of the day whose good quantity fell short of its plan, while
  its work order is still open;
- downtime: minutes inside the production day's window (an event is clipped to it; one still
  open counts to the moment of generation); **unclassified** is downtime whose reason is
  "other" (``UNCLASSIFIED_REASONS``);
- first-pass yield: good / (good + scrap) over the day's production reports, reversals included;
- action items: open ones overdue on the morning (due before it) and due that morning; and what
  became of each one given from a line of the previous brief (meeting mode);
- handovers: submitted, not yet acknowledged by the incoming shift;
- shortages: unresolved, hitting the next two shifts after the brief is generated (the order is
  scheduled in one of them, or the material is needed by the second one's date);
- restated: what the previous brief showed for its production day and what the same figures
  read now, where they differ (a late report, a reversal, a late downtime entry).
"""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.urls import reverse

from coordination import selectors as coordination
from coordination.models import ActionItem
from planning.models import ScheduleEntry, Shortage
from planning.pick_list import next_shifts
from plant.models import DowntimeEvent, Shift
from plant.shift_calendar import shift_window
from prodcoord.core.plant_time import plant_datetime, to_plant
from prodcoord.events.models import Event
from prodcoord.events.presenters import verb_label
from workorders.models import Hold, ProductionReport, WorkOrder

from .models import AttainmentSnapshot

# Bumped whenever a figure is computed differently: a brief records the version it used.
# 2: action items (overdue, due today, what became of those given from the last brief) and
# unacknowledged handovers. 3: shortages that hit the next two shifts.
CALC_VERSION = 3
SHORTAGE_SHIFTS = 2
UNCLASSIFIED_REASONS = frozenset({"OTHER"})
SCHEDULE_CHANGE_VERBS = (
    "schedule.entry_created",
    "schedule.entry_changed",
    "schedule.entry_removed",
    "work_order.rescheduled",
)
# Lines kept per section where a busy plant could have hundreds; the counts are always whole.
SCHEDULE_CHANGES_LISTED = 40
TOP_REASONS = 5
LONGEST_DOWNTIME = 5
TOP_SCRAP = 5
ZERO = Decimal("0")
HUNDRED = Decimal("100")
Q3 = Decimal("0.001")


def qty(value):
    """A quantity as the API writes it: a decimal string with three places."""
    return str((value or ZERO).quantize(Q3))


def pct(part, whole):
    """``part / whole × 100`` to one decimal, as a string (``None`` without a whole)."""
    if not whole:
        return None
    return str((part / whole * HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def iso(value):
    return to_plant(value).isoformat() if value is not None else None


def _work_order_url(number):
    return reverse("work-order-detail", kwargs={"number": number})


def _work_center_url(code):
    return reverse("work-center-queue", kwargs={"code": code})


def _department_url(code):
    return f"{reverse('home')}?department={code}"


def _downtime_url(department_code=None):
    url = reverse("downtime")
    return f"{url}?department={department_code}" if department_code else url


# --- the production day ---------------------------------------------------------------------------


def day_window(production_date, shifts):
    """``(start, end, [shift rows])`` of a production day: from the first shift's start to the last
    one's end, in UTC; a plant without shifts uses the calendar day (plant time)."""
    rows = []
    for shift in shifts:
        start, end = shift_window(shift, production_date)
        rows.append({"code": shift.code, "name": shift.name, "start": start, "end": end, "id": shift.pk})
    rows.sort(key=lambda r: (r["start"], r["code"]))
    if not rows:
        start = plant_datetime(production_date, dt.time(0)).astimezone(dt.UTC)
        end = plant_datetime(production_date + dt.timedelta(days=1), dt.time(0)).astimezone(dt.UTC)
        return start, end, rows
    return min(r["start"] for r in rows), max(r["end"] for r in rows), rows


def day_shifts(production_date):
    """The shifts of a production day: the active ones, and any other that has snapshots or
    reports on that date (a shift retired since still shows what it made)."""
    used = set(AttainmentSnapshot.objects.filter(date=production_date).values_list("shift_id", flat=True).distinct())
    return list(Shift.objects.filter(Q(is_active=True) | Q(pk__in=used)))


# --- attainment -----------------------------------------------------------------------------------


def _figures(planned, actual, capped):
    return {
        "planned": qty(planned),
        "actual": qty(actual),
        "capped_actual": qty(capped),
        "attainment_pct": pct(capped, planned),
        "volume_attainment_pct": pct(actual, planned),
    }


def attainment_figures(production_date):
    """``{"total", "by_shift", "departments": [... "work_centers": [...]]}`` from the stored
    snapshots (one query)."""
    rows = list(
        AttainmentSnapshot.objects.filter(date=production_date)
        .values(
            "shift__code",
            "shift__name",
            "work_center__code",
            "work_center__name",
            "work_center__department__code",
            "work_center__department__name",
        )
        .annotate(p=Sum("planned"), a=Sum("actual"), c=Sum("capped_actual"), n=Sum("entries"))
        .order_by()
    )
    total = [ZERO, ZERO, ZERO, 0]
    by_shift = defaultdict(lambda: [ZERO, ZERO, ZERO, 0])
    by_dept = defaultdict(lambda: [ZERO, ZERO, ZERO, 0])
    by_wc = defaultdict(lambda: [ZERO, ZERO, ZERO, 0])
    names = {}
    for row in rows:
        values = (row["p"], row["a"], row["c"], row["n"])
        shift = (row["shift__code"], row["shift__name"])
        dept = (row["work_center__department__code"], row["work_center__department__name"])
        wc = (dept[0], row["work_center__code"])
        names[wc] = row["work_center__name"]
        for bucket in (total, by_shift[shift], by_dept[dept], by_wc[wc]):
            for i, v in enumerate(values):
                bucket[i] += v
    departments = []
    for (code, name), (p, a, c, n) in sorted(by_dept.items()):
        centers = [
            {"code": wc, "name": names[(dept, wc)], "entries": wn, "url": _work_center_url(wc), **_figures(wp, wa, wc_c)}
            for (dept, wc), (wp, wa, wc_c, wn) in sorted(by_wc.items())
            if dept == code
        ]
        departments.append(
            {"code": code, "name": name, "entries": n, "url": _department_url(code), "work_centers": centers, **_figures(p, a, c)}
        )
    return {
        "total": {"entries": total[3], **_figures(*total[:3])},
        "by_shift": [
            {"code": code, "name": name, "entries": n, **_figures(p, a, c)} for (code, name), (p, a, c, n) in by_shift.items()
        ],
        "departments": departments,
    }


# --- carry-over -----------------------------------------------------------------------------------


def carry_over(production_date):
    """Each schedule entry of the day that made less good than planned, while its order is open
    (two queries: the entries, and the good reported in every slot of the day — cheaper on the
    shift-date index than naming a thousand orders)."""
    entries = list(
        ScheduleEntry.objects.filter(date=production_date)
        .select_related("shift", "work_center", "work_order__item")
        .only(
            "date",
            "planned_quantity",
            "sequence",
            "shift__code",
            "work_center__code",
            "work_order__number",
            "work_order__status",
            "work_order__priority",
            "work_order__item__sku",
        )
        .order_by("work_center__code", "shift__start_time", "sequence", "pk")
    )
    good = {
        (r["work_order_id"], r["work_center_id"], r["shift_id"]): r["good"]
        for r in ProductionReport.objects.filter(shift_date=production_date)
        .values("work_order_id", "work_center_id", "shift_id")
        .annotate(good=Sum("quantity_good"))
        .order_by()
    }
    rows, short_total = [], ZERO
    for entry in entries:
        actual = good.get((entry.work_order_id, entry.work_center_id, entry.shift_id), ZERO)
        short = entry.planned_quantity - actual
        if short <= 0 or entry.work_order.status not in WorkOrder.OPEN_STATUSES:
            continue
        short_total += short
        rows.append(
            {
                "entry": entry.pk,
                "shift": entry.shift.code,
                "work_center": entry.work_center.code,
                "work_order": entry.work_order.number,
                "item": entry.work_order.item.sku,
                "priority": entry.work_order.priority,
                "status": entry.work_order.status,
                "planned": qty(entry.planned_quantity),
                "actual": qty(actual),
                "short": qty(short),
                "url": _work_order_url(entry.work_order.number),
            }
        )
    return {"count": len(rows), "short_total": qty(short_total), "rows": rows}


# --- holds ----------------------------------------------------------------------------------------


def active_holds(now):
    """Every hold active at ``now``, the oldest first, with its age (one query)."""
    holds = (
        Hold.objects.filter(released_at__isnull=True)
        .select_related("work_order__item", "work_center")
        .only("kind", "reason", "placed_at", "work_order__number", "work_order__item__sku", "work_center__code")
        .order_by("placed_at", "pk")
    )
    rows = []
    for hold in holds:
        age = max(dt.timedelta(0), now - hold.placed_at)
        rows.append(
            {
                "id": hold.pk,
                "work_order": hold.work_order.number,
                "item": hold.work_order.item.sku,
                "kind": hold.kind,
                "kind_label": Hold.Kind(hold.kind).label,
                "reason": hold.reason[:200],
                "work_center": hold.work_center.code if hold.work_center_id else None,
                "placed_at": iso(hold.placed_at),
                "age_hours": int(age.total_seconds() // 3600),
                "url": _work_order_url(hold.work_order.number) + "#holds",
            }
        )
    return {"count": len(rows), "rows": rows}


# --- downtime -------------------------------------------------------------------------------------


def downtime(start, end, now):
    """Downtime inside ``[start, end)`` (clipped; an open event counts up to ``now``), by reason,
    with the unclassified minutes and the longest stops (one query)."""
    events = list(
        DowntimeEvent.objects.filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start), started_at__lt=end)
        .select_related("reason", "work_center__department")
        .order_by("started_at", "pk")
    )
    total = unclassified = 0
    by_reason = defaultdict(lambda: [0, 0])
    lines = []
    for event in events:
        stop = min(end, event.ended_at or now)
        minutes = max(0, int((stop - max(start, event.started_at)).total_seconds() // 60))
        if not minutes:
            continue
        code = event.reason.code.upper()
        is_unclassified = code in UNCLASSIFIED_REASONS
        total += minutes
        unclassified += minutes if is_unclassified else 0
        key = (event.reason.code, event.reason.name, is_unclassified)
        by_reason[key][0] += minutes
        by_reason[key][1] += 1
        lines.append(
            {
                "id": event.pk,
                "work_center": event.work_center.code,
                "reason": event.reason.code,
                "unclassified": is_unclassified,
                "started_at": iso(event.started_at),
                "ended_at": iso(event.ended_at),
                "minutes": minutes,
                "note": event.note[:120],
                "url": _downtime_url(event.work_center.department.code),
            }
        )
    reasons = sorted(by_reason.items(), key=lambda kv: (-kv[1][0], kv[0][0]))
    return {
        "minutes": total,
        "unclassified_minutes": unclassified,
        "unclassified_pct": pct(Decimal(unclassified), Decimal(total)),
        "events": len(lines),
        "open": sum(1 for line in lines if line["ended_at"] is None),
        "reasons": [
            {"code": code, "name": name, "unclassified": flag, "minutes": m, "events": n, "url": _downtime_url()}
            for (code, name, flag), (m, n) in reasons[:TOP_REASONS]
        ],
        "other_reasons_minutes": sum(m for _, (m, _) in reasons[TOP_REASONS:]),
        "longest": sorted(lines, key=lambda line: (-line["minutes"], line["started_at"]))[:LONGEST_DOWNTIME],
    }


# --- scrap and first-pass yield -------------------------------------------------------------------


def quality(production_date):
    """Good, scrap and first-pass yield of the day's reports, by work center, the scrap reasons and
    the orders that scrapped most (three queries)."""
    reports = ProductionReport.objects.filter(shift_date=production_date)
    by_wc = list(
        reports.values("work_center__code")
        .annotate(good=Sum("quantity_good"), scrap=Sum("quantity_scrap"))
        .order_by("work_center__code")
    )
    good = sum((r["good"] for r in by_wc), ZERO)
    scrap = sum((r["scrap"] for r in by_wc), ZERO)
    reasons = list(
        reports.filter(~Q(quantity_scrap=0), scrap_reason__isnull=False)
        .values("scrap_reason__code", "scrap_reason__name")
        .annotate(quantity=Sum("quantity_scrap"), reports=Count("pk"))
        .order_by("-quantity", "scrap_reason__code")[:TOP_SCRAP]
    )
    worst = list(
        reports.values("work_order__number", "work_center__code")
        .annotate(scrap=Sum("quantity_scrap"), good=Sum("quantity_good"))
        .filter(scrap__gt=0)
        .order_by("-scrap", "work_order__number")[:TOP_SCRAP]
    )
    return {
        "good": qty(good),
        "scrap": qty(scrap),
        "first_pass_yield_pct": pct(good, good + scrap),
        "work_centers": [
            {
                "code": r["work_center__code"],
                "good": qty(r["good"]),
                "scrap": qty(r["scrap"]),
                "first_pass_yield_pct": pct(r["good"], r["good"] + r["scrap"]),
                "url": _work_center_url(r["work_center__code"]),
            }
            for r in by_wc
        ],
        "reasons": [
            {
                "code": r["scrap_reason__code"],
                "name": r["scrap_reason__name"],
                "quantity": qty(r["quantity"]),
                "reports": r["reports"],
            }
            for r in reasons
        ],
        "worst": [
            {
                "work_order": r["work_order__number"],
                "work_center": r["work_center__code"],
                "scrap": qty(r["scrap"]),
                "first_pass_yield_pct": pct(r["good"], r["good"] + r["scrap"]),
                "url": _work_order_url(r["work_order__number"]),
            }
            for r in worst
        ],
    }


# --- schedule changes -----------------------------------------------------------------------------


# What a schedule change's line reads of its event.
EVENT_FIELDS = (
    "at",
    "verb",
    "object_repr",
    "reason",
    "work_order__number",
    "actor__username",
    "actor__first_name",
    "actor__last_name",
)


def schedule_changes(since, until):
    """Schedule changes recorded after ``since`` up to ``until``: counted by kind (one query), and
    the latest listed (one query)."""
    events = Event.objects.filter(verb__in=SCHEDULE_CHANGE_VERBS, at__gt=since, at__lte=until)
    counts = dict(events.values_list("verb").annotate(n=Count("pk")).order_by())
    latest = list(
        events.select_related("actor", "work_order").only(*EVENT_FIELDS).order_by("-at", "-pk")[:SCHEDULE_CHANGES_LISTED]
    )
    rows = []
    for event in latest:
        number = event.work_order.number if event.work_order_id is not None else None
        actor = event.actor.get_full_name() or event.actor.username if event.actor_id is not None else None
        rows.append(
            {
                "at": iso(event.at),
                "verb": event.verb,
                "label": verb_label(event.verb),
                "subject": event.object_repr,
                "work_order": number,
                "actor": actor,
                "reason": event.reason[:200],
                "url": _work_order_url(number) if number else None,
            }
        )
    return {
        "since": iso(since),
        "count": sum(counts.values()),
        "by_kind": [{"verb": v, "label": verb_label(v), "count": counts[v]} for v in SCHEDULE_CHANGE_VERBS if counts.get(v)],
        "rows": rows,
    }


# --- shortages -------------------------------------------------------------------------------------


def shortages_ahead(now, shifts=SHORTAGE_SHIFTS):
    """Unresolved shortages that hit the next ``shifts`` shifts after ``now`` (the one running first):
    their work order is scheduled in one of them, or their material is needed by the last one's date
    (two queries)."""
    slots = next_shifts(shifts, now=now)
    if not slots:
        return {"shifts": [], "count": 0, "rows": []}
    wanted = Q()
    for slot in slots:
        wanted |= Q(date=slot.date, shift_id=slot.shift.pk)
    scheduled = defaultdict(list)
    for work_order_id, date, code in (
        ScheduleEntry.objects.filter(wanted)
        .values_list("work_order_id", "date", "shift__code")
        .order_by("date", "shift__start_time")
    ):
        label = f"{date:%a} {code}"
        if label not in scheduled[work_order_id]:
            scheduled[work_order_id].append(label)
    last = slots[-1].date
    found = (
        Shortage.objects.filter(status__in=Shortage.UNRESOLVED)
        .filter(Q(work_order_id__in=list(scheduled)) | Q(needed_by__lte=last))
        .select_related("item", "work_order")
        .order_by("needed_by", "work_order__priority", "work_order__number", "item__sku", "pk")
    )
    rows = [
        {
            "id": shortage.pk,
            "item": shortage.item.sku,
            "work_order": shortage.work_order.number,
            "shortfall": qty(shortage.shortfall),
            "needed_by": shortage.needed_by.isoformat(),
            "status": shortage.status,
            "status_label": Shortage.Status(shortage.status).label,
            "scheduled": scheduled.get(shortage.work_order_id, []),
            "url": f"{reverse('shortages')}?work_order={shortage.work_order.number}",
        }
        for shortage in found
    ]
    return {
        "shifts": [{"code": s.shift.code, "date": s.date.isoformat(), "start": iso(s.start), "end": iso(s.end)} for s in slots],
        "count": len(rows),
        "rows": rows,
    }


# --- action items and handovers (coordination) ---------------------------------------------------


def brief_reference(morning, section, key):
    """How an action item given from a line of the brief names that line: ``brief:2026-12-07:holds:42``
    (``ActionItem.source_reference``), so the next brief finds what became of it."""
    return f"brief:{morning.isoformat()}:{section}:{key}"[:100]


def _person(user):
    return (user.get_full_name() or user.username) if user is not None else None


def _action_row(item, morning):
    return {
        "id": item.pk,
        "title": item.title,
        "owner": _person(item.owner),
        "due_date": item.due_date.isoformat(),
        "days_overdue": max(0, (morning - item.due_date).days),
        "status": item.status,
        "status_label": ActionItem.Status(item.status).label,
        "is_critical": item.is_critical,
        "source": item.source,
        "work_order": item.work_order.number if item.work_order_id else None,
        "closed_at": iso(item.closed_at),
        "closing_note": item.closing_note[:200],
        "url": f"{reverse('action-items')}?owner={item.owner.username}#action-{item.pk}",
    }


def action_items(morning, previous):
    """Open action items overdue on the morning and due that day (two queries), and every item
    given from a line of the previous brief, as it stands now (one query)."""
    overdue = [_action_row(item, morning) for item in coordination.action_items_overdue(on=morning)]
    due_today = [_action_row(item, morning) for item in coordination.action_items_due_on(morning)]
    from_last = []
    if previous is not None:
        given = coordination.action_item_list().filter(
            source=ActionItem.Source.BRIEF, source_reference__startswith=f"brief:{previous.date.isoformat()}:"
        )
        from_last = [_action_row(item, morning) for item in given.order_by("pk")]
    return {
        "overdue": {"count": len(overdue), "rows": overdue},
        "due_today": {"count": len(due_today), "rows": due_today},
        "from_last_brief": {
            "brief": previous.date.isoformat() if previous is not None else None,
            "count": len(from_last),
            "open": sum(1 for row in from_last if row["status"] == ActionItem.Status.OPEN),
            "rows": from_last,
        },
    }


def unacknowledged_handovers(now):
    """Handovers submitted and not yet acknowledged by the incoming shift (one query)."""
    rows = []
    for handover in coordination.handovers_unacknowledged().order_by("date", "shift__start_time", "department__code"):
        rows.append(
            {
                "id": handover.pk,
                "department": handover.department.code,
                "date": handover.date.isoformat(),
                "shift": handover.shift.code,
                "incoming_shift": handover.incoming_shift.code,
                "submitted_by": _person(handover.submitted_by),
                "submitted_at": iso(handover.submitted_at),
                "waiting_hours": int((now - handover.submitted_at).total_seconds() // 3600) if handover.submitted_at else None,
                "url": reverse(
                    "handover-detail",
                    kwargs={
                        "department": handover.department.code,
                        "date": handover.date.isoformat(),
                        "shift": handover.shift.code,
                    },
                ),
            }
        )
    return {"count": len(rows), "rows": rows}


# --- restated figures -----------------------------------------------------------------------------


def restatable(attainment, quality_figures, downtime_figures):
    """The figures a later brief checks again: per work center and in total (``{key: {figure: value}}``)."""
    figures = {"total": {**_pick(attainment["total"]), **_pick_quality(quality_figures), **_pick_downtime(downtime_figures)}}
    for department in attainment["departments"]:
        for center in department["work_centers"]:
            figures[f"wc:{center['code']}"] = _pick(center)
    return figures


def _pick(row):
    return {k: row[k] for k in ("planned", "actual", "capped_actual", "attainment_pct", "volume_attainment_pct")}


def _pick_quality(row):
    return {k: row[k] for k in ("good", "scrap", "first_pass_yield_pct")}


def _pick_downtime(row):
    return {"downtime_minutes": row["minutes"], "unclassified_downtime_minutes": row["unclassified_minutes"]}


FIGURE_LABELS = {
    "planned": "planned",
    "actual": "good made",
    "capped_actual": "good against plan (capped)",
    "attainment_pct": "attainment %",
    "volume_attainment_pct": "volume attainment %",
    "good": "good reported",
    "scrap": "scrap",
    "first_pass_yield_pct": "first-pass yield %",
    "downtime_minutes": "downtime minutes",
    "unclassified_downtime_minutes": "unclassified downtime minutes",
}


def restated(previous, now):
    """What changed, since ``previous`` (a ``MorningBrief``) was generated, in the figures it showed
    for its production day: ``{"previous_brief", "production_date", "rows"}``."""
    if previous is None:
        return {"previous_brief": None, "production_date": None, "generated_at": None, "rows": []}
    shown = previous.payload.get("figures") or {}
    day = previous.production_date
    start, end, _ = day_window(day, day_shifts(day))
    current = restatable(attainment_figures(day), quality(day), downtime(start, end, now))
    rows = []
    for key in sorted(set(shown) | set(current), key=lambda k: (k != "total", k)):
        before, after = shown.get(key, {}), current.get(key, {})
        for figure, label in FIGURE_LABELS.items():
            if figure not in before and figure not in after:
                continue
            if before.get(figure) == after.get(figure):
                continue
            code = key.removeprefix("wc:")
            rows.append(
                {
                    "scope": "plant" if key == "total" else code,
                    "figure": figure,
                    "label": label,
                    "before": before.get(figure),
                    "after": after.get(figure),
                    "url": reverse("brief-date", kwargs={"date": previous.date.isoformat()})
                    if key == "total"
                    else _work_center_url(code),
                }
            )
    return {
        "previous_brief": previous.date.isoformat(),
        "production_date": day.isoformat(),
        "generated_at": iso(previous.generated_at),
        "rows": rows,
    }


# --- the whole brief ------------------------------------------------------------------------------


def brief_payload(*, morning, now, previous=None):
    """The stored content of the brief for the morning ``morning`` (see the module's docstring)."""
    production_date = morning - dt.timedelta(days=1)
    start, end, shifts = day_window(production_date, day_shifts(production_date))
    attainment = attainment_figures(production_date)
    carry = carry_over(production_date)
    holds = active_holds(now)
    stops = downtime(start, end, now)
    made = quality(production_date)
    since = previous.generated_at if previous is not None else start - dt.timedelta(days=1)
    changes = schedule_changes(since, now)
    restatements = restated(previous, now)
    actions = action_items(morning, previous)
    handovers = unacknowledged_handovers(now)
    short = shortages_ahead(now)
    total = attainment["total"]
    return {
        "version": CALC_VERSION,
        "date": morning.isoformat(),
        "production_date": production_date.isoformat(),
        "window": {"start": iso(start), "end": iso(end), "complete": end <= now},
        "shifts": [
            {"code": s["code"], "name": s["name"], "start": iso(s["start"]), "end": iso(s["end"]), "ended": s["end"] <= now}
            for s in shifts
        ],
        "headline": {
            "attainment_pct": total["attainment_pct"],
            "volume_attainment_pct": total["volume_attainment_pct"],
            "planned": total["planned"],
            "capped_actual": total["capped_actual"],
            "downtime_minutes": stops["minutes"],
            "unclassified_downtime_minutes": stops["unclassified_minutes"],
            "active_holds": holds["count"],
            "carry_over_entries": carry["count"],
            "good": made["good"],
            "scrap": made["scrap"],
            "first_pass_yield_pct": made["first_pass_yield_pct"],
            "schedule_changes": changes["count"],
            "restated": len(restatements["rows"]),
            "overdue_actions": actions["overdue"]["count"],
            "actions_due_today": actions["due_today"]["count"],
            "unacknowledged_handovers": handovers["count"],
            "shortages_ahead": short["count"],
        },
        "attainment": attainment,
        "carry_over": carry,
        "holds": holds,
        "downtime": stops,
        "quality": made,
        "schedule_changes": changes,
        "restated": restatements,
        "actions": actions,
        "handovers": handovers,
        "shortages": short,
        "figures": restatable(attainment, made, stops),
    }
