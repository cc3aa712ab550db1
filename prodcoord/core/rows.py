"""The shape of every write: many rows at once, the single-object service being a batch of one.

A batch service checks every row first and collects what is wrong with each
in ``RowErrors``; if anything is, it raises ``RowsInvalid`` and writes
nothing. Each problem has one shape — ``{"row": index, "field": name,
"message": text}`` — ready for an import preview. Then it writes all rows
together (``bulk_create``, ``columns_update``), set-based.

The single-object service calls the batch with one row through ``single``,
which turns a refusal back into the error the caller would expect from one
object: the field errors of a ``ValidationError`` (HTTP 400), or the
``ConflictError`` itself (HTTP 409).
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from .exceptions import ConflictError

NON_FIELD = "__all__"
_ROW_FIELD = re.compile(r"(\w+)\[(\d+)\]\.(\w+)")


def row_field(content, index, field):
    """The name of a field of one row of a record's list (a BOM's lines, a routing's steps):
    ``row_field("lines", 1, "component")`` → ``"lines[1].component"`` (the index counts from 0)."""
    return f"{content}[{index}].{field}"


def split_row_field(name):
    """``"lines[1].component"`` → ``("lines", 1, "component")``; ``None`` for a plain field name."""
    match = _ROW_FIELD.fullmatch(name)
    if match is None:
        return None
    return match.group(1), int(match.group(2)), match.group(3)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def as_dict(self):
        return {"row": self.row, "field": self.field, "message": self.message}

    def __str__(self):
        return f"Row {self.row}, {self.field}: {self.message}" if self.field != NON_FIELD else f"Row {self.row}: {self.message}"


class RowsInvalid(ValidationError):
    """Some rows of a batch were refused; nothing was written.

    ``errors``: the ``RowError`` list, in row order. As a ``ValidationError`` it
    reads ``{"rows": ["Row 2, quantity: Must be greater than zero.", …]}``.
    """

    def __init__(self, errors, conflicts=None):
        self.errors = sorted(errors, key=lambda e: e.row)
        self.conflicts = conflicts or {}
        super().__init__({"rows": [str(e) for e in self.errors] or ["Refused."]})

    def as_list(self):
        return [e.as_dict() for e in self.errors]

    def for_one_row(self):
        """The error a single-object call raises: the row's ``ConflictError``, or its field errors."""
        if 0 in self.conflicts:
            return self.conflicts[0]
        fields = {}
        for error in self.errors:
            fields.setdefault(error.field, []).append(error.message)
        return ValidationError(fields)


class RowErrors:
    """What is wrong with which row of a batch."""

    def __init__(self):
        self.errors = []
        self.rows = set()
        self.conflicts = {}  # row → the first ConflictError, so a batch of one can raise it as it is

    def __bool__(self):
        return bool(self.errors)

    def __contains__(self, row):
        """Whether ``row`` was refused (``if index in errors: continue``)."""
        return row in self.rows

    def add(self, row, field, message):
        self.errors.append(RowError(row, field, str(message)))
        self.rows.add(row)

    def add_error(self, row, exc, *, conflict_field=NON_FIELD):
        """Record a service error for ``row``: each field message of a ``ValidationError``,
        or a ``ConflictError`` under ``conflict_field``."""
        if isinstance(exc, ConflictError):
            self.conflicts.setdefault(row, exc)
            self.add(row, conflict_field, exc.message)
        elif hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                for message in messages:
                    self.add(row, field, message)
        else:
            for message in exc.messages:
                self.add(row, NON_FIELD, message)

    def check(self, row, func, *args, conflict_field=NON_FIELD, **kwargs):
        """``func(*args, **kwargs)``; a ValidationError or ConflictError is recorded for ``row``
        (and ``None`` returned) instead of raised."""
        try:
            return func(*args, **kwargs)
        except (ValidationError, ConflictError) as exc:
            self.add_error(row, exc, conflict_field=conflict_field)
            return None

    def raise_if_any(self):
        if self.errors:
            raise RowsInvalid(self.errors, self.conflicts)


def single(batch, row, **kwargs):
    """``batch(rows=[row], **kwargs)[0]``, with a refusal raised as for one object."""
    try:
        return batch(rows=[row], **kwargs)[0]
    except RowsInvalid as exc:
        raise exc.for_one_row() from None


def chunks(values, size=5000):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def columns_update(model, objs, fields, *, batch_size=1000):
    """Write ``fields`` of many rows, one ``UPDATE … FROM (VALUES …)`` statement per batch.

    ``QuerySet.bulk_update`` builds a CASE expression per row and field, which
    costs seconds per thousand rows; this does the same write in milliseconds,
    and costs one statement for one row, like ``save(update_fields=…)``.
    """
    objs = list(objs)
    if not objs:
        return
    if "updated_at" in fields:  # as ``auto_now`` does on save()
        now = timezone.now()
        for obj in objs:
            obj.updated_at = now
    meta = model._meta
    pk = meta.pk
    columns = [pk, *(meta.get_field(f) for f in fields)]
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in columns) + ")"
    else:
        row = "(" + ", ".join("%s" for _ in columns) + ")"
    table = qn(meta.db_table)
    assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns[1:], start=2))
    with connection.cursor() as cursor:
        for chunk in chunks(objs, batch_size):
            params = [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in columns]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join([row] * len(chunk))}) AS v "
                f"WHERE {table}.{qn(pk.column)} = v.column1",
                params,
            )


def values_insert(model, fields, rows, *, batch_size=1000):
    """Insert plain tuples (values of ``fields``, in order) into ``model``'s table, one statement per
    batch, without building a model instance per row: for rows nothing reads back (an event's scope)."""
    rows = list(rows)
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(c.column) for c in columns)}) VALUES "
    with connection.cursor() as cursor:
        for chunk in chunks(rows, batch_size):
            params = [c.get_db_prep_save(value, connection) for values in chunk for c, value in zip(columns, values, strict=True)]
            cursor.execute(head + ", ".join([row] * len(chunk)), params)


def lock_by_pk(queryset, pks):
    """``{pk: row}`` for ``pks``, locked (``SELECT … FOR UPDATE``) in primary-key order, so two
    batches that share rows always take their locks in the same order and never deadlock.
    ``DoesNotExist`` when one of them was deleted meanwhile."""
    pks = sorted(set(pks))
    locked = {}
    if len(pks) == 1:  # the single-object call: no ordering to compile
        locked = {obj.pk: obj for obj in queryset.select_for_update().filter(pk=pks[0])}
    else:
        for chunk in chunks(pks):
            for obj in queryset.select_for_update().filter(pk__in=chunk).order_by("pk"):
                locked[obj.pk] = obj
    if len(locked) != len(pks):  # deleted since the caller read it
        missing = [pk for pk in pks if pk not in locked]
        raise queryset.model.DoesNotExist(f"{queryset.model._meta.verbose_name} {missing[0]} no longer exists.")
    return locked
