"""A real browser against a live server.

Chromium is looked up at ``CHROMIUM_PATH`` (default ``/usr/bin/chromium``) or on
PATH. Without it these tests skip locally and fail in CI (``CI=true``).
"""

import os
import shutil

import pytest

from tests.service_guard import require

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the test itself (creating data) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    require(path is not None, "Chromium is not installed (set CHROMIUM_PATH or install the chromium package)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        require(False, "The playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    path = tmp_path / "screenshots"
    path.mkdir()
    return path
