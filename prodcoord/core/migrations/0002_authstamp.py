import uuid

from django.db import migrations, models


def stamp_create(apps, schema_editor):
    apps.get_model("core", "AuthStamp").objects.update_or_create(id=1, defaults={"value": uuid.uuid4().hex})


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuthStamp",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.CharField(max_length=32)),
            ],
        ),
        migrations.RunPython(stamp_create, migrations.RunPython.noop),
    ]
