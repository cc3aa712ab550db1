from django.db import migrations

# Scrap reported before scrap reasons were kept gets this reason, inactive so nobody picks it
# for new scrap; the quality reports count it apart instead of losing it.
CODE = "UNRECORDED"
NAME = "Not recorded (reported before scrap reasons)"


def scrap_reason_for_earlier_scrap(apps, schema_editor):
    ProductionReport = apps.get_model("workorders", "ProductionReport")
    ScrapReason = apps.get_model("workorders", "ScrapReason")
    earlier = ProductionReport.objects.exclude(quantity_scrap=0).filter(scrap_reason__isnull=True)
    if not earlier.exists():
        return
    reason, _ = ScrapReason.objects.get_or_create(code=CODE, defaults={"name": NAME, "is_active": False})
    earlier.update(scrap_reason=reason)


class Migration(migrations.Migration):
    """Its own migration (its own transaction): PostgreSQL refuses to add a constraint to a table
    with rows changed earlier in the same transaction (pending foreign-key checks)."""

    dependencies = [
        ('workorders', '0003_scrap_reasons_and_reversals'),
    ]

    operations = [
        migrations.RunPython(scrap_reason_for_earlier_scrap, migrations.RunPython.noop),
    ]
