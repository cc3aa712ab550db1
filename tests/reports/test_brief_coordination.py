"""The brief's coordination sections: exactly the overdue and due-today action items, the handovers
the incoming shift has not acknowledged, and meeting mode — an action item given from a brief line
inline, and what became of it in the next brief."""

import datetime as dt

import pytest

from coordination.models import ActionItem
from coordination.services import action_item_close, action_items_create, roster_entry_set
from coordination.services.handovers import shift_handover_open, shift_handover_submit
from prodcoord.core.plant_time import plant_datetime, plant_today
from reports import services
from tests.factories import DepartmentFactory, make_routed_item, make_work_order
from workorders import services as wo_services

pytestmark = pytest.mark.django_db

M = plant_today() - dt.timedelta(days=1)


def item(owner, due, title):
    """An item given a week before it is due (the service refuses a due date in the past)."""
    given = plant_datetime(due - dt.timedelta(days=7), dt.time(8))
    return action_items_create(actor=owner, rows=[{"title": title, "owner": owner, "due_date": due}], at=given)[0]


def test_the_brief_lists_exactly_the_overdue_and_due_today_actions(make_user, shifts):
    owner = make_user("coordinator", first_name="Cora", last_name="Lee")
    late = item(owner, M - dt.timedelta(days=3), "Call the coil supplier")
    today = item(owner, M, "Recalibrate the press brake")
    item(owner, M + dt.timedelta(days=2), "Not yet due")
    done = item(owner, M - dt.timedelta(days=5), "Done already")
    action_item_close(actor=owner, action_item=done, note="Supplier confirmed")
    actions = services.morning_brief_generate(date=M).payload["actions"]
    assert [(r["id"], r["days_overdue"], r["owner"]) for r in actions["overdue"]["rows"]] == [(late.pk, 3, "Cora Lee")]
    assert [r["id"] for r in actions["due_today"]["rows"]] == [today.pk]
    assert actions["overdue"]["rows"][0]["url"] == f"/actions/?owner={owner.username}#action-{late.pk}"


def test_the_brief_lists_the_handovers_not_acknowledged(make_user, shifts):
    day, _, night = shifts
    forming = DepartmentFactory(code="FORM")
    outgoing = make_user("coordinator", username="nina")
    roster_entry_set(actor=None, user=outgoing, department=forming, shift=night)
    shift_date = M - dt.timedelta(days=1)
    handover = shift_handover_open(
        actor=outgoing, department=forming, date=shift_date, shift=night, at=plant_datetime(M, dt.time(5, 30))
    )
    shift_handover_submit(actor=outgoing, handover=handover, at=plant_datetime(M, dt.time(5, 50)))
    brief = services.morning_brief_generate(date=M, now=plant_datetime(M, dt.time(8, 50)))
    rows = brief.payload["handovers"]["rows"]
    assert [(r["id"], r["department"], r["shift"], r["incoming_shift"], r["waiting_hours"]) for r in rows] == [
        (handover.pk, "FORM", "NIGHT", "DAY", 3)
    ]
    assert rows[0]["url"] == f"/handovers/FORM/{shift_date.isoformat()}/NIGHT/"
    assert brief.payload["headline"]["unacknowledged_handovers"] == 1


