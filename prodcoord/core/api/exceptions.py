"""One error format for the whole API (see API.md):

- 400 ``{"field": ["message"]}`` or ``{"detail": "..."}``
- 409 ``{"detail": "...", "code": "illegal_transition" | "stale_version" | "on_hold" | ...}``
"""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from prodcoord.core.exceptions import ConflictError


def validation_error_data(exc):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for m in ValidationError(msgs).messages] for field, msgs in exc.error_dict.items()}
    return {"detail": " ".join(exc.messages)}


def exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        data = validation_error_data(exc)
        data = {("non_field_errors" if k == "__all__" else k): v for k, v in data.items()}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ConflictError):
        return Response({"detail": exc.message, "code": exc.code}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        return Response(
            {"detail": "Other records still refer to this one; deactivate it instead.", "code": "protected"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        return Response(
            {"detail": "This conflicts with existing data (a duplicate or a broken rule).", "code": "integrity"},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ObjectDoesNotExist):
        return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return drf_exception_handler(exc, context)
