from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder

# Supervisors follow the morning brief by default (``kinds.ROLE_DEFAULTS``), but defaults are applied
# once, when a person's notification settings are made: a supervisor whose settings were made before
# the brief existed never got it. This gives them the default now.
#
# Turning the brief off deletes the subscription and leaves no other trace, so a missing row alone
# cannot say "turned off" from "never had it". When the settings were made can: a supervisor whose
# settings were made after the brief arrived (``reports.0002_morning_brief`` applied on this database)
# was given it, so if the row is missing now they removed it, and they are left alone. Without that
# record (a new database, where the brief and this run together) every supervisor's settings are older.
#
# The values as they were when this was written (a migration does not follow later changes to them):
MORNING_BRIEF = "morning_brief.published"
EMAIL = "immediate"
SUPERVISOR = "supervisor"
BRIEF_ARRIVED = ("reports", "0002_morning_brief")


def brief_arrived_at(connection):
    """When the brief came to this database (``None`` if it has not yet)."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return None
    app, name = BRIEF_ARRIVED
    return recorder.migration_qs.filter(app=app, name=name).values_list("applied", flat=True).first()


def morning_brief_for_earlier_supervisors(apps, schema_editor):
    NotificationSettings = apps.get_model("notifications", "NotificationSettings")
    Subscription = apps.get_model("notifications", "Subscription")
    following = Subscription.objects.filter(kind="event", verb=MORNING_BRIEF).values("user_id")
    earlier = NotificationSettings.objects.filter(user__groups__name=SUPERVISOR).exclude(user_id__in=following)
    arrived = brief_arrived_at(schema_editor.connection)
    if arrived is not None:
        earlier = earlier.filter(created_at__lt=arrived)
    user_ids = sorted(set(earlier.values_list("user_id", flat=True)))
    Subscription.objects.bulk_create(
        [Subscription(user_id=pk, kind="event", verb=MORNING_BRIEF, verbs=[], email=EMAIL) for pk in user_ids],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_subscriptions_notifications_digests"),
    ]

    operations = [
        migrations.RunPython(morning_brief_for_earlier_supervisors, migrations.RunPython.noop),
    ]
