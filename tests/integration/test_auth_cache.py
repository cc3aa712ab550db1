"""Permissions cached in one process, a role removed in another: the next request is refused.

A second process (Django with the test settings, against this test's database) answers
requests one at a time while this process changes the user's roles, the way a gunicorn
worker keeps serving while an administrator works in another. With Redis as the shared
cache, and with a local-memory cache in each process: either way the auth stamp read from
the database on every request decides.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from rest_framework.authtoken.models import Token

from prodcoord.core.auth import auth_stamp

from .conftest import ROOT, database_url

SERVE = r"""
import os, sys
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings

with override_settings(CACHES={"default": eval(os.environ["TEST_CACHE"])}, ALLOWED_HOSTS=["testserver"]):
    client = Client(HTTP_AUTHORIZATION="Token " + os.environ["TEST_TOKEN"], HTTP_ACCEPT="application/json")
    for line in sys.stdin:
        print(client.get(line.strip()).status_code, flush=True)
"""


class OtherProcess:
    def __init__(self, *, token, cache_config):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "prodcoord.settings.test",
            "DATABASE_URL": database_url(connection.settings_dict),
            "TEST_TOKEN": token,
            "TEST_CACHE": repr(cache_config),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVE], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def get(self, path):
        self.process.stdin.write(path + "\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(params=["redis", "local memory"])
def cache_config(request, broker_url, settings):
    if request.param == "redis":
        config = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": broker_url,
            "KEY_PREFIX": f"test-auth-{uuid.uuid4().hex}",
        }
    else:
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "other-process"}
    settings.CACHES = {"default": config}
    return config


def test_a_role_removed_here_is_refused_there_on_the_next_request(transactional_db, make_user, cache_config):
    user = make_user("viewer")
    token = Token.objects.create(user=user)
    other = OtherProcess(token=token.key, cache_config=cache_config)
    try:
        assert other.get("/api/v1/departments/") == 200
        assert other.get("/api/v1/departments/") == 200  # from its cache now
        if cache_config["BACKEND"].endswith("RedisCache"):
            # The other process's entry is in the shared cache, under the current stamp.
            assert cache.get(f"auth:perms:{auth_stamp()}:{user.pk}") is not None
        user.groups.remove(Group.objects.get(name="viewer"))
        assert other.get("/api/v1/departments/") == 403
        user.groups.add(Group.objects.get(name="viewer"))
        assert other.get("/api/v1/departments/") == 200
        token.delete()
        assert other.get("/api/v1/departments/") == 401
    finally:
        other.stop()
