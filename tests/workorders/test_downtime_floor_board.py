"""Downtime one tap from floor mode (the current operation's work center) and from the board (the
work centers down now, and DOWN beside each order's current work center)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from plant.models import DowntimeEvent
from prodcoord.core.badges import operator_badge_set
from tests.factories import WorkCenterFactory, make_routed_item, make_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def downtime_reasons():
    """The migration's reasons, which a browser test's flush (same process, PostgreSQL) removes."""
    from plant.services import downtime_reasons_ensure_defaults

    downtime_reasons_ensure_defaults(actor=None)


@pytest.fixture
def order(shifts):
    line = [WorkCenterFactory(code="SAW-01"), WorkCenterFactory(code="CNC-01")]
    return make_work_order(item=make_routed_item(sku="SHAFT-20", work_centers=line), status="released", quantity=Decimal("10"))


@pytest.fixture
def tablet(client, make_user):
    user = make_user("operator", username="tomasz")
    operator_badge_set(actor=None, user=user, badge="1001", pin="2468")
    assert client.post(reverse("floor-sign-in"), {"badge": "1001", "pin": "2468"}).status_code == 302
    return client


def test_an_operator_marks_the_current_work_center_down_and_running_again(tablet, order):
    page = reverse("floor-work-order", args=[order.number])
    html = tablet.get(page).content.decode()
    assert "SAW-01 stopped?" in html and "SAW-01 is down" in html
    started = tablet.post(reverse("floor-downtime-start", args=[order.number]), {"work_center": "CNC-01", "reason": "BREAKDOWN"})
    assert started.status_code == 302 and started["Location"] == page
    event = DowntimeEvent.objects.get()
    assert event.work_center.code == "SAW-01"  # the current operation's, whatever the form said
    html = tablet.get(page).content.decode()
    assert "DOWN" in html and "SAW-01 running again" in html
    again = tablet.post(reverse("floor-downtime-start", args=[order.number]), {"reason": "QUALITY"}, follow=True)
    assert "SAW-01 not marked down" in again.content.decode()
    missing = tablet.post(reverse("floor-downtime-start", args=[order.number]), {"reason": ""}, follow=True)
    assert "Say why it stopped" in missing.content.decode()
    stopped = tablet.post(reverse("floor-downtime-stop", args=[order.number]), {"note": "blade changed"})
    assert stopped.status_code == 302
    event.refresh_from_db()
    assert event.ended_at is not None and event.note == "blade changed"
    assert DowntimeEvent.objects.count() == 1


def test_a_viewer_sees_downtime_on_the_board_but_gets_no_buttons(client, make_user, order):
    from plant.models import DowntimeReason
    from plant.services import downtime_start

    downtime_start(
        actor=None, work_center=order.operations.get(sequence=10).work_center, reason=DowntimeReason.objects.get(code="QUALITY")
    )
    client.force_login(make_user("viewer"))
    html = client.get("/").content.decode()
    assert "down-strip" in html and "SAW-01" in html and "badge--down" in html
    assert "Running again" not in html and "Mark a work center down" not in html


def test_a_coordinator_marks_down_and_running_from_the_board(client, make_user, order):
    client.force_login(make_user("coordinator"))
    html = client.get("/").content.decode()
    assert "Mark a work center down" in html and "All work centers running" in html
    started = client.post("/downtime/start/", {"work_center": "SAW-01", "reason": "NO-MATERIAL", "next": "/?group=department"})
    assert started["Location"] == "/?group=department"
    html = client.get("/").content.decode()
    assert "1 work center" in html and "Running again" in html
    event = DowntimeEvent.objects.get()
    assert client.post(reverse("downtime-stop", args=[event.pk]), {"next": "/"})["Location"] == "/"
    event.refresh_from_db()
    assert event.ended_at is not None


def poll(client, since):
    return client.get("/", {"since": since}, HTTP_HX_REQUEST="true", HTTP_X_LIVE_POLL="1")


def strip_tag(html):
    """The strip's opening tag: whether it is hidden, and swapped out of band."""
    start = html.index('<section id="down-strip"')
    return html[start : html.index(">", start) + 1]


def test_the_boards_next_refresh_brings_downtime_started_and_ended_elsewhere(client, make_user, order):
    from plant.models import DowntimeReason
    from plant.services import downtime_events_create, downtime_start, downtime_stop
    from prodcoord.events.selectors import event_last_id

    client.force_login(make_user("coordinator"))
    assert "All work centers running" in client.get("/").content.decode()
    since = event_last_id()
    saw = order.operations.get(sequence=10).work_center
    # downtime that has ended already changes nothing the board shows: the refresh stays a 204
    earlier = timezone.now() - dt.timedelta(hours=3)
    downtime_events_create(
        actor=None,
        rows=[
            {
                "work_center": saw,
                "reason": DowntimeReason.objects.get(code="QUALITY"),
                "started_at": earlier,
                "ended_at": earlier + dt.timedelta(minutes=20),
            }
        ],
    )
    assert poll(client, since).status_code == 204

    event = downtime_start(actor=make_user("operator"), work_center=saw, reason=DowntimeReason.objects.get(code="BREAKDOWN"))
    response = poll(client, since)
    assert response.status_code == 200
    html = response.content.decode()
    assert strip_tag(html) == '<section id="down-strip" class="down-strip" aria-label="Work centers down" hx-swap-oob="true">'
    strip = html[html.index('<section id="down-strip"') :]
    assert "1 work center" in strip and "SAW-01" in strip and "Running again" in strip
    # the page's own "mark a work center down" form stays as it is: only an empty stand-in comes
    assert '<details id="down-strip-start" class="down-strip__start no-print" hx-preserve hidden></details>' in strip
    assert 'name="next" value="/"' in strip  # back to the board, not to the poll's URL
    assert "badge--down" in html  # and beside the order at SAW-01
    assert poll(client, event_last_id()).status_code == 204

    since = event_last_id()
    downtime_stop(actor=None, downtime_event=event)
    html = poll(client, since).content.decode()
    assert "All work centers running" in html and "Running again" not in html


def test_a_viewers_board_shows_the_strip_when_a_work_center_goes_down_and_hides_it_after(client, make_user, order):
    from plant.models import DowntimeReason
    from plant.services import downtime_start, downtime_stop
    from prodcoord.events.selectors import event_last_id

    client.force_login(make_user("viewer"))
    assert strip_tag(client.get("/").content.decode()).endswith(" hidden>")  # nothing down, and no form of theirs
    since = event_last_id()
    event = downtime_start(
        actor=None, work_center=order.operations.get(sequence=10).work_center, reason=DowntimeReason.objects.get(code="QUALITY")
    )
    html = poll(client, since).content.decode()
    assert not strip_tag(html).endswith(" hidden>")
    assert "SAW-01" in html and "Running again" not in html and "Mark a work center down" not in html
    since = event_last_id()
    downtime_stop(actor=None, downtime_event=event)
    html = poll(client, since).content.decode()
    assert (
        strip_tag(html) == '<section id="down-strip" class="down-strip" aria-label="Work centers down" hx-swap-oob="true" hidden>'
    )
