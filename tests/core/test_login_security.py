"""Logins resist guessing: lockout after repeated failures (django-axes) on the login page, the
admin login and the token endpoint; API rate limits (429 + Retry-After) on the token endpoint and
on writes; browser sessions end after an idle time."""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token

from prodcoord.core.sessions import LAST_ACTIVITY
from tests.api_helpers import build_schema

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
TOKEN_URL = "/api/v1/auth/token/"
PASSWORD = "pass-word-123"


@pytest.fixture
def pat(make_user):
    return make_user("planner", username="pat", is_staff=True)


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return 3


def _page_login(client, url, password, username="pat", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _token(api_client, password, username="pat", **extra):
    return api_client.post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


# --- lockout -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LOGIN_URL, ADMIN_LOGIN_URL])
def test_the_login_pages_lock_out_after_repeated_failures(client, pat, limit, url):
    for _ in range(limit - 1):
        assert _page_login(client, url, "wrong").status_code == 200  # the form again, with its error
    locked = _page_login(client, url, "wrong")
    assert locked.status_code == 429
    assert locked["Retry-After"] == str(15 * 60)
    assert "Too many failed logins" in locked.content.decode()
    assert "15 minutes" in locked.content.decode()
    # even the right password is refused now
    right = _page_login(client, url, PASSWORD)
    assert right.status_code == 429
    assert SESSION_KEY not in client.session


def test_the_token_endpoint_locks_out_after_repeated_failures(api_client, pat, limit):
    for _ in range(limit - 1):
        assert _token(api_client, "wrong").status_code == 400
    locked = _token(api_client, "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked["Retry-After"] == str(15 * 60)
    assert "Too many failed logins" in locked.json()["detail"]
    right = _token(api_client, PASSWORD)
    assert right.status_code == 429
    assert "token" not in right.json()
    assert not Token.objects.exists()


def test_a_lockout_holds_one_username_on_one_address_only(client, pat, make_user, limit):
    make_user("planner", username="sam")
    for _ in range(limit):
        _page_login(client, LOGIN_URL, "wrong")
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 429
    # a colleague on the same tablet still logs in, and so does pat from another address
    assert _page_login(client, LOGIN_URL, PASSWORD, username="sam").status_code == 302
    assert _page_login(client, LOGIN_URL, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_failures_on_the_page_and_the_api_count_together(client, api_client, pat, limit):
    _page_login(client, LOGIN_URL, "wrong")
    _token(api_client, "wrong")
    assert _token(api_client, "wrong").status_code == 429
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 429


def test_a_lockout_ends_after_the_cool_off(client, pat, limit):
    """The demo logins of `make run` are never locked out for good."""
    for _ in range(limit):
        _page_login(client, LOGIN_URL, "wrong")
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 302
    assert int(client.session[SESSION_KEY]) == pat.pk


def test_a_successful_login_forgets_earlier_failures(client, pat, limit):
    for _ in range(limit - 1):
        _page_login(client, LOGIN_URL, "wrong")
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 302
    client.logout()
    for _ in range(limit - 1):
        _page_login(client, LOGIN_URL, "wrong")
    assert _page_login(client, LOGIN_URL, PASSWORD).status_code == 302


def test_the_default_limits_are_configured():
    from prodcoord.settings import base

    limits = {"failures": base.AXES_FAILURE_LIMIT, "lockout": base.AXES_COOLOFF_TIME}
    assert limits == {"failures": 5, "lockout": dt.timedelta(minutes=15)}
    assert base.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"  # refuses before any password check


# --- API rate limits -------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    """Low rates for these tests, and counts that start at zero."""

    def _set(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": None, "write": None, **rates}}
        cache.clear()

    yield _set
    cache.clear()


def test_the_token_endpoint_answers_429_with_retry_after_when_asked_too_often(api_client, pat, rates):
    rates(token="3/minute")
    for _ in range(3):
        assert _token(api_client, PASSWORD).status_code == 200
    throttled = _token(api_client, PASSWORD)
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert "throttled" in throttled.json()["detail"]
    # another address is counted on its own
    assert _token(api_client, PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_writes_answer_429_with_retry_after_when_sent_too_often(api_as, rates):
    rates(write="2/minute")
    client = api_as("planner")
    for code in ("A", "B"):
        assert client.post("/api/v1/departments/", {"code": code, "name": code}, format="json").status_code == 201
    throttled = client.post("/api/v1/departments/", {"code": "C", "name": "C"}, format="json")
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert client.patch("/api/v1/departments/A/", {"name": "Renamed"}, format="json").status_code == 429
    # reads are not limited, and another user has writes of their own
    assert client.get("/api/v1/departments/").status_code == 200
    assert api_as("planner").post("/api/v1/departments/", {"code": "D", "name": "D"}, format="json").status_code == 201


def test_a_throttled_write_with_an_idempotency_key_can_be_retried(api_as, rates):
    rates(write="1/minute")
    client = api_as("planner")
    client.post("/api/v1/departments/", {"code": "A", "name": "A"}, format="json")
    throttled = client.post("/api/v1/departments/", {"code": "B", "name": "B"}, format="json", headers={"Idempotency-Key": "b"})
    assert throttled.status_code == 429
    cache.clear()  # the minute has passed
    retry = client.post("/api/v1/departments/", {"code": "B", "name": "B"}, format="json", headers={"Idempotency-Key": "b"})
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry


def test_the_client_address_comes_from_the_proxy_only_when_one_is_configured(api_client, pat, rates, settings):
    rates(token="1/minute")
    assert _token(api_client, PASSWORD, HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 200
    # no proxy configured: a made-up X-Forwarded-For does not make a new client
    assert _token(api_client, PASSWORD, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    assert _token(api_client, PASSWORD, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 200


def test_the_default_rates_are_configured():
    from prodcoord.settings import base

    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {"token": "10/minute", "write": "600/minute"}
    assert base.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == ["prodcoord.core.api.throttling.WriteRateThrottle"]


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker):
    return build_schema(tmp_path_factory, django_db_blocker)


def test_the_schema_documents_429_on_throttled_operations(schema):
    paths = schema["paths"]
    assert "429" in paths["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in paths["/api/v1/work-orders/"]["post"]["responses"]
    assert "429" in paths["/api/v1/work-orders/{number}/"]["patch"]["responses"]
    assert "429" in paths["/api/v1/work-orders/{number}/release/"]["post"]["responses"]
    assert "429" in paths["/api/v1/departments/{code}/"]["delete"]["responses"]
    assert "429" not in paths["/api/v1/work-orders/"]["get"]["responses"]
    assert "429" not in paths["/api/v1/events/"]["get"]["responses"]


# --- idle sessions -----------------------------------------------------------------------


@pytest.fixture
def logged_in(client, make_user, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(make_user("coordinator"))
    return client


def _idle_for(client, seconds):
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_a_session_used_within_the_idle_time_goes_on(logged_in):
    _idle_for(logged_in, 29 * 60)
    assert logged_in.get("/").status_code == 200
    assert logged_in.session[LAST_ACTIVITY] >= int(time.time()) - 5  # the request moved the deadline
    _idle_for(logged_in, 29 * 60)
    assert logged_in.get("/").status_code == 200


def test_a_session_idle_too_long_ends_and_the_login_page_says_why(logged_in):
    _idle_for(logged_in, 31 * 60)
    response = logged_in.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    assert "logged out after 30 minutes without activity" in response.content.decode()
    assert SESSION_KEY not in logged_in.session
    assert logged_in.get("/").status_code == 302  # still logged out


def test_an_htmx_request_on_an_idle_session_sends_the_whole_page_to_login(logged_in):
    _idle_for(logged_in, 31 * 60)
    response = logged_in.get("/?on_hold=true", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    assert response["HX-Redirect"].startswith(LOGIN_URL)
    assert "without activity" in logged_in.get(LOGIN_URL).content.decode()


def test_an_api_request_on_an_idle_session_is_no_longer_authenticated(logged_in):
    _idle_for(logged_in, 31 * 60)
    assert logged_in.get("/api/v1/work-orders/").status_code in (401, 403)


def test_no_idle_timeout_when_it_is_zero(logged_in, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 0
    _idle_for(logged_in, 24 * 3600)
    assert logged_in.get("/").status_code == 200


def test_a_token_request_has_no_session_to_end(api_as, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 1
    assert api_as("viewer").get("/api/v1/work-orders/").status_code == 200
