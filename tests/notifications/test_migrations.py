"""The data migration that gives the morning brief to supervisors whose settings predate it, run on
hand-built rows (as a database written before the brief would hold them)."""

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from prodcoord.notifications.kinds import MORNING_BRIEF
from prodcoord.notifications.models import NotificationSettings, Subscription
from prodcoord.notifications.services import notification_defaults_apply, subscription_create

pytestmark = pytest.mark.django_db

migration = importlib.import_module("prodcoord.notifications.migrations.0002_morning_brief_for_earlier_supervisors")


def run():
    migration.morning_brief_for_earlier_supervisors(apps, SimpleNamespace(connection=connection))


def brief_arrived(at):
    """The brief's migration as recorded on this database: applied at ``at`` (``None``: not recorded)."""
    app, name = migration.BRIEF_ARRIVED
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()
    if at is not None:
        MigrationRecorder.Migration.objects.create(app=app, name=name, applied=at)


def with_settings(user, made):
    NotificationSettings.objects.create(user=user)
    NotificationSettings.objects.filter(user=user).update(created_at=made)
    return user


def brief(user):
    return Subscription.objects.filter(user=user, kind="event", verb=MORNING_BRIEF).first()


def test_supervisors_whose_settings_predate_the_brief_get_it_and_no_one_else_is_touched(make_user):
    arrived = timezone.now() - dt.timedelta(days=30)
    brief_arrived(arrived)
    before, after = arrived - dt.timedelta(days=60), arrived + dt.timedelta(days=1)
    earlier = with_settings(make_user("supervisor"), before)
    subscription_create(user=earlier, kind="event", target="hold.placed", email="digest")  # what they chose stays
    # had it and kept it, with e-mail turned off: left as it is
    quiet = with_settings(make_user("supervisor"), before)
    subscription_create(user=quiet, kind="event", target=MORNING_BRIEF, email="none")
    # given it when their settings were made after the brief came, and removed it since: an explicit "no"
    removed = make_user("supervisor")
    notification_defaults_apply(users=[removed])
    brief(removed).delete()
    NotificationSettings.objects.filter(user=removed).update(created_at=after)
    coordinator = with_settings(make_user("coordinator"), before)
    no_settings = make_user("supervisor")  # their defaults (the brief among them) come when they are first applied
    inactive = with_settings(make_user("supervisor", is_active=False), before)

    run()

    given = brief(earlier)
    assert given is not None and given.email == "immediate" and given.verbs == []
    assert set(Subscription.objects.filter(user=earlier).values_list("verb", flat=True)) == {"hold.placed", MORNING_BRIEF}
    assert brief(quiet).email == "none"
    assert brief(removed) is None
    assert brief(coordinator) is None
    assert not NotificationSettings.objects.filter(user=no_settings).exists() and brief(no_settings) is None
    assert brief(inactive) is not None  # back at work, they have what every supervisor has

    run()  # again: nothing more
    assert Subscription.objects.filter(verb=MORNING_BRIEF).count() == 3


def test_without_a_record_of_the_brief_every_supervisor_with_settings_predates_it(make_user):
    brief_arrived(None)
    supervisor = with_settings(make_user("supervisor"), timezone.now())

    run()

    assert brief(supervisor).email == "immediate"
