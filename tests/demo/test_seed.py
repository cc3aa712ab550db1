"""Demo data: seed_demo and seed_plant, both built through the services."""

import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Count, Q, Sum
from django.test import Client
from django.utils import timezone

from demo.builders import DEMO_PASSWORD, DEMO_USERS
from materials.models import Item
from planning.models import ScheduleEntry
from plant.models import Shift
from plant.shift_calendar import shift_slot_at
from prodcoord.core.plant_time import plant_today, to_plant
from prodcoord.events.models import Event
from workorders.models import Hold, Operation, ProductionReport, WorkOrder

ALL_STATES = {"draft", "released", "in_progress", "completed", "closed", "cancelled"}


@pytest.fixture
def allow_seed(monkeypatch):
    monkeypatch.setenv("PRODCOORD_ALLOW_SEED", "1")


def assert_plant_invariants():
    work_orders = WorkOrder.objects.annotate(
        active_holds=Count("holds", filter=Q(holds__released_at__isnull=True), distinct=True),
        n_ops=Count("operations", distinct=True),
    )
    assert not work_orders.filter(n_ops=0).exists(), "every work order has operations"
    for wo in work_orders:
        assert wo.active_hold_count == wo.active_holds, wo.number
    last_good = {}
    scrap = Counter()
    for op in Operation.objects.order_by("work_order_id", "sequence"):
        last_good[op.work_order_id] = op.quantity_good
        scrap[op.work_order_id] += op.quantity_scrap
    # (Negative quantities cannot be stored at all: check constraints.) The checks below mean
    # something only if the plant has progress and scrap to check.
    assert any(last_good.values()) and any(scrap.values()), "no progress or no scrap anywhere"
    for wo in WorkOrder.objects.all():
        assert wo.quantity_completed == last_good[wo.pk], wo.number
        assert wo.quantity_scrapped == scrap[wo.pk], wo.number
        assert wo.quantity_completed <= wo.quantity
    # Operation totals are exactly the sum of their production reports.
    totals = {
        r["operation_id"]: (r["good"], r["scrap"])
        for r in ProductionReport.objects.values("operation_id").annotate(good=Sum("quantity_good"), scrap=Sum("quantity_scrap"))
    }
    for op in Operation.objects.all():
        assert totals.get(op.pk, (Decimal(0), Decimal(0))) == (op.quantity_good, op.quantity_scrap), op.pk
    assert not WorkOrder.objects.filter(status__in=["draft", "released"], quantity_completed__gt=0).exists()
    # Completing an order finishes its operations.
    assert not Operation.objects.filter(work_order__status__in=["completed", "closed"]).exclude(status="done").exists()
    assert not ProductionReport.objects.filter(reported_at__gt=timezone.now()).exists()


def assert_reports_attributed_to_shifts():
    """Each report in the shift its time falls in; a reversal in its original's."""
    shifts = list(Shift.objects.all())
    for report in ProductionReport.objects.select_related("shift", "reverses"):
        original = report.reverses or report
        slot = shift_slot_at(original.reported_at, shifts=shifts)
        assert (report.shift_id, report.shift_date) == (slot.shift.pk, slot.date)


def assert_scrap_has_reasons():
    assert not ProductionReport.objects.exclude(quantity_scrap=0).filter(scrap_reason__isnull=True).exists()
    assert ProductionReport.objects.filter(quantity_scrap__gt=0).values("scrap_reason").distinct().count() >= 3


