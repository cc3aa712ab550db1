from django.db import migrations


def forwards(apps, schema_editor):
    from prodcoord.core.roles import sync_roles

    sync_roles(apps, strict=False)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("materials", "0001_initial"),
        ("workorders", "0001_initial"),
        ("events", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
