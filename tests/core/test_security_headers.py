"""Every page carries a strict Content-Security-Policy and a Permissions-Policy, and the
templates keep to the policy (no inline script or style for the browser to refuse)."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    "/accounts/login/",
    "/",
    "/completed/",
    "/history/",
    "/my-work-center/",
    "/new/",
    "/work-orders/WO-NONE/",
    "/admin/",
    "/api/docs/",
    "/api/v1/work-orders/",
    "/no-such-page/",
]


@pytest.fixture
def superuser_client(client, make_user):
    client.force_login(make_user(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_strict_content_security_policy(superuser_client, path):
    response = superuser_client.get(path, headers={"Accept": "text/html"})
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    if "/api/v1/" not in path:  # the browsable API (never in production) allows its inline styles
        assert policy["style-src"] == "'self'"


def test_production_renders_no_browsable_api_and_so_relaxes_nothing(api_as, settings):
    from prodcoord.settings import base

    assert "prodcoord.core.api.renderers.BrowsableAPIRenderer" in base.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    response = api_as("viewer").get("/api/v1/work-orders/")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]  # JSON: the policy as set


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_permissions_policy(superuser_client, path):
    policy = superuser_client.get(path)["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_api_docs_start_swagger_ui_from_a_file(superuser_client):
    html = superuser_client.get("/api/docs/").content.decode()
    assert re.search(r'<script src="/api/docs/\?[^"]*script', html)
    script = superuser_client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)=", re.IGNORECASE)
TEMPLATE_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.DOTALL)


# E-mail bodies (templates/*/email/) are read by mail clients, not served under the policy, and mail
# clients read only inline styles.
PAGE_TEMPLATES = sorted(t for t in (ROOT / "templates").rglob("*.html") if "email" not in t.relative_to(ROOT).parts)


@pytest.mark.parametrize("template", PAGE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_templates_have_no_inline_script_or_style(template):
    """What the policy refuses: inline <script>, <style>, style="" and on…=/hx-on handlers."""
    text = TEMPLATE_COMMENT.sub("", template.read_text())
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_STYLE.search(text)
    assert not INLINE_HANDLER.search(text)
