"""Argument types shared by the management commands of every app."""

import datetime as dt

from django.core.management.base import CommandError


def date_argument(value):
    """A command-line date (YYYY-MM-DD), for ``parser.add_argument(..., type=date_argument)``."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from exc
