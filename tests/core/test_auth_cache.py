"""A user's permissions are cached, and a change to them takes effect on the very next request."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from prodcoord.core.auth import RoleBackend, auth_stamp, auth_stamp_renew
from prodcoord.core.roles import sync_roles

pytestmark = pytest.mark.django_db

DEPARTMENTS = "/api/v1/departments/"


def create_department(client, code):
    return client.post(DEPARTMENTS, {"code": code, "name": code}, format="json").status_code


def test_a_request_after_the_first_reads_one_row_to_authenticate_and_no_permissions(api_as):
    client = api_as("viewer")
    client.get(DEPARTMENTS)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(DEPARTMENTS).status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len([s for s in sql if "authtoken_token" in s]) == 1
    assert not [s for s in sql if "auth_permission" in s or "auth_user" in s and "authtoken_token" not in s]


def test_a_removed_role_is_refused_on_the_next_request(api_as):
    client = api_as("planner")
    assert create_department(client, "A") == 201
    client.user.groups.remove(Group.objects.get(name="planner"))
    assert create_department(client, "B") == 403
    assert client.get(DEPARTMENTS).status_code == 403  # no role left: not even reading


def test_a_role_losing_a_permission_is_refused_on_the_next_request(api_as):
    client = api_as("planner")
    assert create_department(client, "A") == 201
    Group.objects.get(name="planner").permissions.remove(Permission.objects.get(codename="add_department"))
    assert create_department(client, "B") == 403


def test_a_granted_role_or_permission_works_on_the_next_request(api_as):
    client = api_as("viewer")
    assert create_department(client, "A") == 403
    client.user.user_permissions.add(Permission.objects.get(codename="add_department"))
    assert create_department(client, "B") == 201
    client.user.user_permissions.clear()
    assert create_department(client, "C") == 403
    Group.objects.get(name="planner").user_set.add(client.user)
    assert create_department(client, "D") == 201


def test_a_user_made_superuser_has_every_permission_on_the_next_request(api_as):
    client = api_as("viewer")
    assert create_department(client, "A") == 403
    client.user.is_superuser = True
    client.user.save()
    assert create_department(client, "B") == 201


def test_a_page_session_sees_a_removed_role_at_once(client, make_user):
    user = make_user("coordinator")
    client.force_login(user)
    assert client.get("/api/v1/work-orders/").status_code == 200
    user.groups.clear()
    assert client.get("/api/v1/work-orders/").status_code == 403


def test_logging_in_does_not_renew_the_stamp(client, make_user):
    make_user("viewer", username="pat")
    stamp = auth_stamp()
    assert client.post("/accounts/login/", {"username": "pat", "password": "pass-word-123"}).status_code == 302
    assert auth_stamp() == stamp


def test_sync_roles_renews_the_stamp():
    from django.apps import apps

    stamp = auth_stamp()
    sync_roles(apps)
    assert auth_stamp() != stamp


def test_permissions_are_read_in_one_query_then_come_from_the_cache(make_user, django_assert_num_queries):
    user = make_user("coordinator")
    user.user_permissions.add(Permission.objects.get(codename="add_item"))
    backend = RoleBackend()
    with django_assert_num_queries(1):
        first = backend.get_user(user.pk)  # the session's user, read with the stamp
    with django_assert_num_queries(1):
        assert first.has_perm("workorders.transition_workorder")
        assert first.has_perm("materials.add_item")
        assert not first.has_perm("workorders.delete_workorder")
    second = backend.get_user(user.pk)
    with django_assert_num_queries(0):
        assert second.has_perm("materials.add_item")
    auth_stamp_renew()
    third = backend.get_user(user.pk)
    with django_assert_num_queries(1):
        assert third.has_perm("materials.add_item")


def test_a_flushed_stamp_row_still_works_and_is_recreated_by_the_next_change(api_as):
    from prodcoord.core.models import AuthStamp

    AuthStamp.objects.all().delete()
    client = api_as("planner")
    assert create_department(client, "A") == 201
    client.user.groups.clear()
    assert AuthStamp.objects.count() == 1
    assert create_department(client, "B") == 403


def test_the_user_read_with_the_stamp_is_the_user_the_orm_reads(make_user):
    from django.contrib.auth import get_user_model

    user = make_user("viewer", is_staff=True)
    user.last_login = user.date_joined
    user.save()
    read = RoleBackend().get_user(user.pk)
    fresh = get_user_model().objects.get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(fresh, field.attname), field.name
        assert type(getattr(read, field.attname)) is type(getattr(fresh, field.attname)), field.name
