"""The settings modules, loaded the way each environment loads them (in a fresh process)."""

import asyncio
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "prodcoord.plant.example",
    "DATABASE_URL": "postgres://prodcoord:secret@db.plant.example:5432/prodcoord",
}
# Variables that would change what is being tested if the developer's shell has them
# (the suite itself sets none of them for the whole process: see the last test).
SCRUBBED = {
    "DEBUG",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "HTTPS_ONLY",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_TIMEOUT",
    "NUM_PROXIES",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "SESSION_IDLE_TIMEOUT_MINUTES",
    "API_THROTTLE_TOKEN_RATE",
    "API_THROTTLE_WRITE_RATE",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "API_TOKEN_LIFETIME_DAYS",
}


def run(args, env=None, settings="prodcoord.settings.production"):
    full_env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    full_env.update(env or {})
    full_env["DJANGO_SETTINGS_MODULE"] = settings
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )


SHOW_SETTINGS = """
import json, warnings
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as caught:
    import django
    django.setup()
    from django.conf import settings
    from django.core import mail
    backend = type(mail.mailers.default).__module__
    print(json.dumps({
        "debug": settings.DEBUG,
        "mailers": settings.MAILERS,
        "backend": backend,
        "eager": settings.CELERY_TASK_ALWAYS_EAGER,
        "warnings": [str(w.message) for w in caught],
    }, default=str))
"""


def show(settings, env=None):
    result = run(["-c", SHOW_SETTINGS], env=env, settings=settings)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deployment_checklist():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def example_environment():
    """The variables .env.example sets, with the secrets it leaves for you filled in, and the
    database docker compose adds (.env.example leaves DATABASE_URL to it)."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    assert values["SECRET_KEY"] == "", "the example must not ship a secret key"
    values["SECRET_KEY"] = secrets.token_urlsafe(50)
    values["POSTGRES_PASSWORD"] = secrets.token_urlsafe(16)
    values["DATABASE_URL"] = f"postgres://prodcoord:{values['POSTGRES_PASSWORD']}@postgres:5432/prodcoord"
    return values


def test_production_settings_with_the_example_environment_pass_the_deployment_checklist():
    """`cp .env.example .env`, fill in the secrets, and the deployment is secure without edits."""
    env = example_environment()
    assert "HTTPS_ONLY" not in env, "HTTPS_ONLY stays on unless someone turns it off on purpose"
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


SHOW_SECURITY = """
import django
django.setup()
from django.conf import settings
print(settings.HTTPS_ONLY, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,
      settings.SECURE_HSTS_SECONDS, bool(settings.SECURE_CSP), bool(settings.PERMISSIONS_POLICY))
"""


def test_production_is_https_only_unless_turned_off():
    on = run(["-c", SHOW_SECURITY], env=PRODUCTION_ENV)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split() == ["True", "True", "True", "True", "31536000", "True", "True"]
    off = run(["-c", SHOW_SECURITY], env={**PRODUCTION_ENV, "HTTPS_ONLY": "false"})
    assert off.stdout.split() == ["False", "False", "False", "False", "0", "True", "True"]


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run(["manage.py", "check"], env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_database():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_URL"}
    result = run(["manage.py", "check"], env=env)
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


@pytest.mark.parametrize(
    ("settings", "env"),
    [
        ("prodcoord.settings.test", {}),
        ("prodcoord.settings.local", {}),
        ("prodcoord.settings.production", PRODUCTION_ENV),
        ("prodcoord.settings.production", {**PRODUCTION_ENV, "EMAIL_HOST_USER": "mailer", "EMAIL_USE_TLS": "true"}),
    ],
)
def test_email_is_configured_through_mailers_without_deprecation_warnings(settings, env):
    shown = show(settings, env)
    assert "default" in shown["mailers"]
    email_warnings = [w for w in shown["warnings"] if "EMAIL_" in w or "MAILERS" in w or "EmailBackend" in w]
    assert email_warnings == []


def test_test_settings_keep_mail_in_memory_and_tasks_in_process():
    shown = show("prodcoord.settings.test")
    assert shown["backend"] == "django.core.mail.backends.locmem"
    assert shown["eager"] is True
    assert shown["debug"] is False


def test_debug_is_off_by_default_and_only_on_when_asked_for():
    assert show("prodcoord.settings.local")["debug"] is False  # make run shows the product's own pages
    assert show("prodcoord.settings.local", {"DEBUG": "true"})["debug"] is True
    assert show("prodcoord.settings.production", {**PRODUCTION_ENV, "DEBUG": "true"})["debug"] is False
    assert show("prodcoord.settings.base")["debug"] is False


def test_smtp_mailer_reads_the_email_environment_variables():
    shown = show(
        "prodcoord.settings.production",
        {
            **PRODUCTION_ENV,
            "EMAIL_HOST": "smtp.plant.example",
            "EMAIL_PORT": "587",
            "EMAIL_HOST_USER": "prodcoord",
            "EMAIL_HOST_PASSWORD": "mail-secret",
            "EMAIL_USE_TLS": "true",
        },
    )
    assert shown["backend"] == "django.core.mail.backends.smtp"
    options = shown["mailers"]["default"]["OPTIONS"]
    assert options["host"] == "smtp.plant.example"
    assert options["port"] == 587
    assert options["username"] == "prodcoord"
    assert options["password"] == "mail-secret"
    assert options["use_tls"] is True


def test_no_broker_means_tasks_run_in_process_and_a_broker_means_a_worker():
    assert show("prodcoord.settings.local")["eager"] is True
    assert show("prodcoord.settings.local", {"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})["eager"] is False


def test_the_test_process_keeps_djangos_async_safety_check():
    """Only the browser tests lift it (tests/e2e/conftest.py), and only while Playwright runs."""
    from django.core.exceptions import SynchronousOnlyOperation
    from django.utils.asyncio import async_unsafe

    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ, "set for the whole test process (unset it in your shell?)"

    @async_unsafe
    def database_call():
        return "ran"

    async def called_from_a_coroutine():
        return database_call()

    with pytest.raises(SynchronousOnlyOperation):
        asyncio.run(called_from_a_coroutine())


SHOW_CACHE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({"cache": settings.CACHES["default"], "lifetime": settings.API_TOKEN_LIFETIME_DAYS}))
"""


@pytest.mark.parametrize(
    ("env", "backend", "location"),
    [
        ({}, "django.core.cache.backends.locmem.LocMemCache", "prodcoord"),
        (
            {"REDIS_URL": "redis://cache.plant.example:6379/0"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.plant.example:6379/0",
        ),
        (
            {"REDIS_URL": "redis://broker:6379/0", "CACHE_URL": "redis://cache.plant.example:6379/1"},
            "django.core.cache.backends.redis.RedisCache",
            "redis://cache.plant.example:6379/1",
        ),
    ],
)
def test_the_cache_is_local_memory_unless_a_cache_or_redis_url_is_set(env, backend, location):
    result = run(["-c", SHOW_CACHE], env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["cache"]["BACKEND"] == backend
    assert shown["cache"]["LOCATION"] == location
    if "redis" in backend.lower():
        assert shown["cache"]["KEY_PREFIX"] == "prodcoord"
    assert shown["lifetime"] == 90


def test_the_tests_keep_a_local_memory_cache_whatever_the_environment_says():
    result = run(["-c", SHOW_CACHE], env={"CACHE_URL": "redis://127.0.0.1:6379/1"}, settings="prodcoord.settings.test")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["cache"]["BACKEND"].endswith("LocMemCache")
