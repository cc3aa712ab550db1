"""Test settings: fast hashing, in-process tasks unless a test opts into the real worker."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The suite runs tasks in process; tests under tests/integration/ switch the
# app to the real broker in their fixtures, and start their worker with
# CELERY_TASK_ALWAYS_EAGER=false.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="")) or "memory://"
# The integration worker consumes a queue of its own; what it queues itself (the
# outbox relay's hand-overs) must go there too.
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Static files straight from static/ (no collectstatic before a test run).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Many tests log in and write in quick succession: no API rate limits here. The tests of the
# limits (tests/core/test_login_security.py) set their own low rates; lockout keeps its real limit
# (failed logins are counted in the database, which each test starts empty).
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": None, "write": None}}

# One local-memory cache per test process, whatever .env says: a cache shared by the parallel
# test processes (each with its own database) would hand one process's users to another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "prodcoord-tests"}}
# Shortage netting runs after every change here too, but escalates nothing unless a test sets a
# horizon (tests/planning/test_shortages.py): other tests count their own notifications.
SHORTAGE_ESCALATION_HORIZON_DAYS = env.int("SHORTAGE_ESCALATION_HORIZON_DAYS", default=-1)