def test_meeting_mode_an_action_from_a_brief_line_inline_and_what_became_of_it(client, make_user, shifts):
    coordinator = make_user("coordinator")
    wo = make_work_order(item=make_routed_item(), status="released")
    hold = wo_services.hold_place(work_order=wo, actor=coordinator, kind="material", reason="Coil missing")
    services.morning_brief_generate(date=M - dt.timedelta(days=1))
    brief = services.morning_brief_generate(date=M)
    client.force_login(coordinator)
    page = client.get(f"/brief/{M.isoformat()}/").content.decode()
    assert 'id="ai-holds"' in page and "+ Action" in page
    # The line's button opens the form in the section's slot (htmx) ...
    ref = f"brief:{M.isoformat()}:holds:{hold.pk}"
    form = client.get(
        "/actions/new/",
        {"source": "brief", "ref": ref, "hold": hold.pk, "next": f"/brief/{M.isoformat()}/", "slot": "ai-holds"},
        HTTP_HX_REQUEST="true",
    )
    assert form.status_code == 200 and f'value="{ref}"' in form.content.decode()
    # ... and the item is given without leaving the page.
    made = client.post(
        "/actions/new/",
        {
            "source": "brief",
            "hold": hold.pk,
            "source_reference": ref,
            "title": "Chase the coil delivery",
            "owner": coordinator.pk,
            "due_date": (M + dt.timedelta(days=1)).isoformat(),
            "slot": "ai-holds",
            "next": f"/brief/{M.isoformat()}/",
        },
        HTTP_HX_REQUEST="true",
    )
    assert made.status_code == 200 and "Action item “Chase the coil delivery”" in made.content.decode()
    given = ActionItem.objects.get()
    assert (given.source, given.source_reference, given.hold, given.work_order) == ("brief", ref, hold, wo)
    # The next morning's brief tells what became of it.
    nxt = services.morning_brief_generate(date=M + dt.timedelta(days=1), now=plant_datetime(M + dt.timedelta(days=1), dt.time(6)))
    last = nxt.payload["actions"]["from_last_brief"]
    assert (last["brief"], last["count"], last["open"]) == (M.isoformat(), 1, 1)
    assert last["rows"][0]["title"] == "Chase the coil delivery" and last["rows"][0]["status"] == "open"
    action_item_close(actor=coordinator, action_item=given, note="Coil arrived at 07:10")
    again = services.morning_brief_generate(date=M + dt.timedelta(days=1))
    row = again.payload["actions"]["from_last_brief"]["rows"][0]
    assert (row["status"], row["closing_note"]) == ("done", "Coil arrived at 07:10")
    assert brief.pk != again.pk


def test_readers_without_the_permission_get_no_action_buttons(client, make_user, shifts):
    wo = make_work_order(item=make_routed_item(), status="released")
    wo_services.hold_place(work_order=wo, actor=None, kind="material", reason="Coil missing")
    services.morning_brief_generate(date=M)
    client.force_login(make_user("viewer"))
    page = client.get(f"/brief/{M.isoformat()}/").content.decode()
    assert "+ Action" not in page


def test_the_brief_lists_the_shortages_that_hit_the_next_two_shifts(make_user, shifts):
    from django.utils import timezone

    from planning import services as planning
    from planning.models import Shortage
    from tests.factories import ItemFactory

    day, swing, night = shifts
    today = plant_today()
    now = plant_datetime(today, dt.time(5))  # the night shift of yesterday runs; then today's day shift
    from tests.factories import WorkCenterFactory

    center = WorkCenterFactory(code="CUT-01")
    item = make_routed_item(work_centers=[center])
    soon, later, fixed = (make_work_order(item=item, status="released") for _ in range(3))
    planning.schedule_entry_upsert(actor=None, date=today, shift=day, work_center=center, work_order=soon, planned_quantity=5)
    steel = ItemFactory(sku="STEEL-1")

    def short(wo, needed_by, status="open"):
        return Shortage.objects.create(
            item=steel,
            work_order=wo,
            required=10,
            available=4,
            shortfall=6,
            needed_by=needed_by,
            status=status,
            raised_at=timezone.now(),
            updated_at=timezone.now(),
            resolved_at=timezone.now() if status == "resolved" else None,
        )

    hit = short(soon, today + dt.timedelta(days=5))  # scheduled in today's day shift
    short(later, today + dt.timedelta(days=9))  # neither scheduled nor needed in the next two shifts
    short(fixed, today, status="resolved")
    brief = services.morning_brief_generate(date=today, now=now)
    ahead = brief.payload["shortages"]
    assert [(s["code"], s["date"]) for s in ahead["shifts"]] == [
        ("NIGHT", (today - dt.timedelta(days=1)).isoformat()),
        ("DAY", today.isoformat()),
    ]
    assert [(r["id"], r["work_order"], r["shortfall"], r["scheduled"]) for r in ahead["rows"]] == [
        (hit.pk, soon.number, "6.000", [f"{today:%a} DAY"])
    ]
    assert brief.payload["headline"]["shortages_ahead"] == 1
