"""Notifications with the broker down, through PostgreSQL, Redis and a real Celery worker: the coordinator's
hold answers at once; when the broker is back, the periodic relay makes the follower's notification and its
e-mail is sent once — a second periodic run and every message delivered again change nothing."""

import pytest
from django.conf import settings

from prodcoord.notifications.models import Notification, NotificationSettings
from prodcoord.notifications.services import subscription_create
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.relay import DELIVER_TASK
from tests.brokers import CLOSED_PORT_BROKER, deadline
from tests.factories import DepartmentFactory, UserFactory, WorkCenterFactory, make_routed_item, make_work_order
from tests.integration.support import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RELAY_TASK = settings.CELERY_BEAT_SCHEDULE["relay-outbox"]["task"]
EMAIL_TASK = "prodcoord.notifications.tasks.notification_email_task"


def email_runs(worker, message_id):
    """How many times the worker ran the e-mail message ``message_id`` to the end (not skipped)."""
    return worker.log().count(f"Outbox message {message_id}: {EMAIL_TASK} done.")


def test_a_hold_made_while_the_broker_is_down_is_e_mailed_once_when_it_is_back(use_broker, celery_worker, api_as, make_user):
    paint = DepartmentFactory(code="NPAINT")
    order = make_work_order(
        item=make_routed_item(work_centers=[WorkCenterFactory(), WorkCenterFactory(department=paint)]), status="released"
    )
    follower = UserFactory(role="supervisor")
    NotificationSettings.objects.create(user=follower)
    subscription_create(user=follower, kind="department", target="NPAINT", email="immediate")
    OutboxMessage.objects.all().delete()  # what building the plant queued, with no worker yet
    coordinator = api_as("coordinator")

    use_broker(broker=CLOSED_PORT_BROKER, queue=celery_worker.queue)
    with deadline(10, "the hold"):
        response = coordinator.post(
            f"/api/v1/work-orders/{order.number}/holds/", {"kind": "quality", "reason": "Weld spatter."}, format="json"
        )
    assert response.status_code == 201, response.content
    assert not Notification.objects.exists()
    assert list(OutboxMessage.objects.values_list("state", flat=True)) == ["pending"]

    # The broker is back: the periodic relay hands the fan-out over; it queues the e-mail, which goes out.
    app = use_broker(broker=celery_worker.broker_url, queue=celery_worker.queue)
    app.send_task(RELAY_TASK)
    wait_until(
        lambda: Notification.objects.filter(user=follower, emailed_at__isnull=False).exists(),
        worker=celery_worker,
        what="the notification's e-mail",
    )
    notification = Notification.objects.get(user=follower)
    email_message = OutboxMessage.objects.get(task=EMAIL_TASK)
    wait_until(lambda: email_runs(celery_worker, email_message.pk) == 1, worker=celery_worker, what="the e-mail run")

    # Another periodic run, and every message delivered again: nothing is made or sent twice.
    skipped = celery_worker.log().count("'skipped'")
    app.send_task(RELAY_TASK)
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        app.send_task(DELIVER_TASK, args=[pk])
    wait_until(
        lambda: celery_worker.log().count("'skipped'") >= skipped + 2, worker=celery_worker, what="the redeliveries to be skipped"
    )
    assert Notification.objects.filter(user=follower).count() == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at == notification.emailed_at
    assert email_runs(celery_worker, email_message.pk) == 1
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"}
