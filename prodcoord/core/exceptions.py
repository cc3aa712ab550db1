"""Errors raised by services, translated to HTTP by the API and to messages by views.

- ``django.core.exceptions.ValidationError`` — bad input, field-level where possible (HTTP 400).
- ``ConflictError`` — the request is well-formed but the current state refuses it:
  an illegal transition, an active hold, a stale version (HTTP 409).
"""


class ConflictError(Exception):
    """The object's current state does not allow this change."""

    def __init__(self, message, *, code="conflict", extra=None):
        super().__init__(message)
        self.message = message
        self.code = code
        # More of the 409 body, beside "detail" and "code" (a stale version: what changed, by whom).
        self.extra = extra or {}


class TransitionError(ConflictError):
    def __init__(self, message):
        super().__init__(message, code="illegal_transition")


class StaleVersionError(ConflictError):
    """A change made from a stale read. ``changes``: what was changed since, each
    ``{"field", "old", "new", "by", "at"}`` (empty when the log cannot say); ``version``: the
    current version."""

    def __init__(self, message, *, changes=(), version=None):
        super().__init__(message, code="stale_version", extra={"version": version, "changes": list(changes)})
        self.changes = list(changes)
        self.version = version


class HoldActiveError(ConflictError):
    def __init__(self, message):
        super().__init__(message, code="on_hold")