def test_seed_demo_builds_a_plant_in_every_state(db, allow_seed):
    out = io.StringIO()
    call_command("seed_demo", "--seed", "7", stdout=out)

    statuses = Counter(WorkOrder.objects.values_list("status", flat=True))
    assert sum(statuses.values()) >= 300
    assert set(statuses) == ALL_STATES
    assert Item.objects.count() >= 100
    assert set(Item.objects.values_list("kind", flat=True)) >= {"raw", "component", "subassembly", "finished", "packaging"}
    assert Hold.objects.filter(released_at__isnull=True).exists()
    assert Hold.objects.filter(released_at__isnull=False).exists()
    assert len(set(Hold.objects.values_list("kind", flat=True))) >= 4
    assert_plant_invariants()

    # Progress over the past two weeks, each report in the shift it falls in;
    # a night-shift report after midnight belongs to the evening before.
    today = plant_today()
    reports = ProductionReport.objects.select_related("shift")
    assert reports.count() > 300
    assert reports.filter(shift_date__lt=today - dt.timedelta(days=10)).exists()
    assert set(reports.values_list("shift__code", flat=True)) == {"DAY", "SWING", "NIGHT"}
    assert_reports_attributed_to_shifts()
    assert_scrap_has_reasons()
    # A few reports keyed in twice, reversed by the supervisor with a reason.
    reversals = ProductionReport.objects.filter(reverses__isnull=False)
    assert reversals.exists() and not reversals.filter(note="").exists()
    assert Event.objects.filter(verb="production_report.reversed").count() == reversals.count()
    after_midnight = [r for r in reports.filter(shift__code="NIGHT") if to_plant(r.reported_at).hour < 6]
    assert after_midnight and all(r.shift_date == to_plant(r.reported_at).date() - dt.timedelta(days=1) for r in after_midnight)

    # Two weeks of schedule history and next week's plan.
    dates = set(ScheduleEntry.objects.values_list("date", flat=True))
    assert min(dates) <= today - dt.timedelta(days=10)
    assert max(dates) >= today + dt.timedelta(days=5)

    # Priority changes, reschedules and cancellations say why.
    for verb in ("work_order.priority_changed", "work_order.rescheduled", "work_order.cancelled"):
        events = Event.objects.filter(verb=verb)
        assert events.exists(), verb
        assert not events.filter(reason="").exists(), verb

    # One login per role, in the group of the same name, plus the admin: each logs in on the login page.
    def logs_in(username):
        client = Client()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        return response.status_code == 302 and client.session.get("_auth_user_id") == str(User.objects.get(username=username).pk)

    for username, _first, _last, role in DEMO_USERS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert logs_in(username), username
    assert User.objects.get(username="admin").is_superuser
    assert logs_in("admin")
    assert "prodcoord-demo" in out.getvalue()

    # The coordinator is on Assembly's day shift; the meeting, a hold and downtime gave action items.
    from coordination.models import ActionItem, RosterEntry

    assert RosterEntry.objects.get(user__username="coordinator").department.code == "ASSY"
    assert set(ActionItem.objects.values_list("source", flat=True)) == {"meeting", "hold", "downtime"}
    assert ActionItem.objects.filter(status="open", due_date__lt=today).exists()

    # Shortages netted once for the plant as built; the last two mornings' briefs, the second
    # comparing with the first.
    from planning.models import Shortage
    from reports.models import MorningBrief

    assert Shortage.objects.exists()
    assert sorted(MorningBrief.objects.values_list("date", flat=True)) == [today - dt.timedelta(days=1), today]

    # A second run leaves the plant alone.
    count = WorkOrder.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert "already has data" in out.getvalue()
    assert WorkOrder.objects.count() == count


def test_seed_plant_scale_1_is_proportional_and_consistent(db, allow_seed):
    call_command("seed_plant", "--scale", "1", "--seed", "3", stdout=io.StringIO())

    statuses = Counter(WorkOrder.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == 500
    assert 40 <= Item.objects.count() <= 80
    assert set(statuses) == ALL_STATES
    assert statuses["closed"] + statuses["completed"] > 250  # most work is history
    assert Hold.objects.filter(released_at__isnull=True).exists()
    assert Hold.objects.filter(released_at__isnull=False).exists()
    assert_plant_invariants()
    assert_reports_attributed_to_shifts()
    assert_scrap_has_reasons()
    # Every change is in the event log.
    assert Event.objects.filter(verb="work_order.created").count() == 500
    assert Event.objects.filter(verb="work_order.closed").count() == statuses["closed"]
    assert Event.objects.filter(verb="hold.placed").count() == Hold.objects.count()


def test_seeding_is_refused_with_production_settings(db, monkeypatch):
    monkeypatch.setenv("PRODCOORD_ALLOW_SEED", "1")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "prodcoord.settings.production")
    for command in (["seed_demo"], ["seed_plant", "--scale", "1"]):
        with pytest.raises(CommandError, match="production settings"):
            call_command(*command, stdout=io.StringIO())
    assert not WorkOrder.objects.exists()


def test_seeding_with_debug_off_needs_the_explicit_opt_in(db, monkeypatch, settings):
    settings.DEBUG = False
    monkeypatch.delenv("PRODCOORD_ALLOW_SEED", raising=False)
    with pytest.raises(CommandError, match="PRODCOORD_ALLOW_SEED=1"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not WorkOrder.objects.exists()
