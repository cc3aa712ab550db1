"""The Celery application. Tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prodcoord.settings.local")

app = Celery("prodcoord")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["prodcoord.core", "prodcoord.events", "prodcoord.outbox"])
