"""The board (home): filters, sorting, grouping with counts, saved views per person, and the live
refresh — a 204 from one query when nothing changed, the changed rows marked when something did;
a work order's page saying who else changed it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from prodcoord.core.plant_time import plant_today
from prodcoord.core.roles import ROLES
from prodcoord.events.models import Event
from prodcoord.events.selectors import event_last_id
from tests.factories import DepartmentFactory, WorkCenterFactory, make_routed_item, make_work_order
from workorders import services
from workorders.models import SavedBoardView

pytestmark = pytest.mark.django_db

HOME = reverse("home")
SAVE = reverse("saved-view-create")


@pytest.fixture
def coordinator(make_user):
    return make_user("coordinator", first_name="Dana", last_name="Ortiz")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    client.user = coordinator
    return client


@pytest.fixture
def plant(shifts):
    """Two departments: machining (MILL, LATHE) and assembly (ASSY); orders at each."""
    machining = DepartmentFactory(code="MACH", name="Machining")
    assembly = DepartmentFactory(code="ASM", name="Assembly")
    mill = WorkCenterFactory(code="MILL", department=machining)
    lathe = WorkCenterFactory(code="LATHE", department=machining)
    assy = WorkCenterFactory(code="ASSY", department=assembly)
    milled = make_routed_item(sku="FG-MILLED", work_centers=[mill, assy])
    turned = make_routed_item(sku="FG-TURNED", work_centers=[lathe, assy])
    assembled = make_routed_item(sku="FG-KIT", work_centers=[assy])
    orders = {
        "mill_late": make_work_order(
            item=milled, status="released", due_date=plant_today() - dt.timedelta(days=30), priority=2, customer_ref="ACME-7"
        ),
        "mill": make_work_order(item=milled, status="in_progress", due_date=plant_today() + dt.timedelta(days=62), priority=3),
        "lathe": make_work_order(item=turned, status="released", due_date=plant_today() + dt.timedelta(days=60), priority=1),
        "assy": make_work_order(item=assembled, status="draft", priority=4, customer_ref="BOLT-1"),
    }
    services.work_order_refresh_overdue()
    return orders


def numbers(response):
    assert response.status_code == 200
    return [wo.number for wo in response.context["work_orders"]]


def test_board_shows_current_operation_work_center_badges_and_customer(coordinator_client, plant):
    services.hold_place(work_order=plant["mill"], actor=coordinator_client.user, kind="quality", reason="Burr")
    html = coordinator_client.get(HOME).content.decode()
    for wo in plant.values():
        assert wo.number in html
    assert "MILL" in html and "LATHE" in html and "ASSY" in html
    assert "ACME-7" in html and "BOLT-1" in html
    assert 'badge--hold">On hold<' in html  # a word, not only a colour
    assert 'badge--late">Late<' in html
    assert "0 / 100" in html  # done / ordered


def test_board_filters_by_department_work_center_priority_due_window_late_and_text(coordinator_client, plant):
    get = lambda **params: set(numbers(coordinator_client.get(HOME, params)))  # noqa: E731
    p = {k: v.number for k, v in plant.items()}
    assert get(department="MACH") == {p["mill_late"], p["mill"], p["lathe"]}
    assert get(department="ASM") == {p["assy"]}
    assert get(work_center="MILL") == {p["mill_late"], p["mill"]}
    assert get(priority="1") == {p["lathe"]}
    soon = plant_today() + dt.timedelta(days=59)
    assert get(due_after=soon.isoformat(), due_before=(soon + dt.timedelta(days=2)).isoformat()) == {p["lathe"]}
    assert get(overdue="true") == {p["mill_late"]}
    assert get(search="acme") == {p["mill_late"]}
    assert get(search="FG-TURNED") == {p["lathe"]}
    assert get(department="MACH", status="in_progress") == {p["mill"]}
    # What the board cannot read is ignored, never an error.
    assert len(get(due_after="not-a-date", priority="9", group="shoe", ordering="--x")) == 4


def test_board_sorts_by_every_column_both_ways(coordinator_client, plant):
    p = {k: v.number for k, v in plant.items()}
    assert numbers(coordinator_client.get(HOME)) == [p["lathe"], p["mill_late"], p["mill"], p["assy"]]  # most urgent first
    assert numbers(coordinator_client.get(HOME, {"ordering": "-priority"}))[0] == p["assy"]
    assert numbers(coordinator_client.get(HOME, {"ordering": "due_date"})) == [p["mill_late"], p["lathe"], p["mill"], p["assy"]]
    assert numbers(coordinator_client.get(HOME, {"ordering": "-due_date"}))[-1] == p["assy"]  # no due date: last either way
    assert numbers(coordinator_client.get(HOME, {"ordering": "work_center"}))[0] == p["assy"]  # ASSY < LATHE < MILL
    assert numbers(coordinator_client.get(HOME, {"ordering": "customer_ref"}))[:2] == [p["mill_late"], p["assy"]]
    assert numbers(coordinator_client.get(HOME, {"ordering": "-customer_ref"}))[:2] == [p["assy"], p["mill_late"]]
    for key in services.BOARD_SORT_KEYS:
        for value in (key, f"-{key}"):
            assert sorted(numbers(coordinator_client.get(HOME, {"ordering": value}))) == sorted(p.values())


def test_board_sorts_by_progress(coordinator_client, plant):
    wo = plant["mill"]
    for operation in (10, 20):  # done / ordered counts what left the last operation
        services.operation_report_progress(
            work_order=wo, actor=coordinator_client.user, operation=operation, quantity_good=Decimal("60")
        )
    assert numbers(coordinator_client.get(HOME, {"ordering": "-progress"}))[0] == wo.number
    assert numbers(coordinator_client.get(HOME, {"ordering": "progress"}))[-1] == wo.number


def test_board_groups_by_department_and_by_work_center_with_counts(coordinator_client, plant):
    response = coordinator_client.get(HOME, {"group": "department"})
    groups = {g["key"]: g["count"] for g in response.context["groups"]}
    assert groups == {"MACH": 3, "ASM": 1}
    rows = response.context["work_orders"]
    assert [r.current_work_center.department.code for r in rows] == ["ASM", "MACH", "MACH", "MACH"]  # grouped, A to Z
    html = response.content.decode()
    assert "Machining" in html and "3 orders" in html and "1 order<" in html
    assert html.count('class="group-row"') == 2

    response = coordinator_client.get(HOME, {"group": "work_center", "department": "MACH"})
    assert {g["key"]: g["count"] for g in response.context["groups"]} == {"LATHE": 1, "MILL": 2}


def test_group_counts_cover_every_page_not_only_the_shown_one(coordinator_client, plant):
    item = plant["assy"].item
    for _ in range(50):
        services.work_order_create(actor=None, item=item, quantity=Decimal("1"))
    response = coordinator_client.get(HOME, {"group": "department"})
    assert len(response.context["work_orders"]) == 50
    assert {g["key"]: g["count"] for g in response.context["groups"]} == {"MACH": 3, "ASM": 51}


def test_board_query_count_does_not_grow_with_rows(coordinator_client, plant, assert_query_baseline):
    item = plant["assy"].item
    for _ in range(20):
        services.work_order_create(actor=None, item=item, quantity=Decimal("3"))
    SavedBoardView.objects.create(user=coordinator_client.user, name="Mine", query="department=MACH")
    with assert_query_baseline("page: board"):
        response = coordinator_client.get(HOME)
    assert len(response.context["work_orders"]) == 24
    with assert_query_baseline("page: board, grouped by department"):
        response = coordinator_client.get(HOME, {"group": "department", "ordering": "-due_date"})
    assert len(response.context["work_orders"]) == 24
    with assert_query_baseline("page: board, grouped by work center (htmx)"):
        response = coordinator_client.get(HOME, {"group": "work_center"}, HTTP_HX_REQUEST="true")
    assert len(response.context["work_orders"]) == 24


def test_refresh_with_nothing_new_is_204_from_one_query_past_the_session(coordinator_client, plant, assert_query_baseline):
    since = event_last_id()
    with assert_query_baseline("page: board refresh, nothing changed"):
        response = coordinator_client.get(HOME, {"since": since, "group": "department"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response.content == b""


def test_refresh_after_a_change_marks_the_changed_rows_and_moves_on(coordinator_client, plant, make_user):
    since = event_last_id()
    services.hold_place(work_order=plant["lathe"], actor=make_user("supervisor"), kind="material", reason="No bar stock")
    response = coordinator_client.get(HOME, {"since": since, "department": "MACH"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    rows = {wo.number: wo for wo in response.context["work_orders"]}
    assert rows[plant["lathe"].number].changed and rows[plant["lathe"].number].on_hold
    assert not rows[plant["mill"].number].changed
    html = response.content.decode()
    assert "1 row changed just now" in html and 'badge--changed">Changed<' in html
    assert "department=MACH" in response.context["poll_url"]  # the filters stay
    assert f"since={event_last_id()}" in response.context["poll_url"]  # asks from the newest event next
    again = coordinator_client.get(HOME, {"since": event_last_id(), "department": "MACH"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 204


def test_full_page_carries_the_poll_url_with_its_filters_and_page(coordinator_client, plant):
    response = coordinator_client.get(HOME, {"department": "MACH", "page": "1"})
    html = response.content.decode()
    assert f'hx-get="/?department=MACH&amp;since={event_last_id()}"' in html
    assert 'hx-trigger="every 10s"' in html


def test_a_poll_does_not_keep_an_idle_session_alive(client, coordinator, plant, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    from prodcoord.core.sessions import LAST_ACTIVITY

    client.force_login(coordinator)
    session = client.session
    session[LAST_ACTIVITY] = int(dt.datetime.now().timestamp()) - 25 * 60
    session.save()
    before = client.session[LAST_ACTIVITY]
    client.get(HOME, {"since": event_last_id()}, HTTP_HX_REQUEST="true", HTTP_X_LIVE_POLL="1")
    assert client.session[LAST_ACTIVITY] == before
    client.get(HOME)
    assert client.session[LAST_ACTIVITY] > before


# --- saved views ----------------------------------------------------------------------------


def test_save_list_open_and_delete_a_view(coordinator_client, plant):
    response = coordinator_client.post(
        SAVE, {"name": "Late in machining", "query": "department=MACH&overdue=true&group=work_center&page=3"}
    )
    assert response.status_code == 302
    view = SavedBoardView.objects.get(user=coordinator_client.user)
    assert view.query == "department=MACH&overdue=true&group=work_center"  # the page is not part of a view
    assert response["Location"] == f"{HOME}?{view.query}"
    board = coordinator_client.get(HOME)
    html = board.content.decode()
    assert "Late in machining" in html and f'href="/?{view.query.replace("&", "&amp;")}"' in html
    assert numbers(coordinator_client.get(response["Location"])) == [plant["mill_late"].number]
    response = coordinator_client.post(reverse("saved-view-delete", args=[view.pk]))
    assert response.status_code == 302 and not SavedBoardView.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "query": "department=MACH"}, "name", "Give the view a name."),
        ({"name": "   ", "query": ""}, "name", "Give the view a name."),
        ({"name": "x" * 61, "query": ""}, "name", "60 characters or fewer"),
        ({"name": "MY LINE", "query": ""}, "name", "You already have a view with this name."),
        ({"name": "Odd", "query": "priority=9"}, "query", "The board cannot show this view: priority=9."),
        ({"name": "Odd", "query": "due_after=yesterday"}, "query", "cannot show this view"),
    ],
)
def test_a_bad_saved_view_gets_a_field_error_and_writes_nothing(coordinator_client, plant, data, field, message):
    SavedBoardView.objects.create(user=coordinator_client.user, name="My line", query="")
    response = coordinator_client.post(SAVE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["saved_view_form"].errors[field if field == "name" else "query"]
    assert SavedBoardView.objects.count() == 1


def test_saved_views_are_per_person(client, coordinator, make_user, plant):
    other = make_user("supervisor")
    theirs = SavedBoardView.objects.create(user=other, name="My line", query="department=ASM")
    client.force_login(coordinator)
    assert "My line" not in client.get(HOME).content.decode()
    # The same name is free for another person; their view cannot be deleted from here.
    assert client.post(SAVE, {"name": "My line", "query": ""}).status_code == 302
    assert client.post(reverse("saved-view-delete", args=[theirs.pk])).status_code == 404
    assert SavedBoardView.objects.filter(pk=theirs.pk).exists()


def test_saved_views_cap(coordinator_client, plant):
    SavedBoardView.objects.bulk_create(
        SavedBoardView(user=coordinator_client.user, name=f"v{i}") for i in range(services.board.MAX_SAVED_VIEWS)
    )
    response = coordinator_client.post(SAVE, {"name": "one more", "query": ""})
    assert response.status_code == 400 and "delete one first" in response.content.decode()


@pytest.mark.parametrize("role", [role for role in ROLES if role != "operator"])
def test_every_role_sees_the_board_and_keeps_views(client, make_user, plant, role):
    client.force_login(make_user(role))
    assert client.get(HOME).status_code == 200
    assert client.post(SAVE, {"name": f"{role} view", "query": "group=department"}).status_code == 302


def test_operators_are_kept_to_floor_mode(client, make_user, plant):
    client.force_login(make_user("operator"))
    assert client.get(HOME)["Location"] == "/floor/"
    assert client.post(SAVE, {"name": "mine", "query": "group=department"}).status_code == 403
    assert not SavedBoardView.objects.exists()


def test_anonymous_cannot_save_delete_or_poll(client, coordinator, plant):
    view = SavedBoardView.objects.create(user=coordinator, name="x")
    for response in (
        client.post(SAVE, {"name": "x"}),
        client.post(reverse("saved-view-delete", args=[view.pk])),
        client.get(reverse("work-order-live", args=[plant["mill"].number]), {"since": 0}),
    ):
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert SavedBoardView.objects.count() == 1


def test_saving_with_get_is_not_allowed(coordinator_client, plant):
    assert coordinator_client.get(SAVE).status_code == 405


def test_batch_and_single_create_are_one_rule(coordinator, plant):
    from django.core.exceptions import ValidationError

    from prodcoord.core.rows import RowsInvalid

    with pytest.raises(RowsInvalid) as exc:
        services.saved_views_create(actor=coordinator, rows=[{"name": "A", "query": ""}, {"name": "a", "query": ""}])
    assert exc.value.as_list() == [{"row": 1, "field": "name", "message": "You already have a view with this name."}]
    assert not SavedBoardView.objects.exists()
    with pytest.raises(ValidationError):
        services.saved_view_create(actor=coordinator, name="", query="")


# --- a work order's page ----------------------------------------------------------------------


def test_work_order_page_live_check(coordinator_client, plant, make_user, assert_query_baseline):
    wo = plant["mill"]
    page = coordinator_client.get(reverse("work-order-detail", args=[wo.number]))
    since = page.context["live_since"]
    live = reverse("work-order-live", args=[wo.number])
    assert f'hx-get="{live}?since={since}"' in page.content.decode()
    with assert_query_baseline("page: work order live check, nothing changed"):
        response = coordinator_client.get(live, {"since": since}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    # An event of another order does not concern this page.
    services.hold_place(work_order=plant["lathe"], actor=None, kind="quality", reason="Other order")
    assert coordinator_client.get(live, {"since": since}, HTTP_HX_REQUEST="true").status_code == 204

    supervisor = make_user("supervisor", first_name="Sam", last_name="Reyes")
    services.hold_place(work_order=wo, actor=supervisor, kind="quality", reason="Porosity on face")
    response = coordinator_client.get(live, {"since": since}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else just changed this work order" in html
    assert "Sam Reyes" in html and "Porosity on face" in html
    newest = Event.objects.filter(work_order=wo).order_by("-pk").first().pk
    assert f"since={newest}" in html


def test_own_changes_move_the_live_check_on_without_a_notice(coordinator_client, plant):
    wo = plant["mill"]
    since = event_last_id()
    services.hold_place(work_order=wo, actor=coordinator_client.user, kind="quality", reason="Mine")
    response = coordinator_client.get(reverse("work-order-live", args=[wo.number]), {"since": since}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Someone else" not in html
    assert f"since={event_last_id()}" in html


def test_live_check_needs_since(coordinator_client, plant):
    response = coordinator_client.get(reverse("work-order-live", args=[plant["mill"].number]), {"since": "x"})
    assert response.status_code == 400


def _row_renders(response):
    return sum(1 for t in response.templates if t.name == "workorders/partials/_board_row.html")


def test_board_rows_come_from_the_cache_until_what_they_show_changes(coordinator_client, plant):
    """A row's HTML is cached under the values it shows: the same board again renders no row, and a
    work order that changes (priority, a hold) shows its new state at once, only its row rendered anew."""
    first = coordinator_client.get(HOME)
    assert _row_renders(first) <= len(plant)
    again = coordinator_client.get(HOME)
    assert _row_renders(again) == 0
    html = lambda response: [wo.row_html for wo in response.context["work_orders"]]  # noqa: E731
    assert html(again) == html(first)

    lathe = plant["lathe"]
    services.work_order_change_priority(work_order=lathe, actor=coordinator_client.user, priority=5, reason="Customer moved")
    services.hold_place(work_order=plant["mill"], actor=coordinator_client.user, kind="quality", reason="Burr")
    changed = coordinator_client.get(HOME)
    assert _row_renders(changed) == 2
    rows = {wo.number: wo.row_html for wo in changed.context["work_orders"]}
    assert 'prio--5">5<' in rows[lathe.number]
    assert "On hold" in rows[plant["mill"].number]
    assert "On hold" not in rows[plant["mill_late"].number]
