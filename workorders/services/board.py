"""Saved views of the open-orders board: a person's named board queries ("my line",
"late in machining").

A saved view is the board's query string, kept per user. Only the board's own
parameters are kept (``BOARD_PARAMETERS``; never the page), each value is checked
as the board reads it, and a name is unique per person regardless of case. Each
write takes many rows and the single-object service is a batch of one; a refused
row writes nothing. Saved views are a person's preference, not plant state: they
record no event.
"""

import datetime as dt
from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.http import QueryDict

from prodcoord.core.rows import RowErrors, single

from ..models import SavedBoardView, WorkOrder

MAX_SAVED_VIEWS = 30

# The board's parameters and how each value is checked (``None``: free text).
BOARD_GROUPS = {"department": "Department", "work_center": "Work center"}
BOARD_SORT_KEYS = ("number", "item", "progress", "work_center", "status", "priority", "due_date", "customer_ref")
_OPEN = {s.value for s in WorkOrder.OPEN_STATUSES}
_BOOL = {"true", "false"}


def _date(value):
    dt.date.fromisoformat(value)
    return True


BOARD_PARAMETERS = {
    "search": None,
    "department": None,
    "work_center": None,
    "status": lambda v: v in _OPEN,
    "priority": lambda v: v in {"1", "2", "3", "4", "5"},
    "due_after": _date,
    "due_before": _date,
    "overdue": lambda v: v in _BOOL,
    "on_hold": lambda v: v in _BOOL,
    "group": lambda v: v in BOARD_GROUPS,
    "ordering": lambda v: v.lstrip("-") in BOARD_SORT_KEYS and v.count("-") <= 1,
}


def board_query_clean_lenient(query):
    """``query`` with only what the board reads: unknown parameters and values it cannot read
    dropped (the board shows what it can rather than an error)."""
    data = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    for name, values in data.lists():
        for value in values:
            try:
                kept.update(QueryDict(board_query_clean(f"{name}={quote(value)}")))
            except ValidationError:
                continue
    return board_query_clean(kept.urlencode())


def board_query_clean(query):
    """The board query string to keep for ``query`` (a string): the board's parameters with a
    value, in a stable order; ``ValidationError`` naming what the board cannot read."""
    data = QueryDict(query or "")
    kept = QueryDict(mutable=True)
    problems = []
    for name, check in BOARD_PARAMETERS.items():
        for value in data.getlist(name):
            value = value.strip()
            if not value:
                continue
            try:
                ok = check is None or check(value)
            except ValueError:
                ok = False
            if not ok or len(value) > 100:
                problems.append(f"{name}={value[:100]}")
            else:
                kept.appendlist(name, value)
    if problems:
        raise ValidationError({"query": [f"The board cannot show this view: {', '.join(problems)}."]})
    return kept.urlencode()


@transaction.atomic
def saved_views_create(*, actor, rows):
    """Rows ``{"name", "query"}``: the actor's new saved views; all or nothing."""
    errors = RowErrors()
    mine = SavedBoardView.objects.select_for_update().filter(user=actor)
    existing = list(mine.annotate(lname=Lower("name")).values_list("lname", flat=True))
    taken = set(existing)
    count = len(existing)
    new = []
    for index, row in enumerate(rows):
        name = (row.get("name") or "").strip()
        if not name:
            errors.add(index, "name", "Give the view a name.")
        elif len(name) > SavedBoardView.NAME_MAX_LENGTH:
            errors.add(index, "name", f"Keep the name to {SavedBoardView.NAME_MAX_LENGTH} characters or fewer.")
        elif name.lower() in taken:
            errors.add(index, "name", "You already have a view with this name.")
        query = errors.check(index, board_query_clean, row.get("query", ""))
        if count + 1 > MAX_SAVED_VIEWS:
            errors.add(index, "name", f"You can keep up to {MAX_SAVED_VIEWS} views; delete one first.")
        if index in errors:
            continue
        taken.add(name.lower())
        count += 1
        new.append(SavedBoardView(user=actor, name=name, query=query))
    errors.raise_if_any()
    return SavedBoardView.objects.bulk_create(new)


@transaction.atomic
def saved_views_delete(*, actor, rows):
    """Rows ``{"view": saved_view}``: delete the actor's own views; another person's is refused."""
    errors = RowErrors()
    ids = []
    for index, row in enumerate(rows):
        view = row.get("view")
        if view is None or view.user_id != getattr(actor, "pk", None):
            errors.add(index, "view", "That saved view is not yours.")
            continue
        ids.append(view.pk)
    errors.raise_if_any()
    SavedBoardView.objects.filter(pk__in=ids, user=actor).delete()
    return ids


def saved_view_create(*, actor, name, query=""):
    return single(saved_views_create, {"name": name, "query": query}, actor=actor)


def saved_view_delete(*, actor, view):
    return single(saved_views_delete, {"view": view}, actor=actor)
