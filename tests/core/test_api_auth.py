"""Getting an API token: the endpoint, the management command, and session access."""

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


def test_token_from_username_and_password_works_for_the_api(api_client, make_user):
    make_user("planner", username="pat")
    response = api_client.post(TOKEN_URL, {"username": "pat", "password": "pass-word-123"}, format="json")
    assert response.status_code == 200
    token = response.data["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/work-orders/").status_code == 200
    # asking again gives the same token
    again = api_client.post(TOKEN_URL, {"username": "pat", "password": "pass-word-123"}, format="json")
    assert again.data["token"] == token


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "pat", "password": "wrong"}, "non_field_errors"),
        ({"username": "nobody", "password": "pass-word-123"}, "non_field_errors"),
        ({"username": "pat"}, "password"),
        ({"password": "pass-word-123"}, "username"),
    ],
)
def test_bad_credentials_are_400_and_give_no_token(api_client, make_user, body, field):
    make_user("planner", username="pat")
    response = api_client.post(TOKEN_URL, body, format="json")
    assert response.status_code == 400
    assert field in response.data
    assert "token" not in response.data
    assert not Token.objects.exists()


def test_inactive_user_gets_no_token(api_client, make_user):
    make_user("planner", username="gone", is_active=False)
    response = api_client.post(TOKEN_URL, {"username": "gone", "password": "pass-word-123"}, format="json")
    assert response.status_code == 400


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api_client.get("/api/v1/work-orders/").status_code == 401


def test_createtoken_prints_a_stable_token(make_user, capsys):
    user = make_user("planner", username="script")
    call_command("createtoken", "script")
    first = capsys.readouterr().out.strip()
    assert first == Token.objects.get(user=user).key
    call_command("createtoken", "script")
    assert capsys.readouterr().out.strip() == first
    call_command("createtoken", "script", "--reset")
    renewed = capsys.readouterr().out.strip()
    assert renewed != first
    assert Token.objects.get(user=user).key == renewed


def test_createtoken_unknown_user_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No user named “ghost”"):
        call_command("createtoken", "ghost")
    assert not Token.objects.exists()


def test_browser_session_reads_and_needs_csrf_to_write(make_user):
    user = make_user("planner")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/v1/departments/").status_code == 200
    response = client.post("/api/v1/departments/", {"code": "X", "name": "X"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in str(response.data["detail"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/departments/",
        "/api/v1/work-centers/",
        "/api/v1/shifts/",
        "/api/v1/items/",
        "/api/v1/boms/",
        "/api/v1/routings/",
        "/api/v1/work-orders/",
        "/api/v1/holds/",
        "/api/v1/events/",
    ],
)
def test_every_resource_needs_authentication(api_client, db, path):
    assert api_client.get(path).status_code == 401
    assert api_client.post(path, {}, format="json").status_code == 401
