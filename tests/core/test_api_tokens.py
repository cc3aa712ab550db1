"""API tokens expire after the configured lifetime and can be rotated; a rotated or revoked token fails at once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ROTATE_URL = "/api/v1/auth/token/rotate/"
WORK_ORDERS = "/api/v1/work-orders/"
CREDENTIALS = {"username": "pat", "password": "pass-word-123"}


def client_with(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def age(token, days):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def pat(make_user):
    return make_user("planner", username="pat")


def test_the_token_says_when_it_expires(api_client, pat, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    before = timezone.now()
    response = api_client.post(TOKEN_URL, CREDENTIALS, format="json")
    assert response.status_code == 200
    expires_at = dt.datetime.fromisoformat(response.data["expires_at"])
    assert before + dt.timedelta(days=30) <= expires_at <= timezone.now() + dt.timedelta(days=30)


def test_an_expired_token_is_401_with_a_clear_message(pat, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    token = Token.objects.create(user=pat)
    client = client_with(token.key)
    age(token, 29)
    assert client.get(WORK_ORDERS).status_code == 200
    age(token, 31)
    response = client.get(WORK_ORDERS)
    assert response.status_code == 401
    assert "expired" in response.data["detail"]
    assert "POST /api/v1/auth/token/" in response.data["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_lifetime_of_zero_means_tokens_do_not_expire(api_client, pat, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 0
    token = Token.objects.create(user=pat)
    age(token, 5000)
    assert client_with(token.key).get(WORK_ORDERS).status_code == 200
    assert api_client.post(TOKEN_URL, CREDENTIALS, format="json").data["expires_at"] is None


def test_logging_in_again_replaces_an_expired_token_only(api_client, pat, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    first = api_client.post(TOKEN_URL, CREDENTIALS, format="json").data["token"]
    assert api_client.post(TOKEN_URL, CREDENTIALS, format="json").data["token"] == first  # still valid: the same
    age(Token.objects.get(key=first), 31)
    renewed = api_client.post(TOKEN_URL, CREDENTIALS, format="json").data["token"]
    assert renewed != first
    assert client_with(renewed).get(WORK_ORDERS).status_code == 200
    assert client_with(first).get(WORK_ORDERS).status_code == 401


def test_rotating_gives_a_new_token_and_the_old_one_fails_at_once(pat):
    old = Token.objects.create(user=pat).key
    client = client_with(old)
    assert client.get(WORK_ORDERS).status_code == 200  # the user's permissions are cached now
    response = client.post(ROTATE_URL)
    assert response.status_code == 200
    new = response.data["token"]
    assert new != old
    assert response.data["expires_at"]
    assert client_with(old).get(WORK_ORDERS).status_code == 401
    assert client_with(new).get(WORK_ORDERS).status_code == 200
    assert list(Token.objects.filter(user=pat).values_list("key", flat=True)) == [new]


def test_rotating_needs_authentication(api_client, db):
    assert api_client.post(ROTATE_URL).status_code == 401


def test_a_browser_session_can_rotate_its_users_token_with_csrf(pat):
    old = Token.objects.create(user=pat).key
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(pat)
    assert client.post(ROTATE_URL).status_code == 403  # no CSRF token
    assert Token.objects.get(user=pat).key == old


def test_a_revoked_token_fails_at_once(pat):
    token = Token.objects.create(user=pat)
    client = client_with(token.key)
    assert client.get(WORK_ORDERS).status_code == 200
    token.delete()  # e.g. in the admin
    assert client.get(WORK_ORDERS).status_code == 401


def test_a_deactivated_users_token_fails_at_once(pat):
    client = client_with(Token.objects.create(user=pat).key)
    assert client.get(WORK_ORDERS).status_code == 200
    pat.is_active = False
    pat.save()
    response = client.get(WORK_ORDERS)
    assert response.status_code == 401
    assert response.data["detail"] == "User inactive or deleted."


@pytest.mark.parametrize("key", ["x" * 41, "abc\x00def", ""])
def test_a_malformed_token_is_401(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}".strip())
    assert client.get(WORK_ORDERS).status_code == 401


def test_createtoken_replaces_an_expired_token(pat, capsys, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    old = Token.objects.create(user=pat)
    age(old, 31)
    call_command("createtoken", "pat")
    new = capsys.readouterr().out.strip()
    assert new != old.key
    assert client_with(new).get(WORK_ORDERS).status_code == 200


def test_the_schema_documents_rotation_and_expiry(api_client, db):
    schema = api_client.get("/api/schema/?format=json").json()
    assert "post" in schema["paths"]["/api/v1/auth/token/rotate/"]
    assert "expires_at" in schema["components"]["schemas"]["Token"]["properties"]


def test_an_expired_tokens_401_is_not_replayed_for_its_idempotency_key(pat, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    old = Token.objects.create(user=pat)
    age(old, 31)
    body = {"code": "IDEM", "name": "Idempotent"}
    refused = client_with(old.key).post("/api/v1/departments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert refused.status_code == 401
    renewed = APIClient().post(TOKEN_URL, CREDENTIALS, format="json").data["token"]
    created = client_with(renewed).post("/api/v1/departments/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201
