"""An index for netting some items (the debounced run after a stock move): the released and
in-progress orders by BOM, carrying every column netting reads, so the orders that need a component
are found without reading the work-order table (an index-only scan). PostgreSQL only: a partial,
covering index on the work-order table that netting alone uses (SQLite plants are small)."""

from django.db import migrations

NAME = "planning_netted_wo_bom_idx"
CREATE = (
    f"CREATE INDEX IF NOT EXISTS {NAME} ON workorders_workorder (bom_id) "
    "INCLUDE (id, item_id, quantity, planned_start, planned_end, priority, number, version, status) "
    "WHERE status IN ('released', 'in_progress')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0002_shortages"),
        ("workorders", "0009_workorder_shortage_count"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
