"""The app looks like the product: each role's navigation shows what it can use, each role
starts on its own page, and errors are the app's own pages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from prodcoord.core.roles import ROLES
from tests.factories import WorkCenterFactory

pytestmark = pytest.mark.django_db

# The header: the pages of the coordinator's day. Operators reach floor mode only: no navigation
# (tests/workorders/test_views_floor.py).
DAY = ["Open orders", "Schedule", "Morning brief", "Downtime", "My actions", "Handovers", "Notifications"]
WITH_SHORTAGES = ["Open orders", "Schedule", "Morning brief", "Shortages", "Downtime", "My actions", "Handovers", "Notifications"]
# Under "More".
LISTS = ["Activity", "My work center"]
DONE = ["To close", "History"]
NAVIGATION = {
    "viewer": (DAY, [*LISTS, *DONE]),
    "supervisor": (WITH_SHORTAGES, [*LISTS, *DONE]),
    "coordinator": (WITH_SHORTAGES, [*LISTS, "Floor mode", *DONE, "Pick list", "Receiving", "New order"]),
    "planner": (WITH_SHORTAGES, [*LISTS, *DONE, "Pick list", "Receiving", "New order", "API docs"]),
    "quality": (DAY, [*LISTS, *DONE]),
    "materials_handler": (WITH_SHORTAGES, [*LISTS, *DONE, "Pick list", "Receiving"]),
}


def nav_labels(response):
    """(the header's entries, those under "More")."""
    nav = response.context["nav"]
    return [entry["label"] for entry in nav.entries], [entry["label"] for entry in nav.more]


@pytest.mark.parametrize("role", NAVIGATION)
def test_each_role_sees_the_pages_it_can_use(client, make_user, role):
    client.force_login(make_user(role))
    response = client.get(reverse("home"))
    assert nav_labels(response) == NAVIGATION[role]
    html = response.content.decode()
    assert (reverse("api-docs") in html) is (role == "planner")
    assert (f'href="{reverse("work-order-create")}"' in html) is (role in ("planner", "coordinator"))
    assert reverse("admin:index") not in html
    assert f'<span class="site-user__roles">{role}</span>' in html


def test_an_administrator_sees_everything(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    response = client.get(reverse("home"))
    assert nav_labels(response) == (
        WITH_SHORTAGES,
        [*LISTS, "Floor mode", *DONE, "Pick list", "Receiving", "New order", "API docs", "Admin"],
    )
    assert '<span class="site-user__roles">administrator</span>' in response.content.decode()


def test_the_current_page_is_marked(client, make_user):
    client.force_login(make_user("planner"))
    for url, label in (
        (reverse("home"), "Open orders"),
        (reverse("work-orders-history"), "History"),
        (reverse("work-order-create"), "New order"),
        (reverse("my-work-center"), "My work center"),
        (reverse("activity"), "Activity"),
        (reverse("notification-settings"), "Notifications"),
        (reverse("schedule"), "Schedule"),
        (reverse("shortages"), "Shortages"),
    ):
        nav = client.get(url).context["nav"]
        current = [e["label"] for e in [*nav.entries, *nav.more] if e["current"]]
        assert current == [label]
        assert nav.more_current is (label in [e["label"] for e in nav.more])


# --- where each role starts ------------------------------------------------------------------


def log_in(client, user, **extra):
    return client.post(reverse("login") + extra.pop("query", ""), {"username": user.username, "password": "pass-word-123"})


@pytest.mark.parametrize("role", ROLES)
def test_each_role_starts_on_its_own_page(client, make_user, role):
    response = log_in(client, make_user(role))
    assert response.status_code == 302
    assert response["Location"] == (reverse("floor-pick") if role == "operator" else reverse("home"))


def test_an_operator_sent_to_log_in_from_the_front_page_still_lands_on_their_work(client, make_user):
    operator = make_user("operator")
    assert client.get(reverse("home"))["Location"] == f"{reverse('login')}?next=/"
    response = log_in(client, operator, query="?next=/")
    assert response["Location"] == reverse("floor-pick")


def test_a_login_with_somewhere_to_go_goes_there(client, make_user):
    response = log_in(client, make_user("viewer"), query=f"?next={reverse('work-orders-history')}")
    assert response["Location"] == reverse("work-orders-history")
    client.logout()
    response = log_in(client, make_user("operator"), query="?next=https://elsewhere.example/")
    assert response["Location"] == reverse("floor-pick")  # never off the site


def test_an_operator_with_a_work_center_sees_it_right_after_logging_in(client, make_user):
    from plant.services import user_work_center_set

    operator = make_user("operator")
    user_work_center_set(actor=operator, user=operator, work_center=WorkCenterFactory(code="LATHE-02"))
    response = client.get(log_in(client, operator)["Location"])
    assert response.context["work_center"].code == "LATHE-02"


# --- the app's own error pages ---------------------------------------------------------------


def test_not_found_is_the_apps_page_with_its_navigation(client, make_user, settings):
    assert settings.DEBUG is False
    client.force_login(make_user("viewer"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    html = response.content.decode()
    assert "<h1>Not found</h1>" in html and "My work center" in html


def test_a_server_error_is_the_apps_page_and_needs_nothing_that_may_have_failed():
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Something went wrong</h1>" in html
    assert "/static/css/app.css" in html


def test_an_expired_form_is_the_apps_page(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("viewer"))
    response = client.post(reverse("my-work-center"), {"work_center": "X"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This form has expired</h1>" in html
    assert "<style" not in html  # not Django's own page, which carries inline style the policy refuses
