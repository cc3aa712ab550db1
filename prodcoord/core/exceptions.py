"""Errors raised by services, translated to HTTP by the API and to messages by views.

- ``django.core.exceptions.ValidationError`` — bad input, field-level where possible (HTTP 400).
- ``ConflictError`` — the request is well-formed but the current state refuses it:
  an illegal transition, an active hold, a stale version (HTTP 409).
"""


class ConflictError(Exception):
    """The object's current state does not allow this change."""

    def __init__(self, message, *, code="conflict"):
        super().__init__(message)
        self.message = message
        self.code = code


class TransitionError(ConflictError):
    def __init__(self, message):
        super().__init__(message, code="illegal_transition")


class StaleVersionError(ConflictError):
    def __init__(self, message):
        super().__init__(message, code="stale_version")


class HoldActiveError(ConflictError):
    def __init__(self, message):
        super().__init__(message, code="on_hold")
