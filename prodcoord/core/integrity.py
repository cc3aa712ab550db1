"""The database constraints a user can run into, and what to tell them.

The services check these rules before they write, so a duplicate normally comes
back as a field error (400). Two requests at the same moment can both pass that
check; the database then refuses the second one, and the API answers 409 with
the message registered here.

Any other ``IntegrityError`` — a foreign key, a CHECK that validated input can
never break, a unique rule the services already guarantee — is a bug: it is not
in ``CONFLICTS`` and must propagate, so Django logs it and answers 500.

One registry serves both databases. An entry is keyed by what the model declares:

- ``"<app_label>.<Model>.<field>"`` for a field with ``unique=True``;
- the constraint's name for a ``UniqueConstraint`` (``"materials_bom_unique_item_revision"``).

``constraint_key(exc)`` finds that key from PostgreSQL's constraint name (a
``unique=True`` column's is the generated ``<table>_<column>_key``) or from
SQLite's message (``UNIQUE constraint failed: plant_department.code``, mapped
back through the models' ``_meta``; ``CHECK constraint failed: <name>``).
"""

import functools
import re
from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class Conflict:
    code: str  # the 409 body's "code"
    field: str  # the input field the conflict concerns
    message: str  # the 409 body's "detail"


CONFLICTS = {
    # Natural keys: two people creating (or renaming to) the same key at once — unique regardless of case.
    "plant_department_code_ci_unique": Conflict("department_code_taken", "code", "A department with this code already exists."),
    "plant_workcenter_code_ci_unique": Conflict("work_center_code_taken", "code", "A work center with this code already exists."),
    "plant_shift_code_ci_unique": Conflict("shift_code_taken", "code", "A shift with this code already exists."),
    "materials_item_sku_ci_unique": Conflict("item_sku_taken", "sku", "An item with this SKU already exists."),
    "workorders_workorder_number_ci_unique": Conflict(
        "work_order_number_taken", "number", "A work order with this number already exists."
    ),
    "workorders_scrapreason_code_ci_unique": Conflict(
        "scrap_reason_code_taken", "code", "A scrap reason with this code already exists."
    ),
    # Floor mode: two supervisors giving the same badge number at once.
    "core_operatorbadge_badge_ci_unique": Conflict("badge_taken", "badge", "This badge number is someone else's already."),
    "plant_downtimereason_code_ci_unique": Conflict(
        "downtime_reason_code_taken", "code", "A downtime reason with this code already exists."
    ),
    # One open downtime per work center (the service locks the work center; this is the last line).
    "plant_downtimeevent_one_open_per_work_center": Conflict(
        "already_down", "work_center", "This work center is already down: stop that downtime first."
    ),
    # A production report is reversed at most once (two people reversing it at the same moment).
    "workorders.ProductionReport.reverses": Conflict(
        "already_reversed", "report", "This production report has already been reversed."
    ),
    # Revisions of an item's BOM and routing.
    "materials_bom_unique_item_revision": Conflict(
        "bom_revision_taken", "revision", "This item already has a BOM revision with this name."
    ),
    "workorders_routing_unique_item_revision": Conflict(
        "routing_revision_taken", "revision", "This item already has a routing revision with this name."
    ),
    "materials_bom_one_released_per_item": Conflict(
        "bom_already_released", "status", "This item already has a released BOM revision; only one can be released."
    ),
    "workorders_routing_one_released_per_item": Conflict(
        "routing_already_released", "status", "This item already has a released routing revision; only one can be released."
    ),
    # Stock: natural keys of locations and lots, the one output location, a move reversed once,
    # and a balance that would go below zero (the services lock first, so this is the last line).
    "materials_location_code_ci_unique": Conflict("location_code_taken", "code", "A location with this code already exists."),
    "materials_lot_unique_item_code": Conflict("lot_code_taken", "code", "This item already has a lot with this code."),
    "materials_location_one_output": Conflict(
        "output_location_taken", "receives_output", "Another location already receives the output."
    ),
    "materials.StockMove.reverses": Conflict("already_reversed", "move", "This move has already been reversed."),
    "materials_stockbalance_never_negative": Conflict(
        "stock_changed", "quantity", "The stock changed meanwhile and this move would take more than is there."
    ),
    # The plan: one entry per work order, work center, shift and date.
    "planning_scheduleentry_unique_slot": Conflict(
        "schedule_slot_taken",
        "work_order",
        "This work order is already scheduled at this work center in this shift on this date.",
    ),
}


def integrity_conflict(exc):
    """The registered ``Conflict`` for the constraint ``exc`` (an ``IntegrityError``) broke, or None."""
    return CONFLICTS.get(constraint_key(exc))


def constraint_key(exc):
    """The key of the model constraint or unique field ``exc`` broke, or None when it is not one of those
    (a foreign key, NOT NULL) or cannot be told apart."""
    cause = exc.__cause__ or exc
    diag = getattr(cause, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        return _constraints().by_name.get(diag.constraint_name)
    return _key_from_sqlite_message(str(cause))


_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (?P<name>\w+)$")
_SQLITE_UNIQUE_INDEX = re.compile(r"UNIQUE constraint failed: index '(?P<name>[^']+)'$")  # an index on expressions
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)$")


def _key_from_sqlite_message(message):
    named = _SQLITE_CHECK.match(message) or _SQLITE_UNIQUE_INDEX.match(message)
    if named:
        return _constraints().by_name.get(named["name"])
    unique = _SQLITE_UNIQUE.match(message)
    if unique is None:  # FOREIGN KEY, NOT NULL, …
        return None
    table_columns = [part.rsplit(".", 1) for part in unique["columns"].split(", ")]
    tables = {table for table, _column in table_columns}
    if len(tables) != 1:
        return None
    candidates = _constraints().by_columns.get((tables.pop(), frozenset(column for _table, column in table_columns)), [])
    # SQLite names only the columns: two constraints on the same columns (with different
    # conditions, say) cannot be told apart, and a guess could pass a bug off as a conflict.
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class _Index:
    by_name: dict  # constraint name in the database → key
    by_columns: dict  # (table, frozenset of columns) → [key, …]


@functools.cache
def _constraints():
    """Every unique field, UniqueConstraint and CheckConstraint of the installed models, by the
    database's name for it and by its table and columns."""
    by_name, by_columns = {}, {}
    for model in apps.get_models():
        meta = model._meta
        table = meta.db_table
        for field in meta.local_fields:
            if field.unique and not field.primary_key:
                key = f"{meta.label}.{field.name}"
                by_name[f"{table}_{field.column}_key"] = key  # PostgreSQL's name for a UNIQUE column
                by_columns.setdefault((table, frozenset([field.column])), []).append(key)
        for constraint in meta.constraints:
            by_name[constraint.name] = constraint.name
            if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
                columns = frozenset(meta.get_field(name).column for name in constraint.fields)
                by_columns.setdefault((table, columns), []).append(constraint.name)
    return _Index(by_name=by_name, by_columns=by_columns)
