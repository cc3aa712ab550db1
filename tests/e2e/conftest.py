"""A real browser against a live server.

Chromium is looked up at ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``) or on
PATH. Without it these tests skip locally and fail in CI (``CI=true``).

Playwright's sync API keeps an asyncio event loop marked as running in this
thread for as long as it is started. While it is, Django refuses ORM calls
from this thread (its async-safety check) and keeps the thread's database
connections apart from the ones used outside that time. So Playwright runs
only around the browser tests: it is started per module (every test in
tests/e2e drives the browser), ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while
it runs, and the connections opened meanwhile are closed before it stops.
Every other test in the process keeps Django's async-safety check.
"""

import os
import shutil

import pytest

from tests.e2e.layout import LANDSCAPE
from tests.service_guard import require

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium_path():
    configured = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if os.path.exists(configured):
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    path = _chromium_path()
    require(path is not None, "Chromium is not installed (set CHROMIUM_PATH or install the chromium package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "The playwright Python package is not installed")
    from django.db import connections

    # Set exactly while Playwright runs: from before the first browser test's data is created
    # until after the last one's tables are emptied (pytest-django sets up transactional_db,
    # through its autouse live-server helper, before any fixture of ours and tears it down after).
    with pytest.MonkeyPatch.context() as env, sync_playwright() as playwright:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # Opened while Playwright's loop ran: out of reach once it stops, and they would keep
        # the test database from being dropped at the end of the session.
        connections.close_all()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A browser tab on the live server. Whatever the test does, a Content-Security-Policy
    violation on any page it opened fails it (the browser logs each one to the console)."""
    context = browser.new_context(viewport=LANDSCAPE, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    violations = []
    page.on("console", lambda message: _note_violation(violations, page, message))
    yield page
    context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def _note_violation(violations, page, message):
    if "Content Security Policy" in message.text:
        violations.append(f"{page.url}: {message.text}")


@pytest.fixture
def screenshot_dir(tmp_path):
    path = tmp_path / "screenshots"
    path.mkdir()
    return path
