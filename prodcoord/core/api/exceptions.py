"""One error format for the whole API (see API.md):

- 400 ``{"field": ["message"]}`` or ``{"detail": "..."}``
- 404 ``{"detail": "..."}`` for the record the URL names (``get_object()``)
- 409 ``{"detail": "...", "code": "illegal_transition" | "stale_version" | "on_hold" | ...}``

Only conditions a user can cause are answered here. Any other exception — an
``IntegrityError`` that is not a registered conflict (``prodcoord.core.integrity``),
a ``DoesNotExist`` for anything but the URL's record — is a bug: it propagates,
Django logs it and answers 500.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from prodcoord.core.exceptions import ConflictError
from prodcoord.core.integrity import integrity_conflict
from prodcoord.core.rows import split_row_field


def validation_error_data(exc):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in ValidationError(msgs).messages] for field, msgs in exc.error_dict.items()}
    return {"detail": " ".join(exc.messages)}


def nest_row_errors(data, body):
    """Field errors about one row of a list (``lines[1].component``, as the services name them)
    answered like the input: ``{"lines": [{}, {"component": ["…"]}]}``, one entry per row sent."""
    nested, plain = {}, {}
    for key, messages in data.items():
        parts = split_row_field(key)
        if parts is None:
            plain[key] = messages
        else:
            content, index, field = parts
            nested.setdefault(content, {}).setdefault(index, {})[field] = messages
    for content, rows in nested.items():
        sent = body.get(content) if isinstance(body, dict) else None
        length = max(len(sent) if isinstance(sent, list) else 0, max(rows) + 1)
        if content in plain:  # the list itself was refused too
            plain.setdefault("non_field_errors", []).extend(plain.pop(content))
        plain[content] = [rows.get(index, {}) for index in range(length)]
    return plain


def _body(request):
    try:
        return request.data if request is not None else None
    except Exception:  # a body that cannot be read has no rows to mirror
        return None


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        data = validation_error_data(exc)
        data = {("non_field_errors" if k == "__all__" else k): v for k, v in data.items()}
        data = nest_row_errors(data, _body(context.get("request")))
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoPermissionDenied) and str(exc):
        # A service's refusal of a person's role says what the role may not do, and who may.
        return Response({"detail": str(exc)}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": exc.code, **exc.extra}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {"detail": "Other records still refer to this one; deactivate it instead.", "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # A unique rule two requests raced on is the user's conflict; anything else is a bug (500).
        conflict = integrity_conflict(exc)
        if conflict is None:
            return None
        return Response({"detail": conflict.message, "code": conflict.code}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)
