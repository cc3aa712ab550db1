from django.db import migrations, models


class Migration(migrations.Migration):
    """A report has a scrap reason exactly when it has scrap (after 0004 gave earlier scrap one)."""

    dependencies = [
        ('workorders', '0004_scrap_reason_for_earlier_scrap'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='productionreport',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('quantity_scrap', 0), ('scrap_reason__isnull', True)), models.Q(models.Q(('quantity_scrap', 0), _negated=True), ('scrap_reason__isnull', False)), _connector='OR'), name='workorders_productionreport_scrap_reason_with_scrap'),
        ),
    ]
