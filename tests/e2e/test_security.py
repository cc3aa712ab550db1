"""In a real browser: every kind of page keeps to the Content-Security-Policy (the ``page``
fixture fails a test on any violation), a lockout and an idle session explain themselves."""

import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from prodcoord.core.sessions import LAST_ACTIVITY
from tests.e2e.layout import log_in
from tests.factories import UserFactory, make_work_order, standard_shifts

pytestmark = pytest.mark.e2e


@pytest.fixture
def plant(transactional_db):
    standard_shifts()
    UserFactory(username="dana", role="coordinator")
    UserFactory(username="root", is_superuser=True, is_staff=True)
    done = make_work_order(status="in_progress", quantity=Decimal("40"))
    return {"order": done}


def test_the_pages_the_admin_and_the_api_docs_keep_to_the_policy(page, plant):
    log_in(page, "root")
    page.wait_for_selector("#work-order-table table")
    # the progress bar is drawn without style attributes: its good part has the reported share
    page.goto(f"/work-orders/{plant['order'].number}/")
    page.wait_for_selector(".progress--wide")
    assert page.locator(".progress--wide .progress__good").get_attribute("width") == "0"
    for path in ["/admin/", "/admin/workorders/workorder/", f"/admin/workorders/workorder/{plant['order'].pk}/change/"]:
        page.goto(path)
        page.wait_for_selector("#content")
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")  # Swagger UI started, from its own script file
    assert "prodcoord API" in page.locator(".swagger-ui .info .title").inner_text()


def test_a_locked_out_login_says_so(page, plant, settings):
    settings.AXES_FAILURE_LIMIT = 2
    log_in(page, "dana", "wrong")
    page.wait_for_selector(".alert--error")
    log_in(page, "dana", "wrong")
    page.wait_for_selector("text=Too many failed logins")
    log_in(page, "dana")  # the right password, too late
    assert "Too many failed logins" in page.locator(".alert--error").inner_text()


def test_an_idle_session_ends_and_the_login_page_says_why(page, plant):
    log_in(page, "dana")
    page.wait_for_selector("#work-order-table table")
    # the tablet was left alone for longer than the idle time
    (cookie,) = [c for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME]
    session = SessionStore(session_key=cookie["value"])
    session[LAST_ACTIVITY] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT_MINUTES * 60 - 5
    session.save()
    page.select_option("#id_on_hold", "true")  # an htmx request: the whole page goes to login
    page.wait_for_url(lambda url: "/accounts/login/" in url)
    assert "without activity" in page.locator(".messages").inner_text()
    assert page.locator("#id_username").is_visible()
