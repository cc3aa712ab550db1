"""E-mail is never lost and never sent twice: immediate e-mails and the hourly digest go through the
outbox, written in the transaction that made them, and each is sent under its row's lock and marked sent
in the same transaction."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from prodcoord.notifications import services
from prodcoord.notifications.models import Digest, Notification
from prodcoord.notifications.tasks import notifications_digest_task
from prodcoord.outbox.models import OutboxMessage
from prodcoord.outbox.relay import relay_pending
from prodcoord.outbox.services import outbox_message_run
from tests.brokers import CLOSED_PORT_BROKER
from tests.factories import UserFactory
from tests.notifications.helpers import follower, routed_plant
from workorders import services as wo

pytestmark = pytest.mark.django_db

EMAIL_TASK = "prodcoord.notifications.tasks.notification_email_task"


@pytest.fixture
def plant(shifts):
    return routed_plant()


def place_hold(plant, capture, actor=None, reason="Burr on the edge."):
    with capture(execute=True):
        return wo.hold_place(work_order=plant.order, actor=actor, kind="quality", reason=reason)


def test_an_immediate_follower_gets_one_e_mail(plant, django_capture_on_commit_callbacks):
    person = follower("department", "PAINT", email="immediate")
    quiet = follower("department", "PAINT", email="none")
    place_hold(plant, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert plant.order.number in mail.outbox[0].subject and "Burr on the edge." in mail.outbox[0].body
    assert Notification.objects.get(user=person).emailed_at is not None
    assert Notification.objects.get(user=quiet).emailed_at is None


def test_running_the_sender_twice_sends_nothing_twice(plant, django_capture_on_commit_callbacks):
    person = follower("department", "PAINT", email="immediate")
    place_hold(plant, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(user=person)
    message = OutboxMessage.objects.get(task=EMAIL_TASK)
    assert len(mail.outbox) == 1
    # A redelivered message (the broker handed it over twice, a lease ran out) is skipped …
    assert outbox_message_run(message_id=message.pk) == "skipped"
    # … and the sender itself, run again by hand, finds the e-mail sent.
    assert services.notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


def test_an_e_mail_queued_while_the_broker_is_unreachable_is_sent_once_by_the_periodic_run(
    plant, use_broker, django_capture_on_commit_callbacks
):
    person = follower("department", "PAINT", email="immediate")
    OutboxMessage.objects.all().delete()  # what building the plant queued: not this test's
    app = use_broker(broker=CLOSED_PORT_BROKER)
    hold = place_hold(plant, django_capture_on_commit_callbacks)
    # The change is made; its follow-up waits, pending, for the broker.
    assert hold.pk and hold.released_at is None
    assert list(OutboxMessage.objects.values_list("task", "state")) == [
        ("prodcoord.notifications.tasks.notifications_fan_out_task", "pending")
    ]
    assert not Notification.objects.exists() and mail.outbox == []
    assert relay_pending()["handed_over"] == 0  # the broker is still down: nothing is lost, nothing runs

    # The broker is back (here: tasks run in process, as with no broker).
    app.conf.task_always_eager = True
    for _ in range(3):  # the fan-out, then the e-mail it queued; a third run finds nothing
        relay_pending()
    assert [m.to for m in mail.outbox] == [[person.email]]
    assert Notification.objects.get(user=person).emailed_at is not None
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"done"}
    relay_pending()
    assert len(mail.outbox) == 1


def test_the_digest_gathers_the_hour_once(plant, django_capture_on_commit_callbacks):
    person = follower("department", "PAINT", email="digest")
    other = follower("work_order", plant.order.number, email="digest")
    coordinator = UserFactory(role="coordinator")
    hold = place_hold(plant, django_capture_on_commit_callbacks, actor=coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # a quality hold: a supervisor releases it
        wo.hold_release(hold=hold, actor=UserFactory(role="supervisor"), release_note="Deburred.", disposition="rework")
    assert mail.outbox == []  # digest followers get no e-mail of their own

    # Made during this hour: the digest built at the top of the next hour has them, once.
    next_hour = services.digest_period_end(timezone.now()) + dt.timedelta(hours=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        digests = services.digests_build(now=next_hour)
        assert services.digests_build(now=next_hour) == []  # a second run in the same hour: nothing left
        assert services.digests_build(now=next_hour + dt.timedelta(minutes=20)) == []
    assert sorted(d.user_id for d in digests) == sorted([person.pk, other.pk])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([person.email, other.email])
    body = next(m.body for m in mail.outbox if m.to == [person.email])
    assert "Hold placed" in body and "Hold released" in body
    assert Notification.objects.filter(user=person, emailed_at__isnull=False).count() == 2

    # Sending a digest again sends nothing.
    assert services.digest_send(digest_id=digests[0].pk) is False
    assert len(mail.outbox) == 2
    assert Digest.objects.count() == 2


def test_the_digest_of_this_hour_waits_for_the_hour_to_end(plant, django_capture_on_commit_callbacks):
    follower("department", "PAINT", email="digest")
    place_hold(plant, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert notifications_digest_task() == 0  # made in this hour: not yet
    assert mail.outbox == [] and not Digest.objects.exists()
