"""How an event stores the old and new values of a change: as JSON, with the
type of each field written beside them (``Event.change_types``), so the
presenter never has to guess a date or a quantity from a string.

| type       | stored as                    | written as (``presenters``)        |
|------------|------------------------------|------------------------------------|
| `null`     | `null` on both sides         | —                                  |
| `bool`     | `true` / `false`             | yes / no                           |
| `int`      | a number                     | as is                              |
| `decimal`  | a string, `"12.500"`         | `12.5` (``fmt_qty``)               |
| `date`     | `"2026-11-29"`               | Sun Nov 29, 2026                   |
| `datetime` | ISO 8601 with offset         | plant time, Sun Nov 29, 2026 14:05 |
| `time`     | `"06:00:00"`                 | 06:00                              |
| `choice`   | the stored value (`"draft"`) | its label (Draft), from the field  |
| `ref`      | the record's natural name    | as is                              |
| `list`     | a list of strings            | comma-separated                    |
| `str`      | a string                     | as is                              |
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db import models

TYPES = ("null", "bool", "int", "decimal", "date", "datetime", "time", "choice", "ref", "list", "str")


def _type_of(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, Decimal | float):
        return "decimal"
    if isinstance(value, dt.datetime):
        return "datetime"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, models.Model):
        return "ref"
    return "str"


def to_json(value):
    """One value as the event stores it."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal | float):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _has_choices(model, field):
    if model is None:
        return False
    try:
        return bool(model._meta.get_field(field).choices)
    except FieldDoesNotExist:
        return False


def change_type(field, old, new, *, model=None):
    """The type of one change: of its non-empty side; ``choice`` for a field of the
    subject's model that has choices."""
    kinds = {_type_of(old), _type_of(new)} - {"null"}
    if not kinds:
        return "null"
    if kinds == {"int", "decimal"}:
        return "decimal"
    kind = sorted(kinds)[0] if len(kinds) > 1 else kinds.pop()
    if kind == "str" and _has_choices(model, field):
        return "choice"
    return kind


def typed_changes(changes, *, model=None):
    """``({field: [old, new]} as JSON, {field: type})`` for a service's ``{field: [old, new]}``."""
    values, types = {}, {}
    for field, (old, new) in (changes or {}).items():
        values[field] = [to_json(old), to_json(new)]
        types[field] = change_type(field, old, new, model=model)
    return values, types


def diff(old, new):
    """``{field: [old, new]}`` for the fields whose value changed (values as they are)."""
    return {key: [old.get(key), new.get(key)] for key in new if old.get(key) != new.get(key)}
